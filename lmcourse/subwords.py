"""Subword vocabularies (lab 09): byte-pair encoding written out, and a fast trainer for real corpora.

Lab 09 writes :func:`pair_counts`, :func:`merge_pair` and :func:`learn_bpe` in
its cells and runs them on the toy corpus; a repository test keeps those cells
and this module the same code. For 75,000 movie reviews the course uses the
Hugging Face ``tokenizers`` library (Rust, the same algorithm), through
:func:`train_bpe_tokenizer`.

    >>> merges = learn_bpe({"low": 5, "lower": 2, "lowest": 3}, num_merges=2)
    >>> merges
    [('l', 'o'), ('lo', 'w')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = [
    "PAD_TOKEN",
    "SEP_TOKEN",
    "apply_bpe",
    "encode_reviews",
    "head_and_tail",
    "learn_bpe",
    "merge_pair",
    "pair_counts",
    "train_bpe_tokenizer",
]

PAD_TOKEN, SEP_TOKEN, UNK_TOKEN, MASK_TOKEN = "<pad>", "<sep>", "<unk>", "<mask>"


def pair_counts(words: dict[tuple[str, ...], int]) -> Counter:
    """How often each pair of adjacent symbols occurs, over words given as symbol tuples with counts."""
    pairs: Counter = Counter()
    for symbols, count in words.items():
        for pair in pairwise(symbols):
            pairs[pair] += count
    return pairs


def merge_pair(words: dict[tuple[str, ...], int], pair: tuple[str, str]) -> dict[tuple[str, ...], int]:
    """Every word with each occurrence of ``pair`` fused into one symbol."""
    merged = {}
    for symbols, count in words.items():
        out, i = [], 0
        while i < len(symbols):
            if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
                out.append(symbols[i] + symbols[i + 1])
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        merged[tuple(out)] = merged.get(tuple(out), 0) + count
    return merged


def learn_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Byte-pair encoding (Sennrich et al., 2016): repeatedly fuse the most frequent adjacent pair."""
    words = {tuple(word): count for word, count in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = pair_counts(words)
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))  # most frequent; ties: alphabetical
        words = merge_pair(words, best)
        merges.append(best)
    return merges


def apply_bpe(word: str, merges: Sequence[tuple[str, str]]) -> list[str]:
    """Split a word into subwords by replaying the merges in the order they were learned.

    >>> apply_bpe("lowest", [("l", "o"), ("lo", "w"), ("e", "s")])
    ['low', 'es', 't']
    """
    words = {tuple(word): 1}
    for pair in merges:
        words = merge_pair(words, tuple(pair))
    return list(next(iter(words)))


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int, *, min_frequency: int = 2) -> Any:
    """A byte-level BPE tokenizer trained on ``texts`` with the ``tokenizers`` library.

    Byte-level (as GPT-2): every string can be encoded, no unknown tokens;
    lower-cased, with ``<pad>`` = id 0, ``<sep>`` (between documents) = 1,
    ``<unk>`` = 2 and ``<mask>`` = 3.

    >>> tok = train_bpe_tokenizer(["a good film", "a bad film"] * 50, vocab_size=300)
    >>> tok.token_to_id("<pad>"), tok.decode(tok.encode("a good film").ids).strip()
    (0, 'a good film')
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 260:
        raise ValueError(f"vocab_size must be an integer of at least 260 (256 bytes + 4 specials), got {vocab_size!r}")
    tokenizer = Tokenizer(models.BPE(unk_token=UNK_TOKEN))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=int(vocab_size), min_frequency=min_frequency, show_progress=False,
                                  special_tokens=[PAD_TOKEN, SEP_TOKEN, UNK_TOKEN, MASK_TOKEN],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def encode_reviews(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of each text (batched in Rust: fast)."""
    return [encoding.ids for encoding in tokenizer.encode_batch(list(texts))]


def head_and_tail(ids: Sequence[Sequence[int]], length: int, pad_id: int = 0) -> np.ndarray:
    """Fit each sequence to ``length``: whole if short enough (padded at the end), else its first and
    last ``length // 2`` tokens (where reviews state their verdict; Sun et al., 2019).

    >>> head_and_tail([[1, 2, 3, 4, 5, 6], [7, 8]], 4).tolist()
    [[1, 2, 5, 6], [7, 8, 0, 0]]
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 2:
        raise ValueError(f"length must be an integer of at least 2, got {length!r}")
    out = np.full((len(ids), length), pad_id, dtype=np.int32)
    head = length // 2
    for i, seq in enumerate(ids):
        seq = list(seq)
        if len(seq) > length:
            seq = seq[:head] + seq[len(seq) - (length - head):]
        out[i, : len(seq)] = seq
    return out
