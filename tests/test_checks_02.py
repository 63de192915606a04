"""Tests of notebook 02's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr

from lmcourse.checks import (
    check_analogy_3cosmul,
    check_sgns_step,
    check_shifted_ppmi,
    check_spearman,
)

# Exercise 1: one SGD step of SGNS ------------------------------------------------------------

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sgns_step_right(v, u, lr):
    labels = np.zeros(len(u))
    labels[0] = 1
    g = _sigmoid(u @ v) - labels
    return v - lr * g @ u, u - lr * np.outer(g, v)


def sgns_step_sequential(v, u, lr):  # updates u first, then uses the new u for v's step
    labels = np.zeros(len(u))
    labels[0] = 1
    g = _sigmoid(u @ v) - labels
    new_u = u - lr * np.outer(g, v)
    return v - lr * g @ new_u, new_u


def sgns_step_all_negative(v, u, lr):  # forgets that row 0 is the real context
    g = _sigmoid(u @ v)
    return v - lr * g @ u, u - lr * np.outer(g, v)


def sgns_step_ascent(v, u, lr):  # steps up the loss
    new_v, new_u = sgns_step_right(v, u, -lr)
    return new_v, new_u


def test_sgns_step(capsys):
    assert check_sgns_step(sgns_step_right)
    assert check_sgns_step(lambda v, u, lr: [x.tolist() for x in sgns_step_right(v, u, lr)])  # lists are fine
    for wrong in (sgns_step_sequential, sgns_step_all_negative, sgns_step_ascent):
        assert not check_sgns_step(wrong)
    out = capsys.readouterr().out
    assert "✓ sgns_step" in out and "before changing either" in out


# Exercise 2: Spearman's rank correlation -------------------------------------------------------

def test_spearman(capsys):
    assert check_spearman(lambda x, y: spearmanr(x, y).statistic)

    def ranks_without_ties(x, y):
        rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
        return float(np.corrcoef(rx, ry)[0, 1])

    assert not check_spearman(ranks_without_ties)  # ties must share their average rank
    assert not check_spearman(lambda x, y: float(np.corrcoef(x, y)[0, 1]))  # Pearson on the values
    out = capsys.readouterr().out
    assert "✓ spearman" in out and "equal ranks" in out


# Exercise 3: 3CosMul ----------------------------------------------------------------------------

def _unit(m):
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def cosmul(words, matrix, a, b, c, *, shift=True, normalise=True, exclude=True):
    unit = _unit(matrix) if normalise else matrix
    idx = {w: i for i, w in enumerate(words)}

    def sim(w):
        s = unit @ unit[idx[w]]
        return (s + 1) / 2 if shift else s

    scores = sim(b) * sim(c) / (sim(a) + 1e-3)
    if exclude:
        for w in (a, b, c):
            scores[idx[w]] = -np.inf
    return words[int(np.argmax(scores))]


def cosadd(words, matrix, a, b, c):
    unit = _unit(matrix)
    idx = {w: i for i, w in enumerate(words)}
    scores = unit @ (unit[idx[b]] - unit[idx[a]] + unit[idx[c]])
    for w in (a, b, c):
        scores[idx[w]] = -np.inf
    return words[int(np.argmax(scores))]


def test_analogy_3cosmul(capsys):
    assert check_analogy_3cosmul(cosmul)
    assert not check_analogy_3cosmul(cosadd)  # the other method
    assert not check_analogy_3cosmul(lambda *q: cosmul(*q, shift=False))  # cosines not moved into [0, 1]
    assert not check_analogy_3cosmul(lambda *q: cosmul(*q, normalise=False))  # dot products
    assert not check_analogy_3cosmul(lambda *q: cosmul(*q, exclude=False))  # question words not left out
    out = capsys.readouterr().out
    assert "✓ analogy_3cosmul" in out and "Leave out" in out


# Exercise 4: shifted positive PMI -------------------------------------------------------------------

def sppmi_right(counts, k):
    counts = np.asarray(counts, float)
    total = counts.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(counts * total / np.outer(counts.sum(1), counts.sum(0)))
    return np.maximum(pmi - math.log(k), 0)


def test_shifted_ppmi(capsys):
    assert check_shifted_ppmi(sppmi_right)

    def no_shift(counts, k):
        return sppmi_right(counts, 1)

    def no_clip(counts, k):
        counts = np.asarray(counts, float)
        with np.errstate(divide="ignore"):
            return np.log(counts * counts.sum() / np.outer(counts.sum(1), counts.sum(0))) - math.log(k)

    def nan_for_unseen(counts, k):
        out = sppmi_right(counts, k)
        out[np.asarray(counts) == 0] = np.nan
        return out

    for wrong in (no_shift, no_clip, nan_for_unseen):
        assert not check_shifted_ppmi(wrong)
    out = capsys.readouterr().out
    assert "✓ shifted_ppmi" in out and "subtract log k" in out
