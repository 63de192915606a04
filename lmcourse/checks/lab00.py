"""Checks for the exercises of notebook 00."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_sequence_log_prob", "check_alpha_tokenize", "check_vocab_for_coverage", "check_strided_windows"]


def check_sequence_log_prob(fn: Callable[[Sequence[float]], float]) -> CheckResult:
    """Exercise 00.1: the chain rule in log space, log P(w1..wn) = Σ log P(wi | w<i)."""
    cases = [
        Case(([0.5, 0.5],), math.log(0.25), "two halves"),
        Case(([0.2, 0.1, 0.9, 0.3],), math.log(0.2 * 0.1 * 0.9 * 0.3)),
        Case(([1.0],), 0.0, "a certain token"),
        Case(([0.01] * 2000,), 2000 * math.log(0.01), "2000 tokens: the product underflows to 0.0"),
    ]
    return check_function(fn, cases, name="sequence_log_prob", tol=1e-6,
                          hint="a product of 2000 small numbers underflows to 0.0 before you can take its log; "
                               "the log of a product is a sum of logs")


def check_alpha_tokenize(fn: Callable[[str], list[str]]) -> CheckResult:
    """Exercise 00.2: lowercase alphabetic words only, punctuation and digits dropped."""
    cases = [
        Case(("The cat sat.",), ["the", "cat", "sat"]),
        Case(("R2-D2 beeped 3 times!",), ["r", "d", "beeped", "times"], "digits split words"),
        Case(("",), [], "an empty text has no tokens"),
        Case(("Hello,   WORLD\nagain",), ["hello", "world", "again"], "any whitespace separates"),
    ]
    return check_function(fn, cases, name="alpha_tokenize",
                          hint="lowercase first; a regular expression for 'one or more letters a-z' finds "
                               "every run of letters and skips everything else")


def check_vocab_for_coverage(fn: Callable[[Sequence[str], float], int]) -> CheckResult:
    """Exercise 00.3: how many of the most frequent word types cover a share of the tokens."""
    tokens = "a a a a b b b c c d".split()  # 4, 3, 2, 1 of 10
    cases = [
        Case((tokens, 0.4), 1, "'a' alone covers 4 of 10"),
        Case((tokens, 0.5), 2, "'a' + 'b' cover 7 of 10"),
        Case((tokens, 0.7), 2, "exactly 0.7 is enough"),
        Case((tokens, 0.71), 3, "just above 0.7 needs 'c' too"),
        Case((tokens, 1.0), 4, "everything"),
        Case(("x y z".split(), 0.5), 2, "ties: any order of equal counts gives the same number"),
    ]
    return check_function(converted(fn, int), cases, name="vocab_for_coverage",
                          hint="sort the counts from largest to smallest and add them up until the running "
                               "share of all token occurrences reaches the coverage")


def check_strided_windows(fn: Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 00.4: windows of seq_len inputs every stride ids, with targets shifted by one."""
    def reference(ids: np.ndarray, seq_len: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
        starts = range(0, len(ids) - seq_len, stride)
        return (np.array([ids[s : s + seq_len] for s in starts]),
                np.array([ids[s + 1 : s + seq_len + 1] for s in starts]))

    cases = [Case((ids, n, k), reference(ids, n, k), note) for ids, n, k, note in [
        (np.arange(7), 3, 3, "stride = seq_len: no overlap"),
        (np.arange(6), 3, 1, "stride 1: a window at every start that leaves room for the last target"),
        (np.arange(10, 20), 4, 2, "stride 2"),
        (np.arange(5), 4, 3, "only one window fits"),
    ]]
    return check_function(converted(fn, lambda got: tuple(np.asarray(a) for a in got)), cases,
                          name="strided_windows",
                          hint="a window starting at s needs ids s … s + seq_len (its last target included); "
                               "list the starts 0, stride, 2·stride, … that leave room for that")
