"""Tests of the fast n-gram engine (lmcourse.ngram_fast, imported as lmcourse.ngram): counts, smoothing, nltk.lm, metrics, sampling."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.lm import MLE, KneserNeyInterpolated, Laplace, Lidstone
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams

from lmcourse.data import load_toy_corpus
from lmcourse.ngram import (
    NgramCounts,
    NgramModel,
    NltkSetup,
    bits_per_token,
    cross_entropy,
    ngram_windows,
    nltk_setup,
    padded_ngrams,
    perplexity,
)

TOY = [line.split() for line in load_toy_corpus().splitlines()]
HELD_OUT = [["the", "bird", "sat", "on", "the", "mat", "."], ["the", "cat", "saw", "a", "dog", "."]]
WITH_UNKNOWN = [["a", "fish", "sat", "on", "the", "log", "."]]

# (name, nltk constructor, course model options)
MODELS = [
    ("MLE", lambda n: MLE(n), dict(smoothing="mle")),
    ("Laplace", lambda n: Laplace(n), dict(smoothing="add_k", k=1.0)),
    ("Lidstone", lambda n: Lidstone(0.1, n), dict(smoothing="add_k", k=0.1)),
    ("KneserNeyInterpolated", lambda n: KneserNeyInterpolated(n),
     dict(smoothing="kneser_ney", discount=0.1, nltk_compat=True)),
]


def nltk_model(make, order, sentences=TOY):
    train, vocab = padded_everygram_pipeline(order, sentences)
    lm = make(order)
    lm.fit(train, vocab)
    return lm


def nltk_test_ngrams(sentences, order):
    return [g for s in sentences for g in ngrams(pad_both_ends(s, order) if order > 1 else s, order)]


def _grams(seqs, k):
    return Counter(tuple(s[i:i + k]) for s in seqs for i in range(len(s) - k + 1))


# --- counting ---------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=12), min_size=1, max_size=5)
       .filter(lambda seqs: any(seqs)),
       st.integers(1, 4), st.booleans())
def test_counts_match_a_python_counter(seqs, order, pad):
    """Every k-gram count equals a plain Counter over the (padded) sequences; none crosses a boundary."""
    bos, eos = (5, 6) if pad else (None, None)
    counts = NgramCounts.fit([np.array(s, dtype=np.int64) for s in seqs], order, vocab_size=7, bos=bos, eos=eos)
    padded = [([5] * (order - 1) if pad else []) + s + ([6] * (order - 1) if pad else []) for s in seqs]
    for k in range(1, order + 1):
        expected = _grams(padded, k)
        assert counts.num_types(k) == len(expected)
        for gram, c in expected.items():
            assert counts.count(gram) == c
    assert counts.n_tokens == sum(len(p) for p in padded if p)


def test_counts_flat_with_lengths_equals_list_of_sequences():
    seqs = [np.array([1, 2, 3]), np.array([3, 2]), np.array([1])]
    a = NgramCounts.fit(seqs, 3, 5, bos=0, eos=4)
    b = NgramCounts.fit(np.concatenate(seqs), 3, 5, bos=0, eos=4, lengths=[3, 2, 1])
    for k in range(4):
        assert np.array_equal(a.levels[k].codes, b.levels[k].codes)
        assert np.array_equal(a.levels[k].counts, b.levels[k].counts)


def test_continuation_counts_are_distinct_left_neighbours():
    counts = NgramCounts.fit(np.array([0, 2, 1, 2, 0, 2, 3, 1]), order=2, vocab_size=4)
    unigram_rows = counts.rows(np.array([[2], [1]]))[1]
    # 2 follows 0 and 1 (twice after 0): 2 distinct left neighbours; 1 follows 2 and 3
    assert counts.levels[1].cont[unigram_rows].tolist() == [2, 2]


def test_counts_errors_say_what_to_do():
    with pytest.raises(ValueError, match="order must be at least 1"):
        NgramCounts.fit(np.array([1, 2]), 0, 3)
    with pytest.raises(ValueError, match="must lie in 0..2"):
        NgramCounts.fit(np.array([1, 3]), 2, 3)
    with pytest.raises(ValueError, match="empty"):
        NgramCounts.fit([np.array([], dtype=np.int64)], 2, 3)
    with pytest.raises(ValueError, match="encode the tokens"):
        NgramCounts.fit(np.array([0.5, 1.0]), 2, 3)
    with pytest.raises(ValueError, match="lengths add up"):
        NgramCounts.fit(np.array([1, 2]), 2, 3, lengths=[3])
    with pytest.raises(ValueError, match="gram of length"):
        NgramCounts.fit(np.array([1, 2]), 2, 3).count([1, 2, 0])
    assert "2-grams: 1" in repr(NgramCounts.fit(np.array([1, 2]), 2, 3))


# --- agreement with nltk.lm ----------------------------------------------------------------

@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("name,make,options", MODELS, ids=[m[0] for m in MODELS])
def test_probabilities_and_perplexity_agree_with_nltk(name, make, options, order):
    setup = nltk_setup(TOY, order)
    if name == "KneserNeyInterpolated" and order == 1:
        lm = nltk_model(make, order)
        with pytest.raises(ZeroDivisionError):  # nltk's quirk: no bigrams to continue from
            lm.score("cat")
        with pytest.raises(ValueError, match="order 1"):
            NgramModel(setup.counts(), **options)
        return
    lm = nltk_model(make, order)
    assert sorted(lm.vocab) == sorted(setup.vocab)
    model = NgramModel(setup.counts(), **options)
    test = setup.test_ngrams(TOY + HELD_OUT + WITH_UNKNOWN)
    worst = 0.0
    for context in {tuple(row[:-1]) for row in test}:
        ours = model.distribution(list(context))
        words = [setup.vocab[i] for i in context] or None
        theirs = np.array([lm.score(w, words) for w in setup.vocab])
        worst = max(worst, float(np.abs(ours - theirs).max()))
    assert worst <= 1e-6
    for sentences in (TOY, HELD_OUT, WITH_UNKNOWN):
        ours = model.perplexity(setup.test_ngrams(sentences))
        theirs = lm.perplexity(nltk_test_ngrams(sentences, order))
        assert (math.isinf(ours) and math.isinf(theirs)) or abs(ours - theirs) <= 1e-6 * max(1.0, theirs)


def test_nltk_kneser_ney_quirks_are_reproduced():
    """nltk's KN gives unknown words probability 0 and need not sum to 1; the course's KN does neither."""
    setup = nltk_setup(TOY, 3)
    counts = setup.counts()
    compat = NgramModel(counts, "kneser_ney", discount=0.1, nltk_compat=True)
    standard = NgramModel(counts, "kneser_ney", discount=0.1)
    unk = setup.vocab.index("<UNK>")
    the = setup.vocab.index("the")
    assert compat.prob([the, the], unk) == 0.0
    assert standard.prob([the, the], unk) > 0.0
    bos = setup.bos
    sums = [compat.distribution([bos, w]).sum() for w in range(len(setup.vocab))]
    assert max(sums) > 1 + 1e-3   # e.g. after (<s>, <s>) nltk's middle order over-counts
    lm = nltk_model(MODELS[3][1], 3)
    assert math.isclose(sum(lm.score(w, ["<s>", "<s>"]) for w in setup.vocab),
                        float(compat.distribution([bos, bos]).sum()), abs_tol=1e-9)
    for w in range(len(setup.vocab)):
        assert math.isclose(float(standard.distribution([bos, w]).sum()), 1.0, abs_tol=1e-9)


def test_padded_ngrams_match_nltk():
    setup = nltk_setup(TOY, 3)
    ours = [tuple(setup.vocab[i] for i in row) for row in setup.test_ngrams(HELD_OUT)]
    assert ours == nltk_test_ngrams(HELD_OUT, 3)
    assert padded_ngrams([[7]], order=1, bos=None, eos=None).tolist() == [[7]]
    assert padded_ngrams([[]], order=2, bos=0, eos=1).tolist() == [[0, 1]]


# --- probabilities sum to one -----------------------------------------------------------------

SMOOTHED = [dict(smoothing="add_k", k=0.5), dict(smoothing="interpolated", lambdas=None),
            dict(smoothing="kneser_ney", discount=0.75), dict(smoothing="kneser_ney", discount=1.0)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=40), st.integers(1, 4),
       st.lists(st.integers(0, 5), min_size=0, max_size=3), st.booleans(),
       st.sampled_from(range(len(SMOOTHED))))
def test_probabilities_sum_to_one(ids, order, context, pad, which):
    bos, eos = (6, 7) if pad else (None, None)
    counts = NgramCounts.fit(np.array(ids), order, vocab_size=8, bos=bos, eos=eos)
    options = dict(SMOOTHED[which])
    if options["smoothing"] == "interpolated":
        options["lambdas"] = [0.7] * order
    model = NgramModel(counts, **options)
    p = model.distribution(context)
    assert p.shape == (8,) and (p >= 0).all()
    assert math.isclose(float(p.sum()), 1.0, abs_tol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=3, max_size=30), st.integers(2, 3))
def test_mle_sums_to_one_after_a_seen_context(ids, order):
    counts = NgramCounts.fit(np.array(ids), order, vocab_size=5)
    model = NgramModel(counts, "mle")
    context = ids[: order - 1]   # seen: it starts the text and is followed by a token
    assert math.isclose(float(model.distribution(context).sum()), 1.0, abs_tol=1e-9)


def test_lower_order_model_from_higher_order_counts():
    ids = np.random.default_rng(0).integers(0, 6, 300)
    big = NgramCounts.fit(ids, 4, 6)
    small = NgramCounts.fit(ids, 2, 6)
    grams = ngram_windows(ids[:50], 4, history=ids[-3:])
    for options in SMOOTHED[:3]:
        options = dict(options)
        if options["smoothing"] == "interpolated":
            options["lambdas"] = [0.6, 0.9]
        a = NgramModel(big, order=2, **options).probs(grams)
        b = NgramModel(small, **options).probs(grams)
        assert np.allclose(a, b, rtol=0, atol=1e-12)


def test_mle_gives_zero_to_unseen_ngrams_and_infinite_perplexity():
    counts = NgramCounts.fit(np.array([0, 1, 0, 1]), 2, 3)
    mle = NgramModel(counts, "mle")
    assert mle.prob([0], 1) == 1.0 and mle.prob([1], 1) == 0.0
    assert mle.perplexity(np.array([[0, 1], [1, 1]])) == math.inf
    assert NgramModel(counts, "add_k", k=1.0).perplexity(np.array([[0, 1], [1, 1]])) < math.inf


def test_add_k_formula():
    counts = NgramCounts.fit(np.array([0, 1, 0, 2, 0, 1]), 2, 4)
    model = NgramModel(counts, "add_k", k=0.5)
    assert math.isclose(model.prob([0], 1), (2 + 0.5) / (3 + 0.5 * 4))
    assert math.isclose(model.prob([3], 1), 1 / 4)   # an unseen context: uniform


def test_interpolation_formula():
    counts = NgramCounts.fit(np.array([0, 1, 0, 2]), 2, 3)
    model = NgramModel(counts, "interpolated", lambdas=[0.5, 0.8])
    unigram = 0.5 * (1 / 4) + 0.5 * (1 / 3)   # count(1) = 1 of 4 tokens, mixed with uniform 1/3
    assert math.isclose(model.prob([0], 1), 0.8 * (1 / 2) + 0.2 * unigram)


def test_model_errors_say_what_to_do():
    counts = NgramCounts.fit(np.array([0, 1, 2]), 2, 3)
    with pytest.raises(ValueError, match="smoothing must be one of"):
        NgramModel(counts, "good_turing")
    with pytest.raises(ValueError, match="order must be between 1 and"):
        NgramModel(counts, "mle", order=3)
    with pytest.raises(ValueError, match="k > 0"):
        NgramModel(counts, "add_k", k=0)
    with pytest.raises(ValueError, match="discount"):
        NgramModel(counts, "kneser_ney", discount=1.5)
    with pytest.raises(ValueError, match="2 lambdas"):
        NgramModel(counts, "interpolated", lambdas=[0.5])
    with pytest.raises(ValueError, match="2-D"):
        NgramModel(counts, "mle").probs(np.array([0, 1]))
    with pytest.raises(ValueError, match="must lie in"):
        NgramModel(counts, "mle").probs(np.array([[0, 5]]))
    assert "add_k" in repr(NgramModel(counts, "add_k", k=0.1))


# --- windows, metrics, sampling -----------------------------------------------------------------

def test_ngram_windows():
    assert ngram_windows([1, 2, 3], 2).tolist() == [[1, 2], [2, 3]]
    assert ngram_windows([1, 2, 3], 3, history=[8, 9]).tolist() == [[8, 9, 1], [9, 1, 2], [1, 2, 3]]
    assert ngram_windows([4], 1).tolist() == [[4]]
    with pytest.raises(ValueError, match="too few"):
        ngram_windows([1], 3)
    with pytest.raises(ValueError, match="1-D"):
        ngram_windows(np.zeros((2, 2), dtype=int), 2)


def test_metrics():
    lp = np.log([0.5, 0.25, 0.125])
    assert math.isclose(cross_entropy(lp), 2 * math.log(2))
    assert math.isclose(perplexity(lp), 4.0)
    assert math.isclose(bits_per_token(lp), 2.0)
    assert perplexity([0.0, -np.inf]) == math.inf
    with pytest.raises(ValueError, match="empty"):
        cross_entropy([])


@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=50))
def test_perplexity_is_exp_cross_entropy_and_two_to_the_bits(probs):
    lp = np.log(probs)
    assert math.isclose(perplexity(lp), math.exp(cross_entropy(lp)), rel_tol=1e-9)
    assert math.isclose(perplexity(lp), 2 ** bits_per_token(lp), rel_tol=1e-9)
    assert 1.0 <= perplexity(lp) <= 1 / min(probs) + 1e-9


def test_sampling_is_seeded_and_follows_the_model():
    ids = np.array([0, 1, 2] * 20)
    model = NgramModel(NgramCounts.fit(ids, 2, 4), "mle")
    assert model.sample(6, context=[0], seed=1) == [1, 2, 0, 1, 2, 0]   # MLE here is deterministic
    smooth = NgramModel(NgramCounts.fit(ids, 2, 4), "add_k", k=1.0)
    assert smooth.sample(20, seed=3) == smooth.sample(20, seed=3)
    assert 3 not in smooth.sample(50, seed=0, banned=[3])
    assert smooth.sample(50, seed=0, stop=2)[-1] == 2
    assert model.sample(0) == []
    with pytest.raises(ValueError, match="probability 0"):
        model.sample(1, context=[3])
    with pytest.raises(ValueError, match="non-negative"):
        model.sample(-1)


@pytest.mark.parametrize("size", [1_000, 10**9, 2**62])   # bincount, packed sort, argsort
def test_count_codes_matches_np_unique(size: int) -> None:
    from lmcourse.ngram_fast import _count_codes

    codes = np.random.default_rng(0).integers(0, min(size, 700), 500)
    table, counts, inverse = _count_codes(codes, size, with_inverse=True)
    expected = np.unique(codes, return_inverse=True, return_counts=True)
    assert np.array_equal(table, expected[0]) and np.array_equal(inverse, expected[1])
    assert np.array_equal(counts, expected[2])
    table, counts, inverse = _count_codes(codes, size)
    assert inverse is None and np.array_equal(table, expected[0]) and np.array_equal(counts, expected[2])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), min_size=0, max_size=10), min_size=1, max_size=4)
       .filter(lambda seqs: any(seqs)), st.integers(2, 4))
def test_huge_vocabularies_code_prefixes_by_row(seqs, order):
    """When vocab_size**k overflows int64 the tables code prefixes by row; counts and models are unchanged."""
    arrays = [np.array(s, dtype=np.int64) for s in seqs]
    small = NgramCounts.fit(arrays, order, vocab_size=7, bos=5, eos=6)
    huge = NgramCounts.fit(arrays, order, vocab_size=2**31, bos=5, eos=6)   # 2**62 fits, 2**93 does not
    assert [level.ranked for level in huge.levels[1:]] == [False, False] + [True] * (order - 2)
    for k in range(1, order + 1):
        assert np.array_equal(small.grams(k), huge.grams(k))
        assert np.array_equal(small.levels[k].counts, huge.levels[k].counts)
        for stat in ("follow_total", "follow_types", "cont", "cont_total", "cont_types"):
            assert np.array_equal(getattr(small.levels[k], stat), getattr(huge.levels[k], stat)), (k, stat)
    grams = padded_ngrams(arrays + [np.array([0, 3, 4, 1])], order, 5, 6)
    for k in range(1, order + 1):
        assert np.array_equal(small.rows(grams)[k], huge.rows(grams)[k])


def test_grams_read_the_tables_back_as_ids() -> None:
    counts = NgramCounts.fit(np.array([3, 1, 4, 1, 5]), order=2, vocab_size=6)
    assert counts.grams(1).tolist() == [[1], [3], [4], [5]]
    assert counts.grams(2).tolist() == [[1, 4], [1, 5], [3, 1], [4, 1]]
    assert counts.levels[2].codes.tolist() == [1 * 6 + 4, 1 * 6 + 5, 3 * 6 + 1, 4 * 6 + 1]
    assert counts.grams(0).shape == (1, 0)
    with pytest.raises(ValueError, match="between 0 and the order 2"):
        counts.grams(3)


def test_an_nltk_setup_made_by_hand_encodes_like_nltk_setup() -> None:
    setup = nltk_setup(TOY, 2)
    by_hand = NltkSetup(setup.order, setup.vocab, setup.train_ids, setup.train_lengths, setup.bos, setup.eos)
    sentence = ["the", "cat", "zebra", "."]
    assert by_hand.encode(sentence).tolist() == setup.encode(sentence).tolist()
    assert setup.vocab[setup.encode(["zebra"])[0]] == "<UNK>"


# --- issue 11: windows with a long history, and bad input gets a clear error --------------------

@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_windows_make_one_row_per_evaluated_id_whatever_the_history(order):
    """History beyond order-1 ids is context only: no row may predict a history id."""
    ids, history = [3, 4, 5], [6, 7, 8, 9]
    rows = ngram_windows(ids, order, history=history)
    assert rows.shape == (len(ids), order)
    assert rows[:, -1].tolist() == ids  # each evaluated id predicted exactly once
    assert ngram_windows([3, 4, 5], 2, history=[8, 9]).tolist() == [[9, 3], [3, 4], [4, 5]]
    assert ngram_windows([3], 3, history=[7, 8, 9]).tolist() == [[8, 9, 3]]


def test_float_ids_are_refused_not_truncated():
    counts = NgramCounts.fit(np.array([0, 1, 2, 0, 1]), 2, 3)
    model = NgramModel(counts, "add_k", k=1.0)
    with pytest.raises(ValueError, match="grams must hold integer token ids, got dtype float64"):
        model.probs([[0.9, 1.9, 2.9]])
    with pytest.raises(ValueError, match="integer token ids"):
        model.prob([0.9], 1)
    with pytest.raises(ValueError, match="token must be an integer token id"):
        model.prob([0], 1.9)
    with pytest.raises(ValueError, match="context must hold integer token ids"):
        model.distribution([0.5])
    with pytest.raises(ValueError, match="gram must hold integer token ids"):
        counts.count([0.9, 1.2])
    assert model.probs(np.array([[0, 1]], dtype=np.int32)).shape == (1,)  # any integer dtype is fine


@pytest.mark.parametrize("bad", [2.5, True, "3", np.float64(2.0)])
def test_order_must_be_a_whole_number(bad):
    words = "order must be a whole number (an int such as 3)"
    with pytest.raises(TypeError, match=re_escape(words)):
        NgramCounts.fit(np.array([0, 1, 2]), bad, 3)
    with pytest.raises(TypeError, match=re_escape(words)):
        padded_ngrams([[0, 1]], bad, bos=None, eos=None)
    with pytest.raises(TypeError, match=re_escape(words)):
        ngram_windows([0, 1, 2], bad)
    with pytest.raises(TypeError, match=re_escape(words)):
        nltk_setup(TOY, bad)
    counts = NgramCounts.fit(np.array([0, 1, 2]), 2, 3)
    with pytest.raises(TypeError, match=re_escape(words)):
        NgramModel(counts, "mle", order=bad)  # at once, not later at prob()
    assert NgramModel(counts, "mle", order=np.int64(1)).order == 1


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


def test_a_string_among_the_sentences_is_refused_not_split_into_characters():
    with pytest.raises(ValueError, match=r"sentence 1 is a string \('the dog'\)"):
        nltk_setup([["the", "cat"], "the dog"], 2)
    setup = nltk_setup(TOY, 2)
    with pytest.raises(ValueError, match="sentence 0 is a string"):
        setup.test_ngrams(["the cat sat"])
    with pytest.raises(ValueError, match="sentence is a string"):
        setup.encode("the cat")
    with pytest.raises(ValueError, match=r"sequences\[1\] is a string"):
        NgramCounts.fit([[0, 1], "ab"], 2, 3)


def test_a_used_up_generator_is_a_clear_error():
    def sentences():
        yield from ([0, 1, 2], [2, 1])

    used = sentences()
    assert len(list(used)) == 2
    for call in (lambda g: NgramCounts.fit(g, 2, 3), lambda g: padded_ngrams(g, 2, bos=None, eos=None)):
        with pytest.raises(ValueError, match="generator.*read only once"):
            call(used)
    with pytest.raises(ValueError, match="generator.*read only once"):
        nltk_setup(iter([]), 2)
    setup = nltk_setup(TOY, 2)
    with pytest.raises(ValueError, match="generator.*read only once"):
        setup.test_ngrams(iter([]))
    fresh = NgramCounts.fit(sentences(), 2, 3)  # a fresh generator is fine
    assert fresh.count([2]) == 2 and fresh.count([1, 2]) == 1
    assert nltk_setup((s for s in TOY), 2).vocab == nltk_setup(TOY, 2).vocab


def test_a_negative_length_is_named():
    with pytest.raises(ValueError, match=r"lengths\[1\] is -1"):
        NgramCounts.fit(np.array([0, 1, 2]), 2, 3, lengths=[4, -1])
    with pytest.raises(ValueError, match="lengths must be whole numbers"):
        NgramCounts.fit(np.array([0, 1, 2]), 2, 3, lengths=[1.5, 1.5])
    with pytest.raises(ValueError, match="lengths add up to 2 but the array has 3 ids"):
        padded_ngrams(np.array([0, 1, 2]), 2, 0, 1, lengths=[1, 1])


def test_padding_ids_that_are_also_tokens_are_refused():
    ids = [np.array([1, 2, 3]), np.array([3, 0])]
    with pytest.raises(ValueError, match=r"bos=0 is also a token of the text \(sequence 1, position 1\)"):
        NgramCounts.fit(ids, 2, 5, bos=0, eos=4)
    with pytest.raises(ValueError, match=r"eos=3 is also a token of the text \(sequence 0, position 2\)"):
        padded_ngrams(ids, 3, bos=4, eos=3)
    with pytest.raises(TypeError, match="bos must be a token id"):
        NgramCounts.fit(ids, 2, 6, bos=5.0, eos=4)
    assert NgramCounts.fit(ids, 1, 5, bos=0, eos=3).n_tokens == 5  # order 1: no padding, no clash
    # nltk.lm's own quirk, reproduced on purpose: a literal "<s>" in the text is the padding token
    setup = nltk_setup([["<s>", "a"]], 2)
    assert setup.counts().count([setup.bos, setup.bos]) == 1  # the padding, then the literal "<s>"
    assert setup.counts().count([setup.bos]) == 2
