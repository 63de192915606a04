"""Tests for notebook 09's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import numpy as np

from lmcourse.checks import (
    check_layerwise_lrs,
    check_masked_accuracy,
    check_per_token_and_char,
    check_wordpiece,
)


def _wordpiece(word, vocab, longest=True):
    pieces, start = [], 0
    while start < len(word):
        ends = range(len(word), start, -1) if longest else range(start + 1, len(word) + 1)
        for end in ends:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def test_wordpiece(capsys):
    assert check_wordpiece(_wordpiece)
    assert not check_wordpiece(lambda w, v: _wordpiece(w, v, longest=False))  # shortest match first
    assert "hint" in capsys.readouterr().out


def test_per_token_and_char(capsys):
    assert check_per_token_and_char(lambda t, n, c: (t / n, t / c, math.exp(t / n)))
    assert not check_per_token_and_char(lambda t, n, c: (t / n, t / c, math.exp(t / c)))
    assert "hint" in capsys.readouterr().out


def test_layerwise_lrs(capsys):
    assert check_layerwise_lrs(lambda n, lr, d: [lr * d ** (n + 1 - i) for i in range(n + 2)])
    assert not check_layerwise_lrs(lambda n, lr, d: [lr * d ** i for i in range(n + 2)])  # head at the bottom
    assert "hint" in capsys.readouterr().out


def test_masked_accuracy(capsys):
    assert check_masked_accuracy(lambda lg, t, c: np.mean(lg.argmax(-1)[c] == t[c]))
    assert not check_masked_accuracy(lambda lg, t, c: np.mean(lg.argmax(-1) == t))  # every position
    assert "hint" in capsys.readouterr().out
