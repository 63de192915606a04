"""Checks for the exercises of notebook 04."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_bptt_gradients", "check_char_rnn_params", "check_scaled_orthogonal", "check_stateful_batches"]


def _bptt_reference(states: np.ndarray, W_h: np.ndarray, g_last: np.ndarray) -> np.ndarray:
    grads = np.zeros_like(states)
    grads[-1] = g_last
    for t in range(len(states) - 1, 0, -1):
        grads[t - 1] = (grads[t] * (1 - states[t] ** 2)) @ W_h.T
    return grads


def check_bptt_gradients(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> CheckResult:
    """Exercise 04.1: backpropagation through time by hand, ∂L/∂h_t for every step of a tanh recurrence."""
    rng = np.random.default_rng(41)
    cases = []
    for steps, batch, units in [(4, 1, 3), (6, 2, 5), (1, 3, 2), (10, 2, 4)]:
        W_x, W_h = rng.normal(size=(2, units)), rng.normal(0, 0.8, size=(units, units))  # W_h is not symmetric
        h, states = np.zeros((batch, units)), []
        for x_t in rng.normal(size=(steps, batch, 2)):
            h = np.tanh(x_t @ W_x + h @ W_h)
            states.append(h)
        states_a, g_last = np.array(states), rng.normal(size=(batch, units))
        cases.append(Case((states_a, W_h, g_last), np.round(_bptt_reference(states_a, W_h, g_last), 6),
                          f"{steps} steps, batch {batch}, {units} units" + (": only the last state" if steps == 1 else "")))
    return check_function(converted(fn, lambda got: np.round(np.asarray(got, dtype=float), 6)), cases,
                          name="bptt_gradients",
                          hint="start from the last state, whose gradient you are given, and walk back one step at "
                               "a time with section 2's Jacobian; mind which state's tanh derivative belongs to "
                               "each step, and that a row vector meets W_h transposed on the way back")


def _stateful_reference(ids: np.ndarray, batch_size: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    n = (len(ids) - 1) // batch_size
    windows = n // seq_len
    x = np.zeros((windows, batch_size, seq_len), dtype=ids.dtype)
    y = np.zeros_like(x)
    for k in range(windows):
        for b in range(batch_size):
            start = b * n + k * seq_len
            x[k, b] = ids[start : start + seq_len]
            y[k, b] = ids[start + 1 : start + seq_len + 1]
    return x, y


def check_stateful_batches(fn: Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 04.2: batches in which row b of batch k + 1 continues row b of batch k."""
    cases = [Case((ids, b, s), _stateful_reference(ids, b, s), note) for ids, b, s, note in [
        (np.arange(13), 2, 3, "13 ids, 2 streams of 6: two windows of 3 each"),
        (np.arange(100, 121), 3, 2, "21 ids, 3 streams of 6 (the ids are not their positions)"),
        (np.arange(10), 1, 4, "one stream: plain consecutive windows"),
        (np.arange(25), 4, 5, "4 streams of 6: one window of 5 each, the rest dropped"),
    ]]
    return check_function(converted(fn, lambda got: tuple(np.asarray(a) for a in got)), cases,
                          name="stateful_batches",
                          hint="build one row per stream first, a (batch_size, n) array of inputs and another of "
                               "targets shifted by one; then batch k is the k-th block of seq_len columns of each")


def _orthogonal_properties(fn: Callable[[int, float, int], np.ndarray], n: int, radius: float, seed: int) -> Any:
    got = fn(n, radius, seed)
    if got is None or got is Ellipsis:
        return got
    m = np.asarray(got, dtype=float)
    if m.shape != (n, n):
        return m.shape, False, False
    every_singular_value = bool(np.allclose(np.linalg.svd(m, compute_uv=False), radius, rtol=1e-6, atol=1e-9))
    another = np.asarray(fn(n, radius, seed + 1), dtype=float)
    return m.shape, every_singular_value, not np.allclose(m, another)


def check_scaled_orthogonal(fn: Callable[[int, float, int], np.ndarray]) -> CheckResult:
    """Exercise 04.3: a random n×n matrix, drawn with ``seed``, that multiplies every vector's length by radius.

    The verdict compares (shape, every singular value equals radius, another seed gives another matrix).
    """
    cases = [Case((n, r, seed), ((n, n), True, True), f"n = {n}, radius {r}, seed {seed}")
             for n, r, seed in [(3, 1.0, 0), (8, 0.9, 1), (16, 1.1, 2), (2, 0.5, 3)]]
    return check_function(lambda n, r, seed: _orthogonal_properties(fn, n, r, seed), cases,
                          name="scaled_orthogonal",
                          hint="the answer is compared as (shape, every singular value equal to radius, a new seed "
                               "gives a new matrix). Rescaling to a spectral radius fixes only the largest "
                               "|eigenvalue|, and some vectors still stretch more than others; look in np.linalg "
                               "for a factorisation of a random matrix with a factor whose columns are orthonormal")


def _char_rnn_params(vocab: int, embed: int, units: int, layers: int) -> int:
    recurrent = (embed * units + units * units + units) + (layers - 1) * (2 * units * units + units)
    return vocab * embed + recurrent + units * vocab + vocab


def check_char_rnn_params(fn: Callable[[int, int, int, int], int]) -> CheckResult:
    """Exercise 04.4: trainable parameters of build_char_rnn(vocab_size, cell="simple", ...) with stacked layers."""
    cases = [Case(args, _char_rnn_params(*args), f"vocab {args[0]}, embed_dim {args[1]}, {args[2]} units, "
                  f"{args[3]} layer(s)")
             for args in [(65, 64, 256, 1), (65, 16, 32, 2), (10, 4, 8, 3), (2, 1, 1, 1)]]
    return check_function(converted(fn, int), cases, name="char_rnn_params",
                          hint="three kinds of layer: the embedding table, the recurrent layer(s), the output layer "
                               "(which has a bias). For each recurrent layer ask what width its input has: the "
                               "first reads the embeddings, each later one the layer below it")
