"""Checks for the exercises of notebook 04."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_rnn_step", "check_softmax_temperature", "check_scale_radius", "check_simple_rnn_params"]


def check_rnn_step(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 04.1: one SimpleRNN step in NumPy, h_t = tanh(x_t W_x + h_prev W_h + b)."""
    rng = np.random.default_rng(4)
    cases = []
    for batch, d, u in [(1, 2, 3), (4, 5, 2), (2, 3, 3)]:
        x, h = rng.normal(size=(batch, d)), rng.normal(size=(batch, u))
        W_x, W_h, b = rng.normal(size=(d, u)), rng.normal(size=(u, u)), rng.normal(size=u)
        expected = np.tanh(x @ W_x + h @ W_h + b)
        cases.append(Case((x, h, W_x, W_h, b), expected, f"batch {batch}, input {d}, units {u}"))
    return check_function(lambda *a: np.round(np.asarray(fn(*a), dtype=float), 6),
                          [Case(c.args, np.round(c.expected, 6), c.note) for c in cases],
                          name="rnn_step",
                          hint="np.tanh(x_t @ W_x + h_prev @ W_h + b): row vectors times matrices")


def check_softmax_temperature(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 04.2: softmax of logits / T, stable for large logits."""
    def reference(z: np.ndarray, t: float) -> np.ndarray:
        z = np.asarray(z, dtype=float) / t
        e = np.exp(z - z.max())
        return np.round(e / e.sum(), 6)

    cases = [
        Case((np.array([2.0, 1.0, 0.0]), 1.0), reference(np.array([2.0, 1.0, 0.0]), 1.0)),
        Case((np.array([2.0, 1.0, 0.0]), 0.5), reference(np.array([2.0, 1.0, 0.0]), 0.5), "T < 1 sharpens"),
        Case((np.array([2.0, 1.0, 0.0]), 10.0), reference(np.array([2.0, 1.0, 0.0]), 10.0), "T > 1 flattens"),
        Case((np.array([1000.0, 999.0]), 1.0), reference(np.array([1000.0, 999.0]), 1.0),
             "large logits: exp(1000) overflows unless you subtract the max first"),
    ]
    return check_function(lambda z, t: np.round(np.asarray(fn(z, t), dtype=float), 6), cases,
                          name="softmax_temperature",
                          hint="z = logits / T; subtract z.max(); exponentiate; divide by the sum")


def check_scale_radius(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 04.3: rescale a square matrix to a given spectral radius."""
    rng = np.random.default_rng(40)
    cases = []
    for n, r in [(3, 0.5), (5, 1.0), (4, 1.5)]:
        A = rng.normal(size=(n, n))
        cases.append(Case((A, r), round(r, 6), f"{n}×{n} matrix to radius {r}"))
    return check_function(
        lambda A, r: round(float(np.max(np.abs(np.linalg.eigvals(np.asarray(fn(A, r)))))), 6),
        cases, name="scale_radius",
        hint="the spectral radius is max |eigenvalue| (np.linalg.eigvals); multiply the matrix by "
             "target / current")


def check_simple_rnn_params(fn: Callable[[int, int], int]) -> CheckResult:
    """Exercise 04.4: the number of trainable parameters of a SimpleRNN layer."""
    cases = [Case((d, u), d * u + u * u + u, f"input {d}, units {u}") for d, u in [(1, 1), (64, 256), (10, 3)]]
    return check_function(fn, cases, name="simple_rnn_params",
                          hint="W_x is input_dim × units, W_h is units × units, b has units entries")
