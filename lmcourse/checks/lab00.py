"""Checks for the exercises of notebook 00."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_sequence_log_prob", "check_alpha_tokenize", "check_oov_rate", "check_next_token_pairs"]


def check_sequence_log_prob(fn: Callable[[Sequence[float]], float]) -> CheckResult:
    """Exercise 00.1: the chain rule in log space, log P(w1..wn) = Σ log P(wi | w<i)."""
    cases = [
        Case(([0.5, 0.5],), math.log(0.25), "two halves"),
        Case(([0.2, 0.1, 0.9, 0.3],), math.log(0.2 * 0.1 * 0.9 * 0.3)),
        Case(([1.0],), 0.0, "a certain token"),
        Case(([0.01] * 2000,), 2000 * math.log(0.01), "2000 tokens: the product underflows to 0.0"),
    ]
    return check_function(fn, cases, name="sequence_log_prob", tol=1e-6,
                          hint="sum the natural logs (math.log or np.log) of the probabilities; "
                               "multiplying 2000 small numbers underflows to 0.0 before the log")


def check_alpha_tokenize(fn: Callable[[str], list[str]]) -> CheckResult:
    """Exercise 00.2: lowercase alphabetic words only, punctuation and digits dropped."""
    cases = [
        Case(("The cat sat.",), ["the", "cat", "sat"]),
        Case(("R2-D2 beeped 3 times!",), ["r", "d", "beeped", "times"], "digits split words"),
        Case(("",), [], "an empty text has no tokens"),
        Case(("Hello,   WORLD\nagain",), ["hello", "world", "again"], "any whitespace separates"),
    ]
    return check_function(fn, cases, name="alpha_tokenize",
                          hint="re.findall(r'[a-z]+', text.lower()) keeps runs of letters")


def check_oov_rate(fn: Callable[[Sequence[str], Sequence[str], int], float]) -> CheckResult:
    """Exercise 00.3: the OOV rate of evaluation tokens under a min-frequency vocabulary."""
    train = "a a a b b c".split()
    cases = [
        Case((train, "a b c".split(), 1), 0.0, "min_freq=1 keeps every training token"),
        Case((train, "a b c d".split(), 1), 0.25, "'d' was never seen"),
        Case((train, "a b c d".split(), 2), 0.5, "with min_freq=2, 'c' (seen once) is out too"),
        Case((train, "c c c a".split(), 3), 0.75, "count every occurrence, not distinct words"),
    ]
    return check_function(fn, cases, name="oov_rate",
                          hint="count the training tokens (collections.Counter), keep those with "
                               "count >= min_freq, then return the share of eval tokens not kept")


def check_next_token_pairs(fn: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 00.4: non-overlapping (inputs, targets) windows, targets shifted by one."""
    cases = [
        Case((np.arange(7), 3), (np.array([[0, 1, 2], [3, 4, 5]]), np.array([[1, 2, 3], [4, 5, 6]]))),
        Case((np.arange(6), 3), (np.array([[0, 1, 2]]), np.array([[1, 2, 3]])),
             "6 ids give one window: the second would need a 7th id as its last target"),
        Case((np.arange(10, 15), 2), (np.array([[10, 11], [12, 13]]), np.array([[11, 12], [13, 14]]))),
    ]
    return check_function(fn, cases, name="next_token_pairs",
                          hint="n = (len(ids) - 1) // seq_len windows; x = ids[:n*seq_len] and "
                               "y = ids[1:n*seq_len+1], each reshaped to (n, seq_len)")
