"""The fast n-gram engine: counts made with NumPy on int64 codes, and every smoothing of lab 01.

:mod:`lmcourse.ngram` is the readable version (a ``Counter`` of tuples and one
short function per formula); this module computes the same probabilities for a
whole corpus at once, and :mod:`lmcourse.ngram` re-exports its public names
(``from lmcourse.ngram import NgramCounts, NgramModel`` is the usual import).
Property tests check that the two agree.

Token ids are counted, never strings: every k-gram of an id array becomes one
int64 code, the k-gram read as a base-V number (``code = previous code * V +
next id``, V the vocabulary size), so one sort per order counts them all
(what ``np.unique`` does, done more cheaply in :func:`_count_codes`; no Python
loop per n-gram), and a lookup is one ``np.searchsorted``. Only the top order is
counted position by position; each lower order is derived from the one above
it. Where V**k would overflow int64 (huge vocabularies, high orders), a k-gram's
prefix is coded by its row in the table of (k-1)-grams instead, so the codes
stay small for any order and any vocabulary.

    >>> import numpy as np
    >>> counts = NgramCounts.fit([np.array([0, 1, 0, 1, 2])], order=2, vocab_size=3)
    >>> model = NgramModel(counts, "add_k", k=1.0)
    >>> model.prob([0], 1)            # (count(0 1) + 1) / (count(0 .) + 3)
    0.6
    >>> round(float(model.distribution([0]).sum()), 12)
    1.0

Smoothing, chosen by name: ``"mle"``, ``"add_k"`` (``k``; Laplace is k=1),
``"interpolated"`` (``lambdas``, one per order, mixed down to a uniform
distribution) and ``"kneser_ney"`` (interpolated Kneser-Ney, ``discount``).
``nltk_compat=True`` reproduces ``nltk.lm`` exactly, quirks included; see
:func:`nltk_setup` for the matching padding and vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count, repeat

import numpy as np

__all__ = [
    "SMOOTHINGS",
    "NgramCounts",
    "NgramModel",
    "NltkSetup",
    "bits_per_token",
    "cross_entropy",
    "ngram_windows",
    "nltk_setup",
    "padded_ngrams",
    "perplexity",
]

SMOOTHINGS = ("mle", "add_k", "interpolated", "kneser_ney")
BOS = "<s>"
EOS = "</s>"
NLTK_UNK = "<UNK>"


def _is_whole(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_whole(value: object, name: str, example: str) -> int:
    """``value`` as an int of at least 1; a float, a bool or a string is refused, never rounded."""
    if not _is_whole(value):
        raise TypeError(f"{name} must be a whole number (an int such as {example}), got {value!r} "
                        f"(a {type(value).__name__})")
    if value < 1:  # type: ignore[operator]
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)  # type: ignore[call-overload]


def _empty_input(name: str, value: object, what: str) -> str:
    """The message for an input with nothing in it; an iterator is most likely a used-up generator."""
    if iter(value) is value:  # type: ignore[call-overload]
        return (f"{name} yielded nothing: it is an iterator (a generator?), and a generator can be read "
                f"only once, so it was probably used up already. Pass a list instead (list(...)), "
                "which can be read again")
    return f"{name} is empty: give at least one {what}"


def _as_ids(sequence: Sequence[int] | np.ndarray, name: str = "sequence") -> np.ndarray:
    if isinstance(sequence, (str, bytes)):
        raise ValueError(f"{name} is a string ({sequence[:20]!r}), not token ids: encode the tokens "
                         "with a vocabulary first (lmcourse.text.Vocab.encode)")
    ids = np.asarray(sequence)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of token ids, got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name} must hold integer token ids, got dtype {ids.dtype}; encode the "
                         "tokens with a vocabulary first (lmcourse.text.Vocab.encode)")
    return ids.astype(np.int64, copy=False)


def _padded_stream(
    flat: np.ndarray, lens: np.ndarray, left: int, right: int, bos: int | None, eos: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate sequences with ``left`` BOS and ``right`` EOS ids around each; also return
    the padded length of each sequence."""
    plens = lens + left + right
    if not (left or right):
        return flat, plens
    ends = np.cumsum(plens)
    n = int(ends[-1]) if len(ends) else 0
    stream = np.empty(n, np.int64)
    is_token = np.ones(n, bool)
    for width, first, pad_id in ((left, ends - plens, bos), (right, ends - right, eos)):
        if width:   # the padding positions: first, first+1, ..., first+width-1 of each sequence
            where = (first[:, None] + np.arange(width)).ravel()
            stream[where] = pad_id
            is_token[where] = False
    stream[is_token] = flat
    return stream, plens


def _starts_mask(plens: np.ndarray, fits: int, k: int) -> np.ndarray:
    """For positions 0..fits-1 of the padded stream: does a k-gram starting there stay inside its sequence?

    It does not in the last k-1 positions of each sequence (sequences of ``plens`` ids each).

    >>> _starts_mask(np.array([3, 1, 2]), fits=5, k=2).tolist()   # stream: a a a | b | c c
    [True, True, False, False, True]
    """
    ok = np.ones(fits, bool)
    if k > 1:
        back = np.arange(1, k)
        last = np.cumsum(plens)[:, None] - back   # the last k-1 positions of each sequence ...
        if (plens < k - 1).any():                 # ... that lie inside it
            last = last[back <= plens[:, None]]
        last = last.ravel()
        ok[last[last < fits]] = False
    return ok


def _check_lengths(lengths: Sequence[int] | np.ndarray | None, n: int) -> np.ndarray:
    """The lengths of consecutive sequences in a flat array of ``n`` ids (all of it if None)."""
    lens = np.asarray([n] if lengths is None else lengths)
    if lens.ndim != 1:
        raise ValueError(f"lengths must be a 1-D list of sequence lengths, got shape {lens.shape}")
    if lens.size and not np.issubdtype(lens.dtype, np.integer):
        raise ValueError(f"lengths must be whole numbers (ints), got dtype {lens.dtype}")
    lens = lens.astype(np.int64, copy=False)
    negative = np.flatnonzero(lens < 0)
    if negative.size:
        i = int(negative[0])
        raise ValueError(f"lengths[{i}] is {lens[i]}: a sequence cannot have a negative length; every "
                         "length must be 0 or more")
    if lens.sum() != n:
        raise ValueError(f"lengths add up to {lens.sum()} but the array has {n} ids; give one length "
                         "per sequence, adding up to the number of ids")
    return lens


def _flatten(sequences: Iterable[Sequence[int] | np.ndarray] | np.ndarray,
             lengths: Sequence[int] | np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
        flat = _as_ids(sequences, "sequences")
        return flat, _check_lengths(lengths, len(flat))
    if lengths is not None:
        raise ValueError("lengths goes with one flat 1-D id array, not a list of sequences")
    if isinstance(sequences, (str, bytes)):
        _as_ids(sequences, "sequences")  # raises, saying what to do
    parts = [_as_ids(s, f"sequences[{i}]") for i, s in enumerate(sequences)]
    if not parts:
        raise ValueError(_empty_input("sequences", sequences, "sequence of token ids"))
    lens = np.array([len(p) for p in parts], dtype=np.int64)
    return np.concatenate(parts), lens


def _check_padding_ids(flat: np.ndarray, lens: np.ndarray, bos: object, eos: object, order: int,
                       vocab_size: int | None = None) -> None:
    """``bos`` and ``eos`` are ids (or None), of the vocabulary, and never tokens of the text."""
    for special, name in ((bos, "bos"), (eos, "eos")):
        if special is None:
            continue
        if not _is_whole(special):
            raise TypeError(f"{name} must be a token id (an int) or None, got {special!r} "
                            f"(a {type(special).__name__})")
        if vocab_size is not None and not 0 <= special < vocab_size:  # type: ignore[operator]
            raise ValueError(f"{name}={special} is not an id of the vocabulary (0..{vocab_size - 1})")
        hits = np.flatnonzero(flat == special) if order > 1 else _empty()
        if hits.size:   # the padding would be counted as that token: say where it occurs
            ends = np.cumsum(lens)
            sequence = int(np.searchsorted(ends, hits[0], side="right"))
            position = int(hits[0] - (ends[sequence] - lens[sequence]))
            raise ValueError(
                f"{name}={special} is also a token of the text (sequence {sequence}, position "
                f"{position}), {hits.size:,} time(s) in all: the padding would be mixed up with that "
                f"token. Give {name} an id of its own that never occurs in the text (e.g. build the "
                f"vocabulary with specials such as '<s>' and '</s>'), or pass {name}=None"
            )


def padded_ngrams(
    sequences: Iterable[Sequence[int] | np.ndarray] | np.ndarray,
    order: int,
    bos: int | None,
    eos: int | None,
    *,
    lengths: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """All n-grams of each sequence padded with ``order-1`` BOS and EOS ids, as rows of a matrix.

    These are the n-grams ``nltk.lm`` scores for a sentence's perplexity
    (``ngrams(pad_both_ends(sentence, n), n)``); the last column is the
    predicted token. A 1-D array with ``lengths`` is read as consecutive sequences.

    >>> padded_ngrams([[5, 6]], order=2, bos=0, eos=1).tolist()
    [[0, 5], [5, 6], [6, 1]]
    """
    order = _check_whole(order, "order", "3")
    flat, lens = _flatten(sequences, lengths)
    _check_padding_ids(flat, lens, bos, eos, order)
    return _padded_ngrams(flat, lens, order, bos, eos)


def _padded_ngrams(flat: np.ndarray, lens: np.ndarray, order: int, bos: int | None,
                   eos: int | None) -> np.ndarray:
    pad = order - 1
    stream, plens = _padded_stream(flat, lens, pad if bos is not None else 0,
                                   pad if eos is not None else 0, bos, eos)
    starts = np.flatnonzero(_starts_mask(plens, max(len(stream) - order + 1, 0), order))
    return stream[starts[:, None] + np.arange(order)]


def ngram_windows(ids: Sequence[int] | np.ndarray, order: int, history: Sequence[int] | np.ndarray = ()) -> np.ndarray:
    """One row per token of ``ids``: its (up to) ``order-1`` preceding ids, then the token.

    ``history`` supplies the context of the first tokens (for example the end
    of the training text); without enough history, the first ``order-1``
    tokens are not scored. Rows are ``order`` wide.

    >>> ngram_windows([3, 4, 5], order=2, history=[9]).tolist()
    [[9, 3], [3, 4], [4, 5]]
    """
    order = _check_whole(order, "order", "3")
    ids = _as_ids(ids, "ids")
    hist = _as_ids(history, "history")[-(order - 1):] if order > 1 else np.zeros(0, np.int64)
    stream = np.concatenate([hist, ids])
    if len(stream) < order:
        raise ValueError(f"{len(ids)} ids (+{len(hist)} of history) are too few for one {order}-gram; "
                         "pass more text or a history")
    return np.lib.stride_tricks.sliding_window_view(stream, order).astype(np.int64)


def _empty() -> np.ndarray:
    return np.zeros(0, np.int64)


# Direct codes (a k-gram read as a base-V number) are used while V**k stays below this bound.
_DIRECT_LIMIT = 2**62
# A table whose codes all lie below this bound (V**k) is also indexed by a dense array: a look-up
# is then one array read instead of a binary search (characters up to trigrams, for example).
_DENSE_LIMIT = 2**20


def _count_codes(
    codes: np.ndarray, size: int, *, with_inverse: bool = False, overwrite: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Count the distinct values of ``codes`` (each in 0..size-1), like a faster ``np.unique``.

    Returns the sorted distinct codes, how often each occurs and (with ``with_inverse``) the index
    of each code in the distinct ones. Few possible codes (``size`` at most a few times
    ``len(codes)``): one ``np.bincount`` counts them all (a counting sort). Otherwise the codes
    are sorted; for the inverse, where the bits allow, each code is packed with its position
    (``code << bits | position``) so one plain, fast ``sort`` does the work of the slower
    ``argsort`` that ``np.unique(..., return_inverse=True)`` needs. ``overwrite`` lets it sort
    ``codes`` in place (less memory to allocate).

    >>> table, counts, inverse = _count_codes(np.array([7, 2, 7, 5]), size=8, with_inverse=True)
    >>> table.tolist(), counts.tolist(), inverse.tolist()
    ([2, 5, 7], [1, 1, 2], [2, 0, 2, 1])
    """
    n = len(codes)
    if n == 0:
        return _empty(), _empty(), _empty() if with_inverse else None
    if size <= 4 * n:
        all_counts = np.bincount(codes, minlength=size)
        table = np.flatnonzero(all_counts)
        inverse = (np.cumsum(all_counts > 0) - 1)[codes] if with_inverse else None
        return table, all_counts[table], inverse
    order = None
    if not with_inverse:
        sorted_codes = codes if overwrite else codes.copy()
        sorted_codes.sort()
    elif (bits := n.bit_length()) + (size - 1).bit_length() <= 62:   # code << bits | position fits
        packed = (codes << bits) | np.arange(n)
        packed.sort()
        order = packed & ((1 << bits) - 1)                    # positions in code order: an argsort
        sorted_codes = packed >> bits
    else:
        order = np.argsort(codes)
        sorted_codes = codes[order]
    first = _group_starts(sorted_codes)
    counts = _run_lengths(first, n)
    inverse = None
    if order is not None:
        inverse = np.empty(n, np.int64)
        inverse[order] = np.repeat(np.arange(len(first)), counts)
    return sorted_codes[first], counts, inverse


def _find(table: np.ndarray, keys: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """The index of each key in the sorted ``table``, or -1 where it is absent.

    ``order`` (an argsort of ``keys``, or of anything that sorts them the same way) saves the sort.

    >>> _find(np.array([2, 5, 9]), np.array([5, 3, 9])).tolist()
    [1, -1, 2]
    """
    if len(table) == 0:
        return np.full(len(keys), -1, np.int64)
    if order is None and len(keys) >= 1024:
        order = np.argsort(keys)
    if order is None:
        at = np.searchsorted(table, keys)
    else:   # np.searchsorted is several times faster on sorted keys: sort, search, put back
        at = np.empty(len(keys), np.int64)
        at[order] = np.searchsorted(table, keys[order])
    np.minimum(at, len(table) - 1, out=at)
    return np.where(table[at] == keys, at, -1)


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in the sorted array ``keys``.

    >>> _group_starts(np.array([0, 0, 3, 3, 3, 4])).tolist()
    [0, 2, 5]
    """
    if len(keys) == 0:
        return _empty()
    is_new = np.empty(len(keys), bool)
    is_new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=is_new[1:])
    return np.flatnonzero(is_new)


def _run_lengths(starts: np.ndarray, n: int) -> np.ndarray:
    """The length of each run, given where the runs begin in an array of ``n`` values.

    >>> _run_lengths(np.array([0, 2, 5]), 6).tolist()
    [2, 3, 1]
    """
    return np.diff(starts, append=n)


@dataclass
class _Table:
    """One order's distinct k-grams, and how they group by their (k-1)-gram prefix."""

    codes: np.ndarray          # sorted distinct codes
    counts: np.ndarray         # occurrences of each
    ranked: bool               # codes use the prefix's row (True) or its code (False)
    group_starts: np.ndarray   # where each run of codes with the same prefix begins ...
    group_rows: np.ndarray     # ... the row of that prefix in the table below ...
    group_totals: np.ndarray   # ... and the run's total count: Σ_w c(prefix w)


def _prefix_groups(codes: np.ndarray, counts: np.ndarray, vocab_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs of sorted ``codes`` that share a prefix (``code // vocab_size``): where each
    starts, the prefix, and the run's total count.

    >>> [a.tolist() for a in _prefix_groups(np.array([3, 4, 7]), np.array([1, 2, 5]), vocab_size=3)]
    [[0, 2], [1, 2], [3, 5]]
    """
    prefixes = codes // np.int64(vocab_size)
    starts = _group_starts(prefixes)
    totals = np.add.reduceat(counts, starts) if len(starts) else _empty()
    return starts, prefixes[starts], totals


def _count_top_down(stream: np.ndarray, plens: np.ndarray, order: int, vocab_size: int) -> list[_Table]:
    """Count the k-grams of the padded ``stream`` (sequences of ``plens`` ids), k = 1..order,
    all coded directly (vocab_size**order fits in int64).

    Only the top order is counted position by position (one sort). Each lower table comes from
    the one above it: a (k-1)-gram occurs once before each k-gram it starts, plus once where it
    ends a sequence. Working on distinct k-grams instead of positions is much less work.
    """
    n, V = len(stream), np.int64(vocab_size)
    fits = max(n - order + 1, 0)
    key = stream[:fits].copy()
    for j in range(1, order):   # the code of the order-gram starting at each position
        key *= V
        key += stream[j:j + fits]
    codes, counts, _ = _count_codes(key[_starts_mask(plens, fits, order)], vocab_size**order, overwrite=True)
    tables: list[_Table] = []
    ends = np.cumsum(plens)
    for k in range(order - 1, -1, -1):   # the k-grams, from the (k+1)-grams
        starts, followed, totals = _prefix_groups(codes, counts, vocab_size)
        if k == 0:
            tables.append(_Table(codes, counts, False, starts, np.zeros(len(starts), np.int64), totals))
            break
        # the k-grams that end a sequence are followed by nothing: add them (with padding, they
        # are all </s> ... </s>, one distinct k-gram)
        last = ends[plens >= k]
        end_codes = np.zeros(len(last), np.int64)
        for j in range(k, 0, -1):
            end_codes *= V
            end_codes += stream[last - j]
        end_table, end_counts, _ = _count_codes(end_codes, vocab_size**k)
        at = np.searchsorted(followed, end_table)
        known = at < len(followed)
        known[known] = followed[at[known]] == end_table[known]
        lower_codes, lower_counts = followed, totals.copy()
        lower_counts[at[known]] += end_counts[known]
        rows = np.arange(len(followed))
        if not known.all():   # insert the rest in order; the followed k-grams shift past them
            new = ~known
            lower_codes = np.insert(followed, at[new], end_table[new])
            lower_counts = np.insert(lower_counts, at[new], end_counts[new])
            rows += np.searchsorted(at[new], rows, side="right")
        tables.append(_Table(codes, counts, False, starts, rows, totals))
        codes, counts = lower_codes, lower_counts
    return tables[::-1]


def _count_bottom_up(stream: np.ndarray, plens: np.ndarray, order: int, vocab_size: int) -> list[_Table]:
    """Count the k-grams of the padded ``stream``, k = 1..order, one order after the other.

    Orders where vocab_size**k overflows int64 are ``ranked``: their codes are the row of the
    prefix in the table below × V + the last id.
    """
    n, V = len(stream), np.int64(vocab_size)
    tables: list[_Table] = []
    lower = np.zeros(1, np.int64)
    key = np.zeros(n, np.int64)   # the code of the (k-1)-gram that starts at each position
    for k in range(1, order + 1):
        # the code of the k-gram starting at each position p: (k-1)-gram's code * V + id at p+k-1,
        # computed for every p with p + k <= n, then kept where the k-gram fits in its sequence
        fits = max(n - k + 1, 0)
        ranked = vocab_size**k > _DIRECT_LIMIT
        key = key[:fits] * V
        key += stream[k - 1:]
        starts_here = _starts_mask(plens, fits, k) if k > 1 else slice(None)
        size = vocab_size**k if not ranked else len(lower) * vocab_size
        next_ranked = k < order and vocab_size ** (k + 1) > _DIRECT_LIMIT
        codes, counts, inverse = _count_codes(key[starts_here], size, with_inverse=next_ranked)
        starts, prefixes, totals = _prefix_groups(codes, counts, vocab_size)
        # each prefix is in the table below, and both are sorted: one merge-like searchsorted
        rows = prefixes if ranked else np.searchsorted(lower, prefixes)
        tables.append(_Table(codes, counts, ranked, starts, rows, totals))
        lower = codes
        if next_ranked:   # the next table codes a prefix by its row here, not by its code
            key = np.zeros(fits, np.int64)
            key[starts_here] = inverse
    return tables


class _Level:
    """The table of distinct k-grams and what each smoothing needs to know about them.

    ``codes`` are sorted. While V**k fits in int64 a code is the k-gram read as a base-V
    number (``ranked`` False); above that it is the row of its (k-1)-gram prefix in the
    table below × V + the last id (``ranked`` True). ``follow_total`` Σ_w c(g w) and
    ``follow_types`` N1+(g •) are made with the table; the continuation statistics that only
    Kneser–Ney uses — ``cont`` N1+(• g), ``cont_total`` Σ_w N1+(• g w) and ``cont_types``
    #{w : N1+(• g w) > 0} — are computed the first time one is read.
    """

    def __init__(self, owner: NgramCounts | None, codes: np.ndarray, counts: np.ndarray, ranked: bool,
                 space: int | None = None):
        self._owner = owner
        self.codes, self.counts, self.ranked = codes, counts, ranked
        self._space = space   # every code is below this (V**k for direct codes), if known
        self._dense: np.ndarray | None = None
        size = len(codes)
        self.follow_total = np.zeros(size, np.int64)
        self.follow_types = np.zeros(size, np.int64)
        self.group_starts = _empty()   # where each run of codes with the same prefix begins ...
        self.group_rows = _empty()     # ... and the row of that prefix in the table below
        self._cont: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def dense(self) -> bool:
        """Is the table read through a dense index (all its codes below ``_DENSE_LIMIT``)?"""
        return self._space is not None and self._space <= _DENSE_LIMIT

    def find(self, keys: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
        """The row of each code in ``keys`` (each below the table's code space), or -1 if absent."""
        if self.dense:
            if self._dense is None:   # built on the first look-up: -1 everywhere but at the codes
                self._dense = np.full(self._space, -1, np.int64)
                self._dense[self.codes] = np.arange(len(self.codes))
            return self._dense[keys]
        return _find(self.codes, keys, order)

    def _continuations(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._cont is None:
            self._owner._compute_continuations()   # type: ignore[union-attr]
        return self._cont   # type: ignore[return-value]

    @property
    def cont(self) -> np.ndarray:
        return self._continuations()[0]

    @property
    def cont_total(self) -> np.ndarray:
        return self._continuations()[1]

    @property
    def cont_types(self) -> np.ndarray:
        return self._continuations()[2]


class NgramCounts:
    """Counts of every k-gram (k = 1..order) of some id sequences, with the statistics smoothing needs.

    Build it with :meth:`fit`. Each sequence (a sentence, a review, a whole
    text) is padded with ``order-1`` copies of ``bos`` before and ``eos``
    after when those ids are given; no n-gram crosses from one sequence into
    the next. ``levels[k]`` holds the table of distinct k-grams: their sorted
    ``codes`` (the k-gram read as a base-``vocab_size`` number, so
    ``code // vocab_size`` is the code of its (k-1)-gram prefix and
    ``code % vocab_size`` its last id), ``counts``, and the follower and
    continuation statistics (``follow_total``, ``follow_types``, ``cont``,
    ``cont_total``, ``cont_types``). :meth:`grams` turns a table back into ids.
    (For a vocabulary so large that vocab_size**k overflows int64, the k-gram
    table codes its prefix by its row in the table below instead.)

    >>> c = NgramCounts.fit([np.array([1, 2, 1, 2])], order=2, vocab_size=3)
    >>> c.count([1, 2]), c.count([2, 1]), c.count([2, 2]), c.count([1])
    (2, 1, 0, 2)
    >>> c.levels[2].codes.tolist(), c.grams(2).tolist()     # 1*3 + 2 = 5, 2*3 + 1 = 7
    ([5, 7], [[1, 2], [2, 1]])
    """

    def __init__(self, order: int, vocab_size: int, levels: list[_Level], n_tokens: int):
        self.order = order
        self.vocab_size = vocab_size
        self.levels = levels   # levels[k] is the table of k-grams; levels[0] is the empty gram
        self.n_tokens = n_tokens
        for level in levels:
            level._owner = self

    @classmethod
    def fit(
        cls,
        sequences: Iterable[Sequence[int] | np.ndarray] | np.ndarray,
        order: int,
        vocab_size: int,
        *,
        bos: int | None = None,
        eos: int | None = None,
        lengths: Sequence[int] | np.ndarray | None = None,
    ) -> NgramCounts:
        """Count the k-grams (k = 1..order) of ``sequences``: a 1-D id array or a list of them.

        A 1-D array with ``lengths`` is read as consecutive sequences of those
        lengths (the fastest form for many short sentences). ``bos`` and
        ``eos`` must be ids that never occur in the text.
        """
        order = _check_whole(order, "order", "3")
        vocab_size = _check_whole(vocab_size, "vocab_size", "10000")
        flat, lens = _flatten(sequences, lengths)
        if flat.size and (flat.min() < 0 or flat.max() >= vocab_size):
            raise ValueError(f"token ids must lie in 0..{vocab_size - 1} (vocab_size={vocab_size}), "
                             f"found {flat.min()}..{flat.max()}")
        _check_padding_ids(flat, lens, bos, eos, order, vocab_size)
        return cls._count(flat, lens, order, vocab_size, bos, eos)

    @classmethod
    def _count(cls, flat: np.ndarray, lens: np.ndarray, order: int, vocab_size: int, bos: int | None,
               eos: int | None) -> NgramCounts:
        """Count checked input (see :meth:`fit`)."""
        left = order - 1 if (order > 1 and bos is not None) else 0
        right = order - 1 if (order > 1 and eos is not None) else 0
        stream, plens = _padded_stream(flat, lens, left, right, bos, eos)
        n = len(stream)
        if n == 0:
            raise ValueError("no tokens to count: the sequences are empty")
        if vocab_size**order <= _DIRECT_LIMIT:
            tables = _count_top_down(stream, plens, order, vocab_size)
        else:
            tables = _count_bottom_up(stream, plens, order, vocab_size)
        levels = [_Level(None, np.zeros(1, np.int64), np.array([n], np.int64), ranked=False, space=1)]
        for k, table in enumerate(tables, start=1):   # each table gives the follower statistics of the one below it
            lower = levels[-1]
            lower.follow_total[table.group_rows] = table.group_totals
            lower.follow_types[table.group_rows] = _run_lengths(table.group_starts, len(table.codes))
            level = _Level(None, table.codes, table.counts, table.ranked,
                           space=None if table.ranked else vocab_size**k)
            level.group_starts, level.group_rows = table.group_starts, table.group_rows
            levels.append(level)
        return cls(order, vocab_size, levels, n)

    def _compute_continuations(self) -> None:
        """Fill in the Kneser–Ney continuation statistics of every level (done once, when first needed)."""
        levels = self.levels
        conts = [np.zeros(len(level.codes), np.int64) for level in levels]
        for k in range(2, self.order + 1):   # N1+(• g) for each (k-1)-gram g: the k-grams ending in g
            suffix_rows = self._locate(self.grams(k)[:, 1:])
            conts[k - 1] = np.bincount(suffix_rows, minlength=len(levels[k - 1].codes)).astype(np.int64)
        for k in range(self.order + 1):
            total = np.zeros(len(levels[k].codes), np.int64)
            types = np.zeros(len(levels[k].codes), np.int64)
            if k < self.order and len(levels[k + 1].group_starts):
                upper = levels[k + 1]
                total[upper.group_rows] = np.add.reduceat(conts[k + 1], upper.group_starts)
                types[upper.group_rows] = np.add.reduceat((conts[k + 1] > 0).astype(np.int64), upper.group_starts)
            levels[k]._cont = (conts[k], total, types)

    def grams(self, k: int) -> np.ndarray:
        """The distinct k-grams as rows of ids, in the order of ``levels[k]`` (a (types, k) array)."""
        if not 0 <= k <= self.order:
            raise ValueError(f"k must be between 0 and the order {self.order}, got {k}")
        codes, V = self.levels[k].codes, self.vocab_size
        if k == 0:
            return np.zeros((1, 0), np.int64)
        if self.levels[k].ranked:
            return np.column_stack([self.grams(k - 1)[codes // V], codes % V])
        powers = np.int64(V) ** np.arange(k - 1, -1, -1, dtype=np.int64)
        return (codes[:, None] // powers) % V

    def _locate(self, grams: np.ndarray) -> np.ndarray:
        """The row of each row of ``grams`` (width w ≥ 1) in the table of w-grams; -1 if unseen."""
        V = np.int64(self.vocab_size)
        width = grams.shape[1]
        key = np.zeros(len(grams), np.int64)
        seen = np.ones(len(grams), bool)
        for j in range(1, width + 1):
            if self.levels[j].ranked:   # this table codes the prefix by its row in the one below
                row = self.levels[j - 1].find(key)
                seen &= row >= 0
                key = np.maximum(row, 0)
            key = key * V + grams[:, j - 1]
        row = self.levels[width].find(key)
        return np.where(seen, row, -1)

    def rows(self, grams: np.ndarray) -> list[np.ndarray]:
        """For each k = 0..width: the row of each gram's last-k-ids suffix in level k (-1 if unseen)."""
        grams = _as_grams(grams)
        width = grams.shape[1]
        return [np.zeros(len(grams), np.int64)] + [self._locate(grams[:, width - k:]) for k in range(1, width + 1)]

    def _rows_and_contexts(
        self, grams: np.ndarray, only_top: bool = False
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Rows of each row's last-k-ids suffix (k = 0..width) and of that suffix's context
        (the same ids without the last one); with ``only_top``, only k = width is looked up."""
        grams = np.asarray(grams, dtype=np.int64)
        width = grams.shape[1]
        V = np.int64(self.vocab_size)
        zeros = np.zeros(len(grams), np.int64)
        out, ctx = [zeros], [zeros]
        for k in range(1, width + 1):
            if only_top and k < width:
                out.append(zeros)
                ctx.append(zeros)
                continue
            suffix = grams[:, width - k:]
            if self.levels[k].ranked:
                out.append(self._locate(suffix))
                ctx.append(self._locate(suffix[:, :-1]) if k > 1 else zeros)
                continue
            # direct codes: the suffix's code, and its context's code is that // V; sorting the
            # codes once sorts both (np.searchsorted is several times faster on sorted keys)
            code = np.zeros(len(grams), np.int64)
            for j in range(k):
                code *= V
                code += suffix[:, j]
            order = np.argsort(code) if len(code) >= 1024 and not self.levels[k].dense else None
            out.append(self.levels[k].find(code, order))
            ctx.append(self.levels[k - 1].find(code // V, order) if k > 1 else zeros)
        return out, ctx

    def count(self, gram: Sequence[int]) -> int:
        """How many times the k-gram ``gram`` (k ≤ order) occurs; 0 if never."""
        ids = _as_ids(list(gram), "gram")
        if not 1 <= len(ids) <= self.order:
            raise ValueError(f"a gram of length 1..{self.order} is needed, got {len(ids)}")
        row = int(self.rows(ids[None, :])[len(ids)][0])
        return 0 if row < 0 else int(self.levels[len(ids)].counts[row])

    def num_types(self, k: int) -> int:
        """The number of distinct k-grams."""
        return len(self.levels[k].codes)

    def __repr__(self) -> str:
        types = ", ".join(f"{k}-grams: {self.num_types(k):,}" for k in range(1, self.order + 1))
        return f"NgramCounts(order={self.order}, vocab_size={self.vocab_size}, tokens={self.n_tokens:,}, {types})"


def _as_grams(grams: np.ndarray | Sequence[Sequence[int]]) -> np.ndarray:
    """Rows of token ids as a 2-D int64 array; float ids are refused, never truncated."""
    grams = np.asarray(grams)
    if grams.ndim != 2 or grams.shape[1] < 1:
        raise ValueError(f"grams must be a 2-D array (rows of context ids + the token), got shape {grams.shape}")
    if grams.size and not np.issubdtype(grams.dtype, np.integer):
        raise ValueError(f"grams must hold integer token ids, got dtype {grams.dtype}; ids are never "
                         "rounded: encode the tokens with a vocabulary (lmcourse.text.Vocab.encode) and "
                         "make the rows with ngram_windows or padded_ngrams")
    return grams.astype(np.int64, copy=False)


def _gather(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    if len(values) == 0:
        return np.zeros(len(rows), values.dtype)
    return np.where(rows >= 0, values[np.maximum(rows, 0)], 0)


class NgramModel:
    """A smoothed n-gram language model over some :class:`NgramCounts`.

    ``smoothing`` is one of ``"mle"``, ``"add_k"`` (with ``k``),
    ``"interpolated"`` (with ``lambdas``: one weight per order 1..n, each order
    mixed with the one below it, order 0 being uniform) or ``"kneser_ney"``
    (with ``discount``). ``order`` may be lower than the counts' order, so one
    set of counts serves every n. ``nltk_compat=True`` reproduces nltk.lm's
    formulas exactly (for KneserNeyInterpolated, quirks included).

    >>> counts = NgramCounts.fit([np.array([0, 1, 2, 0, 1, 1])], order=2, vocab_size=3)
    >>> kn = NgramModel(counts, "kneser_ney", discount=0.75)
    >>> round(float(kn.distribution([1]).sum()), 12)
    1.0
    """

    def __init__(
        self,
        counts: NgramCounts,
        smoothing: str = "kneser_ney",
        *,
        order: int | None = None,
        k: float = 1.0,
        lambdas: Sequence[float] | None = None,
        discount: float = 0.75,
        nltk_compat: bool = False,
    ):
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
        order = counts.order if order is None else _check_whole(order, "order", "3")
        if not 1 <= order <= counts.order:
            raise ValueError(f"order must be between 1 and the counts' order {counts.order}, got {order}")
        if smoothing == "add_k" and not k > 0:
            raise ValueError(f"add-k needs k > 0, got {k} (k = 0 is MLE: use smoothing='mle')")
        if smoothing == "kneser_ney" and not 0 <= discount <= 1:
            raise ValueError(f"the Kneser-Ney discount must be between 0 and 1, got {discount}")
        if smoothing == "kneser_ney" and nltk_compat and order == 1:
            raise ValueError(
                "nltk.lm's KneserNeyInterpolated cannot score with order 1: its lowest order divides by "
                "the number of bigram types, and an order-1 model counts none (ZeroDivisionError in "
                "nltk). Use order >= 2, or nltk_compat=False (a unigram model with absolute discounting)."
            )
        if smoothing == "interpolated":
            if lambdas is None:
                lambdas = [0.8] * order
            lambdas = [float(x) for x in lambdas]
            if len(lambdas) != order or not all(0 <= x <= 1 for x in lambdas):
                raise ValueError(f"interpolation needs {order} lambdas in [0, 1] (one per order), got {lambdas}")
        self.counts, self.smoothing, self.order = counts, smoothing, order
        self.k, self.lambdas, self.discount, self.nltk_compat = k, lambdas, discount, nltk_compat
        self.vocab_size = counts.vocab_size

    def __repr__(self) -> str:
        extra = {"add_k": f", k={self.k}", "interpolated": f", lambdas={self.lambdas}",
                 "kneser_ney": f", discount={self.discount}"}.get(self.smoothing, "")
        return f"NgramModel(order={self.order}, smoothing={self.smoothing!r}{extra})"

    # --- probabilities ------------------------------------------------------------------------
    def probs(self, grams: np.ndarray) -> np.ndarray:
        """P(last id | preceding ids) for each row of ``grams`` (only the last order-1 ids are used)."""
        grams = _as_grams(grams)
        if grams.size and (grams.min() < 0 or grams.max() >= self.vocab_size):
            raise ValueError(f"token ids must lie in 0..{self.vocab_size - 1}")
        grams = grams[:, -self.order:]
        width = grams.shape[1]
        rows, ctx_rows = self.counts._rows_and_contexts(grams, only_top=self.smoothing in ("mle", "add_k"))
        levels = self.counts.levels
        V = self.vocab_size

        def stats(k):  # k-gram = last k ids; its context = the k-1 ids before the token
            full, ctx = rows[k], ctx_rows[k]
            return full, ctx, levels[k], levels[k - 1]

        if self.smoothing in ("mle", "add_k"):
            full, ctx, lev, low = stats(width)
            c_hw = _gather(lev.counts, full).astype(float)
            c_h = _gather(low.follow_total, ctx).astype(float)
            if self.smoothing == "add_k":
                return (c_hw + self.k) / (c_h + self.k * V)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(c_h > 0, c_hw / np.where(c_h > 0, c_h, 1), 0.0)

        if self.smoothing == "interpolated":
            p = np.full(len(grams), 1.0 / V)
            for k in range(1, width + 1):
                full, ctx, lev, low = stats(k)
                c_hw = _gather(lev.counts, full).astype(float)
                c_h = _gather(low.follow_total, ctx).astype(float)
                lam = self.lambdas[k - 1]
                seen = c_h > 0
                p = np.where(seen, lam * c_hw / np.where(seen, c_h, 1) + (1 - lam) * p, p)
            return p

        return self._kneser_ney(grams, stats, width)

    def _kneser_ney(self, grams, stats, width) -> np.ndarray:
        d, V = self.discount, self.vocab_size
        top = width
        # lowest order: continuation counts N1+(• w) / N1+(• •) (raw counts for a unigram model)
        full, ctx, lev, low = stats(1)
        if top == 1:
            num, den, types = _gather(lev.counts, full).astype(float), float(low.follow_total[0]), float(low.follow_types[0])
        else:
            num, den, types = _gather(lev.cont, full).astype(float), float(low.cont_total[0]), float(low.cont_types[0])
        if self.nltk_compat:   # no floor: a word never seen after another word gets 0
            p = num / den
        else:
            if den == 0:   # no bigram at all (a one-token text): no continuation counts, use raw counts
                num, den, types = (_gather(lev.counts, full).astype(float), float(low.follow_total[0]),
                                   float(low.follow_types[0]))
            p = np.maximum(num - d, 0) / den + d * types / den / V
        for k in range(2, top + 1):
            full, ctx, lev, low = stats(k)
            c_h = _gather(low.follow_total, ctx).astype(float)
            raw_num = _gather(lev.counts, full).astype(float)
            raw_types = _gather(low.follow_types, ctx).astype(float)
            if k == top:
                num, den, types = raw_num, c_h, raw_types
            else:
                num = _gather(lev.cont, full).astype(float)
                den = _gather(low.cont_total, ctx).astype(float)
                if self.nltk_compat:   # nltk counts the context's raw follower types here
                    types = raw_types
                else:
                    types = _gather(low.cont_types, ctx).astype(float)
                    # a context that only ever starts a sequence has no left continuations:
                    # use its raw counts instead
                    no_cont = (den == 0) & (c_h > 0)
                    num, den, types = (np.where(no_cont, raw_num, num), np.where(no_cont, c_h, den),
                                       np.where(no_cont, raw_types, types))
            seen = c_h > 0   # an unseen context backs off entirely (alpha 0, gamma 1), as in nltk
            safe = np.where(den > 0, den, 1)
            alpha = np.where(seen, np.maximum(num - d, 0) / safe, 0.0)
            gamma = np.where(seen, d * types / safe, 1.0)
            p = alpha + gamma * p
        return p

    def _context(self, context: Sequence[int]) -> np.ndarray:
        """The last order-1 ids of ``context``, checked: integer ids only, never rounded."""
        keep = self.order - 1
        return _as_ids(list(context)[-keep:] if keep else [], "context")

    def prob(self, context: Sequence[int], token: int) -> float:
        """P(token | context) for one context (a sequence of ids; only the last order-1 are used)."""
        if not _is_whole(token):
            raise ValueError(f"token must be an integer token id, got {token!r}")
        context = self._context(context)
        return float(self.probs(np.append(context, token)[None, :])[0])

    def distribution(self, context: Sequence[int]) -> np.ndarray:
        """P(w | context) for every id w of the vocabulary (a length-vocab_size array)."""
        context = self._context(context)
        grams = np.empty((self.vocab_size, len(context) + 1), dtype=np.int64)
        grams[:, :-1] = context
        grams[:, -1] = np.arange(self.vocab_size)
        return self.probs(grams)

    def log_probs(self, grams: np.ndarray) -> np.ndarray:
        """Natural-log probabilities of each row's last id (−inf where the probability is 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.probs(grams))

    def cross_entropy(self, grams: np.ndarray) -> float:
        """Mean negative log-probability in nats per predicted token (inf if any token gets 0)."""
        return cross_entropy(self.log_probs(grams))

    def perplexity(self, grams: np.ndarray) -> float:
        """exp(cross-entropy): the effective number of equally likely choices per token."""
        return perplexity(self.log_probs(grams))

    # --- generation ---------------------------------------------------------------------------
    def sample(
        self,
        length: int,
        *,
        context: Sequence[int] = (),
        seed: int | np.random.Generator = 0,
        stop: int | None = None,
        banned: Sequence[int] = (),
    ) -> list[int]:
        """Draw ``length`` ids one at a time from P(w | last order-1 ids); ``stop`` ends early.

        ``banned`` ids (for example padding or ``<s>``) are never drawn.
        """
        if length < 0:
            raise ValueError(f"length must be non-negative, got {length}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        history, out = list(context), []
        for _ in range(length):
            p = np.clip(self.distribution(history), 0, None)
            if len(banned):
                p[list(banned)] = 0
            if not p.sum() > 0:
                raise ValueError("the model gives probability 0 to every token here; use smoothing")
            token = int(rng.choice(self.vocab_size, p=p / p.sum()))
            out.append(token)
            history.append(token)
            if stop is not None and token == stop:
                break
        return out


def cross_entropy(log_probs: Sequence[float] | np.ndarray) -> float:
    """Cross-entropy in nats per token: the mean of −log P (natural logs).

    >>> round(cross_entropy(np.log([0.5, 0.25])), 6)
    1.039721
    """
    lp = np.asarray(log_probs, dtype=float)
    if lp.size == 0:
        raise ValueError("no log-probabilities to average: the evaluation text is empty")
    return float(-lp.mean())


def perplexity(log_probs: Sequence[float] | np.ndarray) -> float:
    """Perplexity = exp(cross-entropy in nats) = 2 ** (cross-entropy in bits).

    >>> perplexity(np.log([0.5, 0.5]))
    2.0
    """
    h = cross_entropy(log_probs)
    return math.inf if h == math.inf else float(math.exp(h))


def bits_per_token(log_probs: Sequence[float] | np.ndarray) -> float:
    """Cross-entropy in bits per token (nats divided by ln 2).

    >>> bits_per_token(np.log([0.5, 0.5]))
    1.0
    """
    return cross_entropy(log_probs) / math.log(2)


@dataclass
class NltkSetup:
    """nltk.lm's padding and vocabulary, as ids, so a course model can be compared with nltk.lm."""

    order: int
    vocab: list[str]            # id -> token, nltk's vocabulary (with <s>, </s> and <UNK>)
    train_ids: np.ndarray       # the training sentences' ids, concatenated (not padded)
    train_lengths: np.ndarray   # the length of each training sentence
    bos: int | None
    eos: int | None

    def __post_init__(self) -> None:
        # token -> position, and position -> id: nltk_setup passes its first-appearance table;
        # otherwise the first encode makes one from the vocabulary (positions are then the ids)
        self._positions: tuple[dict[str, int], np.ndarray] | None = None

    def encode(self, sentence: Iterable[str]) -> np.ndarray:
        """Ids of a sentence's tokens; unknown tokens become ``<UNK>``, as nltk's ``vocab.lookup`` does.

        >>> nltk_setup([["a", "b"]], order=2).encode(["b", "zebra"]).tolist()   # zebra is <UNK>
        [2, 4]
        """
        if isinstance(sentence, str):
            raise ValueError(f"sentence is a string ({sentence[:30]!r}), not a list of tokens: it would be "
                             "read one character at a time. Split it first, e.g. text.split() for words "
                             "(or list(text) for characters)")
        if self._positions is None:
            self._positions = (dict(zip(self.vocab, count())), np.arange(len(self.vocab)))
        position_of, id_of_position = self._positions
        where = np.fromiter(map(position_of.get, sentence, repeat(position_of[NLTK_UNK])), dtype=np.int64)
        return id_of_position[where]

    def counts(self) -> NgramCounts:
        """The n-gram counts nltk.lm holds after ``fit`` (everygrams of the padded sentences)."""
        # not fit(): a literal "<s>" in the text is nltk's padding token too, and this reproduces nltk
        lengths = _check_lengths(self.train_lengths, len(self.train_ids))
        return NgramCounts._count(_as_ids(self.train_ids, "train_ids"), lengths, self.order,
                                  len(self.vocab), self.bos, self.eos)

    def test_ngrams(self, sentences: Iterable[Sequence[str]]) -> np.ndarray:
        """The padded n-grams nltk.lm's ``perplexity`` is given for these sentences."""
        sentences = _token_sentences(sentences, "sentences")
        flat = self.encode(chain.from_iterable(sentences))
        lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        return _padded_ngrams(flat, lengths, self.order, self.bos, self.eos)   # nltk's padding, as above


def _token_sentences(sentences: Iterable[Sequence[str]], name: str) -> list[Sequence[str]]:
    """``sentences`` as a list of token lists; a plain string is refused, not split into characters."""
    if isinstance(sentences, str):
        raise ValueError(f"{name} is one string; give a list of sentences, each a list of tokens "
                         "(e.g. [line.split() for line in text.splitlines()])")
    listed = sentences if isinstance(sentences, list) else list(sentences)
    if not listed:
        raise ValueError(_empty_input(name, sentences, "sentence (a list of tokens)"))
    if any(isinstance(sentence, str) for sentence in listed):
        i = next(i for i, sentence in enumerate(listed) if isinstance(sentence, str))
        raise ValueError(f"sentence {i} is a string ({listed[i][:30]!r}), not a list of tokens: it would "
                         "be read one character at a time. Split it first, e.g. "
                         f"{listed[i][:30]!r}.split() (or list(...) for characters)")
    return listed


def nltk_setup(train_sentences: Sequence[Sequence[str]], order: int) -> NltkSetup:
    """Reproduce ``padded_everygram_pipeline(order, sentences)`` + ``Vocabulary(unk_cutoff=1)``.

    Each sentence is padded with order-1 ``<s>`` and ``</s>`` (none for
    order 1); the vocabulary is every token of the padded text plus ``<UNK>``
    (here as ids: ``<s>``, the words in order of first appearance, ``</s>``, ``<UNK>``).

    >>> setup = nltk_setup([["a", "b"]], order=2)
    >>> setup.vocab
    ['<s>', 'a', 'b', '</s>', '<UNK>']
    """
    order = _check_whole(order, "order", "3")
    train_sentences = _token_sentences(train_sentences, "train_sentences")
    pad = order > 1
    lengths = np.fromiter(map(len, train_sentences), dtype=np.int64, count=len(train_sentences))
    # One C-level pass over the tokens: ``setdefault`` files each new token under the position of
    # its first appearance and returns, for every token, the position where it first appeared.
    # The dict keeps the tokens in order of first appearance: that is nltk's vocabulary order.
    first_seen: dict[str, int] = {BOS: 0} if pad else {}
    tokens = chain.from_iterable(train_sentences)
    total = int(lengths.sum())
    first = np.fromiter(map(first_seen.setdefault, tokens, count(1)), dtype=np.int64, count=total)
    for i, special in enumerate(([EOS] if pad else []) + [NLTK_UNK]):   # they come after the text
        first_seen.setdefault(special, total + 1 + i)
    # renumber the first-appearance positions 0, 1, 2, ... (ids in vocabulary order)
    positions = np.fromiter(first_seen.values(), dtype=np.int64, count=len(first_seen))
    id_of_position = np.empty(total + 3, np.int64)   # only the first-appearance entries are read
    id_of_position[positions] = np.arange(len(positions))
    flat = np.take(id_of_position, first, out=first)
    vocab = list(first_seen)
    setup = NltkSetup(order, vocab, flat, lengths, 0 if pad else None,
                      int(id_of_position[first_seen[EOS]]) if pad else None)
    setup._positions = (first_seen, id_of_position)
    return setup
