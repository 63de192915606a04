"""The GPT: blocks, the model, tying, FLOP accounting, the schedule, the key/value cache and saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lmcourse.attention import causal_mask, mha_weights, multi_head_attention
from lmcourse.transformer import (
    DecoderBlock,
    build_gpt,
    decoder_blocks,
    empty_kv_cache,
    gpt_flops_per_token,
    has_tied_embeddings,
    kv_cache_step,
    matmul_params,
    warmup_cosine,
)


def _layer_norm(x, ln):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + ln.epsilon) * np.asarray(ln.gamma) + np.asarray(ln.beta)


def _gelu(x):
    return np.asarray(keras.activations.gelu(x))


def test_decoder_block_is_pre_layernorm_attention_then_ffn():
    block = DecoderBlock(d_model=8, num_heads=2, ffn_dim=16)
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype("float32")
    out = np.asarray(block(x))
    h = _layer_norm(x, block.ln1)
    attended, _ = multi_head_attention(h, h, mha_weights(block.attention), 2, causal_mask(5))
    x1 = x + np.asarray(attended)
    W1, b1 = (np.asarray(w) for w in block.ffn_in.weights)
    W2, b2 = (np.asarray(w) for w in block.ffn_out.weights)
    expected = x1 + _gelu(_layer_norm(x1, block.ln2) @ W1 + b1) @ W2 + b2
    assert np.allclose(out, expected, atol=1e-5)


def test_decoder_block_is_causal():
    block = DecoderBlock(d_model=8, num_heads=2, ffn_dim=16)
    x = np.random.default_rng(1).normal(size=(1, 6, 8)).astype("float32")
    changed = x.copy()
    changed[:, 4:] += np.random.default_rng(9).normal(size=(1, 2, 8))  # not a constant: LayerNorm removes those
    out, out_changed = np.asarray(block(x)), np.asarray(block(changed))
    assert np.allclose(out[:, :4], out_changed[:, :4], atol=1e-6)
    assert not np.allclose(out[:, 4:], out_changed[:, 4:])


def test_decoder_block_explains_heads_that_do_not_divide():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        DecoderBlock(d_model=10, num_heads=3, ffn_dim=8)


@pytest.mark.parametrize("tie", [False, True])
def test_build_gpt_shapes_tying_and_parameter_count(tie):
    model = build_gpt(vocab_size=11, context=8, d_model=16, num_layers=2, num_heads=4, tie_embeddings=tie)
    assert model(np.zeros((3, 8), "int32")).shape == (3, 8, 11)
    assert model(np.zeros((1, 5), "int32")).shape == (1, 5, 11)   # shorter than the context
    assert has_tied_embeddings(model) is tie
    block = 4 * 16 + (4 * 16 * 16 + 4 * 16) + (16 * 64 + 64) + (64 * 16 + 16)
    untied_out = 0 if tie else 16 * 11 + 11
    assert model.count_params() == 11 * 16 + 8 * 16 + 2 * block + 2 * 16 + untied_out
    assert matmul_params(model) == 2 * (4 * 16 * 16 + 2 * 16 * 64) + 16 * 11


def test_tied_output_is_the_token_matrix():
    model = build_gpt(vocab_size=7, context=4, d_model=8, num_layers=1, num_heads=2, tie_embeddings=True)
    ids = np.array([[1, 2, 3, 4]])
    embed = model.get_layer("embedding")
    hidden = keras.Model(model.input, model.get_layer("final_ln").output)(ids)
    assert np.allclose(np.asarray(model(ids)), np.asarray(hidden) @ np.asarray(embed.tokens.embeddings).T, atol=1e-5)


def test_flops_per_token_is_6n_plus_attention():
    model = build_gpt(vocab_size=11, context=8, d_model=16, num_layers=2, num_heads=4)
    assert gpt_flops_per_token(model, 8) == 6 * matmul_params(model) + 12 * 2 * 16 * 8
    with pytest.raises(ValueError, match="DecoderBlock"):
        gpt_flops_per_token(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), 8)


def test_warmup_cosine_shape():
    schedule = warmup_cosine(1.0, total_steps=110, warmup_steps=10, final_fraction=0.1)
    values = [float(schedule(s)) for s in range(0, 200)]
    assert values[0] == 0 and values[10] == pytest.approx(1.0) and values[110] == pytest.approx(0.1)
    assert all(a <= b + 1e-7 for a, b in zip(values[:10], values[1:11], strict=True))      # rising during the warm-up
    assert all(a >= b - 1e-7 for a, b in zip(values[10:110], values[11:111], strict=True))  # falling after it
    assert values[150] == pytest.approx(0.1)
    constant = warmup_cosine(1.0, 50, 5, final_fraction=1.0)
    assert float(constant(40)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="warmup_steps"):
        warmup_cosine(1.0, 10, 10)


@pytest.mark.parametrize("tie, position", [(False, "learned"), (True, "learned"), (False, "sinusoidal"),
                                           (True, "none")])
def test_kv_cache_gives_the_logits_of_full_recomputation(tie, position):
    keras.utils.set_random_seed(3)
    model = build_gpt(vocab_size=13, context=12, d_model=16, num_layers=2, num_heads=4, tie_embeddings=tie,
                      position=position)
    ids = np.random.default_rng(3).integers(0, 13, 12)
    full = np.asarray(model(ids[None]))[0]
    keys, values = empty_kv_cache(model)
    assert tuple(keys.shape) == (2, 4, 12, 4)
    step = tf.function(lambda t, p, k, v: kv_cache_step(model, t, p, k, v), autograph=False)
    cached = []
    for position, token in enumerate(ids):
        logits, keys, values = step(tf.constant(int(token)), tf.constant(position), keys, values)
        cached.append(np.asarray(logits))
    assert np.allclose(np.stack(cached), full, atol=1e-4)


def test_decoder_blocks_explains_a_model_without_blocks():
    with pytest.raises(ValueError, match="build_gpt"):
        decoder_blocks(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))


def test_save_and_reload_gives_identical_logits(tmp_path):
    model = build_gpt(vocab_size=9, context=6, d_model=8, num_layers=1, num_heads=2, position="sinusoidal",
                      tie_embeddings=True)
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    model.save(tmp_path / "gpt.keras")
    again = keras.saving.load_model(tmp_path / "gpt.keras")
    assert np.array_equal(np.asarray(again(ids)), np.asarray(model(ids)))


# Lab 09: encoder blocks, BERT masking, the classifier ------------------------------------------

from lmcourse.transformer import EncoderBlock, build_gpt_classifier, mask_tokens, mean_pool  # noqa: E402


def test_encoder_block_sees_the_future_and_the_decoder_does_not():
    x = np.random.default_rng(2).normal(size=(1, 6, 8)).astype("float32")
    changed = x.copy()
    changed[:, -1] += np.random.default_rng(9).normal(size=(1, 8))
    encoder = EncoderBlock(d_model=8, num_heads=2, ffn_dim=16)
    assert not np.allclose(np.asarray(encoder(x))[:, 0], np.asarray(encoder(changed))[:, 0])


def test_mask_tokens_follows_80_10_10():
    rng = np.random.default_rng(0)
    ids = rng.integers(4, 1000, (400, 100))
    ids[:, -10:] = 0  # padding is never chosen
    inputs, targets, chosen = mask_tokens(ids, mask_id=3, vocab_size=1000, rng=rng)
    assert np.array_equal(targets, ids) and not chosen[:, -10:].any()
    assert chosen[:, :-10].mean() == pytest.approx(0.15, abs=0.01)
    assert (inputs[chosen] == 3).mean() == pytest.approx(0.8, abs=0.02)
    assert (inputs[chosen] == ids[chosen]).mean() == pytest.approx(0.1, abs=0.02)
    assert np.array_equal(inputs[~chosen], ids[~chosen])


def test_mean_pool_ignores_padding():
    hidden = np.arange(12, dtype="float32").reshape(1, 4, 3)
    pooled = np.asarray(mean_pool(hidden, np.array([[5, 6, 0, 0]])))
    assert np.allclose(pooled, hidden[0, :2].mean(axis=0))


def test_gpt_classifier_shares_the_body_and_can_freeze_it(tmp_path):
    gpt = build_gpt(vocab_size=50, context=8, d_model=16, num_layers=1, num_heads=2, tie_embeddings=True)
    classifier = build_gpt_classifier(gpt)
    ids = np.array([[5, 6, 7, 0, 0], [8, 9, 10, 11, 12]])
    p = np.asarray(classifier(ids))
    assert p.shape == (2, 1) and np.allclose(p[0], np.asarray(classifier(ids[:1, :3]))[0], atol=1e-6)
    gpt.trainable = False
    assert len(classifier.trainable_weights) == 2  # only the new head
    classifier.save(tmp_path / "c.keras")
    import keras as _keras

    assert np.allclose(np.asarray(_keras.saving.load_model(tmp_path / "c.keras")(ids)), p, atol=1e-6)
