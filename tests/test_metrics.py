"""Tests for lmcourse.metrics: stable softmax arithmetic and the single scorer, score_text."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lmcourse.metrics import cross_entropy, log_softmax, logsumexp, softmax

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, width=64)
logit_rows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 8)), elements=finite)


# logsumexp, log_softmax, softmax ---------------------------------------------------

def test_logsumexp_small_values_match_the_naive_formula():
    z = np.array([0.5, -1.0, 2.0])
    assert math.isclose(float(logsumexp(z)), math.log(np.exp(z).sum()), rel_tol=1e-12)


def test_logsumexp_does_not_overflow_on_large_logits():
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(np.exp(np.array([1000.0, 1000.0])).sum()))  # the naive way fails
    assert math.isclose(float(logsumexp([1000.0, 1000.0])), 1000 + math.log(2))


def test_logsumexp_handles_minus_infinity():
    assert float(logsumexp([-np.inf, 0.0])) == 0.0


def test_logsumexp_rejects_empty_logits():
    with pytest.raises(ValueError, match="at least one entry"):
        logsumexp([])


def test_softmax_of_equal_logits_is_uniform():
    assert softmax([3.0, 3.0, 3.0, 3.0]).tolist() == [0.25] * 4


def test_softmax_of_huge_logits_has_no_nan():
    p = softmax([[1e4, 0.0, -1e4]])
    assert np.all(np.isfinite(p)) and p[0, 0] == 1.0


@settings(max_examples=50, deadline=None)
@given(logit_rows)
def test_softmax_is_a_distribution(z):
    p = softmax(z)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=-1), 1.0)


@settings(max_examples=50, deadline=None)
@given(logit_rows, finite)
def test_softmax_ignores_a_constant_shift(z, c):
    assert np.allclose(softmax(z), softmax(z + c), atol=1e-9)
    assert np.allclose(logsumexp(z + c), logsumexp(z) + c, rtol=1e-9, atol=1e-6)


@settings(max_examples=50, deadline=None)
@given(logit_rows)
def test_log_softmax_agrees_with_log_of_softmax_and_logsumexp_bounds(z):
    assert np.allclose(np.exp(log_softmax(z)), softmax(z), atol=1e-12)
    lse = logsumexp(z)
    assert np.all(lse >= z.max(axis=-1) - 1e-9)
    assert np.all(lse <= z.max(axis=-1) + math.log(z.shape[-1]) + 1e-9)


# cross_entropy ---------------------------------------------------------------------

def test_cross_entropy_of_uniform_logits_is_log_classes():
    assert math.isclose(cross_entropy(np.zeros((3, 65)), [0, 5, 64]), math.log(65))


def test_cross_entropy_matches_keras():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(16, 7)) * 5
    y = rng.integers(0, 7, size=16)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert math.isclose(cross_entropy(z, y), float(loss(y, z)), rel_tol=1e-5)


def test_cross_entropy_single_example():
    assert math.isclose(cross_entropy([2.0, 0.0], 0), -math.log(math.exp(2) / (math.exp(2) + 1)))


@pytest.mark.parametrize(
    ("logits", "targets", "message"),
    [
        (np.zeros((2, 3)), [0, 3], "in 0..2"),
        (np.zeros((2, 3)), [0], r"\(batch, classes\)"),
        (np.zeros((2, 3)), [0.0, 1.0], "integer"),
        (np.zeros((0, 3)), np.array([], dtype=int), "empty"),
    ],
)
def test_cross_entropy_explains_bad_input(logits, targets, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(logits, targets)


@settings(max_examples=40, deadline=None)
@given(logit_rows, st.data())
def test_cross_entropy_is_non_negative(z, data):
    y = data.draw(arrays(np.int64, z.shape[0], elements=st.integers(0, z.shape[1] - 1)))
    assert cross_entropy(z, y) >= -1e-12


# The single scorer -----------------------------------------------------------------------

from lmcourse.metrics import TextScore, score_text  # noqa: E402


def _random_bigram_table(vocab: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(vocab, vocab))


def _exact_bigram_nats(table: np.ndarray, text: np.ndarray, start: int) -> float:
    log_p = log_softmax(table)
    return float(-np.mean([log_p[text[i - 1], text[i]] for i in range(start, len(text))]))


def _bigram_logits(table):
    """A fixed-window 'model' (context 1) that looks up log-probabilities in a table."""
    return lambda x: np.log(table[np.asarray(x)[:, -1]])


def test_score_text_fixed_window_scores_every_token_once():
    table = np.array([[0.5, 0.5], [0.9, 0.1]])
    ids, prefix = [1, 0, 0, 1], [0]
    # predictions: P(1|0), P(0|1), P(0|0), P(1|0)
    expected = -np.mean(np.log([0.5, 0.9, 0.5, 0.5]))
    score = score_text(_bigram_logits(table), ids, prefix=prefix, context=1, batch_size=3)
    assert score.tokens == 4 and math.isclose(score.nats, expected)


def test_score_text_fixed_window_does_not_depend_on_batch_size():
    table = np.random.default_rng(1).dirichlet(np.ones(4), size=4)
    ids = np.random.default_rng(2).integers(0, 4, size=101)
    scores = [score_text(_bigram_logits(table), ids, prefix=[3], context=1, batch_size=b).nats for b in (1, 7, 500)]
    assert np.allclose(scores, scores[0])


def test_score_text_sequence_model_matches_the_window_model():
    table = np.random.default_rng(3).dirichlet(np.ones(5), size=5)
    ids = np.random.default_rng(4).integers(0, 5, size=53)

    def sequence(x):  # the same bigram model, predicting at every position
        return np.log(table[np.asarray(x)])

    a = score_text(_bigram_logits(table), ids, prefix=[2], context=1)
    b = score_text(sequence, ids, prefix=[2], context=10, batch_size=4)
    assert a.tokens == b.tokens == 53 and math.isclose(a.nats, b.nats)


def test_score_text_of_a_keras_mlp_is_log_vocab_at_initialisation():
    from lmcourse.models import build_mlp_lm

    model = build_mlp_lm(vocab_size=6, context=4, embed_dim=2, hidden_units=3)
    model.get_layer("logits").kernel.assign(np.zeros((3, 6)))
    score = score_text(model, np.arange(30) % 6, prefix=[0, 1, 2, 3], context=4)
    assert math.isclose(score.nats, math.log(6), rel_tol=1e-6) and "fixed window of 4" in score.method


def test_score_text_fixed_window_agrees_with_the_exact_score():
    table = _random_bigram_table(5)
    model = lambda x: table[np.asarray(x)[:, -1]]  # noqa: E731 - a fixed window of which the last id counts
    ids = np.random.default_rng(1).integers(0, 5, 200)
    prefix = np.array([1, 2, 3])
    score = score_text(model, ids, prefix=prefix, context=3, batch_size=16)
    assert isinstance(score, TextScore) and score.tokens == 200
    assert score.nats == pytest.approx(cross_entropy(table[np.concatenate([prefix, ids])[2:-1]], ids))
    assert score.nats == pytest.approx(_exact_bigram_nats(table, np.concatenate([prefix, ids]), 3))
    assert score.bits == pytest.approx(score.nats / math.log(2))
    assert "fixed window" in score.method and "nats/token" in str(score)


@pytest.mark.parametrize("context, stride", [(8, None), (8, 1), (8, 8), (5, 3)])
def test_score_text_sequence_model_scores_every_token_once(context, stride):
    table = _random_bigram_table(4, seed=2)
    model = lambda x: table[np.asarray(x)]  # noqa: E731 - causal: position t predicts from token t
    ids = np.random.default_rng(3).integers(0, 4, 97)
    prefix = np.random.default_rng(4).integers(0, 4, 20)
    score = score_text(model, ids, prefix=prefix, context=context, stride=stride, batch_size=7)
    assert score.tokens == 97
    assert score.nats == pytest.approx(_exact_bigram_nats(table, np.concatenate([prefix, ids]), 20))


@pytest.mark.parametrize("context, stride", [(8, 4), (8, 2), (6, 5)])
def test_score_text_sequence_model_gives_each_token_enough_history(context, stride):
    """Window positions with less than context − stride tokens of history are never scored."""
    def model(x):
        x = np.asarray(x)
        logits = np.zeros(x.shape + (2,))
        logits[:, : context - stride - 1, 0] = 50.0  # confidently wrong where history is short
        return logits

    ids = np.ones(50, dtype=int)  # the true next token is always 1
    score = score_text(model, ids, prefix=np.ones(context, dtype=int), context=context, stride=stride)
    assert score.nats == pytest.approx(math.log(2))


def test_score_text_carries_a_recurrent_state_across_the_whole_text():
    from lmcourse.rnn import build_char_rnn, build_step_model

    keras.utils.set_random_seed(0)
    model = build_char_rnn(6, cell="lstm", embed_dim=4, units=8)
    ids = np.random.default_rng(5).integers(0, 6, 60)
    prefix = np.random.default_rng(6).integers(0, 6, 9)
    text = np.concatenate([prefix, ids]).astype("int32")
    log_p = log_softmax(np.asarray(model(text[None, :-1]))[0])  # one pass over the whole text
    reference = -np.mean(log_p[np.arange(len(prefix) - 1, len(text) - 1), text[len(prefix):]])
    score = score_text(build_step_model(model), ids, prefix=prefix, context=7)
    assert score.tokens == 60 and "state carried" in score.method
    assert score.nats == pytest.approx(reference, abs=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(ids=[], prefix=[1], context=2), "empty"),
    (dict(ids=[0.5, 1.0], prefix=[1], context=2), "integer token ids"),
    (dict(ids=[1, 2], prefix=[], context=2), "prefix"),
    (dict(ids=[1, 2], prefix=[1], context=0), "context"),
    (dict(ids=[1, 2], prefix=[1], context=True), "context"),
    (dict(ids=[[1, 2]], prefix=[1], context=2), "1-D"),
])
def test_score_text_explains_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        score_text(lambda x: np.zeros((len(x), 3)), **kwargs)


def test_score_text_explains_a_bad_model():
    with pytest.raises(ValueError, match="expected"):
        score_text(lambda x: np.zeros(len(x)), [0, 1], prefix=[0], context=1)
    with pytest.raises(TypeError, match="Keras model"):
        score_text("not a model", [0, 1], prefix=[0], context=1)


def test_score_text_explains_a_bad_stride_and_a_short_prefix():
    seq = lambda x: np.zeros(np.asarray(x).shape + (3,))  # noqa: E731
    with pytest.raises(ValueError, match="stride"):
        score_text(seq, [1, 2], prefix=[1], context=4, stride=5)
    with pytest.raises(ValueError, match="prefix"):
        score_text(lambda x: np.zeros((len(x), 3)), [1, 2], prefix=[1], context=4)
