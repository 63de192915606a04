"""Checks for the exercises of notebook 06."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_additive_attention", "check_decoder_mask", "check_mha_params", "check_shift_matrix"]


def check_additive_attention(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 06.1: Bahdanau's additive attention weights for one query."""
    rng = np.random.default_rng(6)
    cases = []
    for S, d, a in [(3, 2, 4), (5, 4, 3), (1, 3, 2)]:
        q, K = rng.normal(size=d), rng.normal(size=(S, d))
        W1, W2, w = rng.normal(size=(d, a)), rng.normal(size=(d, a)), rng.normal(size=a)
        e = np.tanh(q @ W1 + K @ W2) @ w
        p = np.exp(e - e.max())
        cases.append(Case((q, K, W1, W2, w), np.round(p / p.sum(), 6), f"{S} keys, d = {d}, a = {a}"))
    return check_function(converted(fn, lambda got: np.round(np.asarray(got, dtype=float).reshape(-1), 6)), cases,
                          name="additive_attention",
                          hint="one score per key, from the query and that key through the tanh layer; "
                               "the weights are a softmax over the keys (shape (S,), summing to 1)")


def check_decoder_mask(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 06.2: causal and padding masks combined, (batch, T, T)."""
    cases = []
    for ids, pad in [(np.array([[4, 5, 0]]), 0), (np.array([[1, 2, 3, 9], [7, 9, 9, 9]]), 9),
                     (np.array([[0, 0]]), 0)]:
        T = ids.shape[1]
        expected = np.tril(np.ones((T, T), bool))[None] & (ids != pad)[:, None, :]
        cases.append(Case((ids, pad), expected, f"ids {ids.tolist()}, pad_id {pad}"))
    return check_function(converted(fn, lambda got: np.asarray(got).astype(bool)), cases, name="decoder_mask",
                          hint="two conditions that must both hold: key position s ≤ query position t, and key s "
                               "is not padding; build each as a boolean array that broadcasts to (batch, T, T)")


def check_mha_params(fn: Callable[[int, int, int], int]) -> CheckResult:
    """Exercise 06.3: trainable parameters of keras.layers.MultiHeadAttention."""
    cases = [Case((d, h, k), 3 * (d * h * k + h * k) + h * k * d + d, f"d_model {d}, {h} heads, key_dim {k}")
             for d, h, k in [(16, 4, 4), (64, 8, 8), (10, 3, 5), (1, 1, 1)]]
    return check_function(converted(fn, int), cases, name="mha_params",
                          hint="four projections: query, key and value each map d_model to heads × key_dim "
                               "(kernel and bias); the output maps heads × key_dim back to d_model")


def _shift_reference(k: int, d_model: int) -> np.ndarray:
    M = np.zeros((d_model, d_model))
    for i in range(d_model // 2):
        a = k / 10000 ** (2 * i / d_model)
        c, s = np.cos(a), np.sin(a)
        M[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, -s], [s, c]]
    return M


def check_shift_matrix(fn: Callable[[int, int], np.ndarray]) -> CheckResult:
    """Exercise 06.4: the matrix M_k with PE(pos + k) = PE(pos) M_k, in closed form."""
    cases = [Case((k, d), np.round(_shift_reference(k, d), 5), f"k = {k}, d_model = {d}")
             for k, d in [(1, 4), (3, 8), (0, 2), (17, 16)]]
    return check_function(converted(fn, lambda got: np.round(np.asarray(got, dtype=float), 5)), cases, name="shift_matrix",
                          hint="row vector times matrix: PE(pos) @ M. For one pair with frequency ω, write "
                               "sin(ω(p+k)) and cos(ω(p+k)) with the addition formulas and read off which "
                               "multiple of sin(ωp) and of cos(ωp) each needs")
