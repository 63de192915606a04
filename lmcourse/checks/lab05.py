"""Checks for the exercises of notebook 05."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .core import Case, CheckResult, check_function, converted

__all__ = ["check_clip_by_global_norm", "check_forget_bias", "check_gru_reset_before", "check_units_for_budget"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _gru_reset_before(x: np.ndarray, h: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray) -> np.ndarray:
    u = h.shape[1]
    xs = x @ W + b
    z = _sigmoid(xs[:, :u] + h @ U[:, :u])
    r = _sigmoid(xs[:, u:2 * u] + h @ U[:, u:2 * u])
    candidate = np.tanh(xs[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
    return z * h + (1 - z) * candidate


def check_gru_reset_before(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 05.1: one step of keras.layers.GRU(reset_after=False), the form of Cho et al.'s paper."""
    rng = np.random.default_rng(51)
    cases = []
    for batch, d, u in [(1, 2, 3), (3, 4, 2), (2, 1, 1)]:
        x, h = rng.normal(size=(batch, d)), rng.normal(size=(batch, u))
        W, U, b = rng.normal(size=(d, 3 * u)), rng.normal(size=(u, 3 * u)), rng.normal(size=3 * u)
        cases.append(Case((x, h, W, U, b), np.round(_gru_reset_before(x, h, W, U, b), 6),
                          f"batch {batch}, input {d}, units {u}"))
    return check_function(converted(fn, lambda got: np.round(np.asarray(got, dtype=float), 6)), cases,
                          name="gru_step_reset_before",
                          hint="start from section 2's gru_step and change two things: there is one bias vector, "
                               "on the input side, and the reset gate acts on the old state before it meets the "
                               "recurrent matrix of the candidate, not on the product afterwards")


def check_clip_by_global_norm(fn: Callable[[list[np.ndarray], float], list[np.ndarray]]) -> CheckResult:
    """Exercise 05.2: rescale a list of gradients so that their joint norm is at most tau."""
    def reference(grads: list[np.ndarray], tau: float) -> tuple[np.ndarray, ...]:
        norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
        scale = min(1.0, tau / norm) if norm > 0 else 1.0
        return tuple(np.round(g * scale, 6) for g in grads)

    cases = []
    for grads, tau, note in [
        ([np.array([3.0, 4.0])], 1.0, "norm 5 clipped to 1"),
        ([np.array([3.0, 4.0])], 10.0, "already short enough: unchanged"),
        ([np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([4.0])], 2.5, "the norm of all arrays together"),
        ([np.array([3.0, 4.0]), np.array([0.0, 12.0])], 1.0, "one factor for every array, so the direction is kept"),
        ([np.zeros(3)], 1.0, "a zero gradient stays zero (no division by zero)"),
    ]:
        cases.append(Case((grads, tau), reference(grads, tau), note))
    return check_function(converted(fn, lambda got: tuple(np.round(np.asarray(a, dtype=float), 6) for a in got)),
                          cases, name="clip_by_global_norm",
                          hint="the rule is in section 6; the norm is that of all the arrays taken together, as if "
                               "they were one long vector, and every array gets the same factor")


def _layer_params(cell: str, d: int, u: int) -> int:
    per_block = {"simple": (1, 1), "gru": (3, 2), "lstm": (4, 1)}
    blocks, biases = per_block[cell]
    return blocks * (d * u + u * u + biases * u)


def _units_for(cell: str, d: int, budget: int) -> int:
    u = 0
    while _layer_params(cell, d, u + 1) <= budget:
        u += 1
    return u


def check_units_for_budget(fn: Callable[[str, int, int], int]) -> CheckResult:
    """Exercise 05.3: the widest SimpleRNN, GRU or LSTM layer (Keras defaults) within a parameter budget."""
    cases = []
    for cell, d, budget, note in [
        ("lstm", 64, 82_176, "an LSTM as large as a SimpleRNN(256) on 64 inputs"),
        ("gru", 64, 82_176, "a GRU (reset_after=True) as large as a SimpleRNN(256)"),
        ("simple", 64, 82_176, "exactly the SimpleRNN(256)'s count: 256 fits"),
        ("lstm", 10, _layer_params("lstm", 10, 7), "a budget met exactly"),
        ("lstm", 10, _layer_params("lstm", 10, 7) - 1, "one parameter short"),
        ("gru", 1, 5, "too small for even one unit"),
    ]:
        cases.append(Case((cell, d, budget), _units_for(cell, d, budget), f"{cell}, input {d}, {budget:,}: {note}"))
    return check_function(converted(fn, int), cases, name="units_for_budget",
                          hint="write each layer's parameter count as a function of units (check your formula "
                               "against the counts section 2 prints), then find the largest units whose count "
                               "does not exceed the budget: a loop, or the quadratic formula and a careful rounding")


def _forget_bias(keep: float, steps: int) -> float:
    f = keep ** (1.0 / steps)
    return math.log(f / (1.0 - f))


def check_forget_bias(fn: Callable[[float, int], float]) -> CheckResult:
    """Exercise 05.4: the forget-gate bias with which an LSTM keeps ``keep`` of its cell after ``steps`` steps."""
    cases = [Case((keep, steps), _forget_bias(keep, steps), note) for keep, steps, note in [
        (0.5, 20, "keep half over 20 steps"),
        (1 / (1 + math.exp(-1.0)), 1, "one step: Keras' own bias of 1"),
        ((1 / (1 + math.exp(-1.0))) ** 50, 50, "Keras' bias of 1 again, over 50 steps"),
        (0.01, 100, "keep 1% over 100 steps"),
        (0.9, 1, "keep 90% over one step"),
    ]]
    return check_function(converted(fn, float), cases, name="forget_bias", tol=1e-6,
                          hint="undo the two operations one at a time: first the product over the steps (what "
                               "must f be at every step?), then the sigmoid (which b gives that f?)")
