"""Tests for notebook 03's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np
import pytest

from lmcourse.checks import (
    check_best_temperature,
    check_sample_index,
    check_smoothed_cross_entropy,
    check_softmax_jacobian,
)
from lmcourse.metrics import cross_entropy, log_softmax, softmax

# Exercise 1: the softmax Jacobian ------------------------------------------------------

def _jacobian(z):
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


def test_softmax_jacobian(capsys):
    assert check_softmax_jacobian(_jacobian)
    assert check_softmax_jacobian(lambda z: _jacobian(z).tolist())  # nested lists are fine too
    assert capsys.readouterr().out.count("✓ softmax_jacobian") == 2


@pytest.mark.parametrize("mistake", [
    lambda z: np.diag(softmax(z)),                                   # the off-diagonal terms forgotten
    lambda z: np.outer(softmax(z), softmax(z)) - np.diag(softmax(z)),  # the sign flipped
    lambda z: _jacobian(z).reshape(-1),                              # flattened: shape (V²,)
], ids=["diagonal only", "sign flipped", "flattened"])
def test_softmax_jacobian_mistakes_fail(capsys, mistake):
    assert not check_softmax_jacobian(mistake)
    assert "hint" in capsys.readouterr().out


def test_softmax_jacobian_naive_softmax_fails_on_a_huge_logit(capsys):
    def naive(z):
        p = np.exp(z) / np.exp(z).sum()
        return np.diag(p) - np.outer(p, p)

    with np.errstate(over="ignore", invalid="ignore"):
        assert not check_softmax_jacobian(naive)
    assert "huge logit" in capsys.readouterr().out


# Exercise 2: label smoothing -----------------------------------------------------------

def _smoothed(z, y, eps):
    z = np.asarray(z, dtype=float)
    q = np.full(z.shape, eps / z.shape[1])
    q[np.arange(len(y)), y] += 1 - eps
    return float(-np.mean(np.sum(q * log_softmax(z), axis=1)))


def test_smoothed_cross_entropy(capsys):
    assert check_smoothed_cross_entropy(_smoothed)
    assert "✓ smoothed_cross_entropy" in capsys.readouterr().out


def test_smoothed_cross_entropy_agrees_with_keras():
    import keras

    rng = np.random.default_rng(0)
    z, y = rng.normal(scale=2.0, size=(8, 6)), rng.integers(0, 6, size=8)
    loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)
    assert _smoothed(z, y, 0.2) == pytest.approx(float(loss(np.eye(6)[y], z)), rel=1e-5)
    assert _smoothed(z, y, 0.0) == pytest.approx(cross_entropy(z, y))


def test_smoothed_cross_entropy_mistakes_fail(capsys):
    def other_classes_only(z, y, eps):  # ε spread over the V − 1 wrong classes: another convention
        z = np.asarray(z, dtype=float)
        q = np.full(z.shape, eps / (z.shape[1] - 1))
        q[np.arange(len(y)), y] = 1 - eps
        return float(-np.mean(np.sum(q * log_softmax(z), axis=1)))

    def naive(z, y, eps):
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        q = np.full(p.shape, eps / p.shape[1])
        q[np.arange(len(y)), y] += 1 - eps
        return float(-np.mean(np.sum(q * np.log(p), axis=1)))

    assert not check_smoothed_cross_entropy(other_classes_only)
    assert not check_smoothed_cross_entropy(lambda z, y, eps: _smoothed(z, y, eps) * len(y))  # a sum, not a mean
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert not check_smoothed_cross_entropy(naive)
    out = capsys.readouterr().out
    assert "huge logits" in out and "hint" in out


# Exercise 3: sampling with one uniform number ------------------------------------------

def _sample_index(probs, u):
    return min(int(np.searchsorted(np.cumsum(probs), u, side="right")), len(probs) - 1)


def test_sample_index(capsys):
    assert check_sample_index(_sample_index)
    assert "✓ sample_index" in capsys.readouterr().out


def test_sample_index_reproduces_numpys_choice():
    """The inverse-CDF rule is what Generator.choice does: the same uniform number, the same token."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    assert [int(a.choice(4, p=p)) for _ in range(50)] == [_sample_index(p, b.random()) for _ in range(50)]


@pytest.mark.parametrize("mistake", [
    lambda p, u: int(np.searchsorted(np.cumsum(p), u, side="left")),    # a boundary goes to the wrong side
    lambda p, u: int(np.searchsorted(np.cumsum(p), u, side="right")),   # can run past the last token
    lambda p, u: int(np.argmax(p)),                                     # greedy: ignores u
    lambda p, u: int(u * len(p)),                                       # uniform over tokens
], ids=["left side", "no clip", "argmax", "uniform"])
def test_sample_index_mistakes_fail(capsys, mistake):
    assert not check_sample_index(mistake)
    assert "hint" in capsys.readouterr().out


# Exercise 4: the best temperature ------------------------------------------------------

def _best_temperature(logits, targets):
    grid = np.linspace(0.1, 10, 991)
    return float(grid[np.argmin([cross_entropy(logits / t, targets) for t in grid])])


def test_best_temperature(capsys):
    assert check_best_temperature(_best_temperature)
    assert "✓ best_temperature" in capsys.readouterr().out


def test_best_temperature_recovers_the_scale_of_over_confident_logits(capsys):
    from lmcourse.checks.lab03 import _temperature_cases

    over, under, calibrated = (case.expected for case in _temperature_cases())
    assert 1.8 < over < 2.2 and 0.45 < under < 0.55 and 0.9 < calibrated < 1.1


def test_best_temperature_mistakes_fail(capsys):
    def multiplied(logits, targets):  # logits × T instead of / T: finds 1 / T
        grid = np.linspace(0.1, 10, 991)
        return float(grid[np.argmin([cross_entropy(logits * t, targets) for t in grid])])

    def by_accuracy(logits, targets):  # accuracy does not depend on T: the first candidate wins
        grid = np.linspace(0.1, 10, 991)
        return float(grid[np.argmax([np.mean(np.argmax(logits / t, axis=1) == targets) for t in grid])])

    coarse = lambda logits, targets: float(round(_best_temperature(logits, targets)))  # noqa: E731
    for mistake in (multiplied, by_accuracy, coarse):
        assert not check_best_temperature(mistake)
    assert "hint" in capsys.readouterr().out
