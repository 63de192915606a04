"""Temperature softmax, sampling and text generation (fixed-window, re-read window, stateful)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.metrics import softmax
from lmcourse.models import build_mlp_lm
from lmcourse.sampling import (
    generate_fixed_window,
    generate_text,
    sample_next,
    softmax_with_temperature,
)
from lmcourse.text import Vocab

logit_lists = st.lists(st.floats(-50, 50), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(logit_lists, st.floats(0.05, 20.0))
def test_probabilities_sum_to_one_and_keep_the_order(logits, temperature):
    probs = softmax_with_temperature(logits, temperature)
    assert probs.sum() == pytest.approx(1.0)
    assert np.all(probs >= 0)
    order = np.argsort(logits, kind="stable")
    assert np.all(np.diff(probs[order]) >= -1e-12)  # a larger logit never gets a smaller probability


def test_temperature_limits():
    logits = [3.0, 1.0, 0.0]
    assert softmax_with_temperature(logits, 0.01)[0] == pytest.approx(1.0)
    np.testing.assert_allclose(softmax_with_temperature(logits, 1e6), [1 / 3] * 3, atol=1e-5)
    z = np.array(logits)
    np.testing.assert_allclose(softmax_with_temperature(logits, 1.0), np.exp(z) / np.exp(z).sum())


def test_entropy_rises_with_temperature():
    def entropy(p):
        return -(p * np.log(p)).sum()

    logits = [2.0, 1.0, 0.5, 0.0]
    values = [entropy(softmax_with_temperature(logits, t)) for t in (0.2, 0.5, 1.0, 2.0)]
    assert values == sorted(values)


def test_large_logits_do_not_overflow():
    np.testing.assert_allclose(softmax_with_temperature([1000.0, 999.0]), [0.7310586, 0.2689414], rtol=1e-6)


def test_batched_logits_normalise_each_row():
    probs = softmax_with_temperature(np.array([[0.0, 0.0], [10.0, 0.0]]))
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0])


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_non_positive_temperature_is_refused(bad):
    with pytest.raises(ValueError, match="positive"):
        softmax_with_temperature([1.0], bad)


@settings(max_examples=50, deadline=None)
@given(logit_lists, st.floats(0.05, 20.0))
def test_temperature_softmax_is_the_course_softmax_of_scaled_logits(logits, temperature):
    z = np.asarray(logits)
    assert np.array_equal(softmax_with_temperature(z, temperature), softmax(z / temperature))


def test_empty_logits_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        softmax_with_temperature([])


def test_sampling_follows_the_distribution():
    rng = np.random.default_rng(0)
    draws = [sample_next(np.log([0.7, 0.2, 0.1]), 1.0, rng) for _ in range(5000)]
    freq = np.bincount(draws, minlength=3) / len(draws)
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1], atol=0.03)


def test_sampling_is_seeded():
    a = [sample_next([0.0, 0.1, 0.2], 1.0, np.random.default_rng(5)) for _ in range(3)]
    b = [sample_next([0.0, 0.1, 0.2], 1.0, np.random.default_rng(5)) for _ in range(3)]
    assert a == b


def test_sampling_at_temperature_zero_is_greedy():
    rng = np.random.default_rng(0)
    assert sample_next([0.0, 1.0, 3.0, 2.0], 0, rng) == 2
    assert sample_next([0.0, 1.0, 3.0, 2.0], 0, rng, top_k=1, top_p=0.5) == 2


def test_low_temperature_sharpens_the_samples():
    rng = np.random.default_rng(0)
    logits = np.log([0.5, 0.3, 0.2])
    cold = np.mean([sample_next(logits, 0.1, rng) == 0 for _ in range(500)])
    hot = np.mean([sample_next(logits, 5.0, rng) == 0 for _ in range(500)])
    assert cold > 0.95 and hot < 0.45


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=10), st.floats(0.05, 10.0))
def test_sample_next_always_returns_a_valid_id(logits, temperature):
    assert 0 <= sample_next(logits, temperature, np.random.default_rng(0)) < len(logits)


def test_sample_next_wants_one_position():
    with pytest.raises(ValueError, match="1-D"):
        sample_next(np.zeros((2, 3)), 1.0, np.random.default_rng(0))


def _echo_model(vocab_size: int, favourite: int) -> keras.Model:
    """A model whose logits always strongly prefer one token."""
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(vocab_size, 2, embeddings_initializer="zeros")(inputs)
    bias = np.full(vocab_size, -20.0)
    bias[favourite] = 20.0
    out = keras.layers.Dense(vocab_size, kernel_initializer="zeros",
                             bias_initializer=keras.initializers.Constant(bias))(x)
    return keras.Model(inputs, out)


def test_generate_text_appends_length_tokens():
    vocab = Vocab.build("abc", specials=(), order="sorted")
    model = _echo_model(len(vocab), favourite=vocab.token_to_id["b"])
    text = generate_text(model, vocab, "ca", 5, temperature=1.0, context=3, seed=0)
    assert text == "cabbbbb"
    assert generate_text(model, vocab, "a", 0) == "a"


def test_generate_text_rejects_bad_input():
    vocab = Vocab.build("ab", specials=(), order="sorted")
    model = _echo_model(2, 0)
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate_text(model, vocab, "", 3)
    with pytest.raises(ValueError, match="non-negative"):
        generate_text(model, vocab, "a", -1)


@pytest.mark.parametrize("cell", ["simple", "gru", "lstm"])
def test_stateful_generation_matches_rerunning_the_prefix(cell):
    from lmcourse.rnn import build_char_rnn, build_step_model
    from lmcourse.sampling import generate_stateful

    vocab = Vocab.build("abcdefgh \n", specials=(), order="sorted")
    model = build_char_rnn(len(vocab), cell=cell, units=16, embed_dim=4, layers=2)
    text, logits = generate_stateful(build_step_model(model), vocab, "ab", 20, seed=0, return_logits=True)
    assert len(text) == 22 and logits.shape == (20, len(vocab))
    full = model(np.asarray(vocab.encode(list(text)))[None, :]).numpy()[0]
    np.testing.assert_allclose(full[1:21], logits, atol=1e-5)


def test_stateful_generation_rejects_bad_input():
    from lmcourse.rnn import build_char_rnn, build_step_model
    from lmcourse.sampling import generate_stateful

    vocab = Vocab.build("ab", specials=(), order="sorted")
    step = build_step_model(build_char_rnn(2, units=4, embed_dim=2))
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate_stateful(step, vocab, "", 3)
    with pytest.raises(ValueError, match="non-negative"):
        generate_stateful(step, vocab, "a", -1)


def _successor_model(vocab_size: int) -> keras.Model:
    """A model whose logits at each position strongly prefer the successor of that position's token."""
    successor = np.roll(np.eye(vocab_size), 1, axis=1) * 40.0  # row i: +40 at (i + 1) % vocab_size
    inputs = keras.Input((None,), dtype="int32")
    out = keras.layers.Embedding(vocab_size, vocab_size,
                                 embeddings_initializer=keras.initializers.Constant(successor))(inputs)
    return keras.Model(inputs, out)


def test_generate_text_reads_the_last_context_tokens_of_a_long_prompt():
    vocab = Vocab.build("abcd", specials=(), order="sorted")
    model = _successor_model(len(vocab))
    # the prompt is longer than the context: the next token follows its last character ('a'), not
    # the last character of its first `context` ones ('c')
    assert generate_text(model, vocab, "dcba", 5, context=2, seed=0) == "dcbabcdab"
    assert generate_text(model, vocab, "dcba", 3, context=1, seed=0) == "dcbabcd"


@pytest.mark.parametrize("context", [0, -2, 1.5, True])
def test_generate_text_wants_a_positive_whole_context(context):
    vocab = Vocab.build("ab", specials=(), order="sorted")
    with pytest.raises(ValueError, match="context must be a whole number of tokens, 1 or more"):
        generate_text(_echo_model(2, 0), vocab, "ab", 3, context=context)


# fixed-window models ------------------------------------------------------------------------

def _successor_mlp(vocab_size: int, context: int) -> keras.Model:
    """A fixed-window MLP whose logits strongly prefer the successor of the window's last token."""
    model = build_mlp_lm(vocab_size, context=context, embed_dim=vocab_size, hidden_units=vocab_size,
                         activation="linear")
    model.get_layer("embedding").embeddings.assign(np.eye(vocab_size))
    hidden = np.zeros((context * vocab_size, vocab_size))
    hidden[(context - 1) * vocab_size:] = np.eye(vocab_size)  # only the last position counts
    model.get_layer("hidden_1").kernel.assign(hidden)
    model.get_layer("logits").kernel.assign(np.roll(np.eye(vocab_size), 1, axis=1) * 40.0)
    return model


def test_generate_fixed_window_feeds_the_last_context_tokens():
    vocab = Vocab.build("abcd", specials=(), order="sorted")
    model = _successor_mlp(len(vocab), context=3)
    assert generate_fixed_window(model, vocab, "dcba", 5, context=3, seed=0) == "dcbabcdab"
    assert generate_fixed_window(model, vocab, "cab", 2, context=3, temperature=0) == "cabcd"
    assert generate_fixed_window(model, vocab, "abc", 0, context=3) == "abc"


def test_generate_fixed_window_is_seeded_and_filters():
    vocab = Vocab.build("abcdefgh", specials=(), order="sorted")
    model = build_mlp_lm(len(vocab), context=2, embed_dim=3, hidden_units=5)
    a = generate_fixed_window(model, vocab, "ab", 30, context=2, seed=3)
    assert a == generate_fixed_window(model, vocab, "ab", 30, context=2, seed=3) and len(a) == 32
    greedy = generate_fixed_window(model, vocab, "ab", 10, context=2, temperature=0)
    assert generate_fixed_window(model, vocab, "ab", 10, context=2, top_k=1, seed=9) == greedy


def test_generate_fixed_window_explains_bad_input():
    vocab = Vocab.build("abc", specials=(), order="sorted")
    model = build_mlp_lm(len(vocab), context=3, embed_dim=2, hidden_units=4)
    with pytest.raises(ValueError, match="at least 3"):
        generate_fixed_window(model, vocab, "ab", 2, context=3)
    with pytest.raises(ValueError, match="non-empty prompt"):
        generate_fixed_window(model, vocab, "", 2, context=3)
    with pytest.raises(ValueError, match="non-negative"):
        generate_fixed_window(model, vocab, "abc", -1, context=3)
    with pytest.raises(ValueError, match="whole number"):
        generate_fixed_window(model, vocab, "abc", 2, context=0)


# top-k and top-p ---------------------------------------------------------------------------

from hypothesis.extra.numpy import arrays  # noqa: E402

from lmcourse.sampling import top_k_filter, top_p_filter  # noqa: E402

LOGITS = arrays(np.float64, st.integers(1, 12), elements=st.floats(-20, 20))


@settings(max_examples=60, deadline=None)
@given(logits=LOGITS, k=st.integers(1, 15))
def test_top_k_keeps_the_k_largest(logits, k):
    kept = np.isfinite(top_k_filter(logits, k))
    assert kept.sum() >= min(k, logits.size)                     # ties at the k-th value are all kept
    assert logits[kept].min() >= np.sort(logits)[-min(k, logits.size)]
    assert np.array_equal(top_k_filter(logits, k)[kept], logits[kept])


@settings(max_examples=60, deadline=None)
@given(logits=LOGITS, p=st.floats(0.01, 1.0))
def test_top_p_keeps_the_fewest_tokens_reaching_p(logits, p):
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    kept = np.isfinite(top_p_filter(logits, p))
    assert kept.any() and probs[kept].sum() >= p - 1e-9
    smallest_kept = probs[kept].min()
    assert probs[kept].sum() - smallest_kept < p + 1e-9           # without its least likely token, below p
    assert probs[~kept].max(initial=0) <= smallest_kept + 1e-12


def test_sample_next_with_filters_and_greedy():
    rng = np.random.default_rng(0)
    logits = np.array([3.0, 2.9, -5.0, 2.8])
    draws = {sample_next(logits, 1.0, rng, top_k=2) for _ in range(200)}
    assert draws == {0, 1}
    assert {sample_next(logits, 1.0, rng, top_p=0.3) for _ in range(50)} == {0}
    assert sample_next(logits, 0, rng) == 0
    for kwargs, message in [(dict(top_k=0), "top_k"), (dict(top_k=1.5), "top_k"), (dict(top_p=0), "top_p"),
                            (dict(top_p=1.5), "top_p")]:
        with pytest.raises(ValueError, match=message):
            sample_next(logits, 1.0, rng, **kwargs)
    with pytest.raises(ValueError, match="temperature"):
        sample_next(logits, -1.0, rng)
