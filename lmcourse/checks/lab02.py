"""Checks for the exercises of notebook 02."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_analogy_3cosmul", "check_sgns_step", "check_shifted_ppmi", "check_spearman"]


def _shape_and_values(got: Any) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """An array-like answer as (shape, its values as floats), compared value by value with tolerance."""
    array = np.asarray(got, dtype=np.float64)
    return tuple(int(n) for n in array.shape), tuple(float(v) for v in array.reshape(-1))


def _pair_of_arrays(got: Any) -> tuple[Any, Any]:
    new_v, new_u = got  # a learner's function returns (new_v, new_u)
    return _shape_and_values(new_v), _shape_and_values(new_u)


# Exercise 1 -------------------------------------------------------------------------------

def _sgns_step(v: np.ndarray, u: np.ndarray, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """One SGD step on −log σ(u₀·v) − Σ_k log σ(−u_k·v), both gradients taken at the given vectors."""
    v, u = np.asarray(v, dtype=np.float64), np.asarray(u, dtype=np.float64)
    labels = np.zeros(len(u))
    labels[0] = 1.0
    g = 1.0 / (1.0 + np.exp(-(u @ v))) - labels
    return v - lr * (g @ u), u - lr * np.outer(g, v)


def check_sgns_step(fn: Callable[[np.ndarray, np.ndarray, float], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 02.1: one plain SGD step of the negative-sampling loss for one (center, context) pair."""
    rng = np.random.default_rng(21)
    v3, u3 = rng.normal(size=3), rng.normal(size=(3, 3))
    v5, u5 = rng.normal(scale=0.5, size=5), rng.normal(scale=0.5, size=(6, 5))
    cases = [
        Case((np.zeros(2), np.zeros((3, 2)), 0.1), _pair_of_arrays(_sgns_step(np.zeros(2), np.zeros((3, 2)), 0.1)),
             "all vectors zero: every score is 0, and nothing moves"),
        Case((np.array([1.0, 0.0]), np.array([[0.0, 0.0], [0.0, 0.0]]), 0.5),
             _pair_of_arrays(_sgns_step(np.array([1.0, 0.0]), np.zeros((2, 2)), 0.5)),
             "u all zero: σ(0) = ½, so the context row moves towards v and the negative away from it"),
        Case((v3, u3, 0.1), _pair_of_arrays(_sgns_step(v3, u3, 0.1)), "K = 2, random vectors"),
        Case((v5, u5, 1.0), _pair_of_arrays(_sgns_step(v5, u5, 1.0)),
             "K = 5 and a large rate: both gradients must come from the vectors before the step"),
    ]
    return check_function(converted(fn, _pair_of_arrays), cases, name="sgns_step", tol=1e-6,
                          hint="write the loss of each score s = u_t · v with its label (1 for row 0, the "
                               "context; 0 for the negatives) and differentiate it with respect to s: the "
                               "result is short in σ(s). The chain rule then sends it to v through u_t and "
                               "to u_t through v. Compute both gradients before changing either vector, and "
                               "step against them")


# Exercise 2 -------------------------------------------------------------------------------

def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):  # ties share the mean of the ranks they occupy
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def _spearman(x: Sequence[float], y: Sequence[float]) -> float:
    rx, ry = _ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64))
    return float(np.corrcoef(rx, ry)[0, 1])


def check_spearman(fn: Callable[[Sequence[float], Sequence[float]], float]) -> CheckResult:
    """Exercise 02.2: Spearman's rank correlation, ties given their average rank (as scipy does)."""
    rng = np.random.default_rng(22)
    a, b = rng.normal(size=12), rng.normal(size=12)
    human = [7.5, 3.0, 3.0, 9.1, 5.5, 3.0, 8.0, 1.2]
    model = [0.61, 0.20, 0.35, 0.70, 0.20, 0.10, 0.55, 0.05]
    cases = [
        Case(([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]), 1.0, "the same order"),
        Case(([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 8.0, 27.0, 64.0, 1000.0]), 1.0,
             "the same order but not a straight line: only the ranks count"),
        Case(([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]), -1.0, "reversed"),
        Case((list(a), list(b)), _spearman(a, b), "12 random numbers"),
        Case((human, model), _spearman(human, model),
             "ties on both sides, as in WordSim-353: tied values share their average rank"),
    ]
    return check_function(converted(fn, float), cases, name="spearman", tol=1e-9,
                          hint="replace each list by the ranks of its values (1 for the smallest); values that "
                               "are equal must get equal ranks, the mean of the positions they occupy. Then "
                               "correlate the two lists of ranks as you would any two lists of numbers")


# Exercise 3 -------------------------------------------------------------------------------

def _cos_mul(words: Sequence[str], matrix: np.ndarray, a: str, b: str, c: str, eps: float = 1e-3) -> str:
    unit = np.asarray(matrix, dtype=np.float64)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    shifted = {w: (unit @ unit[index[w]] + 1) / 2 for w in (a, b, c)}  # cosines moved into [0, 1]
    scores = shifted[b] * shifted[c] / (shifted[a] + eps)
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]


_COSMUL_WORDS = ["a", "b", "c", "w0", "w1", "w2", "w3", "w4", "w5", "w6"]
_COSMUL_CASES = [  # (seed of a random 10 x 4 matrix, a, b, c): chosen so that the usual mistakes pick another word
    (1, "a", "b", "c"),
    (3, "a", "b", "c"),
    (4, "a", "b", "c"),
]


def _cosmul_matrix(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(len(_COSMUL_WORDS), 4))


def check_analogy_3cosmul(fn: Callable[[Sequence[str], np.ndarray, str, str, str], str]) -> CheckResult:
    """Exercise 02.3: a : b :: c : ? by 3CosMul (Levy and Goldberg, 2014), question words excluded."""
    cases = [Case((_COSMUL_WORDS, _cosmul_matrix(seed) * scale, a, b, c),
                  _cos_mul(_COSMUL_WORDS, _cosmul_matrix(seed), a, b, c), note)
             for (seed, a, b, c), scale, note in zip(
                 _COSMUL_CASES, (1.0, 3.0, 0.5),
                 ("3CosAdd's answer (b − a + c) is another word here",
                  "long vectors: only directions may count",
                  "some cosines are negative: move every cosine into [0, 1] first, or a product of two "
                  "negatives ranks high"), strict=True)]
    return check_function(converted(fn, str), cases, name="analogy_3cosmul",
                          hint="score every word d by its three cosines: with b and c in the numerator "
                               "(multiplied) and with a in the denominator (plus the small ε). Each cosine "
                               "must first be mapped from [−1, 1] to [0, 1] as the statement says. Leave out "
                               "a, b and c, and return the best word, not its score")


# Exercise 4 -------------------------------------------------------------------------------

def _sppmi(counts: np.ndarray, k: float) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / total
    with np.errstate(divide="ignore"):
        pmi = np.log(counts / expected)
    return np.maximum(pmi - math.log(k), 0.0)


def check_shifted_ppmi(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 02.4: the shifted positive PMI matrix max(PMI − log k, 0) from co-occurrence counts."""
    small = np.array([[4.0, 0.0], [1.0, 3.0]])
    rng = np.random.default_rng(24)
    counts = rng.poisson(2.0, size=(5, 6)).astype(float)
    counts[0, 0], counts[4, 5] = 40.0, 0.0
    cases = [
        Case((np.array([[1.0, 1.0], [1.0, 1.0]]), 1), ((2, 2), (0.0, 0.0, 0.0, 0.0)),
             "independent words: PMI is 0 everywhere"),
        Case((small, 1), _shape_and_values(_sppmi(small, 1)),
             "k = 1 (no shift): a pair never seen has PMI −∞ and must come out as 0"),
        Case((small, 2), _shape_and_values(_sppmi(small, 2)), "k = 2: subtract log 2"),
        Case((counts, 5), _shape_and_values(_sppmi(counts, 5)), "5 words × 6 contexts, k = 5 as in the lab"),
    ]
    return check_function(converted(fn, _shape_and_values), cases, name="shifted_ppmi", tol=1e-9,
                          hint="PMI(w, c) = log P(w, c) / (P(w) P(c)): estimate the joint probability from "
                               "the cell and the two marginals from its row and column totals, all divided by "
                               "the grand total. Then subtract log k and keep only what is positive (a "
                               "count of 0 gives log 0 = −∞, which must end as 0, not nan)")
