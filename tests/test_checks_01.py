"""Tests of notebook 01's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np

from lmcourse.checks import (
    check_bigram_counts,
    check_discount_estimate,
    check_stupid_backoff,
    check_witten_bell,
)


def test_bigram_counts(capsys):
    def right(ids, v):
        return np.bincount(ids[:-1] * v + ids[1:], minlength=v * v).reshape(v, v)

    def transposed(ids, v):
        return right(ids, v).T

    def without_minlength(ids, v):
        counts = np.bincount(ids[:-1] * v + ids[1:])
        return counts.reshape(-1, v) if counts.size % v == 0 else counts

    assert check_bigram_counts(right)
    assert not check_bigram_counts(transposed)
    assert "hint" in capsys.readouterr().out
    assert not check_bigram_counts(without_minlength)
    assert "✗" in capsys.readouterr().out


def test_bigram_counts_hint_does_not_print_the_answer(capsys):
    check_bigram_counts(lambda ids, v: np.zeros((v, v), int))
    out = capsys.readouterr().out
    assert "hint" in out and "bincount" not in out and "ids[:-1]" not in out


def _stupid_backoff(counts, total, context, word, alpha=0.4):
    context = tuple(context)
    for start in range(len(context) + 1):
        h = context[start:]
        if counts[h + (word,)]:
            return alpha ** start * counts[h + (word,)] / total[h]
    return 0.0


def test_stupid_backoff(capsys):
    def backs_off_with_one_factor(counts, total, context, word):   # 0.4 once, not once per step
        context = tuple(context)
        for start in range(len(context) + 1):
            h = context[start:]
            if counts[h + (word,)]:
                return (0.4 if start else 1.0) * counts[h + (word,)] / total[h]
        return 0.0

    def mle_only(counts, total, context, word):   # no back-off at all
        h = tuple(context)
        return counts[h + (word,)] / total[h] if total[h] else 0.0

    assert check_stupid_backoff(_stupid_backoff)
    assert "✓ stupid_backoff" in capsys.readouterr().out
    assert not check_stupid_backoff(backs_off_with_one_factor)
    assert not check_stupid_backoff(mle_only)
    out = capsys.readouterr().out
    assert "hint" in out and "0.4" in out


def _witten_bell(counts, total, types, context, word, vocab_size):
    context = tuple(context)
    p = 1 / vocab_size
    for k in range(len(context) + 1):
        h = context[len(context) - k:]
        if total[h]:
            lam = total[h] / (total[h] + types[h])
            p = lam * counts[h + (word,)] / total[h] + (1 - lam) * p
    return p


def test_witten_bell(capsys):
    def weight_from_the_vocabulary(counts, total, types, context, word, vocab_size):   # λ = c / (c + |V|)
        context = tuple(context)
        p = 1 / vocab_size
        for k in range(len(context) + 1):
            h = context[len(context) - k:]
            if total[h]:
                p = (counts[h + (word,)] + vocab_size * p) / (total[h] + vocab_size)
        return p

    def top_order_only(counts, total, types, context, word, vocab_size):   # mixes with the uniform only
        h = tuple(context)
        if not total[h]:
            return 1 / vocab_size
        return (counts[h + (word,)] + types[h] / vocab_size) / (total[h] + types[h])

    assert check_witten_bell(_witten_bell)
    assert not check_witten_bell(weight_from_the_vocabulary)
    assert not check_witten_bell(top_order_only)
    out = capsys.readouterr().out
    assert "hint" in out and "types[h]" in out


def test_discount_estimate(capsys):
    def right(counts):
        counts = np.asarray(list(counts))
        n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
        return n1 / (n1 + 2 * n2)

    assert check_discount_estimate(right)
    assert not check_discount_estimate(lambda c: float(np.mean(np.asarray(c) == 1)))   # share of singletons

    def n2_once(counts):
        counts = np.asarray(list(counts))
        n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
        return n1 / (n1 + n2)

    assert not check_discount_estimate(n2_once)
    out = capsys.readouterr().out
    assert "hint" in out and "n2" in out
