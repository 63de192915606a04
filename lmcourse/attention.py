"""Attention and positional encoding, written with ``keras.ops`` (lab 06).

Lab 06 writes each function here in a cell, checks it against Keras, and a
repository test keeps the cell and this module the same code (so the
functions a lab teaches read as the lab shows them: tensors in, tensors out,
shapes in the docstring). Lab 07 builds its Transformer from these pieces.

    >>> import numpy as np
    >>> x = np.array([[[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]])   # two words, d = 3
    >>> out, w = scaled_dot_product_attention(x, x, x)
    >>> np.round(np.asarray(w), 4).tolist()
    [[[0.7604, 0.2396], [0.3595, 0.6405]]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "PositionalEmbedding",
    "causal_mask",
    "mha_weights",
    "multi_head_attention",
    "padding_mask",
    "scaled_dot_product_attention",
    "sinusoidal_encoding",
]

MASKED = -1e9  # the score a masked key gets before the softmax (as keras.layers.Softmax uses)


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q kᵀ / √d) v over the last two axes; returns (outputs, weights).

    q (…, T, d), k (…, S, d), v (…, S, d_v); ``mask`` (…, T, S) is True where a
    query may look at a key. Masked scores become a large negative number
    before the softmax, and masked weights are set to 0 after it (so a query
    that may see no key at all gets zero weights, never NaN).
    """
    scores = ops.matmul(q, ops.swapaxes(k, -1, -2)) / math.sqrt(k.shape[-1])
    if mask is not None:
        scores = ops.where(mask, scores, MASKED)
    weights = ops.softmax(scores, axis=-1)
    if mask is not None:
        weights = ops.where(mask, weights, 0.0)
    return ops.matmul(weights, v), weights


def causal_mask(length: int) -> np.ndarray:
    """(length, length) booleans, True on and below the diagonal: position t sees positions ≤ t.

    >>> causal_mask(3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    return np.tril(np.ones((length, length), dtype=bool))


def padding_mask(ids: np.ndarray, pad_id: int = 0) -> np.ndarray:
    """(batch, 1, S) booleans, False at padded keys: every query may look at every real token.

    >>> padding_mask(np.array([[5, 7, 0]])).astype(int).tolist()
    [[[1, 1, 0]]]
    """
    return (np.asarray(ids) != pad_id)[:, None, :]


def multi_head_attention(query, value, weights, num_heads, mask=None):
    """Multi-head attention from ops, with the weights of ``keras.layers.MultiHeadAttention``.

    ``weights`` = (Wq, bq, Wk, bk, Wv, bv, Wo, bo) as :func:`mha_weights` returns
    them: Wq (d_model, heads, d_k), bq (heads, d_k), …, Wo (heads, d_k, d_model),
    bo (d_model,). Each head projects, attends on its own, and the heads'
    outputs are projected back together. Returns (outputs, weights per head).
    """
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = weights
    q = ops.einsum("btd,dhk->bhtk", query, Wq) + bq[:, None, :]
    k = ops.einsum("bsd,dhk->bhsk", value, Wk) + bk[:, None, :]
    v = ops.einsum("bsd,dhk->bhsk", value, Wv) + bv[:, None, :]
    if mask is not None:
        mask = ops.expand_dims(mask, axis=-3)  # the same mask for every head
    heads, attention = scaled_dot_product_attention(q, k, v, mask)
    return ops.einsum("bhtk,hkd->btd", heads, Wo) + bo, attention


def mha_weights(layer: keras.layers.MultiHeadAttention) -> tuple[np.ndarray, ...]:
    """A built ``MultiHeadAttention`` layer's (Wq, bq, Wk, bk, Wv, bv, Wo, bo) as NumPy arrays.

    >>> layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    >>> _ = layer(np.zeros((1, 4, 5)), np.zeros((1, 4, 5)))
    >>> [w.shape for w in mha_weights(layer)][::2]
    [(5, 2, 3), (5, 2, 3), (5, 2, 3), (2, 3, 5)]
    """
    if not layer.built:
        raise ValueError("the layer has no weights yet: call it on an input first")
    found = layer.get_weights()
    if len(found) != 8:
        raise ValueError(f"expected 8 weight arrays (kernels and biases of query, key, value, output), got "
                         f"{len(found)}; build the layer with use_bias=True (the default)")
    return tuple(np.asarray(w) for w in found)


def sinusoidal_encoding(length: int, d_model: int, dtype: str = "float32") -> np.ndarray:
    """The Transformer's positional encoding, (length, d_model):

    PE(pos, 2i) = sin(pos / 10000^(2i/d_model)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model)).

    >>> sinusoidal_encoding(2, 4, dtype="float64").round(3).tolist()
    [[0.0, 1.0, 0.0, 1.0], [0.841, 0.54, 0.01, 1.0]]
    """
    pos = np.arange(length)[:, None]
    two_i = np.arange(0, d_model, 2)[None, :]
    angle = pos / 10000 ** (two_i / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe.astype(dtype)


@keras.saving.register_keras_serializable(package="lmcourse")
class PositionalEmbedding(keras.layers.Layer):
    """Token embeddings plus position information, added before the first Transformer block.

    ``kind`` is ``"learned"`` (a trained vector per position, as in GPT),
    ``"sinusoidal"`` (the fixed encoding of Vaswani et al., 2017) or ``"none"``
    (no position information at all: attention alone cannot tell word order).
    Token vectors are scaled by √d when the encoding is sinusoidal (as in the
    paper), so the two terms start on a similar scale. Called with
    ``reverse=True`` on vectors (…, d_model), it multiplies them by the
    transposed token matrix: the output projection of a model that ties its
    input and output embeddings.

    >>> layer = PositionalEmbedding(vocab_size=10, max_length=8, d_model=4)
    >>> tuple(layer(np.zeros((2, 8), "int32")).shape)
    (2, 8, 4)
    """

    KINDS = ("learned", "sinusoidal", "none")

    def __init__(self, vocab_size: int, max_length: int, d_model: int, kind: str = "learned", **kwargs: Any):
        super().__init__(**kwargs)
        for name, value in (("vocab_size", vocab_size), ("max_length", max_length), ("d_model", d_model)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {kind!r}")
        if kind == "sinusoidal" and d_model % 2:
            raise ValueError(f"a sinusoidal encoding pairs sin and cos: d_model must be even, got {d_model}")
        self.vocab_size, self.max_length, self.d_model, self.kind = int(vocab_size), int(max_length), int(d_model), kind
        self.tokens = keras.layers.Embedding(vocab_size, d_model, name="token_embedding")
        if kind == "learned":
            self.positions = keras.layers.Embedding(max_length, d_model, name="position_embedding")

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.tokens.build(input_shape)
        if self.kind == "learned":
            self.positions.build((self.max_length,))
        if self.kind == "sinusoidal":
            self.table = self.add_weight(shape=(self.max_length, self.d_model), trainable=False, name="sinusoids",
                                         initializer=keras.initializers.Constant(sinusoidal_encoding(self.max_length, self.d_model)))
        self.built = True

    def call(self, ids: Any, reverse: bool = False) -> Any:
        if reverse:  # the same token matrix as the output projection (weight tying): vectors → logits
            return ops.matmul(ids, ops.transpose(ops.cast(self.tokens.embeddings, ids.dtype)))
        return self.at(ids, ops.arange(ops.shape(ids)[-1]))

    def at(self, ids: Any, positions: Any) -> Any:
        """The vectors of tokens ``ids`` standing at ``positions`` (a cached decoder reads one at a time)."""
        x = self.tokens(ids)
        if self.kind == "learned":
            return x + self.positions(positions)
        if self.kind == "sinusoidal":
            return x * math.sqrt(self.d_model) + ops.cast(ops.take(self.table, positions, axis=0), x.dtype)
        return x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocab_size": self.vocab_size, "max_length": self.max_length,
                "d_model": self.d_model, "kind": self.kind}
