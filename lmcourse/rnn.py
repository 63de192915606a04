"""Recurrent networks written out with tensor ops, checked against the Keras layers (labs 04 and 05).

Lab 04 writes the SimpleRNN step, its loop over time and the gradient-norm
measurement in its cells, lab 05 the LSTM and GRU steps and a measurement that
works for any Keras recurrent layer; a repository test keeps those cells and
this module the same code. The recurrences are the ones
``keras.layers.SimpleRNN``, ``LSTM`` and ``GRU`` compute, written as plain
loops so that every step can be read:

    >>> import numpy as np
    >>> x = np.ones((1, 3, 2), "float32"); W_x = np.eye(2, dtype="float32")
    >>> W_h = np.zeros((2, 2), "float32"); b = np.zeros(2, "float32")
    >>> simple_rnn_forward(x, W_x, W_h, b).shape
    TensorShape([1, 3, 2])
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = [
    "build_char_rnn",
    "build_step_model",
    "gru_forward",
    "gru_step",
    "hidden_gradient_norms",
    "input_gradient_norms",
    "lstm_forward",
    "lstm_step",
    "recurrent_weights",
    "scale_to_spectral_radius",
    "simple_rnn_forward",
    "simple_rnn_step",
    "spectral_radius",
    "zero_states",
]


# Lab 04: the Elman recurrence ---------------------------------------------------------------

def simple_rnn_step(x_t, h_prev, W_x, W_h, b):
    """One step of the Elman recurrence: h_t = tanh(x_t W_x + h_{t−1} W_h + b).

    Rows are examples: x_t (batch, input_dim), h_prev (batch, units),
    W_x (input_dim, units), W_h (units, units), b (units,).

    >>> simple_rnn_step(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)), np.zeros(1)).numpy().round(4)
    array([[0.7616]])
    """
    return tf.tanh(tf.matmul(x_t, W_x) + tf.matmul(h_prev, W_h) + b)


def simple_rnn_forward(x, W_x, W_h, b, h0=None):
    """Run the recurrence over x (batch, time, input_dim); returns every h_t, shape (batch, time, units).

    ``h0`` (batch, units) is the state before the first step; zeros by default, as in Keras.
    """
    x = tf.convert_to_tensor(x)
    W_x, W_h, b = (tf.convert_to_tensor(w, dtype=x.dtype) for w in (W_x, W_h, b))
    if x.shape.rank != 3 or W_x.shape[0] != x.shape[-1] or W_h.shape != (W_x.shape[1], W_x.shape[1]):
        raise ValueError(f"need x (batch, time, input_dim), W_x (input_dim, units) and W_h (units, units); "
                         f"got {x.shape}, {W_x.shape} and {W_h.shape}")
    h = tf.zeros((tf.shape(x)[0], W_h.shape[0]), x.dtype) if h0 is None else tf.convert_to_tensor(h0, x.dtype)
    states = []
    for t in range(x.shape[1]):
        h = simple_rnn_step(x[:, t, :], h, W_x, W_h, b)
        states.append(h)
    return tf.stack(states, axis=1)


def recurrent_weights(layer: keras.layers.Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A built SimpleRNN, LSTM or GRU layer's (kernel, recurrent_kernel, bias) as NumPy arrays.

    For a SimpleRNN these are (W_x, W_h, b). Gate blocks sit side by side along
    the last axis, in Keras' order: LSTM [i, f, c, o] (each ``units`` wide),
    GRU [z, r, h]. A GRU with ``reset_after=True`` (the default) has a bias of
    shape (2, 3·units): row 0 for the input part, row 1 for the recurrent part.

    >>> layer = keras.layers.SimpleRNN(3); _ = layer(np.zeros((1, 2, 4), "float32"))
    >>> [w.shape for w in recurrent_weights(layer)]
    [(4, 3), (3, 3), (3,)]
    """
    if not layer.built:
        raise ValueError("the layer has no weights yet: call it on an input (or build the model) first")
    cell = getattr(layer, "cell", layer)
    return cell.kernel.numpy(), cell.recurrent_kernel.numpy(), cell.bias.numpy()


def spectral_radius(matrix):
    """The largest absolute eigenvalue of a square matrix.

    >>> spectral_radius(np.diag([0.5, -2.0]))
    2.0
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"need a square matrix, got shape {matrix.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def scale_to_spectral_radius(matrix, radius):
    """The matrix times one number, chosen so that its spectral radius becomes ``radius``.

    >>> round(spectral_radius(scale_to_spectral_radius(np.diag([0.5, -2.0]), 0.9)), 6)
    0.9
    """
    current = spectral_radius(matrix)
    if current == 0:
        raise ValueError("the matrix has spectral radius 0 (nilpotent); it cannot be rescaled")
    return np.asarray(matrix, dtype=np.float64) * (radius / current)


def hidden_gradient_norms(W_h, steps, *, input_scale=0.1, batch=16, seed=0):
    """‖∂L/∂h_t‖ at each distance T − t = 0 … steps − 1 through a tanh recurrence with W_h (index = distance).

    L = h_T · v for a random v. Random inputs of size ``input_scale`` drive the
    recurrence (W_x is the identity, b is 0), so the states are realistic
    rather than all zero; the norms are averaged over a batch of such inputs.
    Computed in float64, so that vanished gradients read as tiny numbers, not 0.
    """
    W_h = tf.constant(np.asarray(W_h), dtype=tf.float64)
    units = W_h.shape[0]
    rng = np.random.default_rng(seed)
    xs = tf.constant(rng.normal(0, input_scale, size=(steps, batch, units)))
    v = tf.constant(rng.normal(size=(batch, units)))
    eye, zero_bias = tf.eye(units, dtype=tf.float64), tf.zeros(units, tf.float64)
    with tf.GradientTape() as tape:
        h = tf.zeros((batch, units), tf.float64)
        states = []
        for t in range(steps):
            h = simple_rnn_step(xs[t], h, eye, W_h, zero_bias)
            tape.watch(h)
            states.append(h)
        loss = tf.reduce_sum(states[-1] * v)
    grads = tape.gradient(loss, states)
    norms = np.array([tf.reduce_mean(tf.norm(g, axis=1)).numpy() for g in grads])
    return norms[::-1].copy()  # index k = distance T − t


# Lab 05: gated cells ------------------------------------------------------------------------

def lstm_step(x_t, h_prev, c_prev, W, U, b):
    """One LSTM step with Keras' gate order [input, forget, cell, output]; returns (h_t, c_t).

        i = σ(x W_i + h U_i + b_i)     f = σ(x W_f + h U_f + b_f)
        g = tanh(x W_c + h U_c + b_c)  o = σ(x W_o + h U_o + b_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g      h_t = o ⊙ tanh(c_t)

    x_t (batch, input_dim), h_prev and c_prev (batch, units), W (input_dim, 4·units),
    U (units, 4·units), b (4·units,).

    >>> h, c = lstm_step(np.ones((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 4)), np.zeros((1, 4)), np.zeros(4))
    >>> float(c[0, 0])  # i = 0.5, g = tanh(0) = 0
    0.0
    """
    z = tf.matmul(x_t, W) + tf.matmul(h_prev, U) + b
    z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
    i, f, o = tf.sigmoid(z_i), tf.sigmoid(z_f), tf.sigmoid(z_o)
    c_t = f * c_prev + i * tf.tanh(z_c)
    return o * tf.tanh(c_t), c_t


def lstm_forward(x, W, U, b):
    """Run :func:`lstm_step` over x (batch, time, input_dim) from zero states; returns every h_t."""
    x = tf.convert_to_tensor(x)
    W, U, b = (tf.convert_to_tensor(w, dtype=x.dtype) for w in (W, U, b))
    if x.shape.rank != 3 or W.shape[1] != 4 * U.shape[0]:
        raise ValueError(f"need x (batch, time, input_dim) and W (input_dim, 4·units); got {x.shape}, {W.shape}")
    h = c = tf.zeros((tf.shape(x)[0], U.shape[0]), dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t, :], h, c, W, U, b)
        states.append(h)
    return tf.stack(states, axis=1)


def gru_step(x_t, h_prev, W, U, b):
    """One GRU step as Keras computes it (gate order [z, r, h], ``reset_after=True``).

        z = σ(x W_z + b_z + h U_z + b'_z)       r = σ(x W_r + b_r + h U_r + b'_r)
        ĥ = tanh(x W_h + b_h + r ⊙ (h U_h + b'_h))
        h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ

    ``b`` has shape (2, 3·units): input biases, then recurrent biases. Note
    that Keras keeps the *old* state where z is 1 (some texts swap z and 1 − z).

    >>> h = gru_step(np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((2, 3)))
    >>> float(h[0, 0])  # z = 0.5, ĥ = tanh(0) = 0: half the old state
    0.5
    """
    b = tf.convert_to_tensor(b, dtype=tf.convert_to_tensor(x_t).dtype)
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, W) + b[0], 3, axis=-1)
    r_z, r_r, r_h = tf.split(tf.matmul(h_prev, U) + b[1], 3, axis=-1)
    z = tf.sigmoid(x_z + r_z)
    r = tf.sigmoid(x_r + r_r)
    candidate = tf.tanh(x_h + r * r_h)
    return z * h_prev + (1.0 - z) * candidate


def gru_forward(x, W, U, b):
    """Run :func:`gru_step` over x (batch, time, input_dim) from a zero state; returns every h_t."""
    x = tf.convert_to_tensor(x)
    W, U, b = (tf.convert_to_tensor(w, dtype=x.dtype) for w in (W, U, b))
    if x.shape.rank != 3 or W.shape[1] != 3 * U.shape[0] or b.shape.rank != 2:
        raise ValueError(f"need x (batch, time, input_dim), W (input_dim, 3·units) and b (2, 3·units) from a GRU "
                         f"with reset_after=True; got {x.shape}, {W.shape}, {b.shape}")
    h = tf.zeros((tf.shape(x)[0], U.shape[0]), dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        h = gru_step(x[:, t, :], h, W, U, b)
        states.append(h)
    return tf.stack(states, axis=1)


def input_gradient_norms(layer, x, seed=0):
    """‖∂L/∂x_t‖ at each distance T − t = 0 … time − 1 for a Keras recurrent layer (index = distance).

    ``layer`` is a SimpleRNN, GRU or LSTM (trained or freshly built; any
    ``return_sequences``), ``x`` its input (batch, time, features), and
    L = h_T · v for a random v, h_T the layer's output at the last step. The
    gradient is taken with respect to the *inputs*, so cells with one state
    (SimpleRNN, GRU) and with two (LSTM: h and c) are measured the same way.
    Returns the mean over the batch at each distance.
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    if x.shape.rank != 3:
        raise ValueError(f"x must have shape (batch, time, features), got {x.shape}")
    v = tf.random.stateless_normal((x.shape[0], layer.units), seed=(seed, 0))
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = layer(x)
        last = outputs[:, -1] if outputs.shape.rank == 3 else outputs
        loss = tf.reduce_sum(last * v)
    grads = tape.gradient(loss, x)
    norms = tf.reduce_mean(tf.norm(grads, axis=-1), axis=0).numpy()
    return norms[::-1].copy()  # index k = distance T − t


# Character language models ------------------------------------------------------------------

def build_char_rnn(
    vocab_size: int,
    *,
    cell: str = "simple",
    embed_dim: int = 64,
    units: int = 256,
    layers: int = 1,
    dropout: float = 0.0,
    seq_len: int | None = None,
) -> keras.Model:
    """A character language model: Embedding → recurrent layer(s) → Dense over the vocabulary.

    ``cell`` is ``"simple"``, ``"gru"`` or ``"lstm"``. The model maps ids
    (batch, time) to next-character logits (batch, time, vocab_size).

    >>> build_char_rnn(10, units=8, embed_dim=4).output_shape
    (None, None, 10)
    """
    recurrent = {"simple": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
    if cell not in recurrent:
        raise ValueError(f"cell must be one of {sorted(recurrent)}, got {cell!r}")
    if vocab_size < 2 or units < 1 or layers < 1:
        raise ValueError("vocab_size must be at least 2, units and layers at least 1")
    inputs = keras.Input(shape=(seq_len,), dtype="int32", name="ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(inputs)
    for i in range(layers):
        x = recurrent[cell](units, return_sequences=True, dropout=dropout, name=f"{cell}_{i + 1}")(x)
    if dropout:
        x = keras.layers.Dropout(dropout)(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(inputs, logits, name=f"char_{cell}")


_RECURRENT = (keras.layers.SimpleRNN, keras.layers.GRU, keras.layers.LSTM)


def build_step_model(model: keras.Model) -> keras.Model:
    """A model that advances a trained :func:`build_char_rnn` model by carrying its state.

    The step model maps ``[ids, *states]`` to ``[logits, *new_states]``, with
    the trained weights copied in (LSTM layers carry two states, h and c;
    SimpleRNN and GRU one). Feed the prompt once, then one token at a time:
    each step costs one recurrent step instead of re-reading the whole prefix.
    :func:`lmcourse.metrics.score_text` scores a recurrent model through it,
    carrying the state across the whole text.
    """
    recurrent = [layer for layer in model.layers if isinstance(layer, _RECURRENT)]
    if not recurrent:
        raise ValueError("the model has no SimpleRNN, GRU or LSTM layer to carry a state for")
    try:
        embedding, dense = model.get_layer("embedding"), model.get_layer("logits")
    except ValueError as error:
        raise ValueError("expected a model from lmcourse.rnn.build_char_rnn (layers 'embedding' and 'logits')") from error
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = embedding(ids)
    state_inputs, state_outputs = [], []
    for layer in recurrent:
        count = 2 if isinstance(layer, keras.layers.LSTM) else 1
        inputs = [keras.Input(shape=(layer.units,), name=f"{layer.name}_state_{k}") for k in range(count)]
        config = {**layer.get_config(), "return_state": True, "name": f"{layer.name}_step"}
        clone = type(layer).from_config(config)
        outputs = clone(x, initial_state=inputs if count == 2 else inputs[0])
        clone.set_weights(layer.get_weights())
        x = outputs[0]
        state_inputs += inputs
        state_outputs += list(outputs[1:])
    logits = dense(x)
    return keras.Model([ids, *state_inputs], [logits, *state_outputs], name=f"{model.name}_step")


def zero_states(step_model: keras.Model, batch: int = 1) -> list[np.ndarray]:
    """Zero initial states for every state input of a :func:`build_step_model` model."""
    return [np.zeros((batch, t.shape[-1]), dtype="float32") for t in step_model.inputs[1:]]
