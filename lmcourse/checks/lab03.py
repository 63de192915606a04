"""Checks for the exercises of notebook 03."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_logsumexp", "check_cross_entropy_from_logits", "check_softmax_gradient", "check_context_windows"]


def _floats_or_none(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap fn so an array result is compared value by value (with tolerance) as a tuple of floats."""

    def wrapped(*args: Any) -> Any:
        got = fn(*args)
        if got is None or got is Ellipsis:
            return got
        return tuple(float(v) for v in np.asarray(got, dtype=np.float64).reshape(-1))

    return wrapped


def check_logsumexp(fn: Callable[[np.ndarray], float]) -> CheckResult:
    """Exercise 03.1: a numerically stable log Σ exp(z) of a 1-D array of logits."""
    cases = [
        Case((np.array([0.0, 0.0]),), math.log(2.0), "two zeros: log 2"),
        Case((np.array([1.0, 2.0, 3.0]),), math.log(math.exp(1) + math.exp(2) + math.exp(3))),
        Case((np.array([1000.0, 1000.0]),), 1000.0 + math.log(2.0), "exp(1000) overflows to inf"),
        Case((np.array([-1000.0, -1000.0, -1000.0]),), -1000.0 + math.log(3.0),
             "exp(-1000) underflows to 0, and log 0 = -inf"),
        Case((np.array([5.0]),), 5.0, "one logit"),
    ]
    return check_function(fn, cases, name="logsumexp", tol=1e-9,
                          hint="m = np.max(z); return m + np.log(np.sum(np.exp(z - m))) — every "
                               "exponent is then <= 0, so nothing overflows")


def check_cross_entropy_from_logits(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 03.2: mean cross-entropy (nats) from logits (batch, classes) and target ids (batch,)."""
    def reference(z: np.ndarray, y: np.ndarray) -> float:
        m = z.max(axis=1, keepdims=True)
        log_p = z - (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))
        return float(-log_p[np.arange(len(y)), y].mean())

    rng = np.random.default_rng(3)
    random_z, random_y = rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    cases = [
        Case((np.zeros((2, 4)), np.array([0, 3])), math.log(4.0), "uniform logits: log(classes)"),
        Case((np.array([[2.0, 0.0], [0.0, 2.0]]), np.array([0, 1])), math.log(1 + math.exp(-2.0))),
        Case((random_z, random_y), reference(random_z, random_y), "a random batch"),
        Case((np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1])), 500.0,
             "huge logits: wrong on the first example by 1000 nats, right on the second"),
    ]
    return check_function(fn, cases, name="cross_entropy_from_logits", tol=1e-6,
                          hint="log_probs = z - logsumexp(z) row by row (subtract each row's max "
                               "first); pick log_probs[np.arange(batch), targets]; return minus "
                               "their mean")


def check_softmax_gradient(fn: Callable[[np.ndarray, int], np.ndarray]) -> CheckResult:
    """Exercise 03.3: the gradient of −log softmax(z)[y] with respect to the logits z: p − onehot(y)."""
    def reference(z: np.ndarray, y: int) -> tuple[float, ...]:
        e = np.exp(z - z.max())
        g = e / e.sum()
        g[y] -= 1.0
        return tuple(float(v) for v in g)

    z3 = np.array([1.0, 2.0, 3.0])
    cases = [
        Case((np.zeros(4), 2), (0.25, 0.25, -0.75, 0.25), "uniform logits, target 2"),
        Case((z3, 0), reference(z3, 0)),
        Case((z3, 2), reference(z3, 2), "the target is already the most likely class"),
        Case((np.array([0.0, 800.0]), 1), (0.0, 0.0), "a confident, correct prediction: no gradient"),
    ]
    return check_function(_floats_or_none(fn), cases, name="softmax_gradient", tol=1e-9,
                          hint="compute p = softmax(z) stably, copy it, then subtract 1 at the "
                               "target index: the gradient is p - y with y one-hot")


def check_context_windows(fn: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 03.4: every (k previous ids, next id) pair of a sequence, windows overlapping."""
    cases = [
        Case((np.arange(5), 2), (np.array([[0, 1], [1, 2], [2, 3]]), np.array([2, 3, 4]))),
        Case((np.array([7, 8, 9]), 2), (np.array([[7, 8]]), np.array([9])),
             "3 ids and k = 2 give exactly one example"),
        Case((np.array([4, 4, 1, 0, 2, 4]), 1),
             (np.array([[4], [4], [1], [0], [2]]), np.array([4, 1, 0, 2, 4])), "k = 1: a bigram model"),
        Case((np.arange(10, 17), 4),
             (np.array([[10, 11, 12, 13], [11, 12, 13, 14], [12, 13, 14, 15]]), np.array([14, 15, 16]))),
    ]
    return check_function(fn, cases, name="context_windows",
                          hint="there are len(ids) - k examples; x[i] = ids[i:i+k] and y[i] = "
                               "ids[i+k] (np.stack the rows, or use "
                               "np.lib.stride_tricks.sliding_window_view(ids, k + 1))")
