"""Scores for language models: stable softmax arithmetic and the course's single scorer.

``softmax``, ``log_softmax``, ``logsumexp`` and ``cross_entropy`` are written in
lab 03's cells (the same code as here; a repository test keeps them the same)
and checked there against Keras. Everything else in the course that needs a
softmax calls these. :func:`score_text` is the one yardstick: it scores any
next-token model on every token of a text, once, so every character-level model
of the course is measured the same way and the leaderboard accepts only its
:class:`TextScore`.

    >>> import numpy as np
    >>> round(float(logsumexp(np.array([1000.0, 1000.0]))), 4)  # exp(1000) would overflow
    1000.6931
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["TextScore", "cross_entropy", "log_softmax", "logsumexp", "score_text", "softmax"]


def _as_logits(logits: ArrayLike) -> np.ndarray:
    """The logits as float64, with a last axis of at least one class."""
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits need a last axis with at least one entry (one score per class), got shape {z.shape}")
    return z


def logsumexp(logits: ArrayLike) -> np.ndarray:
    """log Σ exp(z) over the last axis, computed as m + log Σ exp(z − m) with m = max z.

    Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows, and
    one term is exp(0) = 1, so the sum never underflows to 0.

    >>> logsumexp([0.0, 0.0]).round(6)  # log 2
    np.float64(0.693147)
    >>> logsumexp([[1.0, 2.0], [1e4, 1e4]]).round(4).tolist()
    [2.3133, 10000.6931]
    """
    z = _as_logits(logits)
    m = np.max(z, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # a row of -inf logits: shift by 0, not by -inf
    return (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(logits: ArrayLike) -> np.ndarray:
    """log softmax(z) = z − logsumexp(z), over the last axis: never the log of an underflowed probability.

    >>> np.exp(log_softmax([1.0, 1.0, 1.0])).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    z = _as_logits(logits)
    return z - logsumexp(z)[..., None]


def softmax(logits: ArrayLike) -> np.ndarray:
    """The probabilities exp(z) / Σ exp(z) over the last axis, computed as exp(z − m) / Σ exp(z − m).

    The course's one softmax: :func:`lmcourse.sampling.softmax_with_temperature` calls it.

    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    z = _as_logits(logits)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy(logits: ArrayLike, targets: ArrayLike) -> float:
    """Mean cross-entropy −log softmax(z)[y] in nats, from logits (batch, classes) and class ids (batch,).

    A single example (1-D logits, an int target) works too. It goes through
    :func:`log_softmax`, so no probability is ever formed.

    >>> round(cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 1]), 4)
    0.1269
    >>> round(cross_entropy([0.0, 0.0, 0.0, 0.0], 3), 4)  # uniform over 4: log 4
    1.3863
    """
    z = _as_logits(logits)
    y = np.asarray(targets)
    if z.ndim == 1:  # one example: 1-D logits and one target
        z, y = z[None, :], y.reshape(1)
    if z.ndim != 2 or y.shape != z.shape[:1] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"logits must be (batch, classes) and targets (batch,) integer class ids; "
                         f"got shapes {z.shape} and {y.shape}, targets of dtype {y.dtype}")
    if y.size == 0:
        raise ValueError("the batch is empty: an empty batch has no mean cross-entropy")
    if y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError(f"target ids must be in 0..{z.shape[1] - 1}; got {y.min()}..{y.max()}")
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def _predictor(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "predict_on_batch"):
        return lambda x: np.asarray(model.predict_on_batch(x))
    if callable(model):
        return lambda x: np.asarray(model(x))
    raise TypeError(f"model must be a Keras model or a function from ids to logits, got {type(model).__name__}")


@dataclass(frozen=True)
class TextScore:
    """What :func:`score_text` measured: mean nats per token over every token of a text, and how.

    The leaderboard accepts only this, so every row is scored the same way.
    """

    nats: float
    tokens: int
    method: str
    seconds: float

    @property
    def bits(self) -> float:
        """Bits per token: nats / ln 2."""
        return self.nats / math.log(2)

    @property
    def perplexity(self) -> float:
        """exp(nats): the effective number of equally likely next tokens."""
        return math.exp(self.nats)

    def __str__(self) -> str:
        return (f"{self.nats:.4f} nats/token = {self.bits:.3f} bits/token (perplexity {self.perplexity:.2f}) "
                f"over {self.tokens:,} tokens, {self.method}")


def _stateful_chunks(model: Any) -> bool:
    return hasattr(model, "inputs") and isinstance(model.inputs, list) and len(model.inputs) > 1


def _score_stateful(step_model: Any, text: np.ndarray, start: int, chunk: int) -> tuple[float, int]:
    """Carry a recurrent step model's state across the whole text; score positions >= start."""
    import tensorflow as tf

    states = [tf.zeros((1, t.shape[-1]), t.dtype) for t in step_model.inputs[1:]]
    signature = [tf.TensorSpec((1, None), tf.int32)] + [tf.TensorSpec(s.shape, s.dtype) for s in states]

    @tf.function(input_signature=signature, autograph=False)  # no Python control flow inside
    def step(x, *states):
        outputs = step_model([x, *states], training=False)
        logits = tf.cast(outputs[0], tf.float32)
        return tf.nn.log_softmax(logits, axis=-1), outputs[1:]

    total, count = 0.0, 0
    inputs, targets = text[:-1], text[1:]
    for a in range(0, len(inputs), chunk):
        x = inputs[a : a + chunk]
        log_p, states = step(tf.constant(x[None, :]), *states)
        y = targets[a : a + chunk]
        picked = np.take_along_axis(log_p.numpy()[0], y[:, None].astype(np.int64), axis=-1)[:, 0]
        first = max(0, start - 1 - a)  # target index t scores text[t + 1]; score from text[start] on
        total -= float(picked[first:].sum())
        count += len(picked) - min(first, len(picked))
    return total, count


def score_text(
    model: Any,
    ids: Sequence[int] | np.ndarray,
    *,
    prefix: Sequence[int] | np.ndarray,
    context: int,
    stride: int | None = None,
    batch_size: int = 256,
    pad_id: int = 0,
) -> TextScore:
    """The course's one yardstick: mean nats a model gives to every token of ``ids``, each scored once.

    ``prefix`` is the text just before ``ids`` (for the course split: the end
    of the training text), so the first scored tokens have a real history.
    Three kinds of model, told apart by what they take and return:

    * **fixed window** — ids (batch, context) → logits (batch, vocab), e.g. the
      MLP of lab 03 or an n-gram model wrapped as a function: the window
      slides one token at a time, so every token sees its ``context`` predecessors;
    * **recurrent, state carried** — a step model ``[ids, *states] → [logits,
      *states]`` (:func:`lmcourse.rnn.build_step_model`): it reads the prefix and
      then the whole text in chunks of ``context`` tokens, never resetting its state;
    * **causal sequence model** — ids (batch, context) → logits (batch,
      context, vocab), e.g. a Transformer with a fixed maximum context: windows of
      ``context`` tokens move ``stride`` tokens at a time (default ``context // 2``)
      and each scores only tokens no earlier window scored, so every token is
      scored once with at least ``context − stride`` tokens of history.

    Logits become log-probabilities with a stable log-softmax, in float64.

    >>> vocab = 3
    >>> uniform = lambda x: np.zeros((len(x), vocab))  # a fixed-window model: 1/3 each
    >>> score = score_text(uniform, [0, 1, 2, 1], prefix=[2, 2], context=2)
    >>> round(score.nats, 4), score.tokens   # log 3 over 4 tokens
    (1.0986, 4)
    """
    ids = np.asarray(ids)
    prefix = np.asarray(prefix, dtype=ids.dtype if ids.size else np.int64)
    if ids.ndim != 1 or prefix.ndim != 1:
        raise ValueError("ids and prefix must be 1-D sequences of token ids; flatten them first")
    if ids.size == 0:
        raise ValueError("no tokens to score: ids is empty")
    if not (np.issubdtype(ids.dtype, np.integer) and (prefix.size == 0 or np.issubdtype(prefix.dtype, np.integer))):
        raise ValueError(f"ids and prefix must be integer token ids, got {ids.dtype} and {prefix.dtype}; encode the text first")
    for name, value in (("context", context), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if prefix.size == 0:
        raise ValueError("pass the tokens that precede ids as prefix (e.g. train_ids[-context:]), "
                         "so the first scored tokens have a history")
    text = np.concatenate([prefix, ids]).astype(np.int32)
    start = len(prefix)
    started = time.perf_counter()
    if _stateful_chunks(model):
        total, count = _score_stateful(model, text, start, context)
        method = f"recurrent state carried across the whole text (chunks of {context})"
        return _finish(total, count, len(ids), method, started)
    predict = _predictor(model)
    probe = predict(np.full((batch_size, context), pad_id, dtype=np.int32))  # the shape every batch has
    if probe.ndim == 2:
        if len(prefix) < context:
            raise ValueError(f"a fixed-window model with context {context} needs at least {context} prefix "
                             f"tokens; got {len(prefix)}. Pass e.g. train_ids[-{context}:]")
        positions = np.arange(start, len(text))
        batches = []
        for i in range(0, len(positions), batch_size):
            p = positions[i : i + batch_size]
            batches.append((text[p[:, None] - context + np.arange(context)[None, :]], text[p], None))
        method = f"fixed window of {context}, sliding one token at a time"
    elif probe.ndim == 3:
        stride = context // 2 if stride is None else stride
        if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or not 1 <= stride <= context:
            raise ValueError(f"stride must be an integer in 1..context ({context}), got {stride!r}")
        rows, targets, masks = [], [], []
        last = start - 1  # text positions up to here are scored (or are prefix)
        a = max(0, start - context)
        while last < len(text) - 1:
            x = text[a : a + context]
            y = text[a + 1 : a + context + 1]
            target_pos = np.arange(a + 1, a + 1 + len(y))
            mask = target_pos > last
            rows.append(np.pad(x, (0, context - len(x)), constant_values=pad_id))
            targets.append(np.pad(y, (0, context - len(y)), constant_values=pad_id))
            masks.append(np.pad(mask, (0, context - len(mask))))
            last = int(target_pos[-1])
            a += stride
        rows_a, targets_a, masks_a = np.stack(rows), np.stack(targets), np.stack(masks)
        batches = [(rows_a[i : i + batch_size], targets_a[i : i + batch_size], masks_a[i : i + batch_size])
                   for i in range(0, len(rows_a), batch_size)]
        method = f"windows of {context} moved {stride} at a time (at least {context - stride} tokens of history)"
    else:
        raise ValueError(f"the model returned logits of shape {probe.shape}; expected (batch, vocab) for a "
                         "fixed-window model or (batch, context, vocab) for a sequence model")
    total, count = 0.0, 0
    for x, y, mask in batches:
        n = len(x)
        if n < batch_size:  # keep the batch shape static (one compiled graph)
            x = np.concatenate([x, np.full((batch_size - n,) + x.shape[1:], pad_id, dtype=x.dtype)])
        log_p = log_softmax(predict(x)[:n])
        picked = np.take_along_axis(log_p, y[..., None].astype(np.int64), axis=-1)[..., 0]
        if mask is not None:
            picked = picked[mask]
        total -= float(picked.sum())
        count += picked.size
    return _finish(total, count, len(ids), method, started)


def _finish(total: float, count: int, expected: int, method: str, started: float) -> TextScore:
    if count != expected:  # pragma: no cover - a bug guard, not a user error
        raise RuntimeError(f"scored {count} tokens instead of {expected}")
    return TextScore(nats=total / count, tokens=count, method=method, seconds=time.perf_counter() - started)
