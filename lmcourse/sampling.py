"""Turning a model's next-token logits into text: temperature, top-k, top-p (nucleus) and sampling.

``top_k_filter`` and ``top_p_filter`` are written in lab 07's cells; a repository
test keeps them and this module the same code. The probabilities come from the
course's one softmax, :func:`lmcourse.metrics.softmax`. Three generators:
:func:`generate_fixed_window` for a fixed-window model (lab 03's MLP),
:func:`generate_text` for a sequence model that re-reads its window, and
:func:`generate_stateful` for a recurrent step model that carries its state.

    >>> probs = softmax_with_temperature([2.0, 1.0, 0.0], temperature=1.0)
    >>> round(float(probs.sum()), 6)
    1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from .metrics import softmax
from .text import Vocab

__all__ = ["generate_fixed_window", "generate_stateful", "generate_text", "sample_next",
           "softmax_with_temperature", "top_k_filter", "top_p_filter"]


def softmax_with_temperature(logits: Sequence[float] | np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities p_i ∝ exp(z_i / T), computed stably (float64) by :func:`lmcourse.metrics.softmax`.

    T < 1 sharpens the distribution towards the most likely token (T → 0 is
    greedy decoding); T > 1 flattens it towards uniform.

    >>> softmax_with_temperature([1.0, 0.0], temperature=0.5).round(4).tolist()
    [0.8808, 0.1192]
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}; use argmax for greedy decoding")
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError("logits must have a last axis with at least one entry")
    return softmax(z / temperature)


def top_k_filter(logits: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest logits of one position; the others become -inf (never sampled)."""
    logits = np.asarray(logits, dtype=np.float64)
    if k >= logits.size:
        return logits
    kth_largest = np.sort(logits)[-k]
    return np.where(logits >= kth_largest, logits, -np.inf)


def top_p_filter(logits: np.ndarray, p: float) -> np.ndarray:
    """Keep the fewest most-likely tokens whose probabilities add up to at least p (nucleus sampling)."""
    logits = np.asarray(logits, dtype=np.float64)
    order = np.argsort(logits)[::-1]                      # most likely first
    probs = softmax(logits[order])
    keep = np.cumsum(probs) - probs < p                   # the mass before this token is still below p
    filtered = np.full_like(logits, -np.inf)
    filtered[order[keep]] = logits[order[keep]]
    return filtered


def sample_next(
    logits: Sequence[float] | np.ndarray,
    temperature: float,
    rng: np.random.Generator,
    *,
    top_k: int | None = None,
    top_p: float | None = None,
) -> int:
    """Draw one token id from softmax(logits / temperature), after top-k and top-p filtering if asked.

    ``temperature=0`` is greedy decoding (the most likely token, no randomness).

    >>> sample_next([0.0, 100.0], 1.0, np.random.default_rng(0))
    1
    >>> sample_next([1.0, 3.0, 2.0], 0, np.random.default_rng(0))
    1
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"sample_next takes the logits of one position (1-D, not empty), got shape {z.shape}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise ValueError(f"top_k must be a whole number, 1 or more (how many tokens to keep), got {top_k!r}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1] (the probability mass to keep), got {top_p!r}")
    if temperature == 0:
        return int(np.argmax(z))
    if not temperature > 0:
        raise ValueError(f"temperature must be positive (or 0 for greedy decoding), got {temperature}")
    z = z / temperature
    if top_k is not None:
        z = top_k_filter(z, int(top_k))
    if top_p is not None:
        z = top_p_filter(z, top_p)
    probs = softmax(z)
    return int(rng.choice(probs.size, p=probs))


def _check_request(prompt: str, length: int) -> None:
    if not prompt:
        raise ValueError("give a non-empty prompt (e.g. a newline or the start of a line)")
    if length < 0:
        raise ValueError(f"length must be non-negative, got {length}")


def generate_fixed_window(
    model: keras.Model,
    vocab: Vocab,
    prompt: str,
    length: int,
    *,
    context: int,
    temperature: float = 1.0,
    seed: int = 0,
    detokenize: str = "",
    top_k: int | None = None,
    top_p: float | None = None,
) -> str:
    """Generate ``length`` tokens after ``prompt`` with a fixed-window model; returns prompt + new text.

    For a model mapping exactly ``context`` ids (1, context) → next-token
    logits (1, vocab), e.g. lab 03's MLP: each step feeds the last ``context``
    ids, so the prompt needs at least that many tokens. ``temperature=0``
    decodes greedily; ``top_k`` and ``top_p`` filter as in :func:`sample_next`.

    >>> from lmcourse.models import build_mlp_lm
    >>> vocab = Vocab.build("abc", specials=(), order="sorted")
    >>> model = build_mlp_lm(len(vocab), context=2, embed_dim=2, hidden_units=4)
    >>> len(generate_fixed_window(model, vocab, "ab", 5, context=2, temperature=0))
    7
    """
    _check_request(prompt, length)
    whole = isinstance(context, (int, np.integer)) and not isinstance(context, (bool, np.bool_))
    if not whole or context < 1:
        raise ValueError(f"context must be a whole number of tokens, 1 or more (the model's window), got {context!r}")
    ids = list(vocab.encode(list(prompt)))
    if len(ids) < context:
        raise ValueError(f"the prompt has {len(ids)} tokens; a model with a window of {context} needs at "
                         f"least {context}: give a longer prompt")
    rng = np.random.default_rng(seed)
    # One compiled graph for the fixed window shape: eager calls would be far slower.
    forward = tf.function(lambda x: model(x, training=False), input_signature=[tf.TensorSpec((1, context), tf.int32)])
    for _ in range(length):
        window = tf.constant(np.asarray(ids[-context:], dtype=np.int32)[None, :])
        ids.append(sample_next(forward(window)[0].numpy(), temperature, rng, top_k=top_k, top_p=top_p))
    return detokenize.join(vocab.decode(ids))


def generate_text(
    model: keras.Model,
    vocab: Vocab,
    prompt: str,
    length: int,
    *,
    temperature: float = 1.0,
    context: int = 100,
    seed: int = 0,
    detokenize: str = "",
    top_k: int | None = None,
    top_p: float | None = None,
) -> str:
    """Generate ``length`` characters after ``prompt`` by re-running the model on the last ``context`` tokens.

    Works for any model mapping ids (1, time) → logits (1, time, vocab). Each
    step re-reads the whole window: simple and stateless (lab 05 shows the
    faster stateful way for recurrent models, lab 07 a key/value cache for
    Transformers). ``temperature=0`` decodes greedily; ``top_k`` and ``top_p``
    filter the distribution before sampling (see :func:`sample_next`).
    """
    _check_request(prompt, length)
    whole = isinstance(context, (int, np.integer)) and not isinstance(context, (bool, np.bool_))
    if not whole or context < 1:
        raise ValueError(f"context must be a whole number of tokens, 1 or more (the model reads the last "
                         f"`context` ids of the text at each step), got {context!r}")
    rng = np.random.default_rng(seed)
    ids = list(vocab.encode(list(prompt)))
    # One compiled graph for every window length: eager calls would be far slower.
    forward = tf.function(lambda x: model(x, training=False)[:, -1],
                          input_signature=[tf.TensorSpec((1, None), tf.int32)])
    for _ in range(length):
        window = tf.constant(np.asarray(ids[-context:], dtype=np.int32)[None, :])
        ids.append(sample_next(forward(window)[0].numpy(), temperature, rng, top_k=top_k, top_p=top_p))
    return detokenize.join(vocab.decode(ids))


def generate_stateful(
    step_model: keras.Model,
    vocab: Vocab,
    prompt: str,
    length: int,
    *,
    temperature: float = 1.0,
    seed: int = 0,
    detokenize: str = "",
    return_logits: bool = False,
) -> str | tuple[str, np.ndarray]:
    """Generate with a recurrent step model (:func:`lmcourse.rnn.build_step_model`), carrying the state.

    The prompt is read once; then each new token costs one recurrent step.
    With ``return_logits=True`` also returns the logits used at every step,
    shape (length, vocab), to compare with a full re-run of the prefix.
    """
    from .rnn import zero_states

    _check_request(prompt, length)
    rng = np.random.default_rng(seed)
    ids = list(vocab.encode(list(prompt)))
    states0 = [tf.constant(z) for z in zero_states(step_model)]
    signature = [tf.TensorSpec((1, None), tf.int32)] + [tf.TensorSpec(z.shape, z.dtype) for z in states0]

    @tf.function(input_signature=signature, autograph=False)  # no Python control flow inside
    def step(x, *states):
        outputs = step_model([x, *states], training=False)
        return outputs[0][:, -1], outputs[1:]

    logits, states = step(tf.constant(np.asarray(ids, dtype=np.int32)[None, :]), *states0)
    logits = logits[0].numpy()
    used = []
    for _ in range(length):
        used.append(logits)
        ids.append(sample_next(logits, temperature, rng))
        logits, states = step(tf.constant([[ids[-1]]], dtype=tf.int32), *states)
        logits = logits[0].numpy()
    text = detokenize.join(vocab.decode(ids))
    if return_logits:
        return text, np.asarray(used).reshape(length, -1)
    return text
