"""Model builders for the course's language models, and sampling from them.

Notebook 03 introduces the fixed-window MLP language model of Bengio et al.
(2003); later notebooks add their models here. Every builder returns an
uncompiled ``keras.Model``; language models output **logits** (no softmax), so
losses use ``from_logits=True``; lab 08's classifier outputs a probability. Build (and compile) inside ``with strategy.scope():``.

    >>> model = build_mlp_lm(vocab_size=10, context=4, embed_dim=3, hidden_units=8)
    >>> model.output_shape
    (None, 10)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from .sampling import sample_next

__all__ = ["build_lstm_classifier", "build_mlp_lm", "generate_fixed_window", "sample_from_logits"]


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def build_mlp_lm(
    vocab_size: int,
    context: int,
    embed_dim: int,
    hidden_units: int,
    *,
    hidden_layers: int = 1,
    activation: str = "tanh",
    dropout: float = 0.0,
    name: str = "mlp_lm",
) -> keras.Model:
    """A fixed-window MLP language model (Bengio et al., 2003): k ids in, next-id logits out.

    Embedding (shared by the k positions) → concatenate the k vectors →
    ``hidden_layers`` Dense layers of ``hidden_units`` → Dense to
    ``vocab_size`` logits (the output projection).

    >>> model = build_mlp_lm(vocab_size=65, context=8, embed_dim=16, hidden_units=32)
    >>> [layer.name for layer in model.layers]
    ['context', 'embedding', 'concatenate', 'hidden_1', 'logits']
    >>> model.count_params() == 65 * 16 + (8 * 16 * 32 + 32) + (32 * 65 + 65)
    True
    """
    vocab_size = _positive("vocab_size", vocab_size)
    context = _positive("context", context)
    embed_dim = _positive("embed_dim", embed_dim)
    hidden_units = _positive("hidden_units", hidden_units)
    hidden_layers = _positive("hidden_layers", hidden_layers)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(shape=(context,), dtype="int32", name="context")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(inputs)
    x = keras.layers.Flatten(name="concatenate")(x)  # (batch, k · embed_dim)
    for i in range(1, hidden_layers + 1):
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{i}")(x)
        x = keras.layers.Dense(hidden_units, activation=activation, name=f"hidden_{i}")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout_out")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(inputs, logits, name=name)


def build_lstm_classifier(vocab_size, embed_dim=64, units=64, *, mask=True, bidirectional=True, dropout=0.3):
    """Embedding → (Bidirectional) LSTM → Dropout → Dense(1, sigmoid): P(positive) from padded word ids."""
    ids = keras.Input((None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=mask, name="embedding")(ids)
    lstm = keras.layers.LSTM(units, name="lstm")
    x = keras.layers.Bidirectional(lstm, name="bidirectional")(x) if bidirectional else lstm(x)
    x = keras.layers.Dropout(dropout)(x)
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid", name="p_positive")(x), name="lstm_classifier")


def sample_from_logits(
    logits: Sequence[float] | np.ndarray,
    temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> int:
    """Draw one id from softmax(logits / temperature); temperature 0 means argmax (greedy).

    Low temperatures sharpen the distribution (safer, repetitive text), high
    ones flatten it (more varied, more mistakes).

    >>> sample_from_logits([0.0, 5.0, 1.0], temperature=0)
    1
    >>> sample_from_logits([0.0, 5.0, 1.0], rng=np.random.default_rng(0)) in (0, 1, 2)
    True
    """
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    if z.size == 0:
        raise ValueError("logits are empty: there is nothing to sample from")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 = greedy), got {temperature}")
    if temperature == 0:
        return int(np.argmax(z))
    return sample_next(z, temperature, rng if rng is not None else np.random.default_rng())


def generate_fixed_window(
    model: Any,
    prompt_ids: Sequence[int] | np.ndarray,
    length: int,
    *,
    context: int,
    temperature: float = 1.0,
    seed: int | None = 0,
) -> list[int]:
    """Extend ``prompt_ids`` by ``length`` sampled ids with a fixed-window model; returns the new ids.

    Each step feeds the last ``context`` ids (the prompt must have at least
    that many) and samples the next from the model's logits.

    >>> model = build_mlp_lm(vocab_size=5, context=3, embed_dim=2, hidden_units=4)
    >>> new = generate_fixed_window(model, [0, 1, 2], 4, context=3, temperature=0)
    >>> len(new), all(0 <= i < 5 for i in new)
    (4, True)
    """
    ids = [int(i) for i in np.asarray(prompt_ids).reshape(-1)]
    context = _positive("context", context)
    if len(ids) < context:
        raise ValueError(f"the prompt has {len(ids)} ids; a model with context {context} needs at least {context}")
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    rng = np.random.default_rng(seed)
    new: list[int] = []
    for _ in range(length):
        x = np.asarray([ids[-context:]], dtype=np.int32)
        logits = np.asarray(model.predict_on_batch(x) if hasattr(model, "predict_on_batch") else model(x))
        next_id = sample_from_logits(logits[0], temperature, rng)
        ids.append(next_id)
        new.append(next_id)
    return new
