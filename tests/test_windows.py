"""Tests for lmcourse.windows: (k previous ids, next id) pairs as arrays and as tf.data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.windows import context_window_dataset, context_windows


def test_context_windows_small_example():
    x, y = context_windows(np.array([3, 1, 4, 1, 5]), 2)
    assert x.tolist() == [[3, 1], [1, 4], [4, 1]]
    assert y.tolist() == [4, 1, 5]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=2, max_size=60), st.integers(1, 10))
def test_context_windows_laws(ids, k):
    if len(ids) <= k:
        with pytest.raises(ValueError, match="too few"):
            context_windows(ids, k)
        return
    x, y = context_windows(ids, k)
    assert x.shape == (len(ids) - k, k) and y.shape == (len(ids) - k,)
    assert y.tolist() == ids[k:]  # every id from position k on is a target exactly once
    for i in range(len(y)):
        assert x[i].tolist() == ids[i : i + k]


def test_context_windows_returns_writable_copies():
    ids = np.arange(10)
    x, _ = context_windows(ids, 3)
    x[0, 0] = 99
    assert ids[0] == 0


@pytest.mark.parametrize(
    ("ids", "k", "message"),
    [
        (np.zeros((2, 5), dtype=int), 2, "1-D"),
        (np.array([0.5, 1.5, 2.5]), 1, "integer"),
        (np.arange(5), 0, "positive"),
        (np.arange(3), 3, "too few"),
    ],
)
def test_context_windows_explains_bad_input(ids, k, message):
    with pytest.raises(ValueError, match=message):
        context_windows(ids, k)


def test_context_window_dataset_has_static_shapes_and_right_targets():
    ids = (np.arange(200) * 7) % 13
    ds = context_window_dataset(ids, 5, batch_size=32, seed=1)
    assert ds.element_spec[0].shape.as_list() == [32, 5]
    assert ds.element_spec[1].shape.as_list() == [32]
    x_all, y_all = context_windows(ids, 5)
    pairs = {tuple(r) + (t,) for r, t in zip(x_all.tolist(), y_all.tolist(), strict=True)}
    batches = list(ds)
    assert len(batches) == (200 - 5) // 32
    for x, y in batches:
        for row, target in zip(x.numpy().tolist(), y.numpy().tolist(), strict=True):
            assert tuple(row) + (target,) in pairs


def test_context_window_dataset_unshuffled_is_in_order_and_seed_repeats():
    ids = np.arange(50)
    x, y = next(iter(context_window_dataset(ids, 3, batch_size=4, shuffle=False)))
    assert x.numpy().tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    assert y.numpy().tolist() == [3, 4, 5, 6]
    a = next(iter(context_window_dataset(ids, 3, batch_size=8, seed=5)))[1].numpy()
    b = next(iter(context_window_dataset(ids, 3, batch_size=8, seed=5)))[1].numpy()
    assert a.tolist() == b.tolist()


def test_context_window_dataset_explains_too_small_input():
    with pytest.raises(ValueError, match="no full batch"):
        context_window_dataset(np.arange(10), 3, batch_size=64)
