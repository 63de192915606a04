"""Tests for lmcourse.models: the fixed-window MLP language model and sampling."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.metrics import nats_per_token
from lmcourse.models import build_mlp_lm, generate_fixed_window, sample_from_logits
from lmcourse.windows import context_window_dataset


def test_build_mlp_lm_shapes_and_parameters():
    model = build_mlp_lm(vocab_size=20, context=5, embed_dim=4, hidden_units=16, hidden_layers=2)
    assert model.input_shape == (None, 5) and model.output_shape == (None, 20)
    expected = 20 * 4 + (5 * 4 * 16 + 16) + (16 * 16 + 16) + (16 * 20 + 20)
    assert model.count_params() == expected
    logits = model(np.zeros((3, 5), dtype="int32"))
    assert tuple(logits.shape) == (3, 20)


def test_build_mlp_lm_with_dropout_adds_dropout_layers():
    model = build_mlp_lm(vocab_size=10, context=3, embed_dim=2, hidden_units=4, dropout=0.2)
    assert any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)


def test_build_mlp_lm_depends_on_every_context_position():
    model = build_mlp_lm(vocab_size=10, context=4, embed_dim=3, hidden_units=8)
    base = np.zeros((1, 4), dtype="int32")
    for position in range(4):
        changed = base.copy()
        changed[0, position] = 7
        assert not np.allclose(model(base), model(changed))


@pytest.mark.parametrize(
    "kwargs",
    [dict(vocab_size=0), dict(context=-1), dict(embed_dim=2.5), dict(hidden_units=True),
     dict(hidden_layers=0), dict(dropout=1.0)],
)
def test_build_mlp_lm_explains_bad_sizes(kwargs):
    sizes = dict(vocab_size=10, context=3, embed_dim=2, hidden_units=4) | kwargs
    with pytest.raises(ValueError, match="must be"):
        build_mlp_lm(**sizes)


def test_mlp_lm_learns_a_deterministic_sequence():
    ids = np.tile(np.arange(6), 60)  # 0 1 2 3 4 5 0 1 …: the next id is always determined
    keras.utils.set_random_seed(0)
    model = build_mlp_lm(vocab_size=6, context=2, embed_dim=4, hidden_units=16)
    model.compile(keras.optimizers.Adam(0.05), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = nats_per_token(model, ids[2:], 2, prefix=ids[:2])
    history = model.fit(context_window_dataset(ids, 2, 32, seed=0), epochs=8, verbose=0, shuffle=False)
    assert before > 1.0 and history.history["loss"][-1] < 0.1
    assert nats_per_token(model, ids[2:], 2, prefix=ids[:2]) < 0.1
    assert generate_fixed_window(model, [2, 3], 5, context=2, temperature=0) == [4, 5, 0, 1, 2]


def test_sample_from_logits_greedy_and_seeded():
    assert sample_from_logits([0.0, 1.0, 3.0, 2.0], temperature=0) == 2
    a = [sample_from_logits([0.0, 0.5, 1.0], 1.0, np.random.default_rng(9)) for _ in range(3)]
    b = [sample_from_logits([0.0, 0.5, 1.0], 1.0, np.random.default_rng(9)) for _ in range(3)]
    assert a == b


def test_sample_from_logits_frequencies_follow_the_softmax():
    rng = np.random.default_rng(0)
    logits = np.log([0.7, 0.2, 0.1])
    draws = np.bincount([sample_from_logits(logits, 1.0, rng) for _ in range(4000)], minlength=3) / 4000
    assert np.allclose(draws, [0.7, 0.2, 0.1], atol=0.03)


def test_sample_from_logits_low_temperature_sharpens():
    rng = np.random.default_rng(0)
    logits = np.log([0.5, 0.3, 0.2])
    cold = np.mean([sample_from_logits(logits, 0.1, rng) == 0 for _ in range(500)])
    hot = np.mean([sample_from_logits(logits, 5.0, rng) == 0 for _ in range(500)])
    assert cold > 0.95 and hot < 0.45


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=10), st.floats(0.05, 10.0))
def test_sample_from_logits_always_returns_a_valid_id(logits, temperature):
    i = sample_from_logits(logits, temperature, np.random.default_rng(0))
    assert 0 <= i < len(logits)


def test_sample_from_logits_explains_bad_input():
    with pytest.raises(ValueError, match="empty"):
        sample_from_logits([])
    with pytest.raises(ValueError, match="temperature"):
        sample_from_logits([1.0], temperature=-1)


def test_generate_fixed_window_explains_short_prompt():
    model = build_mlp_lm(vocab_size=5, context=3, embed_dim=2, hidden_units=4)
    with pytest.raises(ValueError, match="at least 3"):
        generate_fixed_window(model, [0, 1], 2, context=3)
    assert generate_fixed_window(model, [0, 1, 2], 0, context=3) == []
    assert math.isfinite(float(np.asarray(model(np.zeros((1, 3), dtype="int32"))).sum()))


def test_build_lstm_classifier_masks_and_reads_both_ways():
    from lmcourse.models import build_lstm_classifier

    model = build_lstm_classifier(50, embed_dim=4, units=3)
    ids = np.array([[5, 6, 7, 0, 0], [5, 6, 7, 0, 0]])
    p = np.asarray(model(ids))
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))
    trimmed = np.asarray(model(ids[:, :3]))
    assert np.allclose(p, trimmed, atol=1e-6)  # the padding is masked: it changes nothing
    unmasked = build_lstm_classifier(50, embed_dim=4, units=3, mask=False, bidirectional=False)
    assert [layer.name for layer in unmasked.layers if "lstm" in layer.name] == ["lstm"]
    assert unmasked.count_params() == 50 * 4 + 4 * (4 * 3 + 3 * 3 + 3) + 3 + 1
