"""Model builders: lab 03's fixed-window MLP language model and lab 08's LSTM classifier.

Notebook 03 writes :func:`build_mlp_lm` (Bengio et al., 2003) in a cell and
notebook 08 :func:`build_lstm_classifier`, the same code as here (a repository
test keeps them the same). Every builder returns an uncompiled
``keras.Model``; language models output **logits** (no softmax), so losses use
``from_logits=True``; lab 08's classifier outputs a probability. Build (and
compile) inside ``with strategy.scope():``. Sampling from a model is in
:mod:`lmcourse.sampling`.

    >>> model = build_mlp_lm(vocab_size=10, context=4, embed_dim=3, hidden_units=8)
    >>> model.output_shape
    (None, 10)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = ["MaxMeanPool", "build_lstm_classifier", "build_mlp_lm"]


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


@keras.saving.register_keras_serializable(package="lmcourse")
class MaxMeanPool(keras.layers.Layer):
    """(hidden (batch, T, d), ids (batch, T)) → the max and the mean over time steps, (batch, 2d).

    With ``skip_padding`` the padded steps (id 0) are left out of both.
    """

    def __init__(self, skip_padding: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.skip_padding = skip_padding

    def call(self, hidden, ids, mask=None):
        real = ops.not_equal(ids, 0) if self.skip_padding else ops.ones_like(ids, dtype="bool")
        keep = ops.cast(real, hidden.dtype)[..., None]
        mean = ops.sum(hidden * keep, axis=1) / ops.maximum(ops.sum(keep, axis=1), 1.0)
        largest = ops.max(hidden + (keep - 1.0) * 1e9, axis=1)
        return ops.concatenate([largest, mean], axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per review: nothing left to mask

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "skip_padding": self.skip_padding}


def build_lstm_classifier(vocab_size, embed_dim=64, units=64, *, mask=True, bidirectional=True, pooling="last",
                          dropout=0.5, embedding_dropout=0.3):
    """Embedding → (Bidirectional) LSTM → its last state, or max and mean over every step → Dense(1, sigmoid)."""
    ids = keras.Input((None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, mask_zero=mask, name="embedding")(ids)
    x = keras.layers.SpatialDropout1D(embedding_dropout, name="word_dropout")(x)
    lstm = keras.layers.LSTM(units, return_sequences=pooling == "max_mean", name="lstm")
    x = keras.layers.Bidirectional(lstm, name="bidirectional")(x) if bidirectional else lstm(x)
    if pooling == "max_mean":
        x = MaxMeanPool(skip_padding=mask, name="max_mean_pool")(x, ids)
    x = keras.layers.Dropout(dropout)(x)
    return keras.Model(ids, keras.layers.Dense(1, activation="sigmoid", name="p_positive")(x), name="lstm_classifier")
