"""Checks for the exercises of notebook 08."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_auc_by_ranking", "check_mark_negation", "check_metrics_from_confusion", "check_pad_and_truncate"]

_PUNCTUATION = {".", ",", "!", "?", ";", ":"}


def _mark(tokens: Sequence[str]) -> list[str]:
    out, negated = [], False
    for token in tokens:
        if token in _PUNCTUATION:
            negated = False
            out.append(token)
        elif negated:
            out.append(token + "_NEG")
        else:
            out.append(token)
            negated = token in {"not", "no", "never"} or token.endswith("n't")
    return out


def check_mark_negation(fn: Callable[[list[str]], list[str]]) -> CheckResult:
    """Exercise 08.1: append _NEG to the tokens after a negation, up to the next punctuation."""
    cases = [Case((list(tokens),), _mark(tokens), note) for tokens, note in [
        ("not good .".split(), "the textbook case"),
        ("i did n't like it , but the music was great !".split(), "n't as its own token; the comma ends the scope"),
        ("this isn't funny at all".split(), "an n't word, no punctuation: to the end"),
        ("no . no , never ever".split(), "scopes that end at once"),
        ("a fine film".split(), "no negation: unchanged"),
        ([], "no tokens"),
    ]]
    return check_function(converted(fn, list), cases, name="mark_negation",
                          hint="walk the tokens with one flag: a negation word switches it on (for the tokens "
                               "after it), punctuation switches it off; the negation word itself is not marked")


def _metrics(confusion: Sequence[Sequence[int]]) -> tuple[float, float, float, float]:
    (tn, fp), (fn, tp) = confusion
    total = tn + fp + fn + tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ((tp + tn) / total if total else 0.0, precision, recall, f1)


def check_metrics_from_confusion(fn: Callable[[Sequence[Sequence[int]]], tuple[float, ...]]) -> CheckResult:
    """Exercise 08.2: accuracy, precision, recall and F1 from [[tn, fp], [fn, tp]]."""
    cases = [Case((m,), _metrics(m), note) for m, note in [
        ([[50, 10], [5, 35]], "a typical matrix"), ([[90, 0], [10, 0]], "never predicts positive: precision 0"),
        ([[0, 0], [0, 7]], "all positive and right"), ([[11230, 1270], [1520, 10980]], "an IMDb-sized matrix")]]
    return check_function(converted(fn, lambda got: tuple(float(v) for v in got)), cases,
                          name="metrics_from_confusion",
                          hint="rows are the truth, columns the prediction; precision divides by the predicted "
                               "positives (a column), recall by the true positives (a row)")


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def check_auc_by_ranking(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 08.3: ROC-AUC as the probability that a positive outranks a negative."""
    rng = np.random.default_rng(8)
    cases = []
    for labels, scores, note in [
        (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), "one pair out of order"),
        (np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.9, 0.1]), "a tie counts one half"),
        (np.array([0, 1]), np.array([0.9, 0.1]), "perfectly wrong: 0"),
        (rng.integers(0, 2, 60), rng.random(60), "random scores"),
    ]:
        cases.append(Case((labels, scores), _auc(labels, scores), note))
    return check_function(converted(fn, float), cases, name="auc_by_ranking", tol=1e-9,
                          hint="compare every positive's score with every negative's: count 1 for greater, "
                               "1/2 for equal, and divide by the number of pairs")


def _pad(sequences: Sequence[Sequence[int]], maxlen: int, padding: str, truncating: str) -> np.ndarray:
    out = np.zeros((len(sequences), maxlen), dtype=int)
    for i, seq in enumerate(sequences):
        seq = list(seq)
        seq = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "pre":
            out[i, maxlen - len(seq):] = seq
        else:
            out[i, : len(seq)] = seq
    return out


def check_pad_and_truncate(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 08.4: pad_sequences with pre/post padding and truncation."""
    seqs = [[1, 2, 3], [4, 5, 6, 7, 8, 9], [10]]
    cases = [Case((seqs, 4, p, t), _pad(seqs, 4, p, t), f"padding={p!r}, truncating={t!r}")
             for p in ("pre", "post") for t in ("pre", "post")]
    cases.append(Case(([[5, 6]], 2, "pre", "pre"), _pad([[5, 6]], 2, "pre", "pre"), "exactly maxlen"))
    return check_function(converted(fn, lambda got: np.asarray(got).astype(int)), cases, name="pad_and_truncate",
                          hint="first cut each sequence to maxlen (keep its end for 'pre', its start for "
                               "'post'), then put it at the right ('pre') or left ('post') of a row of zeros")
