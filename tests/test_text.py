"""Tests for lmcourse.text: tokenizers, Vocab, word statistics and next-token windows."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.text import (
    DEFAULT_SPECIALS,
    PAD,
    UNK,
    Vocab,
    char_detokenize,
    char_tokenize,
    fit_zipf,
    make_windows,
    next_token_dataset,
    oov_rate,
    rank_frequency,
    strip_html,
    word_detokenize,
    word_tokenize,
)

LAWS = settings(max_examples=200, deadline=None)


# Tokenizers -----------------------------------------------------------------------

@LAWS
@given(st.text())
def test_char_round_trip(text):
    tokens = char_tokenize(text)
    assert len(tokens) == len(text)
    assert all(len(t) == 1 for t in tokens)
    assert char_detokenize(tokens) == text


def test_char_tokenize_example():
    assert char_tokenize("Hi!\n a") == ["H", "i", "!", "\n", " ", "a"]
    assert char_tokenize("") == []
    assert char_detokenize(iter(["a", "b"])) == "ab"


# The full Unicode range (hypothesis' default text strategy) is used: an exhaustive
# check of every code point, alone and between letters, found no counter-example.
@LAWS
@given(st.text(), st.booleans())
def test_word_tokenize_is_stable_under_detokenize(text, lowercase):
    tokens = word_tokenize(text, lowercase=lowercase)
    assert word_tokenize(word_detokenize(tokens), lowercase=lowercase) == tokens
    assert all(token and not any(ch.isspace() for ch in token) for token in tokens)


@LAWS
@given(st.text(alphabet=st.sampled_from("abcXYZ019_'’ ,.!?-\n\t")))
def test_word_tokenize_law_on_apostrophe_heavy_text(text):
    tokens = word_tokenize(text)
    assert word_tokenize(word_detokenize(tokens)) == tokens
    assert all(t == t.lower() for t in tokens)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't panic, Arthur!", ["don't", "panic", ",", "arthur", "!"]),
        ("rock 'n' roll", ["rock", "'", "n", "'", "roll"]),
        ("the cats' toys", ["the", "cats", "'", "toys"]),
        ("o'clock y'all'd", ["o'clock", "y'all'd"]),
        ("Hello...world?!", ["hello", ".", ".", ".", "world", "?", "!"]),
        ("snake_case 42 3.14", ["snake_case", "42", "3", ".", "14"]),
        ("  \n\t ", []),
        ("", []),
        ("Élan CAFÉ", ["élan", "café"]),
        ("a-b", ["a", "-", "b"]),
    ],
)
def test_word_tokenize_examples(text, expected):
    assert word_tokenize(text) == expected


def test_word_tokenize_lowercase_flag():
    assert word_tokenize("Don't Panic", lowercase=False) == ["Don't", "Panic"]
    assert word_tokenize("Don't Panic") == ["don't", "panic"]


def test_word_detokenize():
    assert word_detokenize(["hello", ",", "world"]) == "hello , world"
    assert word_detokenize([]) == ""
    assert word_detokenize(iter(["a"])) == "a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Great.<br /><br />Loved it.", "Great.  Loved it."),
        ("a<br>b<BR/>c<Br  />d", "a b c d"),
        ("no breaks <b>bold</b>", "no breaks <b>bold</b>"),
        ("", ""),
        ("a\x85b\u2028c\x0cd", "a b c d"),
    ],
)
def test_strip_html(text, expected):
    assert strip_html(text) == expected


# Vocab ----------------------------------------------------------------------------

TOKENS = "the cat sat on the mat the cat ran".split()


def test_vocab_build_frequency_order_and_specials():
    vocab = Vocab.build(TOKENS)
    assert vocab.id_to_token[:2] == [PAD, UNK]
    assert DEFAULT_SPECIALS == (PAD, UNK)
    # most frequent first; ties keep the first-seen order
    assert vocab.id_to_token[2:] == ["the", "cat", "sat", "on", "mat", "ran"]
    assert vocab.pad_id == 0 and vocab.unk_id == 1
    assert vocab.specials == (PAD, UNK)
    assert len(vocab) == 8


def test_vocab_ids_are_dense_and_invertible():
    vocab = Vocab.build(TOKENS)
    assert sorted(vocab.token_to_id.values()) == list(range(len(vocab)))
    for i, token in enumerate(vocab.id_to_token):
        assert vocab.token_to_id[token] == i
        assert vocab.decode([i]) == [token]
        assert token in vocab
    assert "dog" not in vocab


def test_vocab_build_min_freq():
    vocab = Vocab.build(TOKENS, min_freq=2)
    assert vocab.id_to_token == [PAD, UNK, "the", "cat"]


def test_vocab_build_max_size_counts_specials():
    vocab = Vocab.build(TOKENS, max_size=4)
    assert vocab.id_to_token == [PAD, UNK, "the", "cat"]
    assert len(Vocab.build(TOKENS, max_size=100)) == 8


def test_vocab_build_sorted_order():
    vocab = Vocab.build("abracadabra", specials=(), order="sorted")
    assert vocab.id_to_token == ["a", "b", "c", "d", "r"]
    assert vocab.pad_id is None and vocab.unk_id is None


def test_vocab_build_characters_frequency():
    vocab = Vocab.build("abracadabra", specials=())
    assert vocab.id_to_token == ["a", "b", "r", "c", "d"]
    assert vocab.encode("cab").tolist() == [3, 0, 1]


def test_vocab_build_custom_specials_are_not_duplicated():
    vocab = Vocab.build(["<s>", "a", "a", "<s>", "b"], specials=("<pad>", "<unk>", "<s>"))
    assert vocab.id_to_token == ["<pad>", "<unk>", "<s>", "a", "b"]


def test_vocab_encode_unknown_maps_to_unk():
    vocab = Vocab.build(TOKENS)
    ids = vocab.encode(["the", "dog", "cat", "zebra"])
    assert ids.dtype == np.int32
    assert ids.tolist() == [2, 1, 3, 1]
    assert vocab.decode(ids) == ["the", UNK, "cat", UNK]
    assert vocab.encode([]).tolist() == []


def test_vocab_encode_without_unk_names_the_token():
    vocab = Vocab.build(TOKENS, specials=(PAD,))
    assert vocab.unk_id is None and vocab.pad_id == 0
    with pytest.raises(KeyError) as info:
        vocab.encode(["the", "unicorn"])
    assert "unicorn" in str(info.value)
    assert UNK in str(info.value)


vocab_tokens = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=30)


@LAWS
@given(vocab_tokens, st.data())
def test_vocab_decode_encode_round_trip(stream, data):
    vocab = Vocab.build(stream)
    known = list(vocab.id_to_token)
    tokens = data.draw(st.lists(st.sampled_from(known), max_size=20))
    ids = vocab.encode(tokens)
    assert ids.shape == (len(tokens),)
    assert vocab.decode(ids) == tokens
    assert ((ids >= 0) & (ids < len(vocab))).all()
    assert sorted(vocab.token_to_id.values()) == list(range(len(vocab)))


def test_vocab_decode_rejects_out_of_range():
    vocab = Vocab.build(TOKENS)
    with pytest.raises(IndexError, match="outside"):
        vocab.decode([0, len(vocab)])
    with pytest.raises(IndexError):
        vocab.decode([-1])


def test_vocab_decode_tensor_and_2d():
    vocab = Vocab.build(TOKENS)
    ids = vocab.encode(["the", "cat", "sat", "on"])
    assert vocab.decode(tf.constant(ids)) == ["the", "cat", "sat", "on"]
    assert vocab.decode(ids.reshape(2, 2)) == ["the", "cat", "sat", "on"]
    assert vocab.decode(tf.constant(ids.reshape(2, 2), dtype=tf.int64)) == ["the", "cat", "sat", "on"]
    assert vocab.decode(np.array([], dtype=np.int32)) == []


def test_vocab_save_load_round_trip(tmp_path):
    vocab = Vocab.build(TOKENS + ["café", "naïve"], specials=(PAD, UNK, "<s>"))
    path = tmp_path / "vocab.json"
    vocab.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tokens"] == vocab.id_to_token
    assert "café" in path.read_text(encoding="utf-8")  # not escaped
    loaded = Vocab.load(path)
    assert loaded.id_to_token == vocab.id_to_token
    assert loaded.specials == vocab.specials
    assert loaded.token_to_id == vocab.token_to_id
    assert loaded.encode(["café", "nope"]).tolist() == vocab.encode(["café", "nope"]).tolist()


def test_vocab_save_load_without_specials(tmp_path):
    vocab = Vocab.build("hello", specials=(), order="sorted")
    vocab.save(str(tmp_path / "chars.json"))
    loaded = Vocab.load(str(tmp_path / "chars.json"))
    assert loaded.id_to_token == ["e", "h", "l", "o"]
    assert loaded.specials == ()


@pytest.mark.parametrize("content", [[1, 2, 3], {"tokens": ["a"]}, {"specials": []}, "text"])
def test_vocab_load_rejects_other_json(tmp_path, content):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match="not a vocabulary file"):
        Vocab.load(path)


def test_vocab_build_empty_stream():
    with pytest.raises(ValueError, match="empty"):
        Vocab.build([])
    with pytest.raises(ValueError, match="empty"):
        Vocab.build("")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_freq": 0}, "min_freq"),
        ({"min_freq": -2}, "min_freq"),
        ({"max_size": 2}, "max_size"),
        ({"max_size": 0}, "max_size"),
        ({"order": "alphabetical"}, "order"),
    ],
)
def test_vocab_build_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Vocab.build(TOKENS, **kwargs)


def test_vocab_max_size_one_without_specials_is_allowed():
    assert Vocab.build(TOKENS, specials=(), max_size=1).id_to_token == ["the"]


def test_vocab_duplicate_tokens():
    with pytest.raises(ValueError, match="unique"):
        Vocab(["a", "b", "a"])
    with pytest.raises(ValueError, match="unique"):
        Vocab(["a"], specials=("<x>", "<x>"))
    with pytest.raises(ValueError, match="at least one"):
        Vocab([], specials=())


def test_vocab_constructor_drops_specials_from_tokens():
    vocab = Vocab([UNK, "a", PAD, "b"])
    assert vocab.id_to_token == [PAD, UNK, "a", "b"]


def test_vocab_repr():
    small = Vocab(["a", "b"])
    assert repr(small) == "Vocab(size=4, first=['<pad>', '<unk>', 'a', 'b'])"
    large = Vocab(list("abcdefghij"))
    assert repr(large) == (
        "Vocab(size=12, first=['<pad>', '<unk>', 'a', 'b', 'c', 'd', 'e', 'f', …])"
    )


# oov_rate ---------------------------------------------------------------------------

def test_oov_rate_with_vocab():
    vocab = Vocab.build(["a", "b"])
    assert oov_rate(vocab, ["a", "c", "c", "b"]) == 0.5
    assert oov_rate(vocab, ["a", "b"]) == 0.0
    # specials never count as known
    assert oov_rate(vocab, [UNK, PAD, "a", "a"]) == 0.5


def test_oov_rate_with_set_and_list():
    assert oov_rate({"a", "b"}, ["a", "b", "c", "d"]) == 0.5
    assert oov_rate(["x"], ["y", "y", "y"]) == 1.0
    assert oov_rate(set(), ["y"]) == 1.0


def test_oov_rate_empty():
    with pytest.raises(ValueError, match="empty"):
        oov_rate({"a"}, [])


# rank_frequency and fit_zipf ------------------------------------------------------

def test_rank_frequency():
    ranks, counts = rank_frequency("the cat the dog the cat a".split())
    assert ranks.tolist() == [1, 2, 3, 4]
    assert counts.tolist() == [3, 2, 1, 1]


@LAWS
@given(st.lists(st.sampled_from("abcdefg"), min_size=1))
def test_rank_frequency_laws(tokens):
    ranks, counts = rank_frequency(tokens)
    assert ranks.tolist() == list(range(1, len(set(tokens)) + 1))
    assert (np.diff(counts) <= 0).all()
    assert counts.sum() == len(tokens)


def test_rank_frequency_empty():
    with pytest.raises(ValueError, match="no tokens"):
        rank_frequency([])


def test_fit_zipf_recovers_exponent():
    ranks = np.arange(1, 201)
    counts = 5000.0 * ranks ** -1.2
    s, c = fit_zipf(ranks, counts)
    assert s == pytest.approx(1.2, abs=1e-9)
    assert c == pytest.approx(5000.0, rel=1e-9)


def test_fit_zipf_rank_window_and_zero_counts():
    ranks = np.arange(1, 101)
    counts = 100.0 * ranks ** -0.8
    counts[:10] = 1e6  # outliers outside the window
    counts[-5:] = 0  # zero counts are ignored
    s, c = fit_zipf(ranks, counts, min_rank=11, max_rank=90)
    assert s == pytest.approx(0.8, abs=1e-9)
    assert c == pytest.approx(100.0, rel=1e-9)


def test_fit_zipf_needs_two_points():
    with pytest.raises(ValueError, match="at least two"):
        fit_zipf(np.array([1]), np.array([10]))
    with pytest.raises(ValueError, match="at least two"):
        fit_zipf(np.arange(1, 5), np.array([10, 0, 0, 0]))
    with pytest.raises(ValueError, match="at least two"):
        fit_zipf(np.arange(1, 50), np.ones(49), min_rank=10, max_rank=10)


# make_windows -------------------------------------------------------------------------

def test_make_windows_example():
    x, y = make_windows(np.arange(7), 3)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert y.tolist() == [[1, 2, 3], [4, 5, 6]]
    x, y = make_windows([5, 6], 1)
    assert x.tolist() == [[5]] and y.tolist() == [[6]]


@LAWS
@given(st.data())
def test_make_windows_targets_are_inputs_shifted_by_one(data):
    seq_len = data.draw(st.integers(1, 12), label="seq_len")
    n = data.draw(st.integers(seq_len + 1, 80), label="n")
    ids = np.asarray(data.draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n)))
    x, y = make_windows(ids, seq_len)
    count = (n - 1) // seq_len
    assert x.shape == y.shape == (count, seq_len)
    assert np.array_equal(x[:, 1:], y[:, :-1])
    for k in range(count):
        for j in range(seq_len):
            assert x[k, j] == ids[k * seq_len + j]
            assert y[k, j] == ids[k * seq_len + j + 1]


@pytest.mark.parametrize(("n", "seq_len"), [(0, 1), (1, 1), (3, 3), (9, 9), (5, 8)])
def test_make_windows_too_short(n, seq_len):
    with pytest.raises(ValueError, match="too few"):
        make_windows(np.arange(n), seq_len)


def test_make_windows_bad_input():
    with pytest.raises(ValueError, match="1-D"):
        make_windows(np.arange(12).reshape(3, 4), 2)
    with pytest.raises(ValueError, match="seq_len"):
        make_windows(np.arange(12), 0)


# next_token_dataset -----------------------------------------------------------------

def _batches(ds):
    return [(x.numpy(), y.numpy()) for x, y in ds]


def test_next_token_dataset_static_shapes_and_targets():
    ids = np.arange(1000, 1203)  # 202 // 10 = 20 windows -> 6 batches of 3, 2 dropped
    ds = next_token_dataset(ids, seq_len=10, batch_size=3, seed=1)
    x_spec, y_spec = ds.element_spec
    assert x_spec.shape.is_fully_defined() and y_spec.shape.is_fully_defined()
    assert tuple(x_spec.shape) == tuple(y_spec.shape) == (3, 10)
    assert x_spec.dtype == y_spec.dtype == tf.int32
    batches = _batches(ds)
    assert len(batches) == 6
    seen = []
    for x, y in batches:
        assert x.shape == y.shape == (3, 10)
        assert np.array_equal(y, x + 1)  # ids are consecutive: the target is the next id
        seen.extend(x[:, 0].tolist())
    assert len(set(seen)) == 18
    assert all((s - 1000) % 10 == 0 for s in seen)


def test_next_token_dataset_no_shuffle_keeps_order():
    ids = np.arange(41)
    batches = _batches(next_token_dataset(ids, seq_len=5, batch_size=2, shuffle=False))
    x, y = make_windows(ids, 5)
    assert len(batches) == 4
    assert np.array_equal(np.concatenate([b[0] for b in batches]), x)
    assert np.array_equal(np.concatenate([b[1] for b in batches]), y)


def test_next_token_dataset_seeds():
    ids = np.arange(2001)  # 200 windows of 10

    def first_batch(seed):
        return next(iter(next_token_dataset(ids, seq_len=10, batch_size=8, seed=seed)))[0].numpy()

    a, b, c = first_batch(3), first_batch(3), first_batch(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, make_windows(ids, 10)[0][:8])  # actually shuffled


def test_next_token_dataset_too_few_windows():
    with pytest.raises(ValueError, match="batch_size"):
        next_token_dataset(np.arange(21), seq_len=10, batch_size=3)
    with pytest.raises(ValueError, match="batch_size"):
        next_token_dataset(np.arange(21), seq_len=10, batch_size=0)
    with pytest.raises(ValueError, match="too few"):
        next_token_dataset(np.arange(5), seq_len=10, batch_size=1)


def test_random_window_dataset_draws_windows_at_every_offset():
    from lmcourse.text import random_window_dataset

    ids = np.arange(1000)
    ds = random_window_dataset(ids, seq_len=10, batch_size=64, seed=3)
    starts = set()
    for x, y in ds.take(20):
        x, y = x.numpy(), y.numpy()
        assert x.shape == (64, 10) and np.array_equal(y, x + 1)  # consecutive ids, targets shifted by one
        starts.update(x[:, 0].tolist())
    assert max(starts) <= 1000 - 11 and len({s % 10 for s in starts}) == 10  # not only multiples of seq_len
    again = next(iter(random_window_dataset(ids, seq_len=10, batch_size=64, seed=3)))[0].numpy()
    assert np.array_equal(again, next(iter(ds))[0].numpy())  # seeded


@pytest.mark.parametrize("kwargs, message", [
    (dict(ids=[[1, 2]], seq_len=1, batch_size=1), "1-D"), (dict(ids=[1.5, 2.5], seq_len=1, batch_size=1), "integer"),
    (dict(ids=[1, 2, 3], seq_len=0, batch_size=1), "seq_len"), (dict(ids=[1, 2], seq_len=2, batch_size=1), "too few"),
])
def test_random_window_dataset_explains_bad_input(kwargs, message):
    from lmcourse.text import random_window_dataset

    with pytest.raises(ValueError, match=message):
        random_window_dataset(**kwargs)


def _padded(lengths, width, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.zeros((len(lengths), width), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(2, 50, length)
    return ids


def test_batches_by_length_cover_every_row_once_with_the_width_it_needs():
    from lmcourse.text import batches_by_length

    lengths = np.random.default_rng(1).integers(1, 300, 1000)
    ids = _padded(lengths, 300)
    for seed in (None, 0, 1):
        batches = batches_by_length(ids, batch_size=64, step=64, seed=seed)
        rows = np.concatenate([r for r, _ in batches])
        assert sorted(rows.tolist()) == list(range(1000))  # every row once
        for r, width in batches:
            assert lengths[r].max() <= width <= 300 and (width % 64 == 0 or width == 300)
            assert width - lengths[r].max() < 64  # no whole step of padding
        assert len({w for _, w in batches}) <= 5  # a few shapes: 64, 128, 192, 256, 300
    unseeded = [w for _, w in batches_by_length(ids, 64, 64)]
    assert unseeded == sorted(unseeded)  # shortest first without a seed
    a, b = (batches_by_length(ids, 64, 64, seed=s) for s in (0, 1))
    assert [r.tolist() for r, _ in a] != [r.tolist() for r, _ in b]  # a new seed makes new batches
    assert [r.tolist() for r, _ in a] == [r.tolist() for r, _ in batches_by_length(ids, 64, 64, seed=0)]


def test_batches_by_length_keep_an_all_padding_row():
    from lmcourse.text import batches_by_length

    (rows, width), = batches_by_length(np.zeros((2, 8), dtype=np.int32), batch_size=4, step=4)
    assert sorted(rows.tolist()) == [0, 1] and width == 4


def test_length_bucketed_dataset_yields_every_row_with_its_label_and_reshuffles():
    from lmcourse.text import length_bucketed_dataset

    lengths = np.random.default_rng(2).integers(1, 100, 200)
    ids = _padded(lengths, 100)
    labels = np.arange(200)
    ds = length_bucketed_dataset(ids, labels, batch_size=32, step=16, seed=5)
    assert int(ds.cardinality()) == 7
    epochs = []
    for _ in range(2):
        seen = []
        for x, y in ds:
            x, y = x.numpy(), y.numpy()
            assert np.array_equal(x, ids[y, : x.shape[1]]) and not ids[y, x.shape[1]:].any()  # only padding cut
            seen.append(y.tolist())
        assert sorted(sum(seen, [])) == list(range(200))
        epochs.append(seen)
    assert epochs[0] != epochs[1]  # new batches every epoch


def test_predict_by_length_returns_row_order_and_matches_full_width_for_a_masked_model():
    import keras

    from lmcourse.text import predict_by_length

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(50, 8, mask_zero=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(keras.layers.LSTM(4)(x)))
    ids = _padded(np.random.default_rng(3).integers(1, 40, 50), 40).astype(np.int32)
    full = model.predict(ids, verbose=0)[:, 0]
    fast = predict_by_length(model, ids, batch_size=16, step=8)
    assert fast.shape == (50,) and np.allclose(fast, full, atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda f: f(np.array([1, 2, 3]), 2), "2-D"), (lambda f: f(np.zeros((0, 4), int), 2), "non-empty"),
    (lambda f: f(np.ones((2, 2)), 2), "integer"), (lambda f: f(np.ones((2, 2), int), 0), "batch_size"),
    (lambda f: f(np.ones((2, 2), int), 2, step=1.5), "step"),
])
def test_batching_by_length_explains_bad_input(call, message):
    from lmcourse.text import batches_by_length, length_bucketed_dataset, predict_by_length

    with pytest.raises(ValueError, match=message):
        call(batches_by_length)
    with pytest.raises(ValueError, match=message):
        call(lambda ids, batch_size, step=64: predict_by_length(object(), ids, batch_size, step))
    with pytest.raises(ValueError, match=message):
        call(lambda ids, batch_size, step=64: length_bucketed_dataset(ids, np.zeros(len(ids)), batch_size, step))
    with pytest.raises(ValueError, match="one label per row"):
        length_bucketed_dataset(np.ones((3, 2), int), np.zeros(2), 2)
