"""Fixed-length contexts: the k previous tokens as input, the next token as target.

A fixed-window language model (Bengio et al., 2003; notebook 03) predicts
token t from tokens t−k … t−1. Every position from k on is one example, so
windows overlap by k − 1 tokens.

    >>> x, y = context_windows([5, 6, 7, 8], 2)
    >>> x.tolist(), y.tolist()
    ([[5, 6], [6, 7]], [7, 8])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["context_window_dataset", "context_windows"]


def _check(ids: Sequence[int] | np.ndarray, context: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence (1-D), got shape {ids.shape}; flatten or concatenate first")
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integer token ids, got dtype {ids.dtype}; encode the text first")
    if isinstance(context, bool) or not isinstance(context, (int, np.integer)) or context < 1:
        raise ValueError(f"context (k) must be a positive integer, got {context!r}")
    if len(ids) <= context:
        raise ValueError(f"{len(ids)} ids are too few for one context of {context} plus its target")
    return ids


def context_windows(ids: Sequence[int] | np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """All (k previous ids, next id) pairs of a sequence: x of shape (n − k, k), y of shape (n − k,).

    Row i is ``x[i] = ids[i : i + k]`` and ``y[i] = ids[i + k]``.

    >>> x, y = context_windows(np.arange(6), 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [1, 2, 3], [2, 3, 4]], [3, 4, 5])
    """
    ids = _check(ids, context)
    both = sliding_window_view(ids, context + 1)
    return both[:, :context].copy(), both[:, context].copy()


def context_window_dataset(
    ids: Sequence[int] | np.ndarray,
    context: int,
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int = 0,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (contexts (batch, k), next ids (batch,)) for a fixed-window model.

    It keeps the id sequence once and shuffles only the start positions
    (with ``seed``, reshuffled every epoch), gathering each batch's windows
    on the fly, so memory stays at one copy of the text whatever k is.
    Batches are cut with ``drop_remainder=True`` (static shapes) and prefetched.

    >>> ds = context_window_dataset(np.arange(100), context=8, batch_size=16)
    >>> [tuple(t.shape) for t in next(iter(ds))]
    [(16, 8), (16,)]
    """
    ids = _check(ids, context)
    count = len(ids) - context
    if batch_size < 1 or count < batch_size:
        raise ValueError(
            f"{count} windows of {context} make no full batch of {batch_size}; "
            "use a smaller batch_size or more text"
        )
    table = tf.constant(ids.astype(np.int32))
    offsets = tf.range(context + 1, dtype=tf.int64)

    def gather(starts: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        windows = tf.gather(table, starts[:, None] + offsets[None, :])
        return windows[:, :context], windows[:, context]

    ds = tf.data.Dataset.range(count)
    if shuffle:
        ds = ds.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
