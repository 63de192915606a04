"""Checks for the exercises of notebook 03."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..metrics import log_softmax, softmax
from .core import Case, CheckResult, check_function, converted

__all__ = ["check_best_temperature", "check_sample_index", "check_smoothed_cross_entropy",
           "check_softmax_jacobian"]


def _shape_and_values(got: Any) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """An array-like answer as (shape, its values as floats), compared value by value with tolerance."""
    array = np.asarray(got, dtype=np.float64)
    return tuple(int(n) for n in array.shape), tuple(float(v) for v in array.reshape(-1))


def check_softmax_jacobian(fn: Callable[[np.ndarray], np.ndarray]) -> CheckResult:
    """Exercise 03.1: the Jacobian ∂softmax(z)_i / ∂z_j of the softmax, a (V, V) matrix."""
    def reference(z: np.ndarray) -> tuple[tuple[int, ...], tuple[float, ...]]:
        p = softmax(z)
        return _shape_and_values(np.diag(p) - np.outer(p, p))

    z3 = np.array([1.0, 2.0, 3.0])
    z5 = np.random.default_rng(3).normal(scale=2.0, size=5)
    cases = [
        Case((np.zeros(2),), ((2, 2), (0.25, -0.25, -0.25, 0.25)), "two equal logits: p = (0.5, 0.5)"),
        Case((z3,), reference(z3), "z = (1, 2, 3)"),
        Case((z5,), reference(z5), "five random logits"),
        Case((np.array([0.0, 1000.0]),), ((2, 2), (0.0, 0.0, 0.0, 0.0)),
             "a huge logit: the softmax is (0, 1) and does not move, so every entry is 0 (no nan)"),
        Case((np.array([5.0]),), ((1, 1), (0.0,)), "one class: its probability is always 1"),
    ]
    return check_function(converted(fn, _shape_and_values), cases, name="softmax_jacobian", tol=1e-9,
                          hint="differentiate p_i = exp(z_i) / Σ_k exp(z_k) with respect to z_j by the quotient "
                               "rule, once for j = i and once for j ≠ i, then write both cases as one (V, V) "
                               "matrix; compute p stably first. Each row of the answer sums to 0")


def _smoothed_reference(z: np.ndarray, y: np.ndarray, eps: float) -> float:
    z = np.asarray(z, dtype=np.float64)
    q = np.full(z.shape, eps / z.shape[1])
    q[np.arange(len(y)), y] += 1.0 - eps
    return float(-np.mean(np.sum(q * log_softmax(z), axis=1)))


def check_smoothed_cross_entropy(fn: Callable[[np.ndarray, np.ndarray, float], float]) -> CheckResult:
    """Exercise 03.2: mean cross-entropy from logits against label-smoothed targets (Keras' convention)."""
    rng = np.random.default_rng(30)
    z, y = rng.normal(scale=3.0, size=(6, 5)), rng.integers(0, 5, size=6)
    huge, huge_y = np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0])
    cases = [
        Case((np.zeros((2, 4)), np.array([0, 3]), 0.1), math.log(4.0), "uniform logits: log 4 whatever the targets"),
        Case((z, y, 0.0), _smoothed_reference(z, y, 0.0), "eps = 0: the plain cross-entropy"),
        Case((z, y, 0.1), _smoothed_reference(z, y, 0.1), "a random batch, eps = 0.1"),
        Case((z, y, 0.5), _smoothed_reference(z, y, 0.5), "a random batch, eps = 0.5"),
        Case((huge, huge_y, 0.2), _smoothed_reference(huge, huge_y, 0.2),
             "huge logits: 100 and 900 nats, mean 500; a softmax computed before the log gives inf or nan"),
    ]
    return check_function(converted(fn, float), cases, name="smoothed_cross_entropy", tol=1e-6,
                          hint="build the target distribution of each row first: ε spread evenly over all V "
                               "classes (the true one included) and the rest on the true class, so each row "
                               "sums to 1; then take −Σ target · log p per row, with log p from a stable "
                               "log-softmax, and average over the batch")


def check_sample_index(fn: Callable[[np.ndarray, float], int]) -> CheckResult:
    """Exercise 03.3: the token a uniform number u in [0, 1) picks from a distribution (inverse CDF)."""
    quarters = np.array([0.25, 0.5, 0.25])
    tenths = np.full(10, 0.1)
    cases = [
        Case((quarters, 0.1), 0, "p = (0.25, 0.5, 0.25), u = 0.1: inside the first interval [0, 0.25)"),
        Case((quarters, 0.6), 1, "u = 0.6 is inside [0.25, 0.75)"),
        Case((quarters, 0.25), 1, "u on a boundary belongs to the interval that starts there"),
        Case((quarters, 0.0), 0, "u = 0"),
        Case((np.array([0.5, 0.0, 0.5]), 0.5), 2, "a token of probability 0 is never picked"),
        Case((tenths, 0.35), 3),
        Case((tenths, float(np.cumsum(tenths)[-1])), 9,
             "ten times 0.1 adds up to 0.9999999999999999, a hair below 1: u there must still pick the "
             "last token, not an index past the end"),
    ]
    return check_function(converted(fn, int), cases, name="sample_index",
                          hint="lay the probabilities end to end on [0, 1): token i owns an interval as long as "
                               "p_i, starting where token i − 1's ends (np.cumsum gives the ends); return the "
                               "token whose interval contains u, and never an index past the last token")


def _temperature_cases() -> list[Case]:
    rng = np.random.default_rng(31)
    true_logits = rng.normal(scale=1.5, size=(2000, 10))
    p = softmax(true_logits)
    targets = (rng.random(2000)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, 9)
    cases = []
    for scale, note in [(2.0, "an over-confident model: logits twice too large"),
                        (0.5, "an under-confident model: logits half as large as they should be"),
                        (1.0, "a calibrated model")]:
        logits = scale * true_logits
        cases.append(Case((logits, targets), _best_temperature_reference(logits, targets), note))
    return cases


def _best_temperature_reference(logits: np.ndarray, targets: np.ndarray) -> float:
    """Golden-section search on log T, to 1e-7: the loss is smooth with one minimum."""
    def loss(log_t: float) -> float:
        log_p = log_softmax(logits / math.exp(log_t))
        return float(-log_p[np.arange(len(targets)), targets].mean())

    a, b = math.log(0.02), math.log(50.0)
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    while b - a > 1e-7:
        if loss(c) < loss(d):
            b, d = d, c
            c = b - ratio * (b - a)
        else:
            a, c = c, d
            d = a + ratio * (b - a)
    return round(math.exp((a + b) / 2), 4)


def check_best_temperature(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 03.4: the temperature T that minimises the cross-entropy of logits / T (temperature scaling)."""
    return check_function(converted(fn, float), _temperature_cases(), name="best_temperature", tol=0.01,
                          hint="the mean cross-entropy of logits / T is a smooth function of T with a single "
                               "minimum: evaluate it for many candidate temperatures (spaced finely enough to "
                               "land within 0.01, e.g. 0.1 to 10) and keep the best, or hand that function to "
                               "a 1-D minimiser; divide the logits by T, do not multiply")
