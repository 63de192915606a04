"""Checks for the exercises of notebook 02."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_cosine_similarity", "check_noise_distribution", "check_keep_probability", "check_analogy"]


def _as_float_tuple(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap fn so that an array or list result compares element by element with a tolerance."""
    def wrapped(*args: Any) -> Any:
        got = fn(*args)
        if got is None or got is Ellipsis:
            return got
        return tuple(float(x) for x in np.asarray(got, dtype=float).reshape(-1))
    return wrapped


def check_cosine_similarity(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 02.1: cos(u, v) = u·v / (|u| |v|)."""
    cases = [
        Case((np.array([1.0, 0.0]), np.array([0.0, 1.0])), 0.0, "orthogonal vectors"),
        Case((np.array([1.0, 2.0]), np.array([2.0, 4.0])), 1.0, "same direction, different lengths"),
        Case((np.array([1.0, 0.0]), np.array([-3.0, 0.0])), -1.0, "opposite directions"),
        Case((np.array([3.0, 4.0]), np.array([4.0, 3.0])), 0.96),
        Case((np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, -1.0, 1.0, 1.0])), 0.5, "four dimensions"),
    ]
    return check_function(fn, cases, name="cosine_similarity", tol=1e-6,
                          hint="np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)); the lengths "
                               "must not change the answer")


def check_noise_distribution(fn: Callable[[Sequence[int]], Any]) -> CheckResult:
    """Exercise 02.2: negative-sampling probabilities P_n(w) = count^0.75 / Σ count^0.75."""
    cases = [
        Case(([16, 1],), (8 / 9, 1 / 9), "16^0.75 = 8"),
        Case(([5, 5, 5, 5],), (0.25, 0.25, 0.25, 0.25), "equal counts give a uniform distribution"),
        Case(([10_000, 100, 1],), tuple(c ** 0.75 / (1000 + 100 ** 0.75 + 1) for c in (10_000, 100, 1)),
             "a frequent word gets less than its share, a rare one more"),
        Case(([0, 81],), (0.0, 1.0), "a word never seen is never drawn"),
    ]
    return check_function(_as_float_tuple(fn), cases, name="noise_distribution", tol=1e-6,
                          hint="weights = np.asarray(counts, float) ** 0.75, then divide by their sum")


def check_keep_probability(fn: Callable[[int, int, float], float]) -> CheckResult:
    """Exercise 02.3: word2vec's subsampling rule, P(keep) = min(1, (√(f/t) + 1) · t/f)."""
    def rule(count: int, total: int, t: float) -> float:
        f = count / total
        return min(1.0, (math.sqrt(f / t) + 1) * t / f)
    cases = [
        Case((1000, 10_000, 1e-2), rule(1000, 10_000, 1e-2), "f = 0.1, t = 0.01"),
        Case((1_000_000, 100_000_000, 1e-5), rule(1_000_000, 100_000_000, 1e-5), "f = 1 %, t = 1e-5"),
        Case((10, 10_000, 1e-2), 1.0, "a rare word is always kept: clip at 1"),
        Case((50_000, 1_000_000, 1e-3), rule(50_000, 1_000_000, 1e-3), "f = 5 %, t = 1e-3"),
    ]
    return check_function(fn, cases, name="keep_probability", tol=1e-6,
                          hint="f = count / total; return min(1.0, (sqrt(f / t) + 1) * t / f) — the "
                               "rule in word2vec's code, not the paper's 1 − sqrt(t / f)")


def check_analogy(fn: Callable[[Sequence[str], np.ndarray, str, str, str], str]) -> CheckResult:
    """Exercise 02.4: a is to b as c is to ? — the word nearest (cosine) to b − a + c, question words excluded."""
    words = ["man", "king", "woman", "queen", "giant", "apple"]
    matrix = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 1.0], [10.0, 3.0], [0.3, -1.0]])
    cases = [
        Case((words, matrix, "man", "king", "woman"), "queen",
             "'woman' itself is closest to king − man + woman: leave the question words out; and "
             "'giant' has the largest dot product only because it is long: use cosine similarity"),
        Case((words[:4] + ["duchess"], np.vstack([matrix[:4], [[-0.2, 2.0]]]), "man", "king", "woman"),
             "duchess", "another vocabulary"),
    ]
    return check_function(fn, cases, name="analogy",
                          hint="normalise every row to length 1, target = v[b] − v[a] + v[c], score every "
                               "word by cosine with the target, exclude a, b and c, return the best word")
