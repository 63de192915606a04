"""n-gram language models counted with NumPy: MLE, add-k, interpolation and Kneser-Ney.

Token ids are counted, never strings: every k-gram of an id array becomes one
int64 code, ``code = index of its (k-1)-gram prefix * vocab_size + last id``,
so one sort per order counts them all (what ``np.unique`` does, done a little
more cheaply in :func:`_count_codes`; no Python loop per n-gram), and a lookup
is one ``np.searchsorted``. The codes stay small for any order
and any vocabulary, because a prefix is stored by its row in the table below.

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
from dataclasses import dataclass, field
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


def _as_ids(sequence: Sequence[int] | np.ndarray, name: str = "sequence") -> np.ndarray:
    ids = np.asarray(sequence)
    if ids.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of token ids, got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name} must hold integer token ids, got dtype {ids.dtype}; encode the "
                         "tokens with a vocabulary first (lmcourse.text.Vocab.encode)")
    return ids.astype(np.int64, copy=False)


def _pad(ids: np.ndarray, order: int, bos: int | None, eos: int | None) -> np.ndarray:
    if order < 2 or (bos is None and eos is None):
        return ids
    left = np.full(order - 1 if bos is not None else 0, bos if bos is not None else 0, np.int64)
    right = np.full(order - 1 if eos is not None else 0, eos if eos is not None else 0, np.int64)
    return np.concatenate([left, ids, right])


def _padded_stream(
    flat: np.ndarray, lens: np.ndarray, left: int, right: int, bos: int | None, eos: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate sequences with ``left`` BOS and ``right`` EOS ids around each; also return,
    for every position, how many ids remain from it to the end of its sequence."""
    plens = lens + left + right
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
    remaining = np.repeat(ends, plens)   # the end of each position's sequence ...
    remaining -= np.arange(n)            # ... minus the position
    return stream, remaining


def _flatten(sequences: Iterable[Sequence[int] | np.ndarray] | np.ndarray,
             lengths: Sequence[int] | np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
        flat = _as_ids(sequences)
        lens = np.array([len(flat)] if lengths is None else lengths, dtype=np.int64)
        if lens.sum() != len(flat) or (lens < 0).any():
            raise ValueError(f"lengths add up to {lens.sum()} but the array has {len(flat)} ids")
        return flat, lens
    if lengths is not None:
        raise ValueError("lengths goes with one flat 1-D id array, not a list of sequences")
    parts = [_as_ids(s) for s in sequences]
    lens = np.array([len(p) for p in parts], dtype=np.int64)
    return (np.concatenate(parts) if parts else np.zeros(0, np.int64)), lens


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
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    flat, lens = _flatten(sequences, lengths)
    pad = order - 1
    stream, remaining = _padded_stream(flat, lens, pad if bos is not None else 0,
                                       pad if eos is not None else 0, bos, eos)
    starts = np.flatnonzero(remaining >= order)
    return stream[starts[:, None] + np.arange(order)]


def ngram_windows(ids: Sequence[int] | np.ndarray, order: int, history: Sequence[int] | np.ndarray = ()) -> np.ndarray:
    """One row per token of ``ids``: its (up to) ``order-1`` preceding ids, then the token.

    ``history`` supplies the context of the first tokens (for example the end
    of the training text); without enough history, the first ``order-1``
    tokens are not scored. Rows are ``order`` wide.

    >>> ngram_windows([3, 4, 5], order=2, history=[9]).tolist()
    [[9, 3], [3, 4], [4, 5]]
    """
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    ids = _as_ids(ids)
    hist = _as_ids(history, "history")[-(order - 1):] if order > 1 else np.zeros(0, np.int64)
    stream = np.concatenate([hist, ids])
    if len(stream) < order:
        raise ValueError(f"{len(ids)} ids (+{len(hist)} of history) are too few for one {order}-gram; "
                         "pass more text or a history")
    return np.lib.stride_tricks.sliding_window_view(stream, order).astype(np.int64)


def _empty() -> np.ndarray:
    return np.zeros(0, np.int64)


def _count_codes(
    codes: np.ndarray, size: int, *, with_inverse: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Count the distinct values of ``codes`` (each in 0..size-1), like a faster ``np.unique``.

    Returns the sorted distinct codes, how often each occurs, the position in ``codes`` of one
    occurrence of each, and (with ``with_inverse``) the index of each code in the distinct ones.
    Few possible codes (``size`` at most a few times ``len(codes)``): one ``np.bincount`` counts
    them all (a counting sort). Otherwise the codes are sorted; where the bits allow, each code is
    packed with its position (``code << bits | position``) so one plain, fast ``sort`` does the work
    of the slower ``argsort`` that ``np.unique(..., return_inverse=True)`` needs.

    >>> table, counts, one, inverse = _count_codes(np.array([7, 2, 7, 5]), size=8)
    >>> table.tolist(), counts.tolist(), inverse.tolist()
    ([2, 5, 7], [1, 1, 2], [2, 0, 2, 1])
    """
    n = len(codes)
    if n == 0:
        return _empty(), _empty(), _empty(), _empty() if with_inverse else None
    if size <= 4 * n:
        all_counts = np.bincount(codes, minlength=size)
        table = np.flatnonzero(all_counts)
        inverse = (np.cumsum(all_counts > 0) - 1)[codes]      # code -> its index in table
        one = np.empty(len(table), np.int64)
        one[inverse] = np.arange(n)                           # any occurrence will do
        return table, all_counts[table], one, inverse if with_inverse else None
    bits = n.bit_length()
    if (size - 1).bit_length() + bits <= 62:                  # code << bits | position fits in int64
        packed = (codes << bits) | np.arange(n)
        packed.sort()
        order = packed & ((1 << bits) - 1)                    # positions in code order: an argsort
        sorted_codes = packed >> bits
    else:
        order = np.argsort(codes)
        sorted_codes = codes[order]
    is_new = np.empty(n, bool)                                # True where a new distinct code begins
    is_new[0] = True
    np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=is_new[1:])
    first = np.flatnonzero(is_new)
    inverse = None
    if with_inverse:
        inverse = np.empty(n, np.int64)
        inverse[order] = np.cumsum(is_new) - 1
    return sorted_codes[first], np.diff(first, append=n), order[first], inverse


def _lexicographic_order(grams: np.ndarray, vocab_size: int) -> np.ndarray:
    """The order that sorts the rows of ``grams`` by their ids, first column first.

    Each row is packed into one number, ``((g0 * V) + g1) * V + ...``, and sorted with one
    ``argsort``; when that number could overflow int64, the rows keep their order.

    >>> _lexicographic_order(np.array([[1, 0], [0, 2], [0, 1]]), vocab_size=3).tolist()
    [2, 1, 0]
    """
    if vocab_size ** grams.shape[1] > np.iinfo(np.int64).max:
        return np.arange(len(grams))
    packed = np.zeros(len(grams), np.int64)
    for column in grams.T:
        packed = packed * vocab_size + column
    return np.argsort(packed)


@dataclass
class _Level:
    """The table of distinct k-grams (sorted codes) and what each smoothing needs about them."""

    codes: np.ndarray          # sorted codes: prefix row * V + last id
    counts: np.ndarray         # occurrences c(g)
    follow_total: np.ndarray = field(default_factory=_empty)   # Σ_w c(g w)
    follow_types: np.ndarray = field(default_factory=_empty)   # N1+(g •)
    cont: np.ndarray = field(default_factory=_empty)           # N1+(• g)  (left continuations)
    cont_total: np.ndarray = field(default_factory=_empty)     # Σ_w N1+(• g w)
    cont_types: np.ndarray = field(default_factory=_empty)     # #{w : N1+(• g w) > 0}


class NgramCounts:
    """Counts of every k-gram (k = 1..order) of some id sequences, with the statistics smoothing needs.

    Build it with :meth:`fit`. Each sequence (a sentence, a review, a whole
    text) is padded with ``order-1`` copies of ``bos`` before and ``eos``
    after when those ids are given; no n-gram crosses from one sequence into
    the next. ``levels[k]`` holds the table of distinct k-grams: their sorted
    ``codes`` (row of the (k-1)-gram prefix in ``levels[k-1]`` × vocab_size +
    last id), ``counts``, and the follower and continuation statistics
    (``follow_total``, ``follow_types``, ``cont``, ``cont_total``, ``cont_types``).

    >>> c = NgramCounts.fit([np.array([1, 2, 1, 2])], order=2, vocab_size=3)
    >>> c.count([1, 2]), c.count([2, 1]), c.count([2, 2]), c.count([1])
    (2, 1, 0, 2)
    """

    def __init__(self, order: int, vocab_size: int, levels: list[_Level], n_tokens: int):
        self.order = order
        self.vocab_size = vocab_size
        self.levels = levels   # levels[k] is the table of k-grams; levels[0] is the empty gram
        self.n_tokens = n_tokens

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
        lengths (the fastest form for many short sentences).
        """
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        if vocab_size < 1:
            raise ValueError(f"vocab_size must be at least 1, got {vocab_size}")
        flat, lens = _flatten(sequences, lengths)
        if flat.size and (flat.min() < 0 or flat.max() >= vocab_size):
            raise ValueError(f"token ids must lie in 0..{vocab_size - 1} (vocab_size={vocab_size}), "
                             f"found {flat.min()}..{flat.max()}")
        left = order - 1 if (order > 1 and bos is not None) else 0
        right = order - 1 if (order > 1 and eos is not None) else 0
        stream, remaining = _padded_stream(flat, lens, left, right, bos, eos)
        n = len(stream)
        if n == 0:
            raise ValueError("no tokens to count: the sequences are empty")
        for special, name in ((bos, "bos"), (eos, "eos")):
            if special is not None and not 0 <= special < vocab_size:
                raise ValueError(f"{name}={special} is not an id of the vocabulary (0..{vocab_size - 1})")
        V = np.int64(vocab_size)
        levels = [_Level(codes=np.zeros(1, np.int64), counts=np.array([n], np.int64))]
        suffix_of = [np.zeros(0, np.int64)]     # for each distinct k-gram, the row of its (k-1)-suffix
        prefix_row = np.zeros(n, np.int64)      # row of the (k-1)-gram starting at each position
        for k in range(1, order + 1):
            # the code of the k-gram starting at each position p (prefix row * V + the id at p+k-1),
            # computed on whole slices, then kept where a k-gram does start (it fits in its sequence)
            fits = max(n - k + 1, 0)                          # positions p with p + k <= n
            starts_here = remaining[:fits] >= k
            codes = prefix_row[:fits] * V
            codes += stream[k - 1:]
            codes = codes[starts_here]
            table, counts, one, inverse = _count_codes(codes, size=len(levels[k - 1].codes) * vocab_size,
                                                       with_inverse=k < order)
            # the suffix of the k-gram starting at p is the (k-1)-gram starting at p+1
            suffix = (prefix_row[np.flatnonzero(starts_here)[one] + 1] if k >= 2
                      else np.zeros(len(table), np.int64))
            levels.append(_Level(codes=table, counts=counts))
            suffix_of.append(suffix)
            if k < order:   # the k-gram starting at p is the prefix of the (k+1)-gram starting at p
                prefix_row = np.zeros(n, np.int64)
                prefix_row[:fits][starts_here] = inverse
        parents = [np.zeros(0, np.int64)] + [levels[k].codes // V for k in range(1, order + 1)]
        # follower statistics of level k-1 from level k; continuation counts of level k-1 from k
        for k in range(1, order + 1):
            level, lower, parent = levels[k], levels[k - 1], parents[k]
            size = len(lower.codes)
            lower.follow_total = np.bincount(parent, weights=level.counts, minlength=size).astype(np.int64)
            lower.follow_types = np.bincount(parent, minlength=size).astype(np.int64)
            lower.cont = (np.bincount(suffix_of[k], minlength=size).astype(np.int64) if k >= 2
                          else np.zeros(size, np.int64))
        top = levels[order]
        top.follow_total = np.zeros(len(top.codes), np.int64)
        top.follow_types = np.zeros(len(top.codes), np.int64)
        top.cont = np.zeros(len(top.codes), np.int64)
        for k in range(1, order + 1):
            level, lower, parent = levels[k], levels[k - 1], parents[k]
            lower.cont_total = np.bincount(parent, weights=level.cont, minlength=len(lower.codes)).astype(np.int64)
            lower.cont_types = np.bincount(parent, weights=level.cont > 0, minlength=len(lower.codes)).astype(np.int64)
        top.cont_total = np.zeros(len(top.codes), np.int64)
        top.cont_types = np.zeros(len(top.codes), np.int64)
        return cls(order, vocab_size, levels, n)

    def rows(self, grams: np.ndarray) -> list[np.ndarray]:
        """For each k = 0..width: the row of each gram's last-k-ids suffix in level k (-1 if unseen)."""
        return self._rows_and_contexts(grams)[0]

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
            # Look the suffixes up in sorted order: np.searchsorted is several times faster on
            # sorted queries, and rows follow the ids' order (a table's codes are sorted).
            order = _lexicographic_order(grams[:, width - k:], self.vocab_size)
            suffixes = grams[order, width - k:]
            row, before_last = zeros, zeros
            for j in range(k):   # grow suffixes[:, :j+1] one id at a time
                before_last = row
                codes = self.levels[j + 1].codes
                code = np.maximum(row, 0) * V + suffixes[:, j]
                found = np.minimum(np.searchsorted(codes, code), max(len(codes) - 1, 0))
                ok = row >= 0
                ok &= (codes[found] == code) if len(codes) else False
                row = np.where(ok, found, -1)
            for rows_of, sorted_rows in ((out, row), (ctx, before_last)):   # back to the grams' order
                unsorted = np.empty(len(grams), np.int64)
                unsorted[order] = sorted_rows
                rows_of.append(unsorted)
        return out, ctx

    def count(self, gram: Sequence[int]) -> int:
        """How many times the k-gram ``gram`` (k ≤ order) occurs; 0 if never."""
        gram = list(gram)
        if not 1 <= len(gram) <= self.order:
            raise ValueError(f"a gram of length 1..{self.order} is needed, got {len(gram)}")
        row = int(self.rows(np.array([gram]))[len(gram)][0])
        return 0 if row < 0 else int(self.levels[len(gram)].counts[row])

    def num_types(self, k: int) -> int:
        """The number of distinct k-grams."""
        return len(self.levels[k].codes)

    def __repr__(self) -> str:
        types = ", ".join(f"{k}-grams: {self.num_types(k):,}" for k in range(1, self.order + 1))
        return f"NgramCounts(order={self.order}, vocab_size={self.vocab_size}, tokens={self.n_tokens:,}, {types})"


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
        order = counts.order if order is None else order
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
        grams = np.asarray(grams, dtype=np.int64)
        if grams.ndim != 2 or grams.shape[1] < 1:
            raise ValueError(f"grams must be a 2-D array (rows of context ids + the token), got shape {grams.shape}")
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

    def prob(self, context: Sequence[int], token: int) -> float:
        """P(token | context) for one context (a sequence of ids; only the last order-1 are used)."""
        context = list(context)[-(self.order - 1):] if self.order > 1 else []
        return float(self.probs(np.array([[*context, token]], dtype=np.int64))[0])

    def distribution(self, context: Sequence[int]) -> np.ndarray:
        """P(w | context) for every id w of the vocabulary (a length-vocab_size array)."""
        context = list(context)[-(self.order - 1):] if self.order > 1 else []
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
        self._lookup = {t: i for i, t in enumerate(self.vocab)}

    def encode(self, sentence: Sequence[str]) -> np.ndarray:
        """Ids of a sentence's tokens; unknown tokens become ``<UNK>``, as nltk's ``vocab.lookup`` does."""
        lookup, unk = self._lookup, self._lookup[NLTK_UNK]
        return np.fromiter(map(lookup.get, sentence, repeat(unk)), dtype=np.int64)

    def counts(self) -> NgramCounts:
        """The n-gram counts nltk.lm holds after ``fit`` (everygrams of the padded sentences)."""
        return NgramCounts.fit(self.train_ids, self.order, len(self.vocab), bos=self.bos, eos=self.eos,
                               lengths=self.train_lengths)

    def test_ngrams(self, sentences: Iterable[Sequence[str]]) -> np.ndarray:
        """The padded n-grams nltk.lm's ``perplexity`` is given for these sentences."""
        sentences = list(sentences)
        flat = self.encode(list(chain.from_iterable(sentences)))
        lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        return padded_ngrams(flat, self.order, self.bos, self.eos, lengths=lengths)


def nltk_setup(train_sentences: Sequence[Sequence[str]], order: int) -> NltkSetup:
    """Reproduce ``padded_everygram_pipeline(order, sentences)`` + ``Vocabulary(unk_cutoff=1)``.

    Each sentence is padded with order-1 ``<s>`` and ``</s>`` (none for
    order 1); the vocabulary is every token of the padded text plus ``<UNK>``
    (here as ids: ``<s>``, the words in order of first appearance, ``</s>``, ``<UNK>``).

    >>> setup = nltk_setup([["a", "b"]], order=2)
    >>> setup.vocab
    ['<s>', 'a', 'b', '</s>', '<UNK>']
    """
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order}")
    if not train_sentences:
        raise ValueError("need at least one training sentence")
    pad = order > 1
    # One C-level pass over the tokens: ``setdefault`` files each new token under the position of
    # its first appearance and returns, for every token, the position where it first appeared.
    # The dict keeps the tokens in order of first appearance: that is nltk's vocabulary order.
    first_seen: dict[str, int] = {BOS: 0} if pad else {}
    tokens = chain.from_iterable(train_sentences)
    first = np.fromiter(map(first_seen.setdefault, tokens, count(1)), dtype=np.int64)
    for i, special in enumerate(([EOS] if pad else []) + [NLTK_UNK]):   # they come after the text
        first_seen.setdefault(special, len(first) + 1 + i)
    # renumber the first-appearance positions 0, 1, 2, ... (ids in vocabulary order)
    positions = np.fromiter(first_seen.values(), dtype=np.int64, count=len(first_seen))
    id_of_position = np.zeros(len(first) + 3, np.int64)
    id_of_position[positions] = np.arange(len(positions))
    flat = id_of_position[first]
    vocab = list(first_seen)
    lengths = np.fromiter(map(len, train_sentences), dtype=np.int64, count=len(train_sentences))
    return NltkSetup(order, vocab, flat, lengths, 0 if pad else None,
                     vocab.index(EOS) if pad else None)
