"""Checks for the exercises of notebook 05."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Case, CheckResult, check_function

__all__ = ["check_lstm_step", "check_gru_step", "check_clip_by_global_norm", "check_gated_params"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def check_lstm_step(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 05.1: one LSTM step in NumPy with Keras' gate order i, f, c, o."""
    rng = np.random.default_rng(5)
    cases = []
    for batch, d, u in [(1, 2, 3), (4, 3, 2)]:
        x, h, c = rng.normal(size=(batch, d)), rng.normal(size=(batch, u)), rng.normal(size=(batch, u))
        W, U, b = rng.normal(size=(d, 4 * u)), rng.normal(size=(u, 4 * u)), rng.normal(size=4 * u)
        z = x @ W + h @ U + b
        i, f, g, o = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        cases.append(Case((x, h, c, W, U, b), (np.round(o * np.tanh(c_new), 6), np.round(c_new, 6)),
                          f"batch {batch}, input {d}, units {u}"))

    def rounded(*args: Any) -> Any:
        h_new, c_new = fn(*args)
        return np.round(np.asarray(h_new, dtype=float), 6), np.round(np.asarray(c_new, dtype=float), 6)

    return check_function(rounded, cases, name="lstm_step",
                          hint="z = x@W + h@U + b; split z into 4 blocks of units (i, f, c, o); "
                               "c_t = σ(f)*c + σ(i)*tanh(c block); h_t = σ(o)*tanh(c_t); return (h_t, c_t)")


def check_gru_step(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 05.2: one GRU step in NumPy, Keras' reset_after form, gate order z, r, h."""
    rng = np.random.default_rng(50)
    cases = []
    for batch, d, u in [(1, 2, 3), (3, 4, 2)]:
        x, h = rng.normal(size=(batch, d)), rng.normal(size=(batch, u))
        W, U, b = rng.normal(size=(d, 3 * u)), rng.normal(size=(u, 3 * u)), rng.normal(size=(2, 3 * u))
        xs, hs = x @ W + b[0], h @ U + b[1]
        z = _sigmoid(xs[:, :u] + hs[:, :u])
        r = _sigmoid(xs[:, u:2 * u] + hs[:, u:2 * u])
        cand = np.tanh(xs[:, 2 * u:] + r * hs[:, 2 * u:])
        cases.append(Case((x, h, W, U, b), np.round(z * h + (1 - z) * cand, 6), f"batch {batch}, units {u}"))
    return check_function(lambda *a: np.round(np.asarray(fn(*a), dtype=float), 6), cases, name="gru_step",
                          hint="xs = x@W + b[0], hs = h@U + b[1]; z, r = σ of their first two blocks summed; "
                               "ĥ = tanh(xs_h + r*hs_h); h_t = z*h + (1-z)*ĥ")


def check_clip_by_global_norm(fn: Callable[[list[np.ndarray], float], list[np.ndarray]]) -> CheckResult:
    """Exercise 05.3: rescale a list of gradients so their joint norm is at most tau."""
    def reference(grads: list[np.ndarray], tau: float) -> tuple[np.ndarray, ...]:
        norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
        scale = min(1.0, tau / norm) if norm > 0 else 1.0
        return tuple(np.round(g * scale, 6) for g in grads)

    cases = []
    for grads, tau, note in [
        ([np.array([3.0, 4.0])], 1.0, "norm 5 clipped to 1"),
        ([np.array([3.0, 4.0])], 10.0, "already short enough: unchanged"),
        ([np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([4.0])], 2.5, "the norm of all arrays together"),
        ([np.zeros(3)], 1.0, "a zero gradient stays zero (no division by zero)"),
    ]:
        cases.append(Case((grads, tau), reference(grads, tau), note))
    return check_function(lambda g, t: tuple(np.round(np.asarray(a, dtype=float), 6) for a in fn(g, t)), cases,
                          name="clip_by_global_norm",
                          hint="norm = sqrt(sum of squares over every array); multiply each by "
                               "min(1, tau / norm) (and leave a zero gradient alone)")


def check_gated_params(fn: Callable[[int, int], tuple[int, int]]) -> CheckResult:
    """Exercise 05.4: parameter counts of keras.layers.LSTM and keras.layers.GRU (reset_after=True)."""
    cases = [Case((d, u), (4 * (d * u + u * u + u), 3 * (d * u + u * u + 2 * u)), f"input {d}, units {u}")
             for d, u in [(1, 1), (64, 256), (10, 3)]]
    return check_function(lambda d, u: tuple(int(v) for v in fn(d, u)), cases, name="gated_params",
                          hint="an LSTM is four SimpleRNN-sized blocks; a GRU three, with two bias vectors "
                               "(input and recurrent) because reset_after=True")
