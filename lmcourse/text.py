"""Text tools: tokenizers, a vocabulary, word statistics, and next-token windows as tf.data.

    >>> from lmcourse.text import Vocab, word_tokenize
    >>> vocab = Vocab.build(word_tokenize("the cat sat on the mat"))
    >>> vocab.decode(vocab.encode(["the", "cat", "dog"]))
    ['the', 'cat', '<unk>']
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "DEFAULT_SPECIALS",
    "PAD",
    "UNK",
    "Vocab",
    "as_padded_ids",
    "batches_by_length",
    "char_tokenize",
    "char_detokenize",
    "fit_zipf",
    "length_bucketed_dataset",
    "make_windows",
    "next_token_dataset",
    "random_window_dataset",
    "oov_rate",
    "predict_by_length",
    "rank_frequency",
    "strip_html",
    "word_detokenize",
    "word_tokenize",
]

PAD = "<pad>"
UNK = "<unk>"
DEFAULT_SPECIALS = (PAD, UNK)  # ids 0 and 1, as in keras.layers.TextVectorization
_WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Characters Python's str.splitlines() treats as line ends besides \n and \r: a few IMDb reviews
# contain U+0085, and a vocabulary token holding one does not survive a save to a text file.
_ODD_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def char_tokenize(text: str) -> list[str]:
    """Split a text into characters (spaces and newlines included).

    >>> char_tokenize("Hi!\\n")
    ['H', 'i', '!', '\\n']
    """
    return list(text)


def char_detokenize(tokens: Iterable[str]) -> str:
    """Join characters back into the text: the exact inverse of :func:`char_tokenize`.

    >>> char_detokenize(["H", "i"])
    'Hi'
    """
    return "".join(tokens)


def word_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split a text into words and punctuation marks with one regular expression.

    A word is a run of letters, digits or underscores, with inner apostrophes
    kept (``don't``); every other non-space character is a token of its own.

    >>> word_tokenize("Don't panic, Arthur!")
    ["don't", 'panic', ',', 'arthur', '!']
    """
    if lowercase:
        text = text.lower()
    return _WORD.findall(text)


def word_detokenize(tokens: Iterable[str]) -> str:
    """Join word tokens with single spaces; :func:`word_tokenize` splits the result back.

    >>> word_detokenize(["hello", ",", "world"])
    'hello , world'
    """
    return " ".join(tokens)


def strip_html(text: str) -> str:
    """Replace the ``<br />`` line breaks found in IMDb reviews, and stray Unicode line
    separators such as U+0085 (which would break a saved vocabulary file), with spaces.

    >>> strip_html("Great.<br /><br />Loved it.")
    'Great.  Loved it.'
    >>> strip_html("odd\x85dash")
    'odd dash'
    """
    return _ODD_LINE_BREAKS.sub(" ", _HTML_BREAK.sub(" ", text))


class Vocab:
    """A vocabulary: ids ↔ tokens, with ``<pad>`` = 0 and ``<unk>`` = 1 by default.

    >>> vocab = Vocab.build("abracadabra", specials=())
    >>> vocab.id_to_token
    ['a', 'b', 'r', 'c', 'd']
    >>> vocab.encode("cab").tolist()
    [3, 0, 1]
    """

    def __init__(self, tokens: Sequence[str], specials: Sequence[str] = DEFAULT_SPECIALS):
        itos = list(specials) + [t for t in tokens if t not in set(specials)]
        if len(set(itos)) != len(itos):
            raise ValueError("vocabulary tokens must be unique")
        if not itos:
            raise ValueError("a vocabulary needs at least one token")
        self.id_to_token: list[str] = itos
        self.token_to_id: dict[str, int] = {t: i for i, t in enumerate(itos)}
        self.specials: tuple[str, ...] = tuple(specials)

    @classmethod
    def build(
        cls,
        tokens: Iterable[str],
        *,
        min_freq: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = DEFAULT_SPECIALS,
        order: str = "frequency",
    ) -> Vocab:
        """Build a vocabulary from a token stream.

        Keeps tokens seen at least ``min_freq`` times, at most ``max_size``
        entries in all (specials included). ``order="frequency"`` gives the
        most frequent tokens the smallest ids (ties: first seen first);
        ``order="sorted"`` sorts them (handy for characters).
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}")
        if max_size is not None and max_size <= len(specials):
            raise ValueError(f"max_size={max_size} leaves no room beyond the {len(specials)} special tokens")
        if order not in ("frequency", "sorted"):
            raise ValueError(f"order must be 'frequency' or 'sorted', got {order!r}")
        counts = Counter(tokens)
        if not counts:
            raise ValueError("cannot build a vocabulary from an empty token stream; is the text empty?")
        kept = [t for t, c in counts.most_common() if c >= min_freq and t not in specials]
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        if order == "sorted":
            kept = sorted(kept)
        return cls(kept, specials=specials)

    def __len__(self) -> int:
        return len(self.id_to_token)

    def __contains__(self, token: object) -> bool:
        return token in self.token_to_id

    def __repr__(self) -> str:
        preview = ", ".join(repr(t) for t in self.id_to_token[:8])
        return f"Vocab(size={len(self)}, first=[{preview}{', …' if len(self) > 8 else ''}])"

    @property
    def unk_id(self) -> int | None:
        """The id of ``<unk>``, or None if this vocabulary has no unknown token."""
        return self.token_to_id.get(UNK)

    @property
    def pad_id(self) -> int | None:
        """The id of ``<pad>``, or None if this vocabulary has no padding token."""
        return self.token_to_id.get(PAD)

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Token ids (int32); unknown tokens map to ``<unk>``.

        Without an ``<unk>`` token an unknown token is an error naming it.
        """
        lookup, unk = self.token_to_id, self.unk_id
        if unk is not None:
            ids = [lookup.get(t, unk) for t in tokens]
        else:
            try:
                ids = [lookup[t] for t in tokens]
            except KeyError as error:
                raise KeyError(
                    f"token {error.args[0]!r} is not in this vocabulary, which has no {UNK} token; "
                    f"build it with specials including {UNK!r} or from text that contains the token"
                ) from None
        return np.asarray(ids, dtype=np.int32)

    def decode(self, ids: Iterable[int] | np.ndarray | tf.Tensor) -> list[str]:
        """Tokens for ids (any iterable of ints, a NumPy array or a tensor)."""
        if isinstance(ids, tf.Tensor):
            ids = ids.numpy()
        flat = np.asarray(ids).reshape(-1).tolist()
        size = len(self)
        bad = [i for i in flat if not 0 <= i < size]
        if bad:
            raise IndexError(f"ids {bad[:5]} are outside this vocabulary (0..{size - 1})")
        return [self.id_to_token[i] for i in flat]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary as JSON (tokens in id order, and the specials)."""
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"specials": list(self.specials), "tokens": self.id_to_token}, handle,
                      ensure_ascii=False)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocab:
        """Read a vocabulary written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or "tokens" not in data or "specials" not in data:
            raise ValueError(f"{path} is not a vocabulary file written by Vocab.save")
        return cls(data["tokens"], specials=data["specials"])


def oov_rate(vocab: Vocab | Iterable[str], tokens: Sequence[str]) -> float:
    """The share of ``tokens`` that are not in ``vocab`` (specials never count as known).

    >>> oov_rate(Vocab.build(["a", "b"]), ["a", "c", "c", "b"])
    0.5
    """
    if len(tokens) == 0:
        raise ValueError("cannot measure an OOV rate on an empty token list")
    if isinstance(vocab, Vocab):
        known = set(vocab.id_to_token) - set(vocab.specials)
    else:
        known = set(vocab)
    return sum(t not in known for t in tokens) / len(tokens)


def rank_frequency(tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (1, 2, …) and counts of the tokens, most frequent first, for a Zipf plot.

    >>> ranks, counts = rank_frequency("aaabbc")
    >>> ranks.tolist(), counts.tolist()
    ([1, 2, 3], [3, 2, 1])
    """
    counts = np.array(sorted(Counter(tokens).values(), reverse=True), dtype=np.int64)
    if counts.size == 0:
        raise ValueError("no tokens to count")
    return np.arange(1, counts.size + 1), counts


def fit_zipf(ranks: np.ndarray, counts: np.ndarray, min_rank: int = 1, max_rank: int | None = None) -> tuple[float, float]:
    """Fit log(count) = log(C) − s·log(rank) by least squares; return (s, C).

    Zipf's law says s ≈ 1 for words.

    >>> s, c = fit_zipf(np.arange(1, 101), 1000 / np.arange(1, 101))
    >>> round(s, 6), round(c, 3)
    (1.0, 1000.0)
    """
    ranks, counts = np.asarray(ranks, dtype=float), np.asarray(counts, dtype=float)
    keep = (ranks >= min_rank) & (counts > 0)
    if max_rank is not None:
        keep &= ranks <= max_rank
    if keep.sum() < 2:
        raise ValueError("need at least two ranks with non-zero counts to fit a line")
    slope, intercept = np.polyfit(np.log(ranks[keep]), np.log(counts[keep]), 1)
    return float(-slope), float(np.exp(intercept))


def make_windows(ids: Sequence[int] | np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a token-id sequence into (inputs, targets) windows, targets shifted by one.

    Windows do not overlap: window k covers ids[k·L : k·L + L] and its targets
    ids[k·L + 1 : k·L + L + 1], so every id is a target at most once.

    >>> x, y = make_windows(np.arange(7), 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one sequence (1-D), got shape {ids.shape}; flatten or concatenate first")
    if seq_len < 1:
        raise ValueError(f"seq_len must be at least 1, got {seq_len}")
    count = (len(ids) - 1) // seq_len
    if count < 1:
        raise ValueError(f"{len(ids)} ids are too few for one window of {seq_len} (+1 for the target)")
    x = ids[: count * seq_len].reshape(count, seq_len)
    y = ids[1 : count * seq_len + 1].reshape(count, seq_len)
    return x, y


def next_token_dataset(
    ids: Sequence[int] | np.ndarray,
    seq_len: int,
    batch_size: int,
    *,
    shuffle: bool = True,
    seed: int = 0,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (inputs, targets) batches for next-token prediction.

    Windows come from :func:`make_windows`; they are shuffled with ``seed``
    (reshuffled each epoch), batched with ``drop_remainder=True`` so every
    batch has the static shape (batch_size, seq_len) a TPU needs, and
    prefetched.

    >>> ds = next_token_dataset(np.arange(101), seq_len=10, batch_size=4)
    >>> [tuple(t.shape) for t in next(iter(ds))]
    [(4, 10), (4, 10)]
    """
    x, y = make_windows(ids, seq_len)
    if batch_size < 1 or len(x) < batch_size:
        raise ValueError(
            f"{len(x)} windows of {seq_len} tokens make no full batch of {batch_size}; "
            "use a smaller batch_size or seq_len, or more text"
        )
    ds = tf.data.Dataset.from_tensor_slices((x.astype(np.int32), y.astype(np.int32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def random_window_dataset(
    ids: Sequence[int] | np.ndarray,
    seq_len: int,
    batch_size: int,
    *,
    seed: int = 0,
) -> tf.data.Dataset:
    """An endless ``tf.data`` pipeline of (inputs, targets) windows that start at random positions.

    Unlike :func:`next_token_dataset`, whose windows start at multiples of
    ``seq_len``, every batch here draws ``batch_size`` start positions uniformly
    from the whole text (seeded, different for every batch), so a model trained
    for many epochs sees each character at every position of its window rather
    than the same windows again and again. Batches have the static shape
    (batch_size, seq_len); take as many as you train for.

    >>> ds = random_window_dataset(np.arange(100), seq_len=8, batch_size=4, seed=1)
    >>> x, y = next(iter(ds))
    >>> tuple(x.shape), bool((y[:, :-1] == x[:, 1:]).numpy().all()), bool((y == x + 1).numpy().all())
    ((4, 8), True, True)
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be one sequence (1-D) of integer token ids, got shape {ids.shape}, dtype {ids.dtype}")
    for name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if len(ids) < seq_len + 1:
        raise ValueError(f"{len(ids)} ids are too few for one window of {seq_len} (+1 for the target)")
    table = tf.constant(ids.astype(np.int32))
    offsets = tf.range(seq_len + 1, dtype=tf.int64)
    starts_below = len(ids) - seq_len  # the last window's target is ids[-1]

    def window_batch(step: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        starts = tf.random.stateless_uniform((batch_size,), seed=tf.stack([tf.constant(seed, tf.int64), step]),
                                             minval=0, maxval=starts_below, dtype=tf.int64)
        windows = tf.gather(table, starts[:, None] + offsets[None, :])
        return windows[:, :-1], windows[:, 1:]

    return tf.data.Dataset.counter().map(window_batch, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def as_padded_ids(ids: Any, labels: Any = None, *, batch_size: int = 1, step: int = 1) -> np.ndarray:
    """``ids`` as a 2-D integer array (rows padded with 0 at the end), or a ValueError that says what is wrong.

    Also checks that ``labels`` (if given) has one entry per row, and that ``batch_size`` and ``step`` are
    positive whole numbers.

    >>> as_padded_ids([[3, 4, 0], [5, 0, 0]]).shape
    (2, 3)
    """
    for name, value in (("batch_size", batch_size), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    array = np.asarray(ids)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer) or len(array) == 0:
        raise ValueError(f"ids must be a non-empty 2-D array of integer token ids (one padded row per text, e.g. "
                         f"the output of a TextVectorization layer), got shape {array.shape}, dtype {array.dtype}")
    if labels is not None and len(labels) != len(array):
        raise ValueError(f"labels has {len(labels)} entries but ids has {len(array)} rows: give one label per row")
    return array


def batches_by_length(ids: np.ndarray, batch_size: int, step: int = 64,
                      seed: int | None = None) -> list[tuple[np.ndarray, int]]:
    """Batches of rows of similar length, as (row indices, width) pairs; padding is 0 at the end of a row.

    Rows are grouped by their length rounded up to a multiple of ``step`` and cut into batches; a batch
    keeps only the columns its longest row needs, rounded up to ``step`` (at most all of them), so a
    compiled model meets a few shapes only. With a ``seed`` the rows of a group and the batches come in
    a random order (a new seed each epoch makes new batches); without one, shortest first.

    >>> ids = np.array([[5, 6, 0, 0], [7, 0, 0, 0], [1, 2, 3, 4], [8, 9, 9, 0]])
    >>> [(rows.tolist(), width) for rows, width in batches_by_length(ids, batch_size=2, step=2)]
    [([0, 1], 2), ([2, 3], 4)]
    """
    ids = as_padded_ids(ids, batch_size=batch_size, step=step)
    groups = -(-np.count_nonzero(ids, axis=1) // step)
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(ids)) if seed is not None else np.arange(len(ids)), groups))
    batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
    if seed is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return [(rows, int(min(ids.shape[1], max(groups[rows].max(), 1) * step))) for rows in batches]


def length_bucketed_dataset(ids: np.ndarray, labels: np.ndarray, batch_size: int, step: int = 64,
                            seed: int = 0) -> tf.data.Dataset:
    """One epoch of (ids, labels) batches from :func:`batches_by_length`, new batches every epoch.

    >>> ds = length_bucketed_dataset(np.array([[5, 6, 0, 0], [7, 0, 0, 0], [1, 2, 3, 4]]), np.array([1, 0, 1]), 2, 2)
    >>> sorted(tuple(x.shape) for x, y in ds)
    [(1, 4), (2, 2)]
    """
    ids = as_padded_ids(ids, labels, batch_size=batch_size, step=step)
    labels = np.asarray(labels)
    epochs = itertools.count(seed)

    def batches():
        for rows, width in batches_by_length(ids, batch_size, step, seed=next(epochs)):
            yield ids[rows, :width], labels[rows]

    spec = (tf.TensorSpec((None, None), tf.as_dtype(ids.dtype)),
            tf.TensorSpec((None, *labels.shape[1:]), tf.as_dtype(labels.dtype)))
    dataset = tf.data.Dataset.from_generator(batches, output_signature=spec)
    return dataset.apply(tf.data.experimental.assert_cardinality(-(-len(ids) // batch_size))).prefetch(2)


def predict_by_length(model: Any, ids: np.ndarray, batch_size: int = 512, step: int = 64) -> np.ndarray:
    """The model's first output for every row of ``ids``, computed in batches of similar length, in row order.

    Right for a model that masks its padding (its output does not depend on how much padding follows).

    >>> import keras
    >>> ones = keras.Sequential([keras.layers.Lambda(lambda x: keras.ops.ones_like(x[:, :1], dtype="float32"))])
    >>> predict_by_length(ones, np.array([[5, 6, 0], [7, 0, 0]]), step=1).tolist()
    [1.0, 1.0]
    """
    ids = as_padded_ids(ids, batch_size=batch_size, step=step)
    out = np.empty(len(ids), dtype=np.float32)
    for rows, width in batches_by_length(ids, batch_size, step):
        out[rows] = np.asarray(model.predict_on_batch(ids[rows, :width])).reshape(len(rows), -1)[:, 0]
    return out
