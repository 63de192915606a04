"""Scores for language models: stable softmax arithmetic and validation nats per token.

The softmax and cross-entropy here are NumPy references (notebook 03 writes them
with tensor ops and checks them against Keras); :func:`nats_per_token` scores any
Keras next-token model over a whole text, so every character-level model of the
course is measured the same way.

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

__all__ = ["TextScore", "cross_entropy", "log_softmax", "logsumexp", "nats_per_token", "score_text", "softmax"]


def _as_logits(logits: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(logits, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] == 0:
        raise ValueError(
            f"logits need a last axis with at least one entry (one score per class), got shape {array.shape}"
        )
    return array


def logsumexp(logits: Sequence[float] | np.ndarray) -> np.ndarray:
    """log Σ exp(z) over the last axis, computed as m + log Σ exp(z − m) with m = max z.

    Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows.

    >>> logsumexp([0.0, 0.0]).round(6)  # log 2
    np.float64(0.693147)
    >>> logsumexp([[1.0, 2.0], [1e4, 1e4]]).round(4).tolist()
    [2.3133, 10000.6931]
    """
    z = _as_logits(logits)
    m = np.max(z, axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(logits: Sequence[float] | np.ndarray) -> np.ndarray:
    """log softmax(z) = z − logsumexp(z), over the last axis.

    >>> np.exp(log_softmax([1.0, 1.0, 1.0])).round(4).tolist()
    [0.3333, 0.3333, 0.3333]
    """
    z = _as_logits(logits)
    return z - logsumexp(z)[..., None]


def softmax(logits: Sequence[float] | np.ndarray) -> np.ndarray:
    """The probabilities exp(z) / Σ exp(z) over the last axis, without overflow.

    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    z = _as_logits(logits)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy(logits: Sequence[float] | np.ndarray, targets: Sequence[int] | np.ndarray | int) -> float:
    """Mean cross-entropy −log softmax(z)[y] in nats, from logits (batch, classes) and class ids (batch,).

    A single example (1-D logits, an int target) works too.

    >>> round(cross_entropy([[2.0, 0.0], [0.0, 2.0]], [0, 1]), 4)
    0.1269
    >>> round(cross_entropy([0.0, 0.0, 0.0, 0.0], 3), 4)  # uniform over 4: log 4
    1.3863
    """
    z = _as_logits(logits)
    y = np.asarray(targets)
    if z.ndim == 1:
        z, y = z[None, :], y.reshape(1)
    if z.ndim != 2 or y.shape != z.shape[:1]:
        raise ValueError(
            f"logits must be (batch, classes) and targets (batch,); got {z.shape} and {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"targets must be integer class ids, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"target ids must be in 0..{z.shape[1] - 1}; got {y.min()}..{y.max()}")
    if y.size == 0:
        raise ValueError("no examples: the mean cross-entropy of an empty batch is undefined")
    return float(-np.mean(log_softmax(z)[np.arange(len(y)), y]))


def _predictor(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "predict_on_batch"):
        return lambda x: np.asarray(model.predict_on_batch(x))
    if callable(model):
        return lambda x: np.asarray(model(x))
    raise TypeError(f"model must be a Keras model or a function from ids to logits, got {type(model).__name__}")


def nats_per_token(
    model: Any,
    ids: Sequence[int] | np.ndarray,
    context: int,
    *,
    prefix: Sequence[int] | np.ndarray = (),
    batch_size: int = 1024,
    pad_id: int = 0,
) -> float:
    """Mean negative log-likelihood (nats) a next-token model gives to every token of ``ids``.

    ``model`` maps int ids of shape (batch, context) to logits, either
    (batch, vocab) — a fixed-window model that predicts the token after the
    window — or (batch, context, vocab) — a sequence model that predicts the
    next token at every position (RNNs, Transformers; it must be causal).
    Every token of ``ids`` is scored exactly once:

    * a fixed-window model sees the ``context`` tokens before each target, so
      ``prefix`` must hold at least ``context`` tokens that precede ``ids``
      (for the course split: the end of the training text);
    * a sequence model reads the text in consecutive chunks of ``context``
      tokens (each token conditioned on the earlier tokens of its chunk);
      ``prefix`` must hold at least one token.

    Batches keep a static shape (the last one is padded with ``pad_id``,
    padded positions are never scored). Logits are turned into
    log-probabilities with a stable log-softmax.

    >>> vocab = 3
    >>> uniform = lambda x: np.zeros((len(x), vocab))  # a fixed-window model: 1/3 each
    >>> round(nats_per_token(uniform, [0, 1, 2, 1], context=2, prefix=[2, 2]), 4)  # log 3
    1.0986
    """
    ids = np.asarray(ids)
    prefix = np.asarray(prefix, dtype=ids.dtype if ids.size else np.int64)
    if ids.ndim != 1 or prefix.ndim != 1:
        raise ValueError("ids and prefix must be 1-D sequences of token ids; flatten them first")
    if ids.size == 0:
        raise ValueError("no tokens to score: ids is empty")
    if context < 1 or batch_size < 1:
        raise ValueError(f"context and batch_size must be at least 1, got {context} and {batch_size}")
    if prefix.size == 0:
        raise ValueError(
            "pass the tokens that precede ids as prefix (at least one; a fixed-window model needs "
            "`context` of them), e.g. the end of the training text, so every token of ids is scored"
        )
    predict = _predictor(model)
    text = np.concatenate([prefix, ids]).astype(np.int32)
    start = len(prefix)  # position of ids[0] in text
    probe = predict(np.full((batch_size, context), pad_id, dtype=np.int32))  # the shape every batch has
    if probe.ndim == 2:  # fixed window: one prediction per window
        if len(prefix) < context:
            raise ValueError(
                f"a fixed-window model with context {context} needs at least {context} prefix tokens "
                f"before the first scored token; got {len(prefix)}. Pass e.g. train_ids[-{context}:]"
            )
        positions = np.arange(start, len(text))
        windows = positions[:, None] - context + np.arange(context)[None, :]
        chunks = [(text[windows[i : i + batch_size]], text[positions[i : i + batch_size]], None)
                  for i in range(0, len(positions), batch_size)]
    elif probe.ndim == 3:  # sequence model: predictions at every position of a chunk
        inputs_start = np.arange(start - 1, len(text) - 1, context)
        rows, targets, masks = [], [], []
        for s in inputs_start:
            x = text[s : s + context]
            y = text[s + 1 : s + context + 1]
            valid = len(y)
            rows.append(np.pad(x, (0, context - len(x)), constant_values=pad_id))
            targets.append(np.pad(y, (0, context - valid), constant_values=pad_id))
            masks.append(np.arange(context) < valid)
        rows_a, targets_a, masks_a = np.stack(rows), np.stack(targets), np.stack(masks)
        chunks = [(rows_a[i : i + batch_size], targets_a[i : i + batch_size], masks_a[i : i + batch_size])
                  for i in range(0, len(rows_a), batch_size)]
    else:
        raise ValueError(
            f"the model returned logits of shape {probe.shape}; expected (batch, vocab) for a "
            "fixed-window model or (batch, context, vocab) for a sequence model"
        )
    total, count = 0.0, 0
    for x, y, mask in chunks:
        n = len(x)
        if n < batch_size:  # keep the batch shape static
            x = np.concatenate([x, np.full((batch_size - n,) + x.shape[1:], pad_id, dtype=x.dtype)])
        log_p = log_softmax(predict(x)[:n])
        picked = np.take_along_axis(log_p, y[..., None].astype(np.int64), axis=-1)[..., 0]
        if mask is not None:
            picked = picked[mask]
        total -= float(picked.sum())
        count += picked.size
    if count != len(ids):  # pragma: no cover - a bug guard, not a user error
        raise RuntimeError(f"scored {count} tokens instead of {len(ids)}")
    return total / count


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

    @tf.function(input_signature=signature)
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
