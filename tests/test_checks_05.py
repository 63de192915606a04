"""Tests for notebook 05's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from lmcourse.checks import (
    check_clip_by_global_norm,
    check_forget_bias,
    check_gru_reset_before,
    check_units_for_budget,
)
from lmcourse.rnn import gru_step, recurrent_weights


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _gru_reset_before(x, h, W, U, b):
    xz, xr, xh = np.split(x @ W + b, 3, axis=-1)
    Uz, Ur, Uh = np.split(U, 3, axis=-1)
    z, r = _sigmoid(xz + h @ Uz), _sigmoid(xr + h @ Ur)
    return z * h + (1 - z) * np.tanh(xh + (r * h) @ Uh)


def test_gru_reset_before(capsys):
    assert check_gru_reset_before(_gru_reset_before)

    def reset_after(x, h, W, U, b):  # the notebook's form, with the single bias on the input side
        return gru_step(x, h, W, U, np.stack([b, np.zeros_like(b)])).numpy()

    assert not check_gru_reset_before(reset_after)
    assert not check_gru_reset_before(_swapped)
    assert "hint" in capsys.readouterr().out


def _swapped(x, h, W, U, b):
    xz, xr, xh = np.split(x @ W + b, 3, axis=-1)
    Uz, Ur, Uh = np.split(U, 3, axis=-1)
    z, r = _sigmoid(xz + h @ Uz), _sigmoid(xr + h @ Ur)
    return (1 - z) * h + z * np.tanh(xh + (r * h) @ Uh)


@pytest.mark.parametrize("units,dim", [(1, 1), (5, 3)])
def test_the_reset_before_reference_is_what_keras_computes(units, dim):
    x = np.random.default_rng(units).normal(size=(2, 6, dim)).astype("float32")
    layer = keras.layers.GRU(units, reset_after=False)
    layer(x)
    rng = np.random.default_rng(7)
    layer.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in layer.get_weights()])
    W, U, b = recurrent_weights(layer)
    h = np.zeros((2, units))
    for t in range(x.shape[1]):
        h = _gru_reset_before(x[:, t], h, W, U, b)
    np.testing.assert_allclose(h, layer(x).numpy(), atol=1e-5)


def test_clip_by_global_norm(capsys):
    def clip(grads, tau):
        norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * min(1.0, tau / norm) if norm else g for g in grads]

    assert check_clip_by_global_norm(clip)
    assert not check_clip_by_global_norm(lambda grads, tau: [g * min(1.0, tau / max(np.linalg.norm(g), 1e-12))
                                                             for g in grads])  # each array on its own
    assert not check_clip_by_global_norm(lambda grads, tau: [np.clip(g, -tau, tau) for g in grads])  # by value
    assert "hint" in capsys.readouterr().out


def test_clip_by_global_norm_rejects_an_answer_that_divides_by_a_zero_norm(capsys):
    def divides_by_the_norm(grads, tau):  # right for every non-zero gradient, nan for a zero one
        norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
        with np.errstate(invalid="ignore", divide="ignore"):
            return [g / norm * min(norm, tau) for g in grads]

    assert not check_clip_by_global_norm(divides_by_the_norm)
    assert "no division by zero" in capsys.readouterr().out


def _params(cell, d, u):
    blocks, biases = {"simple": (1, 1), "gru": (3, 2), "lstm": (4, 1)}[cell]
    return blocks * (d * u + u * u + biases * u)


def test_units_for_budget(capsys):
    def by_loop(cell, d, budget):
        u = 0
        while _params(cell, d, u + 1) <= budget:
            u += 1
        return u

    def by_formula(cell, d, budget):
        blocks, biases = {"simple": (1, 1), "gru": (3, 2), "lstm": (4, 1)}[cell]
        c = budget / blocks  # u² + (d + biases)·u ≤ c
        return int(math.floor((-(d + biases) + math.sqrt((d + biases) ** 2 + 4 * c)) / 2 + 1e-9))

    assert check_units_for_budget(by_loop)
    assert check_units_for_budget(by_formula)

    def one_gru_bias(cell, d, budget):  # the reset_after=False count, 3(du + u² + u), for a GRU
        blocks = {"simple": 1, "gru": 3, "lstm": 4}[cell]
        u = 0
        while blocks * (d * (u + 1) + (u + 1) ** 2 + (u + 1)) <= budget:
            u += 1
        return u

    assert not check_units_for_budget(one_gru_bias)
    assert not check_units_for_budget(lambda cell, d, budget: by_loop(cell, d, budget) + 1)  # first over the budget
    assert "hint" in capsys.readouterr().out


@pytest.mark.parametrize("cell,layer", [("simple", keras.layers.SimpleRNN), ("gru", keras.layers.GRU),
                                        ("lstm", keras.layers.LSTM)])
def test_the_parameter_counts_are_what_keras_counts(cell, layer):
    from lmcourse.checks.lab05 import _layer_params

    built = layer(7)
    built.build((None, None, 5))
    assert built.count_params() == _layer_params(cell, 5, 7)


def test_forget_bias(capsys):
    def right(keep, steps):
        f = keep ** (1 / steps)
        return math.log(f / (1 - f))

    assert check_forget_bias(right)
    assert not check_forget_bias(lambda keep, steps: math.log(keep / (1 - keep)))  # the product forgotten
    assert not check_forget_bias(lambda keep, steps: keep ** (1 / steps))  # the sigmoid not undone
    assert "hint" in capsys.readouterr().out
