"""Tests for notebook 00's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from lmcourse.checks import (
    check_alpha_tokenize,
    check_sequence_log_prob,
    check_strided_windows,
    check_vocab_for_coverage,
)

NOT_ATTEMPTED = "not attempted yet"


def _stub(*args):
    raise NotImplementedError


def _returns_none(*args):
    return None


# Notebook 00: sequence_log_prob -------------------------------------------------------

def test_sequence_log_prob_reference_passes(capsys):
    def sequence_log_prob(probs):
        return sum(math.log(p) for p in probs)

    assert check_sequence_log_prob(sequence_log_prob)
    assert capsys.readouterr().out.startswith("✓ sequence_log_prob")


def test_sequence_log_prob_numpy_reference_passes(capsys):
    assert check_sequence_log_prob(lambda probs: np.log(probs).sum())


def test_sequence_log_prob_product_then_log_fails_on_underflow(capsys):
    def sequence_log_prob(probs):
        return math.log(math.prod(probs))

    assert not check_sequence_log_prob(sequence_log_prob)
    out = capsys.readouterr().out
    assert "✗ sequence_log_prob: case 4 raised ValueError" in out  # log(0.0)
    assert "underflows" in out  # the hint explains why


def test_sequence_log_prob_numpy_product_fails_with_minus_inf(capsys):
    with np.errstate(divide="ignore"):
        assert not check_sequence_log_prob(lambda probs: float(np.log(np.prod(probs))))
    out = capsys.readouterr().out
    assert "✗ sequence_log_prob: case 4 (2000 tokens: the product underflows to 0.0) is wrong" in out
    assert "got:      -inf" in out


def test_sequence_log_prob_stub(capsys):
    assert not check_sequence_log_prob(_stub)
    assert NOT_ATTEMPTED in capsys.readouterr().out


# Notebook 00: alpha_tokenize ------------------------------------------------------------

def test_alpha_tokenize_reference_passes(capsys):
    def alpha_tokenize(text):
        return re.findall(r"[a-z]+", text.lower())

    assert check_alpha_tokenize(alpha_tokenize)
    assert "✓ alpha_tokenize" in capsys.readouterr().out


def test_alpha_tokenize_whitespace_split_fails(capsys):
    def alpha_tokenize(text):
        return text.lower().split()

    assert not check_alpha_tokenize(alpha_tokenize)
    out = capsys.readouterr().out
    assert "✗ alpha_tokenize: case 1 is wrong." in out
    assert "expected: ['the', 'cat', 'sat']" in out
    assert "got:      ['the', 'cat', 'sat.']" in out
    assert "hint: lowercase first" in out


def test_alpha_tokenize_keeping_digits_fails(capsys):
    def alpha_tokenize(text):
        return re.findall(r"[a-z0-9]+", text.lower())

    assert not check_alpha_tokenize(alpha_tokenize)
    assert "case 2 (digits split words)" in capsys.readouterr().out


def test_alpha_tokenize_stub(capsys):
    assert not check_alpha_tokenize(_returns_none)
    assert NOT_ATTEMPTED in capsys.readouterr().out



# Notebook 00: vocab_for_coverage ------------------------------------------------------------

def _coverage(tokens, coverage):
    counts = sorted(Counter(tokens).values(), reverse=True)
    total, running = sum(counts), 0
    for n, c in enumerate(counts, start=1):
        running += c
        if running >= coverage * total:
            return n
    return len(counts)


def test_vocab_for_coverage(capsys):
    assert check_vocab_for_coverage(_coverage)
    assert not check_vocab_for_coverage(lambda t, c: math.ceil(c * len(set(t))))  # a share of types, not tokens
    assert not check_vocab_for_coverage(lambda t, c: _coverage(t, c) + 1 if c == 0.7 else _coverage(t, c))  # > not >=
    assert "hint" in capsys.readouterr().out


# Notebook 00: strided_windows -------------------------------------------------------------

def _strided(ids, seq_len, stride):
    starts = range(0, len(ids) - seq_len, stride)
    return np.array([ids[s:s + seq_len] for s in starts]), np.array([ids[s + 1:s + seq_len + 1] for s in starts])


def test_strided_windows(capsys):
    assert check_strided_windows(_strided)
    assert not check_strided_windows(lambda ids, n, k: _strided(ids[:-1], n, k))  # one window too few
    assert not check_strided_windows(lambda ids, n, k: _strided(ids, n, n))  # ignores the stride
    assert "hint" in capsys.readouterr().out
