"""Tests for lmcourse.word2vec: subsampling, noise, pairs, the tf.data pipeline, the model, evaluation."""

from __future__ import annotations

import math
from collections import Counter

import keras
import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.word2vec import (
    WordVectors,
    analogy,
    build_sgns_model,
    embedding_from_vectors,
    evaluate_analogies,
    evaluate_similarity,
    keep_probabilities,
    nearest_neighbours,
    noise_distribution,
    noise_table,
    read_analogy_questions,
    read_word_pairs,
    sgns_dataset,
    sgns_loss,
    sgns_sgd,
    skipgram_pairs,
    subsample,
    write_projector_files,
)

LAWS = settings(max_examples=100, deadline=None)
counts_strategy = st.lists(st.integers(1, 10_000), min_size=1, max_size=50)


# Subsampling and noise ---------------------------------------------------------------

def test_keep_probabilities_follow_the_word2vec_code_rule():
    counts = np.array([5000, 300, 20, 1])
    total, t = counts.sum(), 1e-2
    expected = [min(1.0, (math.sqrt(c / total / t) + 1) * t * total / c) for c in counts]
    np.testing.assert_allclose(keep_probabilities(counts, sample=t), expected)


@LAWS
@given(counts_strategy, st.sampled_from([1e-1, 1e-2, 1e-3, 1e-5]))
def test_keep_probabilities_are_probabilities_and_fall_with_frequency(counts, t):
    keep = keep_probabilities(counts, sample=t)
    assert ((keep > 0) & (keep <= 1)).all()
    order = np.argsort(counts, kind="stable")
    assert (np.diff(keep[order]) <= 1e-12).all()  # more frequent: kept less often


def test_keep_probabilities_sample_zero_and_errors():
    assert keep_probabilities([10, 1], sample=0).tolist() == [1.0, 1.0]
    assert keep_probabilities([10, 0], sample=1e-3)[1] == 1.0  # an unseen word: nothing to drop
    with pytest.raises(ValueError, match="sample"):
        keep_probabilities([1, 2], sample=-1)
    with pytest.raises(ValueError, match="non-empty"):
        keep_probabilities([])
    with pytest.raises(ValueError, match="non-negative"):
        keep_probabilities([-1, 2])


@LAWS
@given(counts_strategy)
def test_noise_distribution_laws(counts):
    noise = noise_distribution(counts)
    assert math.isclose(noise.sum(), 1.0, rel_tol=1e-9)
    np.testing.assert_allclose(noise_distribution(counts, power=1.0), np.array(counts) / sum(counts))
    np.testing.assert_allclose(noise_distribution(counts, power=0.0), 1 / len(counts))
    unigram = np.array(counts) / sum(counts)
    # the 3/4 power flattens: the most frequent word loses share, the rarest gains
    assert noise[np.argmax(counts)] <= unigram.max() + 1e-12
    assert noise[np.argmin(counts)] >= unigram.min() - 1e-12


def test_subsample_keeps_at_the_right_rate():
    rng = np.random.default_rng(0)
    ids = np.repeat([0, 1], 20_000)
    kept = subsample(ids, np.array([0.25, 1.0]), rng)
    assert kept[20_000:].all()
    assert abs(kept[:20_000].mean() - 0.25) < 0.02
    with pytest.raises(ValueError, match="ids must lie"):
        subsample(np.array([2]), np.array([0.5, 0.5]), rng)


def test_noise_table_gives_each_word_its_share_of_slots():
    noise = noise_distribution([1000, 300, 20, 1, 0])
    table = noise_table(noise, size=100_000)
    assert table.dtype == np.int32 and table.shape == (100_000,)
    slots = np.bincount(table, minlength=5)
    assert (np.abs(slots - noise * 100_000) <= 1).all()  # p · size slots, give or take one
    assert slots[4] == 0  # a word of probability 0 is never drawn
    assert (np.diff(table) >= 0).all()  # laid out in word order


@LAWS
@given(counts_strategy, st.integers(1, 5_000))
def test_noise_table_laws(counts, size):
    noise = noise_distribution(counts)
    table = noise_table(noise, size=size)
    assert len(table) == size and table.min() >= 0 and table.max() < len(counts)
    assert (np.abs(np.bincount(table, minlength=len(counts)) - noise * size) <= 1 + 1e-9).all()


def test_noise_table_errors():
    with pytest.raises(ValueError, match="probability vector"):
        noise_table([3, 1])  # counts, not probabilities
    with pytest.raises(ValueError, match="probability vector"):
        noise_table([])
    with pytest.raises(ValueError, match="size"):
        noise_table([0.5, 0.5], size=0)


# Skip-gram pairs ----------------------------------------------------------------------

def test_skipgram_pairs_full_window_on_one_sentence():
    c, x = skipgram_pairs(np.arange(4), np.zeros(4, int), 1, np.random.default_rng(0), shuffle=False)
    assert sorted(zip(c.tolist(), x.tolist(), strict=True)) == [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)]


@LAWS
@given(st.lists(st.integers(0, 3), min_size=1, max_size=60), st.integers(1, 6), st.integers(0, 10_000))
def test_skipgram_pairs_stay_in_window_and_document(doc_lengths_seed, window, seed):
    doc_ids = np.sort(np.array(doc_lengths_seed))
    positions = np.arange(len(doc_ids))  # ids are positions, so each pair tells its distance
    c, x = skipgram_pairs(positions, doc_ids, window, np.random.default_rng(seed), shuffle=True)
    assert c.dtype == np.int32 and c.shape == x.shape
    distance = np.abs(c - x)
    assert ((distance >= 1) & (distance <= window)).all()
    assert (doc_ids[c] == doc_ids[x]).all()
    # each center pairs symmetrically: it has as many left as right partners at most window each
    per_center = Counter(c.tolist())
    assert all(n <= 2 * window for n in per_center.values())


def test_skipgram_pairs_dynamic_window_weights_near_words_more():
    ids = np.arange(20_000)
    c, x = skipgram_pairs(ids, np.zeros_like(ids), 5, np.random.default_rng(0))
    share = np.bincount(np.abs(c - x), minlength=6)[1:] / len(ids) / 2
    np.testing.assert_allclose(share, [1.0, 0.8, 0.6, 0.4, 0.2], atol=0.02)  # P(b >= d) = (6 - d) / 5


def test_skipgram_pairs_subsampling_and_errors():
    ids = np.zeros(1000, int)
    c, _ = skipgram_pairs(ids, np.zeros(1000, int), 2, np.random.default_rng(0), keep_prob=np.array([0.0]))
    assert len(c) == 0
    with pytest.raises(ValueError, match="same length"):
        skipgram_pairs(np.arange(3), np.zeros(2, int), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="window"):
        skipgram_pairs(np.arange(3), np.zeros(3, int), 0, np.random.default_rng(0))


# The tf.data pipeline -----------------------------------------------------------------

def test_sgns_dataset_shapes_labels_and_noise():
    n, batch, k = 4096, 512, 4
    noise = np.array([0.7, 0.2, 0.1, 0.0])
    ds = sgns_dataset(np.arange(n) % 4, np.arange(n) % 3, noise_table(noise, 1000), negatives=k, batch_size=batch,
                      seed=3)
    batches = list(ds)
    assert len(batches) == n // batch
    (center, targets), labels = batches[0]
    assert center.shape == (batch,) and targets.shape == (batch, 1 + k) and labels.shape == (batch, 1 + k)
    assert (labels.numpy() == np.eye(1, 1 + k)).all()
    np.testing.assert_array_equal(center.numpy(), np.arange(batch) % 4)  # pairs keep their order
    np.testing.assert_array_equal(targets[:, 0].numpy(), np.arange(batch) % 3)  # the context column
    negatives = np.concatenate([t[:, 1:].numpy().ravel() for (_, t), _ in batches])
    assert negatives.max() <= 2  # a word of zero probability is never drawn
    np.testing.assert_allclose(np.bincount(negatives, minlength=4) / negatives.size, noise, atol=0.01)


def test_sgns_dataset_is_deterministic_per_seed():
    table = noise_table(np.full(10, 0.1), 100)

    def negs(seed):
        ds = sgns_dataset(np.zeros(64), np.zeros(64), table, negatives=3, batch_size=32, seed=seed)
        return np.concatenate([t[:, 1:].numpy() for (_, t), _ in ds])
    np.testing.assert_array_equal(negs(1), negs(1))
    assert not np.array_equal(negs(1), negs(2))


def test_sgns_dataset_errors():
    table = noise_table(np.full(4, 0.25), 8)
    with pytest.raises(ValueError, match="no full batch"):
        sgns_dataset(np.zeros(3), np.zeros(3), table, negatives=1, batch_size=4)
    with pytest.raises(ValueError, match="noise_table"):
        sgns_dataset(np.zeros(8), np.zeros(8), np.full(4, 0.25), negatives=1, batch_size=4)  # probabilities
    with pytest.raises(ValueError, match="negatives"):
        sgns_dataset(np.zeros(8), np.zeros(8), table, negatives=0, batch_size=4)
    with pytest.raises(ValueError, match="same length"):
        sgns_dataset(np.zeros(8), np.zeros(7), table, negatives=1, batch_size=4)


# The model ----------------------------------------------------------------------------

def test_sgns_loss_matches_the_formula():
    logits = np.array([[2.0, -1.0, 0.5]], dtype="float32")
    labels = np.array([[1.0, 0.0, 0.0]], dtype="float32")

    def log_sigmoid(z):
        return -math.log1p(math.exp(-z))

    expected = -(log_sigmoid(2.0) + log_sigmoid(1.0) + log_sigmoid(-0.5))
    assert math.isclose(float(sgns_loss(labels, logits)[0]), expected, rel_tol=1e-5)


def test_sgns_model_structure_and_scores():
    model = build_sgns_model(30, 4, negatives=2)
    center = model.get_layer("center_embedding").embeddings.numpy()
    assert np.abs(center).max() <= 0.5 / 4
    assert (model.get_layer("context_embedding").embeddings.numpy() == 0).all()
    model.get_layer("context_embedding").embeddings.assign(np.arange(120, dtype="float32").reshape(30, 4))
    scores = model([np.array([5], "int32"), np.array([[1, 2, 3]], "int32")]).numpy()
    u = np.arange(120, dtype="float32").reshape(30, 4)
    np.testing.assert_allclose(scores[0], u[[1, 2, 3]] @ center[5], rtol=1e-5)
    with pytest.raises(ValueError, match="vocab_size"):
        build_sgns_model(1, 4, 2)


def test_sgns_sgd_scales_the_per_pair_rate_and_decays_linearly():
    opt = sgns_sgd(0.02, batch_size=50, total_steps=10, min_learning_rate=0.002)
    schedule = opt._learning_rate
    np.testing.assert_allclose([float(schedule(step)) for step in (0, 5, 10, 20)], [1.0, 0.55, 0.1, 0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="min_learning_rate"):
        sgns_sgd(0.01, 10, 10, min_learning_rate=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        sgns_sgd(0.01, 0, 10)


def test_sgns_sgd_step_equals_summed_per_pair_steps_and_leaves_other_rows():
    """One batch step = word2vec's per-pair step summed over the batch; rows not looked up stay put."""
    keras.utils.set_random_seed(1)
    model = build_sgns_model(20, 4, negatives=2)
    rng = np.random.default_rng(1)
    model.get_layer("context_embedding").embeddings.assign(rng.normal(size=(20, 4)).astype("float32"))
    v0 = model.get_layer("center_embedding").embeddings.numpy()
    u0 = model.get_layer("context_embedding").embeddings.numpy()
    center, targets = np.array([1, 2, 1], "int32"), np.array([[3, 4, 5], [6, 3, 7], [8, 9, 4]], "int32")
    labels = np.tile(np.eye(1, 3, dtype="float32"), (3, 1))
    model.compile(optimizer=sgns_sgd(0.1, batch_size=3, total_steps=100), loss=sgns_loss)
    model.train_on_batch((center, targets), labels)
    dv, du = np.zeros_like(v0), np.zeros_like(u0)
    for c, row, y in zip(center, targets, labels, strict=True):
        g = 1 / (1 + np.exp(-(u0[row] @ v0[c]))) - y  # d loss / d score, per score
        dv[c] += g @ u0[row]
        np.add.at(du, row, g[:, None] * v0[c])
    np.testing.assert_allclose(model.get_layer("center_embedding").embeddings.numpy(), v0 - 0.1 * dv, atol=1e-5)
    np.testing.assert_allclose(model.get_layer("context_embedding").embeddings.numpy(), u0 - 0.1 * du, atol=1e-5)
    untouched = np.setdiff1d(np.arange(20), np.concatenate([center, targets.ravel()]))
    np.testing.assert_array_equal(model.get_layer("center_embedding").embeddings.numpy()[untouched], v0[untouched])


def test_sgns_training_separates_real_pairs_from_noise():
    """Two clusters of words that co-occur only within their cluster end up apart."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    ids = np.concatenate([rng.integers(0, 5, 2000), rng.integers(5, 10, 2000)])
    doc_ids = np.repeat([0, 1], 2000)
    table = noise_table(noise_distribution(np.bincount(ids, minlength=10)), 1000)
    model = build_sgns_model(10, 8, negatives=3)
    c, x = skipgram_pairs(ids, doc_ids, 2, rng)
    steps = len(c) // 256
    model.compile(optimizer=sgns_sgd(0.05, batch_size=256, total_steps=3 * steps), loss=sgns_loss,
                  steps_per_execution=4)
    losses = []
    for epoch in range(3):
        c, x = skipgram_pairs(ids, doc_ids, 2, rng)
        history = model.fit(sgns_dataset(c, x, table, negatives=3, batch_size=256, seed=epoch), verbose=0,
                            shuffle=False)
        losses.append(history.history["loss"][-1])
    assert int(model.optimizer.iterations) >= 3 * steps - 3  # every batch ran, steps_per_execution or not
    assert losses[-1] < losses[0]
    wv = WordVectors([str(i) for i in range(10)], model.get_layer("center_embedding").embeddings.numpy())
    unit = wv.unit()
    sims = unit @ unit.T
    within = np.mean([sims[i, j] for i in range(10) for j in range(10) if i != j and (i < 5) == (j < 5)])
    across = np.mean([sims[i, j] for i in range(5) for j in range(5, 10)])
    assert within > across + 0.5


# WordVectors and neighbours -----------------------------------------------------------

def test_word_vectors_checks_its_input():
    with pytest.raises(ValueError, match="one row per word"):
        WordVectors(["a", "b"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="unique"):
        WordVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(KeyError, match="not in the vocabulary"):
        WordVectors(["a"], np.zeros((1, 2)))["b"]
    np.testing.assert_allclose(np.linalg.norm(WordVectors(["a", "b"], [[3.0, 4.0], [0.0, 0.0]]).unit(), axis=1),
                               [1.0, 0.0])


def _toy_keyed_vectors(seed: int = 0, n: int = 300, dim: int = 20) -> tuple[WordVectors, KeyedVectors]:
    """Random vectors for the words of the Google analogy set and WordSim-353, in one fixed order."""
    questions = read_analogy_questions(datapath("questions-words.txt"))
    words = list(dict.fromkeys(w for q in questions[::40] for w in q[1:]))[:n]
    words += [w.lower() for w, _, _ in read_word_pairs(datapath("wordsim353.tsv"))[:60]]
    words = list(dict.fromkeys(words))
    matrix = np.random.default_rng(seed).normal(size=(len(words), dim)).astype(np.float32)
    kv = KeyedVectors(dim)
    kv.add_vectors(words, matrix)
    return WordVectors(words, matrix), kv


def test_nearest_neighbours_agree_with_gensim():
    wv, kv = _toy_keyed_vectors()
    word = wv.words[3]
    ours = nearest_neighbours(wv, word, k=5)
    theirs = kv.most_similar(word, topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)
    with pytest.raises(KeyError):
        nearest_neighbours(wv, "no-such-word")


def test_analogy_agrees_with_gensim():
    wv, kv = _toy_keyed_vectors()
    a, b, c = wv.words[:3]
    ours = analogy(wv, a, b, c, k=3)
    theirs = kv.most_similar(positive=[b, c], negative=[a], topn=3)
    assert [w for w, _ in ours] == [w for w, _ in theirs]


# Evaluation ---------------------------------------------------------------------------

def test_readers_parse_the_gensim_files():
    wordsim = read_word_pairs(datapath("wordsim353.tsv"))
    simlex = read_word_pairs(datapath("simlex999.txt"))
    questions = read_analogy_questions(datapath("questions-words.txt"))
    assert len(wordsim) == 353 and len(simlex) == 999 and len(questions) == 19544
    assert wordsim[0] == ("love", "sex", 6.77)
    assert questions[0] == ("capital-common-countries", "athens", "greece", "baghdad", "iraq")


def test_readers_reject_bad_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("one two\n")
    with pytest.raises(ValueError, match="word1"):
        read_word_pairs(bad)
    with pytest.raises(ValueError, match="4 words"):
        read_analogy_questions(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(ValueError, match="no word pairs"):
        read_word_pairs(empty)


def test_evaluate_similarity_agrees_with_gensim():
    wv, kv = _toy_keyed_vectors(seed=1)
    pearson, spearman, oov = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    ours = evaluate_similarity(wv, read_word_pairs(datapath("wordsim353.tsv")))
    assert math.isclose(ours["spearman"], spearman.statistic, abs_tol=1e-6)
    assert math.isclose(100 * ours["oov_share"], oov, abs_tol=1e-9)
    assert ours["pairs_used"] == round(353 * (1 - oov / 100))


def test_evaluate_similarity_perfect_and_empty():
    wv = WordVectors(["a", "b", "c"], [[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    assert evaluate_similarity(wv, [("A", "b", 9.0), ("a", "c", 1.0), ("b", "c", 5.0)])["spearman"] == 1.0
    assert math.isnan(evaluate_similarity(wv, [("a", "x", 1.0)])["spearman"])
    with pytest.raises(ValueError, match="no word pairs"):
        evaluate_similarity(wv, [])


def test_evaluate_analogies_agrees_with_gensim():
    wv, kv = _toy_keyed_vectors(seed=2)
    # random vectors: few answers are right, but both must skip and score the same questions
    questions = read_analogy_questions(datapath("questions-words.txt"))
    score, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=200)
    ours = evaluate_analogies(wv, questions, restrict=200)
    total = sections[-1]
    assert ours["in_vocab"] == len(total["correct"]) + len(total["incorrect"])
    assert math.isclose(ours["accuracy"], score, abs_tol=1e-9)


def test_evaluate_analogies_finds_planted_answers_and_checks_input():
    words = ["a", "b", "c", "d", "e"]
    matrix = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 1.1], [0.0, -1.0]])
    result = evaluate_analogies(WordVectors(words, matrix),
                                [("s", "a", "b", "c", "d"), ("gram1", "a", "b", "c", "e"), ("s", "a", "b", "z", "d")])
    assert result == {"accuracy": 0.5, "semantic": 1.0, "syntactic": 0.0, "in_vocab": 2, "questions": 3,
                      "semantic_in_vocab": 1, "syntactic_in_vocab": 1}
    with pytest.raises(ValueError, match="no analogy questions"):
        evaluate_analogies(WordVectors(words, matrix), [])


def test_write_projector_files(tmp_path):
    wv = WordVectors(["the", "cat", "sat"], np.arange(6, dtype=float).reshape(3, 2))
    vectors, meta = write_projector_files(wv, tmp_path / "out", limit=2)
    assert vectors.read_text().splitlines() == ["0\t1", "2\t3"]
    assert meta.read_text().splitlines() == ["the", "cat"]


def test_embedding_from_vectors_rescales_known_words_and_starts_the_rest_small():
    rng = np.random.default_rng(0)
    wv = WordVectors(["good", "bad", "plot"], rng.normal(0, 3.0, (3, 8)))
    vocabulary = ["", "[UNK]", "bad", "unseen", "good"]
    matrix = embedding_from_vectors(vocabulary, wv, scale=0.2, seed=1)
    assert matrix.shape == (5, 8) and matrix.dtype == np.float32
    factor = 0.2 / wv.matrix.std()
    np.testing.assert_allclose(matrix[2], wv["bad"] * factor, rtol=1e-5)
    np.testing.assert_allclose(matrix[4], wv["good"] * factor, rtol=1e-5)
    for row in (0, 1, 3):  # padding, [UNK] and a word without a vector: Keras' default start
        assert np.all(np.abs(matrix[row]) <= 0.05)
    np.testing.assert_array_equal(matrix, embedding_from_vectors(vocabulary, wv, scale=0.2, seed=1))
    larger = embedding_from_vectors(vocabulary, wv, scale=0.2, rows=7, seed=1)
    assert larger.shape == (7, 8) and np.all(np.abs(larger[5:]) <= 0.05)
    np.testing.assert_allclose(larger[4], matrix[4])


def test_embedding_from_vectors_says_what_is_wrong():
    wv = WordVectors(["good"], [[1.0, 2.0]])
    with pytest.raises(ValueError, match="vocabulary is empty"):
        embedding_from_vectors([], wv)
    with pytest.raises(ValueError, match="scale must be positive"):
        embedding_from_vectors(["good"], wv, scale=0.0)
    with pytest.raises(ValueError, match="rows"):
        embedding_from_vectors(["good", "bad"], wv, rows=1)
    with pytest.raises(ValueError, match="standardised the same way"):
        embedding_from_vectors(["Good", "GOOD!"], wv)
