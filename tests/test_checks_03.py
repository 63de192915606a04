"""Tests for notebook 03's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np
import pytest

from lmcourse.checks import (
    check_context_windows,
    check_cross_entropy_from_logits,
    check_logsumexp,
    check_softmax_gradient,
)
from lmcourse.metrics import cross_entropy, logsumexp, softmax
from lmcourse.windows import context_windows

NOT_ATTEMPTED = "not attempted yet"
ALL_CHECKS = [check_logsumexp, check_cross_entropy_from_logits, check_softmax_gradient, check_context_windows]


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("fn", [_stub, lambda *a: None], ids=["raises", "returns None"])
def test_untouched_stub_is_not_attempted(capsys, check, fn):
    assert not check(fn)
    assert NOT_ATTEMPTED in capsys.readouterr().out


def test_logsumexp_reference_passes_and_naive_fails(capsys):
    assert check_logsumexp(lambda z: float(logsumexp(z)))
    assert "✓ logsumexp" in capsys.readouterr().out
    with np.errstate(over="ignore", divide="ignore"):
        assert not check_logsumexp(lambda z: float(np.log(np.sum(np.exp(z)))))
    out = capsys.readouterr().out
    assert "overflows" in out and "hint" in out


def test_logsumexp_plain_max_fails(capsys):
    assert not check_logsumexp(lambda z: float(np.max(z)))
    assert "case 1" in capsys.readouterr().out


def test_cross_entropy_reference_passes(capsys):
    assert check_cross_entropy_from_logits(cross_entropy)
    assert "✓ cross_entropy_from_logits" in capsys.readouterr().out


def test_cross_entropy_sum_instead_of_mean_fails(capsys):
    assert not check_cross_entropy_from_logits(lambda z, y: cross_entropy(z, y) * len(y))
    assert "wrong" in capsys.readouterr().out


def test_cross_entropy_naive_softmax_fails_on_huge_logits(capsys):
    def naive(z, y):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return float(-np.log(p[np.arange(len(y)), y]).mean())

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert not check_cross_entropy_from_logits(naive)
    assert "huge logits" in capsys.readouterr().out


def test_softmax_gradient_reference_passes(capsys):
    def gradient(z, y):
        g = softmax(z).copy()
        g[y] -= 1.0
        return g

    assert check_softmax_gradient(gradient)
    assert check_softmax_gradient(lambda z, y: list(gradient(z, y)))  # a list is fine too
    assert capsys.readouterr().out.count("✓") == 2


def test_softmax_gradient_wrong_sign_fails(capsys):
    def flipped(z, y):
        g = -softmax(z)
        g[y] += 1.0
        return g

    assert not check_softmax_gradient(flipped)
    assert "p - y" in capsys.readouterr().out


def test_context_windows_reference_passes(capsys):
    assert check_context_windows(context_windows)
    assert "✓ context_windows" in capsys.readouterr().out


def test_context_windows_off_by_one_fails(capsys):
    def off_by_one(ids, k):
        x, y = context_windows(ids, k)
        return x, y - 0 + np.r_[y[1:], y[-1]] - y  # targets one step too late

    assert not check_context_windows(off_by_one)
    assert not check_context_windows(lambda ids, k: (ids[:-k], ids[k:]))
    assert "sliding_window_view" in capsys.readouterr().out
