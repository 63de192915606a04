"""n-gram language models as lesson 01 writes them: counts in a ``Counter``, one short function per formula.

Lab 01 writes these functions in its cells, and this module keeps the same
code (``tests/test_teaching.py`` checks that they agree). Counting is one
``Counter`` of tuples (every k-gram, k = 1..order), and each smoothing is a few
lines over it: maximum likelihood, add-k, interpolation (Jelinek–Mercer) and
interpolated Kneser–Ney. The tokens can be anything hashable: words,
characters or ids.

    >>> counts = count_ngrams("abcab", order=2)
    >>> counts[("a", "b")], counts[("b",)], counts[("b", "a")]
    (2, 2, 0)
    >>> total, types = followers(counts)
    >>> total[("b",)], types[("b",)]          # "b" is followed once (by "c"): c(b •) = 1
    (1, 1)
    >>> mle_prob(counts, total, "a", "b")      # c(a b) / c(a •)
    1.0
    >>> add_k_prob(counts, total, "b", "a", k=1, vocab_size=3)   # (0 + 1) / (1 + 3)
    0.25

This code takes one Python step per n-gram: it is written to be read, and it is
fast enough for a toy corpus or a few hundred thousand characters. The labs
count whole corpora with the fast engine, :mod:`lmcourse.ngram_fast`: the same
probabilities (property tests check it), computed with NumPy on int64 codes,
about a hundred times faster. Its public names are re-exported here, so the
usual import is ``from lmcourse.ngram import NgramCounts, NgramModel, ngram_windows``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence

from .ngram_fast import (
    SMOOTHINGS,
    NgramCounts,
    NgramModel,
    NltkSetup,
    bits_per_token,
    cross_entropy,
    ngram_windows,
    nltk_setup,
    padded_ngrams,
    perplexity,
)

__all__ = [
    # the readable version: this module
    "KneserNey",
    "add_k_prob",
    "continuation_counts",
    "count_ngrams",
    "followers",
    "interpolated_prob",
    "mle_prob",
    # the fast engine, lmcourse.ngram_fast, re-exported
    "SMOOTHINGS",
    "NgramCounts",
    "NgramModel",
    "NltkSetup",
    "bits_per_token",
    "cross_entropy",
    "ngram_windows",
    "nltk_setup",
    "padded_ngrams",
    "perplexity",
]


def count_ngrams(ids: Iterable, order: int) -> Counter:
    """How often each k-gram of ``ids`` occurs, k = 1..order: one Counter keyed by tuples of tokens.

    A gram never seen reads as 0. To count several sentences, count each (padded
    as you like) and add the Counters: ``count_ngrams(s1, 3) + count_ngrams(s2, 3)``.

    >>> count_ngrams(["the", "cat", "the"], order=2)
    Counter({('the',): 2, ('cat',): 1, ('the', 'cat'): 1, ('cat', 'the'): 1})
    """
    if order < 1:
        raise ValueError(f"order must be at least 1 (1 counts single tokens, 2 pairs, ...), got {order}")
    tokens = ids.tolist() if hasattr(ids, "tolist") else list(ids)   # NumPy ids become plain ints
    counts = Counter()
    for k in range(1, order + 1):
        for start in range(len(tokens) - k + 1):
            counts[tuple(tokens[start:start + k])] += 1
    return counts


def followers(counts: Counter) -> tuple[Counter, Counter]:
    """For every context h: c(h •), how often h is followed by a token, and N1+(h •), by how many distinct ones.

    The context of a gram is the gram without its last token; the empty context
    ``()`` is followed by every unigram, so ``total[()]`` is the number of tokens.

    >>> total, types = followers(count_ngrams("abab", order=2))
    >>> total[()], total[("a",)], types[("a",)], total[("b",)]   # the last "b" is followed by nothing
    (4, 2, 1, 1)
    """
    total, types = Counter(), Counter()
    for gram, count in counts.items():
        total[gram[:-1]] += count
        types[gram[:-1]] += 1
    return total, types


def mle_prob(counts: Counter, total: Counter, context: Sequence, word: Hashable) -> float:
    """Maximum likelihood: P(w | h) = c(h w) / c(h •); 0 after a context never seen.

    ``total`` is the first Counter of :func:`followers`; the context's length
    sets the order (a bigram model gets one token of context).

    >>> counts = count_ngrams("abac", order=2)
    >>> total, _ = followers(counts)
    >>> mle_prob(counts, total, "a", "b"), mle_prob(counts, total, "a", "a"), mle_prob(counts, total, "c", "a")
    (0.5, 0.0, 0.0)
    """
    h = tuple(context)
    return counts[h + (word,)] / total[h] if total[h] > 0 else 0.0


def add_k_prob(counts: Counter, total: Counter, context: Sequence, word: Hashable, k: float,
               vocab_size: int) -> float:
    """Add-k (Lidstone; k = 1 is Laplace): P(w | h) = (c(h w) + k) / (c(h •) + k |V|).

    >>> counts = count_ngrams("abac", order=2)
    >>> total, _ = followers(counts)
    >>> add_k_prob(counts, total, "a", "b", k=1, vocab_size=3)   # (1 + 1) / (2 + 3)
    0.4
    """
    h = tuple(context)
    return (counts[h + (word,)] + k) / (total[h] + k * vocab_size)


def interpolated_prob(counts: Counter, total: Counter, context: Sequence, word: Hashable,
                      lambdas: Sequence[float], vocab_size: int) -> float:
    """Jelinek–Mercer: P_k(w | h) = λ_k P_MLE(w | h) + (1 − λ_k) P_{k−1}(w | h'), from P_0 = 1 / |V|.

    Orders go from 1 (no context) up to len(context) + 1; h' drops the oldest
    token of h, and ``lambdas[k - 1]`` weighs order k. A context never seen
    keeps the lower order's estimate.

    >>> counts = count_ngrams("abac", order=2)
    >>> total, _ = followers(counts)
    >>> interpolated_prob(counts, total, "a", "b", lambdas=[0.5, 0.8], vocab_size=3)  # 0.8·1/2 + 0.2·(0.5·1/4 + 0.5·1/3)
    0.4583333333333333
    """
    context = tuple(context)
    p = 1 / vocab_size
    for k in range(1, len(context) + 2):
        h = context[len(context) - k + 1:]   # the last k - 1 tokens
        if total[h] > 0:
            p = lambdas[k - 1] * counts[h + (word,)] / total[h] + (1 - lambdas[k - 1]) * p
    return p


def continuation_counts(counts: Counter) -> Counter:
    """N1+(• g) for every gram g: how many distinct tokens come directly before it.

    Each distinct (k+1)-gram (v, g) adds one to g, however often it occurs.

    >>> cont = continuation_counts(count_ngrams("san francisco san francisco the cat a cat".split(), 2))
    >>> cont[("francisco",)], cont[("cat",)], cont[("san",)]
    (1, 2, 1)
    """
    cont = Counter()
    for gram in counts:
        if len(gram) > 1:
            cont[gram[1:]] += 1
    return cont


class KneserNey:
    """Interpolated Kneser–Ney over the Counter of :func:`count_ngrams`, as lesson 01 writes it.

    Every order subtracts the discount d from its counts and hands the mass it
    saved, d · N1+(h •) / c(h •), to the order below; below order 1 is the
    uniform 1 / |V|. The highest order counts n-grams; the lower ones count
    continuations, N1+(• h w): in how many contexts a gram occurred, not how
    often. A context that was never preceded by anything (it only starts the
    text) has no continuations and keeps its raw counts.

    >>> kn = KneserNey(count_ngrams("abcabd", order=2), discount=0.75, vocab_size=4)
    >>> round(sum(kn.prob("a", w) for w in "abcd"), 12)
    1.0
    """

    def __init__(self, counts: Counter, discount: float, vocab_size: int):
        if not 0 <= discount <= 1:
            raise ValueError(f"the Kneser-Ney discount must be between 0 and 1, got {discount}")
        self.counts, self.discount, self.vocab_size = counts, discount, vocab_size
        self.total, self.types = followers(counts)               # c(h •), N1+(h •)
        self.cont = continuation_counts(counts)                   # N1+(• g)
        self.cont_total, self.cont_types = followers(self.cont)   # N1+(• h •), #{w : N1+(• h w) > 0}

    def prob(self, context: Sequence, word: Hashable) -> float:
        """P_KN(word | context); the context's length sets the order."""
        context, d = tuple(context), self.discount
        p = 1 / self.vocab_size
        for k in range(1, len(context) + 2):   # order 1 (no context) up to the whole context
            h = context[len(context) - k + 1:]
            if k == len(context) + 1 or self.cont_total[h] == 0:   # the top order: raw counts
                counts, total, types = self.counts, self.total, self.types
            else:                                                   # lower orders: continuations
                counts, total, types = self.cont, self.cont_total, self.cont_types
            if total[h] > 0:   # a context never seen hands everything to the order below
                p = max(counts[h + (word,)] - d, 0) / total[h] + d * types[h] / total[h] * p
        return p
