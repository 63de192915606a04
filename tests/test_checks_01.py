"""Tests of notebook 01's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lmcourse.checks import (
    check_add_k_prob,
    check_bigram_counts,
    check_continuation_count,
    check_perplexity_from_log_probs,
)


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check", [check_bigram_counts, check_add_k_prob,
                                   check_perplexity_from_log_probs, check_continuation_count])
def test_stubs_are_not_attempted(check, capsys):
    assert not check(_stub)
    assert "not attempted yet" in capsys.readouterr().out


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


def test_add_k_prob(capsys):
    assert check_add_k_prob(lambda c_hw, c_h, v, k: (c_hw + k) / (c_h + k * v))
    assert not check_add_k_prob(lambda c_hw, c_h, v, k: (c_hw + k) / (c_h + k))  # forgot |V|
    out = capsys.readouterr().out
    assert "✓ add_k_prob" in out and "k·|V|" in out


def test_perplexity_from_log_probs(capsys):
    assert check_perplexity_from_log_probs(lambda lp: math.exp(-float(np.mean(lp))))
    assert not check_perplexity_from_log_probs(lambda lp: math.exp(-float(np.sum(lp))))  # sum, not mean
    assert not check_perplexity_from_log_probs(lambda lp: -float(np.mean(lp)))  # cross-entropy only
    assert "exp(H)" in capsys.readouterr().out


def test_continuation_count(capsys):
    assert check_continuation_count(lambda bigrams, w: len({a for a, b in bigrams if b == w}))
    assert not check_continuation_count(lambda bigrams, w: sum(b == w for _, b in bigrams))  # raw count
    assert "distinct" in capsys.readouterr().out
