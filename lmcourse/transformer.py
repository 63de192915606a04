"""A GPT-style decoder-only Transformer in Keras (lab 07), and what it costs to train.

Lab 07 writes :class:`DecoderBlock`, :func:`build_gpt` and the key/value-cached
decoder in cells; a repository test keeps those cells and this module the same
code. Lab 09 pretrains the same model on reviews and fine-tunes it.

    >>> model = build_gpt(vocab_size=65, context=16, d_model=32, num_layers=2, num_heads=4)
    >>> model.output_shape
    (None, None, 65)
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .attention import PositionalEmbedding

__all__ = [
    "DecoderBlock",
    "EncoderBlock",
    "MeanPool",
    "build_gpt_classifier",
    "mask_tokens",
    "mean_pool",
    "build_gpt",
    "decoder_blocks",
    "empty_kv_cache",
    "gpt_flops_per_token",
    "has_tied_embeddings",
    "kv_cache_step",
    "matmul_params",
    "warmup_cosine",
]


@keras.saving.register_keras_serializable(package="lmcourse")
class DecoderBlock(layers.Layer):
    """One pre-LayerNorm decoder block: x + attention(LN(x)), then x + FFN(LN(x)).

    The attention is causal multi-head self-attention; the feed-forward network is
    act(x W1 + b1) W2 + b2 applied at every position (GELU by default, as in GPT-2;
    "relu" gives the original max(0, x W1 + b1) W2 + b2).
    """

    def __init__(self, d_model: int, num_heads: int, ffn_dim: int, dropout: float = 0.0,
                 activation: str = "gelu", **kwargs: Any):
        super().__init__(**kwargs)
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of num_heads ({num_heads})")
        self.d_model, self.num_heads, self.ffn_dim = d_model, num_heads, ffn_dim
        self.dropout, self.activation = dropout, activation
        self.ln1 = layers.LayerNormalization(epsilon=1e-5, name="ln1")
        self.attention = layers.MultiHeadAttention(num_heads, d_model // num_heads, dropout=dropout, name="attention")
        self.ln2 = layers.LayerNormalization(epsilon=1e-5, name="ln2")
        self.ffn_in = layers.Dense(ffn_dim, activation=activation, name="ffn_in")
        self.ffn_out = layers.Dense(d_model, name="ffn_out")
        self.drop = layers.Dropout(dropout)

    def build(self, input_shape):
        self.ln1.build(input_shape)
        self.attention.build(input_shape, input_shape)
        self.ln2.build(input_shape)
        self.ffn_in.build(input_shape)
        self.ffn_out.build((*input_shape[:-1], self.ffn_dim))
        self.built = True

    def call(self, x, training=False):
        h = self.ln1(x)
        x = x + self.drop(self.attention(h, h, use_causal_mask=True, training=training), training=training)
        h = self.ln2(x)
        return x + self.drop(self.ffn_out(self.ffn_in(h)), training=training)

    def get_config(self):
        return {**super().get_config(), "d_model": self.d_model, "num_heads": self.num_heads,
                "ffn_dim": self.ffn_dim, "dropout": self.dropout, "activation": self.activation}


def build_gpt(vocab_size, context, d_model=192, num_layers=4, num_heads=6, ffn_mult=4, dropout=0.0,
              position="learned", tie_embeddings=False, activation="gelu", name="gpt"):
    """Token + position embeddings → num_layers decoder blocks → final LayerNorm → logits over the vocabulary."""
    ids = keras.Input((None,), dtype="int32", name="ids")
    embed = PositionalEmbedding(vocab_size, context, d_model, kind=position, name="embedding")
    x = layers.Dropout(dropout)(embed(ids))
    for i in range(num_layers):
        x = DecoderBlock(d_model, num_heads, ffn_mult * d_model, dropout, activation, name=f"block_{i}")(x)
    x = layers.LayerNormalization(epsilon=1e-5, name="final_ln")(x)
    logits = embed(x, reverse=True) if tie_embeddings else layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(ids, logits, name=name)


def matmul_params(model: keras.Model) -> int:
    """Parameters that are multiplied with every token's activations: every kernel, the tied output included.

    Embedding look-ups are not multiplications, so an untied input embedding
    does not count; a tied one does (it is also the output projection).

    >>> matmul_params(build_gpt(10, 8, d_model=16, num_layers=1, num_heads=2)) == 12 * 16**2 + 16 * 10
    True
    """
    tied = has_tied_embeddings(model)
    total = 0
    for weight in model.trainable_weights:
        if not weight.path.endswith(("kernel", "embeddings")) or "position_embedding" in weight.path:
            continue  # biases and LayerNorm scales are not matmuls; positions are looked up
        if "token_embedding" in weight.path and not tied:
            continue
        total += int(np.prod(weight.shape))
    return total


def has_tied_embeddings(model: keras.Model) -> bool:
    """True when a :func:`build_gpt` model scores tokens with its token-embedding matrix (no 'logits' layer).

    >>> has_tied_embeddings(build_gpt(10, 8, d_model=8, num_layers=1, num_heads=2, tie_embeddings=True))
    True
    """
    return not any(layer.name == "logits" for layer in model.layers)


def gpt_flops_per_token(model: keras.Model, context: int) -> float:
    """Training FLOPs per token: 6 N for the matmuls (forward 2N, backward 4N) + 12 L d T for attention.

    N is :func:`matmul_params`; the attention term counts the score and
    weighted-sum matmuls (2·T·d each per layer, forward) over the full T × T
    matrix, as PaLM's MFU accounting does (the causal half is computed too).
    Dividing tokens/s × this by a machine's matmul peak gives the model FLOP
    utilisation (MFU).
    """
    blocks = decoder_blocks(model)
    d_model = blocks[0].d_model
    return 6.0 * matmul_params(model) + 12.0 * len(blocks) * d_model * context


def warmup_cosine(peak_lr: float, total_steps: int, warmup_steps: int, final_fraction: float = 0.1):
    """Learning rate rising linearly from 0 to ``peak_lr`` over ``warmup_steps``, then a cosine down to
    ``final_fraction`` × ``peak_lr`` at ``total_steps``.

    >>> schedule = warmup_cosine(1e-3, total_steps=100, warmup_steps=10)
    >>> [round(float(schedule(s)), 6) for s in (0, 5, 10, 100)]
    [0.0, 0.0005, 0.001, 0.0001]
    """
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}")
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0, decay_steps=total_steps - warmup_steps, alpha=final_fraction,
        warmup_target=peak_lr, warmup_steps=warmup_steps)


def decoder_blocks(model: keras.Model) -> list[DecoderBlock]:
    """The model's decoder blocks, in order (any layer shaped like :class:`DecoderBlock`, e.g. lab 07's own)."""
    blocks = [layer for layer in model.layers if all(hasattr(layer, name) for name in ("ln1", "attention", "ffn_out"))]
    if not blocks:
        raise ValueError("the model has no DecoderBlock; build it with lmcourse.transformer.build_gpt")
    return blocks


def empty_kv_cache(model: keras.Model) -> tuple[tf.Tensor, tf.Tensor]:
    """Zero keys and values for every layer of a :func:`build_gpt` model: (layers, heads, context, head_dim)."""
    blocks = decoder_blocks(model)
    heads = blocks[0].num_heads
    shape = (len(blocks), heads, model.get_layer("embedding").max_length, blocks[0].d_model // heads)
    return tf.zeros(shape), tf.zeros(shape)


def kv_cache_step(model, token, position, keys, values):
    """Logits for the token after ``token`` (at ``position``), reading earlier tokens from the caches.

    Each layer computes only the new token's query, key and value, writes the key and value
    into its cache at ``position``, and attends over the cache up to ``position``.
    """
    embed = model.get_layer("embedding")
    x = embed.at(token[None], position[None])[0]                                   # (d,)
    here = ops.cast(ops.arange(keys.shape[2]) == position, x.dtype)[None, :, None]  # (1, context, 1)
    visible = ops.arange(keys.shape[2]) <= position
    new_keys, new_values = [], []
    for i, block in enumerate(decoder_blocks(model)):
        Wq, bq, Wk, bk, Wv, bv, Wo, bo = block.attention.weights
        h = block.ln1(x[None])[0]
        q = ops.einsum("d,dhk->hk", h, Wq) + bq                                    # (heads, head_dim)
        k = keys[i] * (1 - here) + (ops.einsum("d,dhk->hk", h, Wk) + bk)[:, None] * here
        v = values[i] * (1 - here) + (ops.einsum("d,dhk->hk", h, Wv) + bv)[:, None] * here
        scores = ops.einsum("hk,hsk->hs", q, k) / math.sqrt(k.shape[-1])
        weights = ops.softmax(ops.where(visible[None], scores, -1e9), axis=-1)
        x = x + ops.einsum("hk,hkd->d", ops.einsum("hs,hsk->hk", weights, v), Wo) + bo
        x = x + block.ffn_out(block.ffn_in(block.ln2(x[None])))[0]
        new_keys.append(k)
        new_values.append(v)
    x = model.get_layer("final_ln")(x[None])
    logits = embed(x, reverse=True) if has_tied_embeddings(model) else model.get_layer("logits")(x)
    return logits[0], ops.stack(new_keys), ops.stack(new_values)


@keras.saving.register_keras_serializable(package="lmcourse")
class EncoderBlock(DecoderBlock):
    """A block that sees the whole sequence: the decoder block without its causal mask (BERT's kind)."""

    def call(self, x, training=False):
        h = self.ln1(x)
        x = x + self.drop(self.attention(h, h, training=training), training=training)
        h = self.ln2(x)
        return x + self.drop(self.ffn_out(self.ffn_in(h)), training=training)


def mask_tokens(ids, mask_id, vocab_size, rng, rate=0.15, first_regular_id=4, pad_id=0):
    """BERT's masking: choose ``rate`` of the real tokens; replace 80 % of them by ``mask_id``, 10 % by a
    random token, leave 10 % unchanged. Returns (inputs, targets, chosen); the loss counts chosen positions."""
    ids = np.asarray(ids)
    chosen = (rng.random(ids.shape) < rate) & (ids != pad_id)
    action = rng.random(ids.shape)
    inputs = ids.copy()
    inputs[chosen & (action < 0.8)] = mask_id
    swap = chosen & (action >= 0.8) & (action < 0.9)
    inputs[swap] = rng.integers(first_regular_id, vocab_size, swap.sum())
    return inputs, ids, chosen


def mean_pool(hidden, ids, pad_id=0):
    """The average of each sequence's hidden vectors over its real (non-padding) tokens: (batch, d)."""
    keep = ops.cast(ops.not_equal(ids, pad_id), hidden.dtype)[..., None]
    return ops.sum(hidden * keep, axis=1) / ops.maximum(ops.sum(keep, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="lmcourse")
class MeanPool(layers.Layer):
    """:func:`mean_pool` as a layer: (hidden (batch, T, d), ids (batch, T)) → (batch, d)."""

    def __init__(self, pad_id: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.pad_id = pad_id

    def call(self, hidden, ids):
        return mean_pool(hidden, ids, self.pad_id)

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}


def build_gpt_classifier(gpt: keras.Model, dropout: float = 0.1, pad_id: int = 0) -> keras.Model:
    """A classifier on top of a :func:`build_gpt` body: the final LayerNorm's vectors, averaged over the
    review's tokens (:func:`mean_pool`), then dropout and Dense(1, sigmoid). The body is shared, not copied:
    set ``gpt.trainable = False`` to freeze it."""
    ids = keras.Input((None,), dtype="int32", name="ids")
    body = keras.Model(gpt.input, gpt.get_layer("final_ln").output, name="gpt_body")
    pooled = MeanPool(pad_id, name="mean_pool")(body(ids), ids)
    x = layers.Dropout(dropout)(pooled)
    return keras.Model(ids, layers.Dense(1, activation="sigmoid", name="p_positive")(x), name="gpt_classifier")
