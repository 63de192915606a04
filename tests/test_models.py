"""Tests for lmcourse.models: the fixed-window MLP language model and the LSTM classifier."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lmcourse.metrics import score_text
from lmcourse.models import build_mlp_lm
from lmcourse.sampling import generate_fixed_window
from lmcourse.text import Vocab
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
    before = score_text(model, ids[2:], prefix=ids[:2], context=2).nats
    history = model.fit(context_window_dataset(ids, 2, 32, seed=0), epochs=8, verbose=0, shuffle=False)
    assert before > 1.0 and history.history["loss"][-1] < 0.1
    assert score_text(model, ids[2:], prefix=ids[:2], context=2).nats < 0.1
    vocab = Vocab.build("abcdef", specials=(), order="sorted")  # ids 0..5 are the letters a..f
    assert generate_fixed_window(model, vocab, "cd", 5, context=2, temperature=0) == "cdefabc"


def test_mlp_lm_outputs_logits_not_probabilities():
    model = build_mlp_lm(vocab_size=7, context=3, embed_dim=2, hidden_units=4)
    assert model.layers[-1].activation is keras.activations.linear
    model.get_layer("logits").bias.assign(np.arange(7, dtype="float32") * 10)
    logits = np.asarray(model(np.zeros((2, 3), dtype="int32")))
    assert logits.max() > 1.0  # probabilities would be at most 1


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


def test_max_mean_pool_skips_padding_and_saves(tmp_path):
    from lmcourse.models import MaxMeanPool, build_lstm_classifier

    hidden = np.array([[[1.0, -2.0], [3.0, 0.0], [9.0, 9.0]]], dtype="float32")
    ids = np.array([[4, 5, 0]])
    pooled = np.asarray(MaxMeanPool()(hidden, ids))
    assert np.allclose(pooled, [[3.0, 0.0, 2.0, -1.0]])  # max then mean, the padded step left out
    assert np.allclose(np.asarray(MaxMeanPool(skip_padding=False)(hidden, ids)), [[9.0, 9.0, 13 / 3, 7 / 3]])
    model = build_lstm_classifier(30, embed_dim=4, units=3, pooling="max_mean")
    batch = np.array([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]])
    assert np.allclose(np.asarray(model(batch))[0], np.asarray(model(batch[:1, :3]))[0], atol=1e-6)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    assert np.allclose(np.asarray(again(batch)), np.asarray(model(batch)), atol=1e-6)
