"""Checks for the exercises of notebook 01."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_bigram_counts", "check_add_k_prob", "check_perplexity_from_log_probs", "check_continuation_count"]


def check_bigram_counts(fn: Callable[[np.ndarray, int], np.ndarray]) -> CheckResult:
    """Exercise 01.1: a (V, V) matrix of bigram counts, counted with NumPy."""
    cases = [
        Case((np.array([0, 1, 0, 1]), 2), np.array([[0, 2], [1, 0]]), "0→1 twice, 1→0 once"),
        Case((np.array([2, 2, 2]), 3), np.array([[0, 0, 0], [0, 0, 0], [0, 0, 2]]),
             "ids absent from the text still get a row and a column"),
        Case((np.array([1]), 2), np.array([[0, 0], [0, 0]]), "one token: no bigram"),
        Case((np.array([0, 1, 2, 0, 1, 2, 1]), 3),
             np.array([[0, 2, 0], [0, 0, 2], [1, 1, 0]])),
    ]
    return check_function(fn, cases, name="bigram_counts",
                          hint="code each pair as ids[:-1] * vocab_size + ids[1:], count the codes "
                               "with np.bincount(..., minlength=vocab_size**2), reshape to (V, V)")


def check_add_k_prob(fn: Callable[[int, int, int, float], float]) -> CheckResult:
    """Exercise 01.2: the add-k estimate (c(h w) + k) / (c(h) + k·|V|)."""
    cases = [
        Case((2, 3, 4, 1.0), 3 / 7, "Laplace: (2 + 1) / (3 + 4)"),
        Case((0, 3, 4, 1.0), 1 / 7, "an unseen word still gets a share"),
        Case((2, 3, 4, 0.5), 2.5 / 5.0),
        Case((0, 0, 10, 0.01), 0.1, "an unseen context gives the uniform 1/|V|"),
        Case((5, 10, 1000, 0.0), 0.5, "k = 0 is the MLE"),
    ]
    return check_function(fn, cases, name="add_k_prob",
                          hint="add k to the n-gram count, and k for every vocabulary word (k·|V|) "
                               "to the context count")


def check_perplexity_from_log_probs(fn: Callable[[Sequence[float]], float]) -> CheckResult:
    """Exercise 01.3: perplexity = exp(mean negative log-probability) (natural logs)."""
    cases = [
        Case(([math.log(0.5)] * 4,), 2.0, "a fair coin: perplexity 2"),
        Case(([math.log(0.5), math.log(0.125)],), 4.0, "geometric mean of 1/p: sqrt(2 · 8)"),
        Case(([0.0, 0.0],), 1.0, "certain tokens: perplexity 1"),
        Case(([math.log(0.01)] * 5000,), 100.0, "5000 tokens: average, do not multiply"),
    ]
    return check_function(fn, cases, name="perplexity_from_log_probs", tol=1e-6,
                          hint="cross-entropy H = -mean(log_probs) in nats; perplexity = exp(H)")


def check_continuation_count(fn: Callable[[Sequence[tuple[str, str]], str], int]) -> CheckResult:
    """Exercise 01.4: Kneser-Ney's N1+(• w), the number of distinct words seen before w."""
    bigrams = [("san", "francisco"), ("san", "francisco"), ("the", "cat"), ("a", "cat"),
               ("black", "cat"), ("the", "cat"), ("the", "dog")]
    cases = [
        Case((bigrams, "francisco"), 1, "seen twice, always after 'san': 1 continuation"),
        Case((bigrams, "cat"), 3, "after 'the', 'a' and 'black' (the repeat counts once)"),
        Case((bigrams, "dog"), 1),
        Case((bigrams, "zebra"), 0, "never seen"),
    ]
    return check_function(fn, cases, name="continuation_count",
                          hint="count distinct left neighbours: len({a for a, b in bigrams if b == word})")
