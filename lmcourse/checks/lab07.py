"""Checks for the exercises of notebook 07."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_gpt_params", "check_kv_cache_bytes", "check_lr_schedule", "check_min_p_filter"]


def _gpt_params(vocab: int, context: int, d: int, layers: int, mult: int, tie: bool) -> int:
    block = 2 * 2 * d + (4 * d * d + 4 * d) + (d * mult * d + mult * d) + (mult * d * d + d)
    out = 0 if tie else d * vocab + vocab
    return vocab * d + context * d + layers * block + 2 * d + out


def check_gpt_params(fn: Callable[..., int]) -> CheckResult:
    """Exercise 07.1: trainable parameters of build_gpt (learned positions)."""
    cases = [Case(args, _gpt_params(*args), f"vocab {args[0]}, context {args[1]}, d {args[2]}, {args[3]} layers, "
                  f"ffn ×{args[4]}, tied {args[5]}")
             for args in [(65, 128, 192, 4, 4, False), (65, 128, 192, 4, 4, True), (10, 8, 16, 1, 2, False),
                          (1000, 64, 32, 3, 4, True)]]
    return check_function(converted(fn, int), cases, name="gpt_params",
                          hint="add up: token and position embeddings; per block two LayerNorms (scale and shift), "
                               "attention (four d×d projections with biases), the FFN (d → ffn_mult·d → d, with "
                               "biases); the final LayerNorm; and an output layer only when it is not tied")


def _lr(step: int, peak: float, warmup: int, total: int, final: float) -> float:
    if step < warmup:
        return peak * step / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return peak * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))


def check_lr_schedule(fn: Callable[..., float]) -> CheckResult:
    """Exercise 07.2: linear warm-up, then cosine decay to a floor."""
    cases = [Case(args, _lr(*args), note) for args, note in [
        ((0, 1e-3, 100, 1000, 0.1), "the first step"), ((50, 1e-3, 100, 1000, 0.1), "half-way through the warm-up"),
        ((100, 1e-3, 100, 1000, 0.1), "the peak"), ((550, 2e-3, 100, 1000, 0.1), "half-way down the cosine"),
        ((1000, 1e-3, 100, 1000, 0.1), "the end"), ((5000, 1e-3, 100, 1000, 0.1), "after the end: the floor"),
        ((300, 3e-4, 0, 600, 0.0), "no warm-up, decay to zero")]]
    return check_function(converted(fn, float), cases, name="lr_at", tol=1e-9,
                          hint="two pieces: a straight line up to the peak, then peak·(f + (1 − f)·c) with c going "
                               "from 1 to 0 along half a cosine as the step goes from warmup to total")


def check_min_p_filter(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 07.3: keep tokens with probability at least p_min × the top probability."""
    def reference(z: np.ndarray, p_min: float) -> np.ndarray:
        p = np.exp(z - z.max())
        return np.where(p >= p_min * p.max(), z, -np.inf)

    cases = []
    for z, p_min, note in [(np.array([2.0, 1.0, 0.0, -3.0]), 0.3, "e^-1 ≈ 0.37 of the top stays, e^-2 goes"),
                           (np.array([0.0, 0.0, 0.0]), 0.9, "all equal: all stay"),
                           (np.array([5.0, 1.0, 4.5, -2.0, 4.9]), 0.8, "several close to the top"),
                           (np.array([1.0, 2.0]), 1.0, "p_min = 1 keeps only the top")]:
        cases.append(Case((z, p_min), reference(z, p_min), note))
    return check_function(converted(fn, lambda got: np.asarray(got, dtype=float)), cases, name="min_p_filter",
                          hint="compare each token's probability with p_min times the largest probability; "
                               "exp(z − max z) gives probabilities up to a common factor, which cancels")


def check_kv_cache_bytes(fn: Callable[..., int]) -> CheckResult:
    """Exercise 07.4: memory of a key/value cache."""
    cases = [Case(args, 2 * math.prod(args), note) for args, note in [
        ((1, 4, 6, 32, 128, 4), "this lab's GPT, float32"), ((8, 32, 32, 128, 4096, 2), "a 7 B-class model, bfloat16"),
        ((1, 1, 1, 1, 1, 1), "one of everything")]]
    return check_function(converted(fn, int), cases, name="kv_cache_bytes",
                          hint="one number per (sequence, layer, head, position, head dimension) for the keys, "
                               "and as many again for the values")
