"""Tests of notebook 02's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lmcourse.checks import (
    check_analogy,
    check_cosine_similarity,
    check_keep_probability,
    check_noise_distribution,
)


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("check", [check_cosine_similarity, check_noise_distribution,
                                   check_keep_probability, check_analogy])
def test_stubs_are_not_attempted(check, capsys):
    assert not check(_stub)
    assert "not attempted yet" in capsys.readouterr().out


def test_cosine_similarity(capsys):
    assert check_cosine_similarity(lambda u, v: u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    assert not check_cosine_similarity(lambda u, v: float(u @ v))  # forgot to normalise
    out = capsys.readouterr().out
    assert "✓ cosine_similarity" in out and "hint" in out


def test_noise_distribution(capsys):
    def right(counts):
        w = np.asarray(counts, float) ** 0.75
        return w / w.sum()

    assert check_noise_distribution(right)
    assert check_noise_distribution(lambda c: right(c).tolist())  # a list is fine too
    assert not check_noise_distribution(lambda c: np.asarray(c, float) / np.sum(c))  # the plain unigram
    assert not check_noise_distribution(lambda c: np.asarray(c, float) ** 0.75)  # not normalised
    assert "** 0.75" in capsys.readouterr().out


def test_keep_probability(capsys):
    def right(count, total, t):
        f = count / total
        return min(1.0, (math.sqrt(f / t) + 1) * t / f)

    assert check_keep_probability(right)
    assert not check_keep_probability(lambda count, total, t: min(1.0, math.sqrt(t * total / count)))  # paper
    assert not check_keep_probability(  # no clipping at 1
        lambda count, total, t: (math.sqrt(count / total / t) + 1) * t * total / count)
    out = capsys.readouterr().out
    assert "✓ keep_probability" in out and "not the paper's" in out  # the hint names the two rules


def test_analogy(capsys):
    def right(words, matrix, a, b, c):
        unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        idx = {w: i for i, w in enumerate(words)}
        scores = unit @ (unit[idx[b]] - unit[idx[a]] + unit[idx[c]])
        for w in (a, b, c):
            scores[idx[w]] = -np.inf
        return words[int(np.argmax(scores))]

    def no_exclusion(words, matrix, a, b, c):
        unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        idx = {w: i for i, w in enumerate(words)}
        return words[int(np.argmax(unit @ (unit[idx[b]] - unit[idx[a]] + unit[idx[c]])))]

    def raw_dot(words, matrix, a, b, c):
        idx = {w: i for i, w in enumerate(words)}
        scores = matrix @ (matrix[idx[b]] - matrix[idx[a]] + matrix[idx[c]])
        for w in (a, b, c):
            scores[idx[w]] = -np.inf
        return words[int(np.argmax(scores))]

    assert check_analogy(right)
    assert not check_analogy(no_exclusion)
    assert not check_analogy(raw_dot)
    assert "exclude a, b and c" in capsys.readouterr().out
