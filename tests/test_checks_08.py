"""Tests for notebook 08's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from lmcourse.checks import (
    check_auc_by_ranking,
    check_mark_negation,
    check_metrics_from_confusion,
    check_pad_and_truncate,
)


def _mark(tokens, negations=("not", "no", "never"), reset=(".", ",", "!", "?", ";", ":")):
    out, on = [], False
    for t in tokens:
        if t in reset:
            on = False
            out.append(t)
        else:
            out.append(t + "_NEG" if on else t)
            on = on or t in negations or t.endswith("n't")
    return out


def test_mark_negation(capsys):
    assert check_mark_negation(_mark)
    assert not check_mark_negation(lambda tokens: [t + "_NEG" if i else t for i, t in enumerate(tokens)])
    assert not check_mark_negation(lambda tokens: _mark(tokens, reset=()))  # scope never ends
    assert "hint" in capsys.readouterr().out


def test_metrics_from_confusion(capsys):
    def right(c):
        (tn, fp), (fn, tp) = c
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return (tp + tn) / (tn + fp + fn + tp), p, r, (2 * p * r / (p + r) if p + r else 0.0)

    assert check_metrics_from_confusion(right)
    assert not check_metrics_from_confusion(lambda c: right([[c[0][0], c[1][0]], [c[0][1], c[1][1]]]))  # transposed
    assert "hint" in capsys.readouterr().out


def test_auc_by_ranking(capsys):
    def right(labels, scores):
        pos, neg = scores[labels == 1], scores[labels == 0]
        return ((pos[:, None] > neg).sum() + 0.5 * (pos[:, None] == neg).sum()) / (len(pos) * len(neg))

    assert check_auc_by_ranking(right)
    assert check_auc_by_ranking(lambda y, s: roc_auc_score(y, s))
    assert not check_auc_by_ranking(lambda y, s: (s[y == 1][:, None] > s[y == 0]).mean())  # ties as 0
    assert "hint" in capsys.readouterr().out


def test_pad_and_truncate(capsys):
    def right(seqs, maxlen, padding="pre", truncating="pre"):
        out = np.zeros((len(seqs), maxlen), int)
        for i, s in enumerate(seqs):
            s = list(s)[-maxlen:] if truncating == "pre" else list(s)[:maxlen]
            if padding == "pre":
                out[i, maxlen - len(s):] = s
            else:
                out[i, :len(s)] = s
        return out

    assert check_pad_and_truncate(right)
    assert not check_pad_and_truncate(lambda seqs, m, padding="pre", truncating="pre": right(seqs, m, padding, "post"))
    assert "hint" in capsys.readouterr().out
