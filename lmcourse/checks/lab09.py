"""Checks for the exercises of notebook 09."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_layerwise_lrs", "check_masked_accuracy", "check_per_token_and_char", "check_wordpiece"]


def _wordpiece(word: str, vocab: set[str]) -> list[str]:
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def check_wordpiece(fn: Callable[[str, set[str]], list[str]]) -> CheckResult:
    """Exercise 09.1: greedy longest-match-first WordPiece."""
    vocab = {"un", "##watch", "##able", "watch", "##ing", "a", "##b", "##c", "##bc", "play", "##er", "##s"}
    cases = [Case((word, vocab), _wordpiece(word, vocab), note) for word, note in [
        ("unwatchable", "three pieces"), ("watching", "a whole word plus a suffix"),
        ("abc", "longest first: ##bc, not ##b then ##c"), ("players", "whole pieces, in order"),
        ("xyz", "no piece matches: [UNK]"), ("playz", "stuck half-way: the whole word is [UNK]")]]
    return check_function(converted(fn, list), cases, name="wordpiece",
                          hint="from the current position try the longest remaining substring first and shorten "
                               "it until it is in the vocabulary (with '##' in front unless you are at the start "
                               "of the word); if none is, give up on the whole word")


def check_per_token_and_char(fn: Callable[[float, int, int], tuple[float, float, float]]) -> CheckResult:
    """Exercise 09.2: nats per token, nats per character, perplexity per token."""
    cases = [Case(args, (args[0] / args[1], args[0] / args[2], math.exp(args[0] / args[1])), note) for args, note in [
        ((1000.0, 250, 1000), "4 characters per token"), ((693.1, 1000, 1000), "characters as tokens"),
        ((12345.0, 3000, 14000), "a realistic text")]]
    return check_function(converted(fn, lambda got: tuple(float(v) for v in got)), cases,
                          name="per_token_and_char", tol=1e-6,
                          hint="the same total divided by two different counts; perplexity is e to the power "
                               "of the per-token figure")


def _layerwise(num_layers: int, base_lr: float, decay: float) -> list[float]:
    return [base_lr * decay ** (num_layers + 1 - i) for i in range(num_layers + 2)]


def check_layerwise_lrs(fn: Callable[[int, float, float], list[float]]) -> CheckResult:
    """Exercise 09.3: learning rates decaying by layer from the head down."""
    cases = [Case(args, tuple(_layerwise(*args)), f"{args[0]} blocks, base {args[1]}, decay {args[2]}")
             for args in [(4, 1e-3, 0.5), (2, 3e-4, 0.9), (0, 1e-3, 0.8), (12, 1e-4, 0.95)]]
    return check_function(converted(fn, lambda got: tuple(float(v) for v in got)), cases, name="layerwise_lrs",
                          tol=1e-12,
                          hint="num_layers + 2 rates, bottom (embeddings) first and the head last; the head gets "
                               "base_lr and every step down multiplies by decay once more")


def check_masked_accuracy(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 09.4: accuracy over the chosen (masked) positions only."""
    rng = np.random.default_rng(9)
    cases = []
    for n, T, V in [(2, 5, 7), (3, 4, 3)]:
        logits = rng.normal(size=(n, T, V))
        targets = rng.integers(0, V, (n, T))
        targets[0, 0] = logits[0, 0].argmax()
        chosen = rng.random((n, T)) < 0.5
        chosen[0, 0] = True
        expected = float(np.mean(logits.argmax(-1)[chosen] == targets[chosen]))
        cases.append(Case((logits, targets, chosen), expected, f"{n} × {T} positions, vocabulary {V}"))
    return check_function(converted(fn, float), cases, name="masked_accuracy",
                          hint="arg-max over the last axis gives the predicted ids; compare with the targets and "
                               "average only where chosen is True")
