"""The recurrences by hand against Keras, spectral radii, gradient norms by distance, and the char-RNN builder."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.rnn import (
    build_char_rnn,
    hidden_gradient_norms,
    input_gradient_norms,
    recurrent_weights,
    scale_to_spectral_radius,
    simple_rnn_forward,
    simple_rnn_step,
    spectral_radius,
)


def test_step_is_the_elman_formula():
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    W_x, W_h, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    np.testing.assert_allclose(simple_rnn_step(x, h, W_x, W_h, b).numpy(), np.tanh(x @ W_x + h @ W_h + b))


@pytest.mark.parametrize("batch,time,dim,units", [(1, 1, 1, 1), (4, 12, 8, 16), (2, 30, 3, 7)])
def test_forward_equals_keras_simple_rnn(batch, time, dim, units):
    x = tf.random.normal((batch, time, dim), seed=3)
    layer = keras.layers.SimpleRNN(units, return_sequences=True)
    expected = layer(x).numpy()
    ours = simple_rnn_forward(x, *recurrent_weights(layer)).numpy()
    assert ours.shape == (batch, time, units)
    assert np.max(np.abs(ours - expected)) < 1e-5


def test_forward_with_initial_state_matches_keras():
    x = tf.random.normal((2, 5, 3), seed=4)
    h0 = tf.random.normal((2, 6), seed=5)
    layer = keras.layers.SimpleRNN(6, return_sequences=True)
    expected = layer(x, initial_state=[h0]).numpy()
    ours = simple_rnn_forward(x, *recurrent_weights(layer), h0=h0).numpy()
    assert np.max(np.abs(ours - expected)) < 1e-5


def test_forward_rejects_bad_shapes():
    with pytest.raises(ValueError, match="batch, time, input_dim"):
        simple_rnn_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="W_x \\(input_dim, units\\)"):
        simple_rnn_forward(np.zeros((1, 2, 3)), np.zeros((5, 4)), np.zeros((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="W_h \\(units, units\\)"):
        simple_rnn_forward(np.zeros((1, 2, 3)), np.zeros((3, 4)), np.zeros((4, 5)), np.zeros(4))


def test_weights_of_an_unbuilt_layer_is_a_clear_error():
    with pytest.raises(ValueError, match="no weights yet"):
        recurrent_weights(keras.layers.SimpleRNN(3))


def test_recurrent_weights_of_a_simple_rnn_are_w_x_w_h_b():
    layer = keras.layers.SimpleRNN(3)
    layer(np.zeros((1, 2, 5), "float32"))
    W_x, W_h, b = recurrent_weights(layer)
    assert (W_x.shape, W_h.shape, b.shape) == ((5, 3), (3, 3), (3,))
    np.testing.assert_array_equal(W_h, layer.cell.recurrent_kernel.numpy())


def test_spectral_radius_of_known_matrices():
    assert spectral_radius(np.diag([0.5, -2.0])) == pytest.approx(2.0)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues ±i
    assert spectral_radius(rotation) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.zeros((2, 3)))


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 8), st.floats(0.1, 3.0), st.integers(0, 10_000))
def test_scaling_sets_the_radius(n, radius, seed):
    matrix = np.random.default_rng(seed).normal(size=(n, n))
    assert spectral_radius(scale_to_spectral_radius(matrix, radius)) == pytest.approx(radius, rel=1e-6)


def test_scaling_a_nilpotent_matrix_is_refused():
    with pytest.raises(ValueError, match="spectral radius 0"):
        scale_to_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0)


def test_gradient_norms_vanish_below_one_and_grow_above():
    base = np.random.default_rng(0).normal(size=(32, 32)) / np.sqrt(32)
    small = hidden_gradient_norms(scale_to_spectral_radius(base, 0.5), 30)
    large = hidden_gradient_norms(scale_to_spectral_radius(base, 2.0), 30)
    assert small.shape == (30,) and np.all(small >= 0)
    assert small[20] < 1e-4 * small[0]  # vanished
    assert large[10] > large[0]  # grew
    # index 0 is the last state itself: dL/dh_T = v, the same for every matrix
    assert small[0] == pytest.approx(large[0])


def test_gradient_norms_in_the_linear_regime_follow_the_radius():
    """With tiny inputs tanh is nearly linear; for a scaled orthogonal W the norm changes by ρ per step."""
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(16, 16)))
    norms = hidden_gradient_norms(0.8 * q, 20, input_scale=1e-6)
    np.testing.assert_allclose(norms[1:] / norms[:-1], 0.8, rtol=1e-4)


@pytest.mark.parametrize("cell", ["simple", "gru", "lstm"])
def test_char_rnn_maps_ids_to_logits(cell):
    model = build_char_rnn(11, cell=cell, embed_dim=4, units=6, layers=2, dropout=0.1)
    logits = model(np.zeros((2, 7), dtype="int32"))
    assert logits.shape == (2, 7, 11)
    assert model.name == f"char_{cell}"


def test_char_rnn_rejects_bad_arguments():
    with pytest.raises(ValueError, match="cell must be one of"):
        build_char_rnn(10, cell="transformer")
    with pytest.raises(ValueError, match="vocab_size"):
        build_char_rnn(1)


def _randomise(layer: keras.layers.Layer, seed: int) -> None:
    """Random weights everywhere, biases included, so the comparison exercises every term."""
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in layer.get_weights()])


@pytest.mark.parametrize("units,dim", [(1, 1), (7, 5), (16, 3)])
def test_lstm_forward_equals_keras(units, dim):
    from lmcourse.rnn import lstm_forward, recurrent_weights

    x = tf.random.normal((3, 9, dim), seed=1)
    layer = keras.layers.LSTM(units, return_sequences=True)
    layer(x)
    _randomise(layer, units)
    assert np.max(np.abs(lstm_forward(x, *recurrent_weights(layer)) - layer(x))) < 1e-5


@pytest.mark.parametrize("units,dim", [(1, 1), (7, 5), (16, 3)])
def test_gru_forward_equals_keras(units, dim):
    from lmcourse.rnn import gru_forward, recurrent_weights

    x = tf.random.normal((3, 9, dim), seed=2)
    layer = keras.layers.GRU(units, return_sequences=True)
    layer(x)
    _randomise(layer, units)
    assert np.max(np.abs(gru_forward(x, *recurrent_weights(layer)) - layer(x))) < 1e-5


def test_lstm_step_keeps_the_cell_when_the_forget_gate_is_open():
    from lmcourse.rnn import lstm_step

    units = 2
    b = np.zeros(4 * units)
    b[units:2 * units] = 50.0   # forget gate ≈ 1
    b[:units] = -50.0           # input gate ≈ 0
    c_prev = np.array([[0.3, -0.7]])
    h, c = lstm_step(np.zeros((1, 1)), np.zeros((1, units)), c_prev, np.zeros((1, 4 * units)),
                     np.zeros((units, 4 * units)), b)
    np.testing.assert_allclose(c.numpy(), c_prev, atol=1e-6)


def test_gru_with_update_gate_closed_keeps_the_state():
    from lmcourse.rnn import gru_step

    units = 3
    b = np.zeros((2, 3 * units))
    b[0, :units] = 50.0  # z ≈ 1: keep the old state
    h_prev = np.array([[0.1, -0.2, 0.3]])
    h = gru_step(np.ones((1, 2)), h_prev, np.ones((2, 3 * units)), np.ones((units, 3 * units)), b)
    np.testing.assert_allclose(h.numpy(), h_prev, atol=1e-6)


def test_lstm_and_gru_forward_reject_mismatched_weights():
    from lmcourse.rnn import gru_forward, lstm_forward

    with pytest.raises(ValueError, match="4·units"):
        lstm_forward(np.zeros((1, 2, 3)), np.zeros((3, 8)), np.zeros((4, 12)), np.zeros(12))
    with pytest.raises(ValueError, match="reset_after"):
        gru_forward(np.zeros((1, 2, 3)), np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6))


def test_recurrent_weights_of_an_unbuilt_layer_is_a_clear_error():
    from lmcourse.rnn import recurrent_weights

    with pytest.raises(ValueError, match="no weights yet"):
        recurrent_weights(keras.layers.LSTM(3))


def test_step_model_has_one_state_per_simple_or_gru_layer_and_two_per_lstm_layer():
    from lmcourse.rnn import build_step_model, zero_states

    for cell, per_layer in [("simple", 1), ("gru", 1), ("lstm", 2)]:
        step = build_step_model(build_char_rnn(5, cell=cell, units=3, embed_dim=2, layers=2))
        assert len(step.inputs) == 1 + 2 * per_layer
        assert [z.shape for z in zero_states(step, batch=4)] == [(4, 3)] * (2 * per_layer)


def test_step_model_needs_a_recurrent_char_model():
    from lmcourse.rnn import build_step_model

    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no SimpleRNN, GRU or LSTM"):
        build_step_model(plain)


# input_gradient_norms ------------------------------------------------------------------------

@pytest.mark.parametrize("return_sequences", [True, False])
def test_input_gradient_norms_equal_a_tape_through_our_own_loop(return_sequences):
    x = tf.random.normal((5, 9, 3), seed=11)
    layer = keras.layers.SimpleRNN(4, return_sequences=return_sequences)
    norms = input_gradient_norms(layer, x, seed=2)
    W_x, W_h, b = recurrent_weights(layer)
    v = tf.random.stateless_normal((5, 4), seed=(2, 0))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(simple_rnn_forward(x, W_x, W_h, b)[:, -1] * v)
    expected = tf.reduce_mean(tf.norm(tape.gradient(loss, x), axis=-1), axis=0).numpy()[::-1]
    assert norms.shape == (9,)
    np.testing.assert_allclose(norms, expected, rtol=1e-5)


def _lstm_with_forget_bias(forget_bias: float, units: int = 6, dim: int = 3) -> keras.layers.LSTM:
    """An LSTM whose gates ignore the state (zero recurrent kernel): the cell path is all there is."""
    layer = keras.layers.LSTM(units)
    layer(np.zeros((1, 1, dim), "float32"))
    kernel = np.random.default_rng(0).normal(0, 0.3, size=(dim, 4 * units)).astype("float32")
    bias = np.zeros(4 * units, "float32")
    bias[units : 2 * units] = forget_bias
    layer.set_weights([kernel, np.zeros((units, 4 * units), "float32"), bias])
    return layer


def test_an_open_forget_gate_carries_the_gradient_and_a_closed_one_cuts_it():
    x = np.random.default_rng(1).normal(size=(64, 30, 3)).astype("float32")
    kept = input_gradient_norms(_lstm_with_forget_bias(30.0), x)
    cut = input_gradient_norms(_lstm_with_forget_bias(-30.0), x)
    assert 0.5 < kept[-1] / kept[0] < 2  # f ≈ 1: as large 29 steps back as at the last step
    assert np.all(cut[1:] < 1e-9 * cut[0])  # f ≈ 0: nothing before the last step reaches h_T


def test_input_gradient_norms_needs_a_sequence():
    with pytest.raises(ValueError, match="batch, time, features"):
        input_gradient_norms(keras.layers.GRU(2), np.zeros((3, 4)))

