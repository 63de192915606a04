"""Tests for notebook 04's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lmcourse.checks import (
    check_bptt_gradients,
    check_char_rnn_params,
    check_scaled_orthogonal,
    check_stateful_batches,
)
from lmcourse.rnn import build_char_rnn, simple_rnn_step


def _bptt(states, W_h, g_last):
    grads = [g_last]
    for t in range(len(states) - 1, 0, -1):
        grads.append((grads[-1] * (1 - states[t] ** 2)) @ W_h.T)
    return np.array(grads[::-1])


def test_bptt_gradients(capsys):
    assert check_bptt_gradients(_bptt)

    def untransposed(states, W_h, g_last):
        return _bptt(states, W_h.T, g_last)

    def derivative_of_the_earlier_state(states, W_h, g_last):
        grads = [g_last]
        for t in range(len(states) - 1, 0, -1):
            grads.append((grads[-1] * (1 - states[t - 1] ** 2)) @ W_h.T)
        return np.array(grads[::-1])

    def no_tanh_derivative(states, W_h, g_last):
        return _bptt(np.zeros_like(states), W_h, g_last)

    for wrong in (untransposed, derivative_of_the_earlier_state, no_tanh_derivative):
        assert not check_bptt_gradients(wrong)
    assert "hint" in capsys.readouterr().out


def test_the_bptt_reference_is_what_gradient_tape_computes():
    rng = np.random.default_rng(0)
    W_x, W_h, v = rng.normal(size=(2, 4)), rng.normal(size=(4, 4)), rng.normal(size=(3, 4))
    xs = rng.normal(size=(5, 3, 2))
    with tf.GradientTape() as tape:
        h, states = tf.zeros((3, 4), tf.float64), []
        for x_t in xs:
            h = simple_rnn_step(x_t, h, W_x, W_h, np.zeros(4))
            tape.watch(h)
            states.append(h)
        loss = tf.reduce_sum(states[-1] * v)
    expected = np.array([g.numpy() for g in tape.gradient(loss, states)])
    np.testing.assert_allclose(_bptt(np.array(states), W_h, v), expected, atol=1e-12)


def _stateful(ids, batch_size, seq_len):
    n = (len(ids) - 1) // batch_size
    k = n // seq_len
    streams_x = np.stack([ids[b * n : b * n + k * seq_len] for b in range(batch_size)])
    streams_y = np.stack([ids[b * n + 1 : b * n + k * seq_len + 1] for b in range(batch_size)])
    return (streams_x.reshape(batch_size, k, seq_len).transpose(1, 0, 2),
            streams_y.reshape(batch_size, k, seq_len).transpose(1, 0, 2))


def test_stateful_batches(capsys):
    assert check_stateful_batches(_stateful)

    def windows_side_by_side(ids, batch_size, seq_len):  # consecutive windows in one batch: rows do not continue
        count = (len(ids) - 1) // seq_len
        x = np.array([ids[i * seq_len : (i + 1) * seq_len] for i in range(count)])
        y = np.array([ids[i * seq_len + 1 : (i + 1) * seq_len + 1] for i in range(count)])
        k = count // batch_size
        return x[: k * batch_size].reshape(k, batch_size, seq_len), y[: k * batch_size].reshape(k, batch_size, seq_len)

    def targets_not_shifted(ids, batch_size, seq_len):
        x, _ = _stateful(ids, batch_size, seq_len)
        return x, x

    assert not check_stateful_batches(windows_side_by_side)
    assert not check_stateful_batches(targets_not_shifted)
    assert "hint" in capsys.readouterr().out


def _scaled_orthogonal(n, radius, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return radius * q * np.sign(np.diag(r))


def test_scaled_orthogonal(capsys):
    assert check_scaled_orthogonal(_scaled_orthogonal)
    assert check_scaled_orthogonal(lambda n, r, seed: r * np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))[0])

    def rescaled_gaussian(n, radius, seed):  # the right spectral radius, but singular values spread out
        m = np.random.default_rng(seed).normal(size=(n, n))
        return m * radius / np.max(np.abs(np.linalg.eigvals(m)))

    assert not check_scaled_orthogonal(rescaled_gaussian)
    assert not check_scaled_orthogonal(lambda n, r, seed: r * np.eye(n))  # orthogonal, but not random
    assert not check_scaled_orthogonal(lambda n, r, seed: _scaled_orthogonal(n, 1.0, seed))  # radius forgotten
    assert "hint" in capsys.readouterr().out


def test_char_rnn_params(capsys):
    def right(vocab, embed, units, layers):
        first = embed * units + units * units + units
        later = (layers - 1) * (2 * units * units + units)
        return vocab * embed + first + later + units * vocab + vocab

    assert check_char_rnn_params(right)
    assert not check_char_rnn_params(lambda v, e, u, n: v * e + n * (e * u + u * u + u) + u * v + v)  # all read e
    assert not check_char_rnn_params(lambda v, e, u, n: right(v, e, u, n) - v)  # output bias forgotten
    assert "hint" in capsys.readouterr().out


@pytest.mark.parametrize("vocab,embed,units,layers", [(65, 16, 32, 2), (11, 4, 6, 3)])
def test_the_char_rnn_count_is_what_keras_counts(vocab, embed, units, layers):
    from lmcourse.checks.lab04 import _char_rnn_params

    model = build_char_rnn(vocab, cell="simple", embed_dim=embed, units=units, layers=layers)
    assert model.count_params() == _char_rnn_params(vocab, embed, units, layers)
    keras.backend.clear_session()
