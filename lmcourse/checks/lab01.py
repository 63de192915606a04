"""Checks for the exercises of notebook 01."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np

from ..ngram import count_ngrams, followers
from .core import Case, CheckResult, check_function, converted

__all__ = ["check_bigram_counts", "check_stupid_backoff", "check_witten_bell", "check_discount_estimate"]


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
                          hint="row = the first token, column = the second. Make each pair one integer from "
                               "which both ids can be read back (the lab's base-|V| codes do that), count "
                               "the integers with one NumPy call that also counts the ones that never occur, "
                               "and give the result the shape (V, V)")


def _stupid_backoff(counts: Counter, total: Counter, context: Sequence[Hashable], word: Hashable,
                    alpha: float = 0.4) -> float:
    context = tuple(context)
    factor = 1.0
    for start in range(len(context) + 1):   # the full context first, then ever shorter ones
        h = context[start:]
        if counts[h + (word,)] > 0:
            return factor * counts[h + (word,)] / total[h]
        factor *= alpha
    return 0.0


def check_stupid_backoff(fn: Callable[..., float]) -> CheckResult:
    """Exercise 01.2: stupid backoff (Brants et al., 2007), a score that is not a probability."""
    text = "abracadabra"
    counts = count_ngrams(text, 3)
    total, _ = followers(counts)
    cases = []
    for context, word, note in [(("a", "b"), "r", "a seen trigram: its relative frequency"),
                                (("r", "a"), "b", "(r a b) unseen: back off once, × 0.4"),
                                (("c", "a"), "r", "back off twice: × 0.4 × 0.4, down to c(r) / N"),
                                (("x", "y"), "a", "a context never seen"),
                                (("a", "b"), "z", "a word never seen: 0"),
                                ((), "a", "no context: c(a) / N")]:
        cases.append(Case((counts, total, context, word), _stupid_backoff(counts, total, context, word),
                          f"{note}; text {text!r}, context {context}, word {word!r}"))
    return check_function(converted(fn, float), cases, name="stupid_backoff",
                          hint="try the longest context first; each time the n-gram was never seen, drop the "
                               "oldest token of the context and remember one more factor of 0.4 — the "
                               "factors multiply. Relative frequencies divide by total[h] of the context used")


def _witten_bell(counts: Counter, total: Counter, types: Counter, context: Sequence[Hashable],
                 word: Hashable, vocab_size: int) -> float:
    context = tuple(context)
    p = 1 / vocab_size
    for k in range(1, len(context) + 2):
        h = context[len(context) - k + 1:]
        if total[h] > 0:
            p = (counts[h + (word,)] + types[h] * p) / (total[h] + types[h])
    return p


def check_witten_bell(fn: Callable[..., float]) -> CheckResult:
    """Exercise 01.3: Witten-Bell interpolation, a weight per context from N1+(h •)."""
    cases = []
    for text, order, context, word, size, note in [
        ("abracadabra", 2, ("a",), "b", 5, "bigram: 'a' is followed by 3 distinct letters"),
        ("abracadabra", 2, ("a",), "a", 5, "a bigram never seen still gets a share"),
        ("abracadabra", 3, ("a", "b"), "r", 6, "trigram: every order mixes with the one below"),
        ("abracadabra", 3, ("x", "a"), "c", 6, "an unseen context keeps the lower order's estimate"),
        ("abracadabra", 1, (), "z", 6, "unigram: a letter never seen gets a share of the uniform"),
    ]:
        counts = count_ngrams(text, order)
        total, types = followers(counts)
        cases.append(Case((counts, total, types, context, word, size),
                          _witten_bell(counts, total, types, context, word, size),
                          f"{note}; text {text!r}, context {context}, word {word!r}, |V| = {size}"))
    return check_function(converted(fn, float), cases, name="witten_bell", tol=1e-9,
                          hint="it is interpolation, built up from the uniform 1/|V| through the orders as "
                               "interpolated_prob does; only the weight changes: λ(h) comes from total[h] and "
                               "types[h] of that context, and a context with total[h] = 0 changes nothing")


def _discount(gram_counts: Iterable[int]) -> float:
    values = np.asarray(list(gram_counts))
    n1, n2 = int(np.sum(values == 1)), int(np.sum(values == 2))
    return n1 / (n1 + 2 * n2)


def check_discount_estimate(fn: Callable[[Sequence[int]], float]) -> CheckResult:
    """Exercise 01.4: the absolute discount estimated from counts of counts, D = n1 / (n1 + 2 n2)."""
    cases = [
        Case(([1, 1, 1, 2, 2, 5],), 3 / 7, "three n-grams seen once, two seen twice"),
        Case((np.array([1, 2, 3, 1, 4, 1, 2, 1]),), 4 / 8, "a NumPy array; counts above 2 do not count"),
        Case(([1, 1, 7],), 1.0, "nothing seen twice: D = 1"),
        Case(([2, 2, 1, 3, 3, 3],), 1 / 5),
    ]
    return check_function(converted(fn, float), cases, name="discount_estimate",
                          hint="you need two numbers from the counts: how many n-grams occur exactly once (n1) "
                               "and exactly twice (n2); the formula weighs n2 twice")
