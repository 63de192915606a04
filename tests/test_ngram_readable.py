"""Tests of the readable n-gram module (lmcourse.ngram), and that it agrees with the fast engine."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.data import load_toy_corpus
from lmcourse.ngram import (
    KneserNey,
    NgramCounts,
    NgramModel,
    add_k_prob,
    continuation_counts,
    count_ngrams,
    followers,
    interpolated_prob,
    mle_prob,
    ngram_windows,
    nltk_setup,
)

TOY = [line.split() for line in load_toy_corpus().splitlines()]


def readable_prob(counts, smoothing, context, word, vocab_size, kn=None, **options):
    """P(word | context) from the readable functions, chosen by the fast engine's smoothing names."""
    if smoothing == "mle":
        return mle_prob(counts, followers(counts)[0], context, word)
    if smoothing == "add_k":
        return add_k_prob(counts, followers(counts)[0], context, word, options["k"], vocab_size)
    if smoothing == "interpolated":
        return interpolated_prob(counts, followers(counts)[0], context, word, options["lambdas"], vocab_size)
    return kn.prob(context, word)


SETTINGS = [dict(smoothing="mle"), dict(smoothing="add_k", k=0.5), dict(smoothing="add_k", k=1.0),
            dict(smoothing="interpolated"), dict(smoothing="kneser_ney", discount=0.75),
            dict(smoothing="kneser_ney", discount=1.0), dict(smoothing="kneser_ney", discount=0.0)]


def assert_same_probabilities(sequences, order, vocab_size, bos=None, eos=None, model_order=None, **options):
    """Every P(w | context) of the readable module equals the fast engine's, for every context of
    the padded sequences (and a few never seen) and every word of the vocabulary."""
    model_order = model_order or order
    pad = order - 1 if order > 1 else 0
    padded = [([bos] * pad if bos is not None else []) + list(s) + ([eos] * pad if eos is not None else [])
              for s in sequences]
    readable = sum((count_ngrams(s, order) for s in padded), Counter())
    fast_counts = NgramCounts.fit([np.array(s, dtype=np.int64) for s in sequences], order, vocab_size,
                                  bos=bos, eos=eos)
    options = dict(options)
    if options["smoothing"] == "interpolated":
        options["lambdas"] = [0.9, 0.6, 0.75, 0.5][:model_order]
    fast = NgramModel(fast_counts, order=model_order, **options)
    kn = KneserNey(readable, options["discount"], vocab_size) if options["smoothing"] == "kneser_ney" else None
    keep = model_order - 1
    contexts = {tuple(s[max(0, i - keep):i]) for s in padded for i in range(len(s) + 1)}
    contexts |= {tuple([vocab_size - 1] * keep), tuple(range(keep))}   # probably never seen
    for context in contexts:
        ours = np.array([readable_prob(readable, word=w, context=context, vocab_size=vocab_size, kn=kn, **options)
                         for w in range(vocab_size)])
        theirs = fast.distribution(list(context)) if len(context) == keep else fast.probs(
            np.array([list(context) + [w] for w in range(vocab_size)], dtype=np.int64).reshape(vocab_size, -1))
        assert np.allclose(ours, theirs, rtol=0, atol=1e-12), (context, options, ours, theirs)


# --- the readable version agrees with the fast engine -------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=30), st.integers(1, 4),
       st.sampled_from(range(len(SETTINGS))))
def test_one_stream_same_probabilities_as_the_fast_engine(ids, order, which):
    assert_same_probabilities([ids], order, vocab_size=7, **SETTINGS[which])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=8), min_size=1, max_size=4)
       .filter(lambda seqs: sum(map(len, seqs)) >= 1),
       st.integers(2, 4), st.sampled_from(range(len(SETTINGS))))
def test_padded_sentences_same_probabilities_as_the_fast_engine(seqs, order, which):
    """Sentences padded with <s> (id 5) and </s> (id 6), counted one by one and added up."""
    assert_same_probabilities(seqs, order, vocab_size=7, bos=5, eos=6, **SETTINGS[which])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=3, max_size=30), st.integers(2, 4),
       st.sampled_from(range(len(SETTINGS))))
def test_a_lower_order_model_reads_higher_order_counts(ids, order, which):
    """A bigram model over 4-gram counts (shorter contexts) gives the readable bigram probabilities."""
    assert_same_probabilities([ids], order, vocab_size=6, model_order=order - 1 or 1, **SETTINGS[which])


def test_short_contexts_at_the_start_of_a_text_agree():
    ids = [0, 1, 2, 0, 1, 1, 2, 0]
    counts = count_ngrams(ids, 3)
    kn = KneserNey(counts, 0.8, 3)
    model = NgramModel(NgramCounts.fit(np.array(ids), 3, 3), "kneser_ney", discount=0.8)
    windows = ngram_windows(ids, 3)   # no history: the first rows are still 3 wide
    for row in windows:
        assert math.isclose(kn.prob(row[:-1].tolist(), int(row[-1])), float(model.probs(row[None])[0]),
                            abs_tol=1e-12)
    # a context of one token (the very start of the text) is a bigram model
    assert math.isclose(kn.prob([0], 1), float(model.probs(np.array([[0, 1]]))[0]), abs_tol=1e-12)


def test_toy_corpus_kneser_ney_worked_example():
    """Lesson 01's worked example: P(sat | the cat) = 0.0966564 (trigrams, d = 0.75, |V| = 21)."""
    padded = [["<s>", "<s>"] + s + ["</s>", "</s>"] for s in TOY]
    counts = sum((count_ngrams(s, 3) for s in padded), Counter())
    kn = KneserNey(counts, discount=0.75, vocab_size=21)
    assert round(kn.prob(["the", "cat"], "sat"), 7) == 0.0966564
    setup = nltk_setup(TOY, 3)
    ids = {w: i for i, w in enumerate(setup.vocab)}
    fast = NgramModel(setup.counts(), "kneser_ney", discount=0.75)
    assert math.isclose(kn.prob(["the", "cat"], "sat"), fast.prob([ids["the"], ids["cat"]], ids["sat"]),
                        abs_tol=1e-12)


def test_toy_counts_equal_the_fast_counts():
    padded = [["<s>", "<s>"] + s + ["</s>", "</s>"] for s in TOY]
    counts = sum((count_ngrams(s, 3) for s in padded), Counter())
    setup = nltk_setup(TOY, 3)
    fast = setup.counts()
    ids = {w: i for i, w in enumerate(setup.vocab)}
    for gram, c in counts.items():
        assert fast.count([ids[w] for w in gram]) == c
    for k in (1, 2, 3):
        assert sum(len(g) == k for g in counts) == fast.num_types(k)
    assert counts[("the",)] == 19 and counts[("the", "cat")] == 6 and counts[("<s>", "<s>", "the")] == 8


# --- the readable functions themselves ------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=25), st.integers(1, 4))
def test_counts_and_followers(ids, order):
    counts = count_ngrams(ids, order)
    for k in range(1, order + 1):
        grams = [tuple(ids[i:i + k]) for i in range(len(ids) - k + 1)]
        assert {g: c for g, c in counts.items() if len(g) == k} == Counter(grams)
    total, types = followers(counts)
    assert total[()] == len(ids) and types[()] == len(set(ids))
    for gram in counts:   # c(h •) = Σ_w c(h w): the last occurrence of the text's end is followed by nothing
        if len(gram) < order:
            assert total[gram] == sum(counts[gram + (w,)] for w in set(ids))
            assert types[gram] == sum(counts[gram + (w,)] > 0 for w in set(ids))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=2, max_size=25), st.integers(1, 4),
       st.lists(st.integers(0, 4), max_size=3), st.floats(0.0, 1.0))
def test_smoothed_distributions_sum_to_one(ids, order, context, discount):
    counts = count_ngrams(ids, order)
    total, _ = followers(counts)
    context = context[-(order - 1):] if order > 1 else []
    kn = KneserNey(counts, discount, 5)
    for p in ([add_k_prob(counts, total, context, w, 0.3, 5) for w in range(5)],
              [interpolated_prob(counts, total, context, w, [0.7] * order, 5) for w in range(5)],
              [kn.prob(context, w) for w in range(5)]):
        assert math.isclose(sum(p), 1.0, abs_tol=1e-12) and min(p) >= 0


def test_mle_gives_zero_to_the_unseen():
    counts = count_ngrams("abab", 2)
    total, _ = followers(counts)
    assert mle_prob(counts, total, "a", "b") == 1.0
    assert mle_prob(counts, total, "a", "a") == 0.0
    assert mle_prob(counts, total, "z", "a") == 0.0   # a context never seen
    assert add_k_prob(counts, total, "z", "a", 1.0, 4) == 0.25   # add-k: uniform there


def test_continuation_counts_count_distinct_left_neighbours():
    words = "san francisco san francisco the cat a cat black cat the cat".split()
    cont = continuation_counts(count_ngrams(words, 2))
    assert cont[("francisco",)] == 1 and cont[("cat",)] == 3 and cont[("zebra",)] == 0


def test_numpy_ids_count_as_plain_numbers():
    counts = count_ngrams(np.array([1, 2, 1]), 2)
    assert counts[(1, 2)] == 1 and all(type(t) is int for g in counts for t in g)


@pytest.mark.parametrize("bad", [0, -1])
def test_order_must_be_at_least_one(bad):
    with pytest.raises(ValueError, match="order must be at least 1"):
        count_ngrams([1, 2, 3], bad)
    with pytest.raises(TypeError):
        count_ngrams([1, 2, 3], 2.5)


def test_kneser_ney_refuses_a_discount_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        KneserNey(count_ngrams("ab", 2), 1.5, 2)


def test_a_one_token_text_has_no_continuations_and_uses_raw_counts():
    """No bigram at all: both versions fall back on raw unigram counts (the fast engine used to divide by 0)."""
    for smoothing in SETTINGS:
        assert_same_probabilities([[3]], 2, vocab_size=5, **smoothing)


def test_the_fast_engine_is_what_lmcourse_ngram_exports():
    import lmcourse.ngram as readable
    import lmcourse.ngram_fast as fast

    for name in fast.__all__:
        assert getattr(readable, name) is getattr(fast, name)
        assert name in readable.__all__
