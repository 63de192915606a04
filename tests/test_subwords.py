"""Subwords: the BPE loop, applying merges, the fast trainer, head-and-tail truncation."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmcourse.subwords import (
    apply_bpe,
    encode_reviews,
    head_and_tail,
    learn_bpe,
    merge_pair,
    pair_counts,
    train_bpe_tokenizer,
)


def test_pair_counts_and_merge():
    words = {("l", "o", "w"): 5, ("l", "o", "o"): 1}
    assert pair_counts(words) == Counter({("l", "o"): 6, ("o", "w"): 5, ("o", "o"): 1})
    assert merge_pair(words, ("o", "o")) == {("l", "o", "w"): 5, ("l", "oo"): 1}
    assert merge_pair({("a", "a", "a"): 1}, ("a", "a")) == {("aa", "a"): 1}  # left to right, no overlap


def test_learn_bpe_takes_the_most_frequent_pair_first():
    merges = learn_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, num_merges=4)
    assert merges[:2] == [("e", "s"), ("es", "t")]  # 9 occurrences each
    assert learn_bpe({"a": 3}, num_merges=5) == []  # nothing left to merge


@settings(max_examples=40, deadline=None)
@given(words=st.dictionaries(st.text("abc", min_size=1, max_size=6), st.integers(1, 5), min_size=1, max_size=6),
       n=st.integers(0, 10))
def test_bpe_segments_every_word_back_into_itself(words, n):
    merges = learn_bpe(words, n)
    for word in words:
        assert "".join(apply_bpe(word, merges)) == word
    assert len(merges) == len(set(merges))


def test_train_bpe_tokenizer_round_trips_and_has_the_specials():
    texts = ["this film was great", "this film was awful", "a great cast"] * 30
    tok = train_bpe_tokenizer(texts, vocab_size=300)
    assert [tok.token_to_id(t) for t in ("<pad>", "<sep>", "<unk>", "<mask>")] == [0, 1, 2, 3]
    ids = encode_reviews(tok, ["This film was GREAT", "ünïcode ☺ works"])
    assert tok.decode(ids[0]).strip() == "this film was great"
    assert tok.decode(ids[1]).strip() == "ünïcode ☺ works"  # byte-level: nothing is unknown
    with pytest.raises(ValueError, match="vocab_size"):
        train_bpe_tokenizer(texts, vocab_size=100)


def test_head_and_tail():
    out = head_and_tail([[1, 2, 3, 4, 5, 6, 7], [8], []], 5)
    assert out.tolist() == [[1, 2, 5, 6, 7], [8, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
    assert out.dtype == np.int32
    with pytest.raises(ValueError, match="length"):
        head_and_tail([[1]], 1)
