"""Attention from ops equals Keras; masks, positional encodings and the embedding layer."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.attention import (
    PositionalEmbedding,
    causal_mask,
    mha_weights,
    multi_head_attention,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_encoding,
)


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_scaled_dot_product_attention_matches_the_formula():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 6))
    out, w = scaled_dot_product_attention(q, k, v)
    expected_w = _softmax(q @ k.transpose(0, 2, 1) / 2.0)
    assert np.allclose(w, expected_w, atol=1e-6)
    assert np.allclose(out, expected_w @ v, atol=1e-6)
    assert np.allclose(np.asarray(w).sum(-1), 1.0)


def test_the_two_word_example():
    x = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    out, w = scaled_dot_product_attention(x, x, x)
    assert np.allclose(w, [[0.7604, 0.2396], [0.3595, 0.6405]], atol=1e-4)
    assert np.allclose(out, [[0.7604, 0.2396, -0.7604], [0.3595, 0.6405, -0.3595]], atol=1e-4)


def test_masked_keys_get_zero_weight_and_a_fully_masked_row_is_zero_not_nan():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 4, 3)).astype("float32")
    mask = np.array([[[True, True, False, False], [False] * 4, [True] * 4, [True, False, True, False]]])
    _, w = scaled_dot_product_attention(x, x, x, mask)
    w = np.asarray(w)
    assert np.all(w[~mask] == 0) and not np.isnan(w).any()
    assert np.allclose(w[0, [0, 2, 3]].sum(-1), 1.0) and np.all(w[0, 1] == 0)


def test_masks():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    assert padding_mask(np.array([[1, 0], [0, 2]]), pad_id=0).tolist() == [[[True, False]], [[False, True]]]
    assert padding_mask(np.array([[9, 1]]), pad_id=9).shape == (1, 1, 2)


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")  # one key: a legitimate case
@settings(max_examples=12, deadline=None)
@given(batch=st.integers(1, 3), t=st.integers(1, 6), s=st.integers(1, 6), heads=st.integers(1, 3),
       key_dim=st.integers(1, 4), width=st.integers(1, 5), masked=st.booleans(), seed=st.integers(0, 2**16))
def test_multi_head_attention_equals_keras(batch, t, s, heads, key_dim, width, masked, seed):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(batch, t, width)).astype("float32")
    value = rng.normal(size=(batch, s, width)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=key_dim, seed=seed)
    mask = rng.random((batch, t, s)) > 0.4 if masked else None
    expected, expected_w = layer(query, value, attention_mask=mask, return_attention_scores=True)
    ours, ours_w = multi_head_attention(query, value, mha_weights(layer), heads, mask)
    assert np.allclose(ours, expected, atol=1e-5)
    assert np.allclose(ours_w, expected_w, atol=1e-5)


@pytest.mark.parametrize("t", [1, 5])
def test_multi_head_attention_with_a_causal_mask_equals_keras(t):
    x = np.random.default_rng(t).normal(size=(2, t, 6)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    expected = layer(x, x, use_causal_mask=True)
    ours, _ = multi_head_attention(x, x, mha_weights(layer), 2, causal_mask(t))
    assert np.allclose(ours, expected, atol=1e-5)


def test_mha_weights_explains_an_unbuilt_or_biasless_layer():
    with pytest.raises(ValueError, match="call it on an input"):
        mha_weights(keras.layers.MultiHeadAttention(num_heads=1, key_dim=2))
    layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=2, use_bias=False)
    layer(np.zeros((1, 2, 3)), np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="use_bias=True"):
        mha_weights(layer)


@given(length=st.integers(1, 50), half=st.integers(1, 16))
def test_sinusoidal_encoding_is_the_papers_formula(length, half):
    d = 2 * half
    pe = sinusoidal_encoding(length, d, dtype="float64")
    pos, i = np.arange(length)[:, None], np.arange(half)[None, :]
    angle = pos / 10000 ** (2 * i / d)
    assert pe.shape == (length, d)
    assert np.allclose(pe[:, 0::2], np.sin(angle)) and np.allclose(pe[:, 1::2], np.cos(angle))
    assert sinusoidal_encoding(length, d).dtype == np.float32


@pytest.mark.parametrize("k", [1, 7])
def test_a_shift_is_one_linear_map(k):
    d = 8
    pe = sinusoidal_encoding(60 + k, d, dtype="float64")
    M = np.zeros((d, d))
    for i in range(d // 2):
        a = k / 10000 ** (2 * i / d)
        M[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
    assert np.allclose(pe[:60] @ M, pe[k:60 + k], atol=1e-12)


@pytest.mark.parametrize("kind", PositionalEmbedding.KINDS)
def test_positional_embedding_kinds_and_serialization(kind, tmp_path):
    layer = PositionalEmbedding(vocab_size=11, max_length=6, d_model=4, kind=kind)
    ids = np.array([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], dtype="int32")
    model = keras.Sequential([keras.Input((6,), dtype="int32"), layer])
    out = np.asarray(model(ids))
    assert out.shape == (2, 6, 4)
    token = np.asarray(layer.tokens(ids))
    if kind == "none":
        assert np.allclose(out, token)
    if kind == "sinusoidal":
        assert np.allclose(out, token * 2.0 + sinusoidal_encoding(6, 4), atol=1e-6)
    if kind == "learned":
        assert np.allclose(out - token, np.asarray(layer.positions.embeddings)[None], atol=1e-6)
    path = tmp_path / f"{kind}.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    assert np.allclose(again(ids), out, atol=1e-6)
    assert again.layers[0].get_config()["kind"] == kind


def test_positional_embedding_shorter_input_uses_the_first_positions():
    layer = PositionalEmbedding(vocab_size=5, max_length=8, d_model=2, kind="learned")
    assert tuple(layer(np.zeros((1, 3), "int32")).shape) == (1, 3, 2)


@pytest.mark.parametrize("kwargs, message", [
    (dict(vocab_size=0, max_length=4, d_model=2), "vocab_size"),
    (dict(vocab_size=5, max_length=4, d_model=True), "d_model"),
    (dict(vocab_size=5, max_length=4, d_model=2, kind="rotary"), "kind"),
    (dict(vocab_size=5, max_length=4, d_model=3, kind="sinusoidal"), "even"),
])
def test_positional_embedding_explains_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PositionalEmbedding(**kwargs)
