"""Exercise checks: each ``check_…`` runs a learner's function on real cases and says what is wrong.

A check prints one line — attempted or not, right or wrong, and a hint — and
returns True only when every case passes, so a solution can ``assert`` it.
An untouched stub (one that raises NotImplementedError or returns None or
``...``) is reported as "not attempted yet", never as an error, so a notebook
still runs to the end.

    >>> def stub(probs):
    ...     raise NotImplementedError
    >>> check_sequence_log_prob(stub)
    ⏳ sequence_log_prob: not attempted yet. Replace `raise NotImplementedError` with your code and run the cell again.
    False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Public: Case, check_function, and one check_… per exercise (later notebooks append theirs).


class CheckResult:
    """What a check returns: true when every case passed.

    The check has already printed its verdict, so in Jupyter the result itself
    shows nothing; elsewhere it reads as ``True`` or ``False``.
    """

    def __init__(self, passed: bool, name: str = ""):
        self.passed = bool(passed)
        self.name = name

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CheckResult):
            return self.passed == other.passed
        if isinstance(other, bool):
            return self.passed == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.passed)

    def __repr__(self) -> str:
        return repr(self.passed)

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's result: the verdict line is already printed."""


@dataclass
class Case:
    """One input for a learner's function, and the answer it should give."""

    args: tuple[Any, ...]
    expected: Any
    note: str = ""  # what this case is about, shown when it fails


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=8, edgeitems=2).replace("\n", " ")
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _equal(got: Any, expected: Any, tol: float) -> bool:
    if isinstance(expected, float):
        if isinstance(got, (str, bytes)):
            return False
        try:
            return math.isclose(float(got), expected, rel_tol=tol, abs_tol=tol)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, np.ndarray):
        got_array = np.asarray(got)
        return got_array.shape == expected.shape and np.array_equal(got_array, expected)
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_equal(g, e, tol) for g, e in zip(got, expected, strict=True)))
    return bool(got == expected)


def check_function(
    fn: Callable[..., Any],
    cases: Sequence[Case],
    *,
    name: str | None = None,
    hint: str = "",
    tol: float = 1e-6,
) -> CheckResult:
    """Run ``fn`` on every case; print ✓, ✗ (with the first failing case and a hint) or ⏳.

    >>> check_function(len, [Case(("abc",), 3)], name="length")
    ✓ length: correct on all 1 cases.
    True
    """
    label = name or getattr(fn, "__name__", "your function")
    for number, case in enumerate(cases, start=1):
        try:
            got = fn(*case.args)
        except NotImplementedError:
            print(f"⏳ {label}: not attempted yet. Replace `raise NotImplementedError` with your "
                  "code and run the cell again.")
            return CheckResult(False, label)
        except Exception as error:  # noqa: BLE001 - a learner's bug is reported, not raised
            print(f"✗ {label}: case {number} raised {type(error).__name__}: {error}\n"
                  f"   input: {_short(case.args)}" + (f"\n   hint: {hint}" if hint else ""))
            return CheckResult(False, label)
        if (got is None or got is Ellipsis) and number == 1 and case.expected is not None:
            print(f"⏳ {label}: not attempted yet (it returned {got!r}). Write the body and "
                  "`return` the result.")
            return CheckResult(False, label)
        try:
            same = _equal(got, case.expected, tol)
        except Exception:  # noqa: BLE001 - e.g. an array where a list was expected
            same = False
        if not same:
            about = f" ({case.note})" if case.note else ""
            print(f"✗ {label}: case {number}{about} is wrong.\n   input:    {_short(case.args)}\n"
                  f"   expected: {_short(case.expected)}\n   got:      {_short(got)}"
                  + (f"\n   hint: {hint}" if hint else ""))
            return CheckResult(False, label)
    print(f"✓ {label}: correct on all {len(cases)} cases.")
    return CheckResult(True, label)


# Notebook 00 ---------------------------------------------------------------

def check_sequence_log_prob(fn: Callable[[Sequence[float]], float]) -> CheckResult:
    """Exercise 00.1: the chain rule in log space, log P(w1..wn) = Σ log P(wi | w<i)."""
    cases = [
        Case(([0.5, 0.5],), math.log(0.25), "two halves"),
        Case(([0.2, 0.1, 0.9, 0.3],), math.log(0.2 * 0.1 * 0.9 * 0.3)),
        Case(([1.0],), 0.0, "a certain token"),
        Case(([0.01] * 2000,), 2000 * math.log(0.01), "2000 tokens: the product underflows to 0.0"),
    ]
    return check_function(fn, cases, name="sequence_log_prob", tol=1e-6,
                          hint="sum the natural logs (math.log or np.log) of the probabilities; "
                               "multiplying 2000 small numbers underflows to 0.0 before the log")


def check_alpha_tokenize(fn: Callable[[str], list[str]]) -> CheckResult:
    """Exercise 00.2: lowercase alphabetic words only, punctuation and digits dropped."""
    cases = [
        Case(("The cat sat.",), ["the", "cat", "sat"]),
        Case(("R2-D2 beeped 3 times!",), ["r", "d", "beeped", "times"], "digits split words"),
        Case(("",), [], "an empty text has no tokens"),
        Case(("Hello,   WORLD\nagain",), ["hello", "world", "again"], "any whitespace separates"),
    ]
    return check_function(fn, cases, name="alpha_tokenize",
                          hint="re.findall(r'[a-z]+', text.lower()) keeps runs of letters")


def check_oov_rate(fn: Callable[[Sequence[str], Sequence[str], int], float]) -> CheckResult:
    """Exercise 00.3: the OOV rate of evaluation tokens under a min-frequency vocabulary."""
    train = "a a a b b c".split()
    cases = [
        Case((train, "a b c".split(), 1), 0.0, "min_freq=1 keeps every training token"),
        Case((train, "a b c d".split(), 1), 0.25, "'d' was never seen"),
        Case((train, "a b c d".split(), 2), 0.5, "with min_freq=2, 'c' (seen once) is out too"),
        Case((train, "c c c a".split(), 3), 0.75, "count every occurrence, not distinct words"),
    ]
    return check_function(fn, cases, name="oov_rate",
                          hint="count the training tokens (collections.Counter), keep those with "
                               "count >= min_freq, then return the share of eval tokens not kept")


def check_next_token_pairs(fn: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 00.4: non-overlapping (inputs, targets) windows, targets shifted by one."""
    cases = [
        Case((np.arange(7), 3), (np.array([[0, 1, 2], [3, 4, 5]]), np.array([[1, 2, 3], [4, 5, 6]]))),
        Case((np.arange(6), 3), (np.array([[0, 1, 2]]), np.array([[1, 2, 3]])),
             "6 ids give one window: the second would need a 7th id as its last target"),
        Case((np.arange(10, 15), 2), (np.array([[10, 11], [12, 13]]), np.array([[11, 12], [13, 14]]))),
    ]
    return check_function(fn, cases, name="next_token_pairs",
                          hint="n = (len(ids) - 1) // seq_len windows; x = ids[:n*seq_len] and "
                               "y = ids[1:n*seq_len+1], each reshaped to (n, seq_len)")


# Notebook 01 ---------------------------------------------------------------

def check_bigram_counts(fn: Callable[[np.ndarray, int], np.ndarray]) -> CheckResult:
    """Exercise 01.1: a (V, V) matrix of bigram counts, counted with NumPy."""
    cases = [
        Case((np.array([0, 1, 0, 1]), 2), np.array([[0, 2], [1, 0]]), "0→1 twice, 1→0 once"),
        Case((np.array([2, 2, 2]), 3), np.array([[0, 0, 0], [0, 0, 0], [0, 0, 2]]),
             "ids absent from the text still get a row and a column"),
        Case((np.array([1]), 2), np.array([[0, 0], [0, 0]]), "one token: no bigram"),
        Case((np.array([0, 1, 2, 0, 1, 2, 1]), 3),
             np.array([[0, 2, 0], [0, 0, 2], [1, 1, 0]])),
    ]
    return check_function(fn, cases, name="bigram_counts",
                          hint="code each pair as ids[:-1] * vocab_size + ids[1:], count the codes "
                               "with np.bincount(..., minlength=vocab_size**2), reshape to (V, V)")


def check_add_k_prob(fn: Callable[[int, int, int, float], float]) -> CheckResult:
    """Exercise 01.2: the add-k estimate (c(h w) + k) / (c(h) + k·|V|)."""
    cases = [
        Case((2, 3, 4, 1.0), 3 / 7, "Laplace: (2 + 1) / (3 + 4)"),
        Case((0, 3, 4, 1.0), 1 / 7, "an unseen word still gets a share"),
        Case((2, 3, 4, 0.5), 2.5 / 5.0),
        Case((0, 0, 10, 0.01), 0.1, "an unseen context gives the uniform 1/|V|"),
        Case((5, 10, 1000, 0.0), 0.5, "k = 0 is the MLE"),
    ]
    return check_function(fn, cases, name="add_k_prob",
                          hint="add k to the n-gram count, and k for every vocabulary word (k·|V|) "
                               "to the context count")


def check_perplexity_from_log_probs(fn: Callable[[Sequence[float]], float]) -> CheckResult:
    """Exercise 01.3: perplexity = exp(mean negative log-probability) (natural logs)."""
    cases = [
        Case(([math.log(0.5)] * 4,), 2.0, "a fair coin: perplexity 2"),
        Case(([math.log(0.5), math.log(0.125)],), 4.0, "geometric mean of 1/p: sqrt(2 · 8)"),
        Case(([0.0, 0.0],), 1.0, "certain tokens: perplexity 1"),
        Case(([math.log(0.01)] * 5000,), 100.0, "5000 tokens: average, do not multiply"),
    ]
    return check_function(fn, cases, name="perplexity_from_log_probs", tol=1e-6,
                          hint="cross-entropy H = -mean(log_probs) in nats; perplexity = exp(H)")


def check_continuation_count(fn: Callable[[Sequence[tuple[str, str]], str], int]) -> CheckResult:
    """Exercise 01.4: Kneser-Ney's N1+(• w), the number of distinct words seen before w."""
    bigrams = [("san", "francisco"), ("san", "francisco"), ("the", "cat"), ("a", "cat"),
               ("black", "cat"), ("the", "cat"), ("the", "dog")]
    cases = [
        Case((bigrams, "francisco"), 1, "seen twice, always after 'san': 1 continuation"),
        Case((bigrams, "cat"), 3, "after 'the', 'a' and 'black' (the repeat counts once)"),
        Case((bigrams, "dog"), 1),
        Case((bigrams, "zebra"), 0, "never seen"),
    ]
    return check_function(fn, cases, name="continuation_count",
                          hint="count distinct left neighbours: len({a for a, b in bigrams if b == word})")


# Notebook 02 ---------------------------------------------------------------

def _as_float_tuple(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap fn so that an array or list result compares element by element with a tolerance."""
    def wrapped(*args: Any) -> Any:
        got = fn(*args)
        if got is None or got is Ellipsis:
            return got
        return tuple(float(x) for x in np.asarray(got, dtype=float).reshape(-1))
    return wrapped


def check_cosine_similarity(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 02.1: cos(u, v) = u·v / (|u| |v|)."""
    cases = [
        Case((np.array([1.0, 0.0]), np.array([0.0, 1.0])), 0.0, "orthogonal vectors"),
        Case((np.array([1.0, 2.0]), np.array([2.0, 4.0])), 1.0, "same direction, different lengths"),
        Case((np.array([1.0, 0.0]), np.array([-3.0, 0.0])), -1.0, "opposite directions"),
        Case((np.array([3.0, 4.0]), np.array([4.0, 3.0])), 0.96),
        Case((np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, -1.0, 1.0, 1.0])), 0.5, "four dimensions"),
    ]
    return check_function(fn, cases, name="cosine_similarity", tol=1e-6,
                          hint="np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)); the lengths "
                               "must not change the answer")


def check_noise_distribution(fn: Callable[[Sequence[int]], Any]) -> CheckResult:
    """Exercise 02.2: negative-sampling probabilities P_n(w) = count^0.75 / Σ count^0.75."""
    cases = [
        Case(([16, 1],), (8 / 9, 1 / 9), "16^0.75 = 8"),
        Case(([5, 5, 5, 5],), (0.25, 0.25, 0.25, 0.25), "equal counts give a uniform distribution"),
        Case(([10_000, 100, 1],), tuple(c ** 0.75 / (1000 + 100 ** 0.75 + 1) for c in (10_000, 100, 1)),
             "a frequent word gets less than its share, a rare one more"),
        Case(([0, 81],), (0.0, 1.0), "a word never seen is never drawn"),
    ]
    return check_function(_as_float_tuple(fn), cases, name="noise_distribution", tol=1e-6,
                          hint="weights = np.asarray(counts, float) ** 0.75, then divide by their sum")


def check_keep_probability(fn: Callable[[int, int, float], float]) -> CheckResult:
    """Exercise 02.3: word2vec's subsampling rule, P(keep) = min(1, (√(f/t) + 1) · t/f)."""
    def rule(count: int, total: int, t: float) -> float:
        f = count / total
        return min(1.0, (math.sqrt(f / t) + 1) * t / f)
    cases = [
        Case((1000, 10_000, 1e-2), rule(1000, 10_000, 1e-2), "f = 0.1, t = 0.01"),
        Case((1_000_000, 100_000_000, 1e-5), rule(1_000_000, 100_000_000, 1e-5), "f = 1 %, t = 1e-5"),
        Case((10, 10_000, 1e-2), 1.0, "a rare word is always kept: clip at 1"),
        Case((50_000, 1_000_000, 1e-3), rule(50_000, 1_000_000, 1e-3), "f = 5 %, t = 1e-3"),
    ]
    return check_function(fn, cases, name="keep_probability", tol=1e-6,
                          hint="f = count / total; return min(1.0, (sqrt(f / t) + 1) * t / f) — the "
                               "rule in word2vec's code, not the paper's 1 − sqrt(t / f)")


def check_analogy(fn: Callable[[Sequence[str], np.ndarray, str, str, str], str]) -> CheckResult:
    """Exercise 02.4: a is to b as c is to ? — the word nearest (cosine) to b − a + c, question words excluded."""
    words = ["man", "king", "woman", "queen", "giant", "apple"]
    matrix = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 1.0], [10.0, 3.0], [0.3, -1.0]])
    cases = [
        Case((words, matrix, "man", "king", "woman"), "queen",
             "'woman' itself is closest to king − man + woman: leave the question words out; and "
             "'giant' has the largest dot product only because it is long: use cosine similarity"),
        Case((words[:4] + ["duchess"], np.vstack([matrix[:4], [[-0.2, 2.0]]]), "man", "king", "woman"),
             "duchess", "another vocabulary"),
    ]
    return check_function(fn, cases, name="analogy",
                          hint="normalise every row to length 1, target = v[b] − v[a] + v[c], score every "
                               "word by cosine with the target, exclude a, b and c, return the best word")


# Notebook 03 ---------------------------------------------------------------

def _floats_or_none(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap fn so an array result is compared value by value (with tolerance) as a tuple of floats."""

    def wrapped(*args: Any) -> Any:
        got = fn(*args)
        if got is None or got is Ellipsis:
            return got
        return tuple(float(v) for v in np.asarray(got, dtype=np.float64).reshape(-1))

    return wrapped


def check_logsumexp(fn: Callable[[np.ndarray], float]) -> CheckResult:
    """Exercise 03.1: a numerically stable log Σ exp(z) of a 1-D array of logits."""
    cases = [
        Case((np.array([0.0, 0.0]),), math.log(2.0), "two zeros: log 2"),
        Case((np.array([1.0, 2.0, 3.0]),), math.log(math.exp(1) + math.exp(2) + math.exp(3))),
        Case((np.array([1000.0, 1000.0]),), 1000.0 + math.log(2.0), "exp(1000) overflows to inf"),
        Case((np.array([-1000.0, -1000.0, -1000.0]),), -1000.0 + math.log(3.0),
             "exp(-1000) underflows to 0, and log 0 = -inf"),
        Case((np.array([5.0]),), 5.0, "one logit"),
    ]
    return check_function(fn, cases, name="logsumexp", tol=1e-9,
                          hint="m = np.max(z); return m + np.log(np.sum(np.exp(z - m))) — every "
                               "exponent is then <= 0, so nothing overflows")


def check_cross_entropy_from_logits(fn: Callable[[np.ndarray, np.ndarray], float]) -> CheckResult:
    """Exercise 03.2: mean cross-entropy (nats) from logits (batch, classes) and target ids (batch,)."""
    def reference(z: np.ndarray, y: np.ndarray) -> float:
        m = z.max(axis=1, keepdims=True)
        log_p = z - (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))
        return float(-log_p[np.arange(len(y)), y].mean())

    rng = np.random.default_rng(3)
    random_z, random_y = rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    cases = [
        Case((np.zeros((2, 4)), np.array([0, 3])), math.log(4.0), "uniform logits: log(classes)"),
        Case((np.array([[2.0, 0.0], [0.0, 2.0]]), np.array([0, 1])), math.log(1 + math.exp(-2.0))),
        Case((random_z, random_y), reference(random_z, random_y), "a random batch"),
        Case((np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1])), 500.0,
             "huge logits: wrong on the first example by 1000 nats, right on the second"),
    ]
    return check_function(fn, cases, name="cross_entropy_from_logits", tol=1e-6,
                          hint="log_probs = z - logsumexp(z) row by row (subtract each row's max "
                               "first); pick log_probs[np.arange(batch), targets]; return minus "
                               "their mean")


def check_softmax_gradient(fn: Callable[[np.ndarray, int], np.ndarray]) -> CheckResult:
    """Exercise 03.3: the gradient of −log softmax(z)[y] with respect to the logits z: p − onehot(y)."""
    def reference(z: np.ndarray, y: int) -> tuple[float, ...]:
        e = np.exp(z - z.max())
        g = e / e.sum()
        g[y] -= 1.0
        return tuple(float(v) for v in g)

    z3 = np.array([1.0, 2.0, 3.0])
    cases = [
        Case((np.zeros(4), 2), (0.25, 0.25, -0.75, 0.25), "uniform logits, target 2"),
        Case((z3, 0), reference(z3, 0)),
        Case((z3, 2), reference(z3, 2), "the target is already the most likely class"),
        Case((np.array([0.0, 800.0]), 1), (0.0, 0.0), "a confident, correct prediction: no gradient"),
    ]
    return check_function(_floats_or_none(fn), cases, name="softmax_gradient", tol=1e-9,
                          hint="compute p = softmax(z) stably, copy it, then subtract 1 at the "
                               "target index: the gradient is p - y with y one-hot")


def check_context_windows(fn: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 03.4: every (k previous ids, next id) pair of a sequence, windows overlapping."""
    cases = [
        Case((np.arange(5), 2), (np.array([[0, 1], [1, 2], [2, 3]]), np.array([2, 3, 4]))),
        Case((np.array([7, 8, 9]), 2), (np.array([[7, 8]]), np.array([9])),
             "3 ids and k = 2 give exactly one example"),
        Case((np.array([4, 4, 1, 0, 2, 4]), 1),
             (np.array([[4], [4], [1], [0], [2]]), np.array([4, 1, 0, 2, 4])), "k = 1: a bigram model"),
        Case((np.arange(10, 17), 4),
             (np.array([[10, 11, 12, 13], [11, 12, 13, 14], [12, 13, 14, 15]]), np.array([14, 15, 16]))),
    ]
    return check_function(fn, cases, name="context_windows",
                          hint="there are len(ids) - k examples; x[i] = ids[i:i+k] and y[i] = "
                               "ids[i+k] (np.stack the rows, or use "
                               "np.lib.stride_tricks.sliding_window_view(ids, k + 1))")


# Notebook 04 ---------------------------------------------------------------

def check_rnn_step(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 04.1: one SimpleRNN step in NumPy, h_t = tanh(x_t W_x + h_prev W_h + b)."""
    rng = np.random.default_rng(4)
    cases = []
    for batch, d, u in [(1, 2, 3), (4, 5, 2), (2, 3, 3)]:
        x, h = rng.normal(size=(batch, d)), rng.normal(size=(batch, u))
        W_x, W_h, b = rng.normal(size=(d, u)), rng.normal(size=(u, u)), rng.normal(size=u)
        expected = np.tanh(x @ W_x + h @ W_h + b)
        cases.append(Case((x, h, W_x, W_h, b), expected, f"batch {batch}, input {d}, units {u}"))
    return check_function(lambda *a: np.round(np.asarray(fn(*a), dtype=float), 6),
                          [Case(c.args, np.round(c.expected, 6), c.note) for c in cases],
                          name="rnn_step",
                          hint="np.tanh(x_t @ W_x + h_prev @ W_h + b): row vectors times matrices")


def check_softmax_temperature(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 04.2: softmax of logits / T, stable for large logits."""
    def reference(z: np.ndarray, t: float) -> np.ndarray:
        z = np.asarray(z, dtype=float) / t
        e = np.exp(z - z.max())
        return np.round(e / e.sum(), 6)

    cases = [
        Case((np.array([2.0, 1.0, 0.0]), 1.0), reference(np.array([2.0, 1.0, 0.0]), 1.0)),
        Case((np.array([2.0, 1.0, 0.0]), 0.5), reference(np.array([2.0, 1.0, 0.0]), 0.5), "T < 1 sharpens"),
        Case((np.array([2.0, 1.0, 0.0]), 10.0), reference(np.array([2.0, 1.0, 0.0]), 10.0), "T > 1 flattens"),
        Case((np.array([1000.0, 999.0]), 1.0), reference(np.array([1000.0, 999.0]), 1.0),
             "large logits: exp(1000) overflows unless you subtract the max first"),
    ]
    return check_function(lambda z, t: np.round(np.asarray(fn(z, t), dtype=float), 6), cases,
                          name="softmax_temperature",
                          hint="z = logits / T; subtract z.max(); exponentiate; divide by the sum")


def check_scale_radius(fn: Callable[[np.ndarray, float], np.ndarray]) -> CheckResult:
    """Exercise 04.3: rescale a square matrix to a given spectral radius."""
    rng = np.random.default_rng(40)
    cases = []
    for n, r in [(3, 0.5), (5, 1.0), (4, 1.5)]:
        A = rng.normal(size=(n, n))
        cases.append(Case((A, r), round(r, 6), f"{n}×{n} matrix to radius {r}"))
    return check_function(
        lambda A, r: round(float(np.max(np.abs(np.linalg.eigvals(np.asarray(fn(A, r)))))), 6),
        cases, name="scale_radius",
        hint="the spectral radius is max |eigenvalue| (np.linalg.eigvals); multiply the matrix by "
             "target / current")


def check_simple_rnn_params(fn: Callable[[int, int], int]) -> CheckResult:
    """Exercise 04.4: the number of trainable parameters of a SimpleRNN layer."""
    cases = [Case((d, u), d * u + u * u + u, f"input {d}, units {u}") for d, u in [(1, 1), (64, 256), (10, 3)]]
    return check_function(fn, cases, name="simple_rnn_params",
                          hint="W_x is input_dim × units, W_h is units × units, b has units entries")


# Notebook 05 ---------------------------------------------------------------

def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def check_lstm_step(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> CheckResult:
    """Exercise 05.1: one LSTM step in NumPy with Keras' gate order i, f, c, o."""
    rng = np.random.default_rng(5)
    cases = []
    for batch, d, u in [(1, 2, 3), (4, 3, 2)]:
        x, h, c = rng.normal(size=(batch, d)), rng.normal(size=(batch, u)), rng.normal(size=(batch, u))
        W, U, b = rng.normal(size=(d, 4 * u)), rng.normal(size=(u, 4 * u)), rng.normal(size=4 * u)
        z = x @ W + h @ U + b
        i, f, g, o = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        cases.append(Case((x, h, c, W, U, b), (np.round(o * np.tanh(c_new), 6), np.round(c_new, 6)),
                          f"batch {batch}, input {d}, units {u}"))

    def rounded(*args: Any) -> Any:
        h_new, c_new = fn(*args)
        return np.round(np.asarray(h_new, dtype=float), 6), np.round(np.asarray(c_new, dtype=float), 6)

    return check_function(rounded, cases, name="lstm_step",
                          hint="z = x@W + h@U + b; split z into 4 blocks of units (i, f, c, o); "
                               "c_t = σ(f)*c + σ(i)*tanh(c block); h_t = σ(o)*tanh(c_t); return (h_t, c_t)")


def check_gru_step(fn: Callable[..., np.ndarray]) -> CheckResult:
    """Exercise 05.2: one GRU step in NumPy, Keras' reset_after form, gate order z, r, h."""
    rng = np.random.default_rng(50)
    cases = []
    for batch, d, u in [(1, 2, 3), (3, 4, 2)]:
        x, h = rng.normal(size=(batch, d)), rng.normal(size=(batch, u))
        W, U, b = rng.normal(size=(d, 3 * u)), rng.normal(size=(u, 3 * u)), rng.normal(size=(2, 3 * u))
        xs, hs = x @ W + b[0], h @ U + b[1]
        z = _sigmoid(xs[:, :u] + hs[:, :u])
        r = _sigmoid(xs[:, u:2 * u] + hs[:, u:2 * u])
        cand = np.tanh(xs[:, 2 * u:] + r * hs[:, 2 * u:])
        cases.append(Case((x, h, W, U, b), np.round(z * h + (1 - z) * cand, 6), f"batch {batch}, units {u}"))
    return check_function(lambda *a: np.round(np.asarray(fn(*a), dtype=float), 6), cases, name="gru_step",
                          hint="xs = x@W + b[0], hs = h@U + b[1]; z, r = σ of their first two blocks summed; "
                               "ĥ = tanh(xs_h + r*hs_h); h_t = z*h + (1-z)*ĥ")


def check_clip_by_global_norm(fn: Callable[[list[np.ndarray], float], list[np.ndarray]]) -> CheckResult:
    """Exercise 05.3: rescale a list of gradients so their joint norm is at most tau."""
    def reference(grads: list[np.ndarray], tau: float) -> tuple[np.ndarray, ...]:
        norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
        scale = min(1.0, tau / norm) if norm > 0 else 1.0
        return tuple(np.round(g * scale, 6) for g in grads)

    cases = []
    for grads, tau, note in [
        ([np.array([3.0, 4.0])], 1.0, "norm 5 clipped to 1"),
        ([np.array([3.0, 4.0])], 10.0, "already short enough: unchanged"),
        ([np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([4.0])], 2.5, "the norm of all arrays together"),
        ([np.zeros(3)], 1.0, "a zero gradient stays zero (no division by zero)"),
    ]:
        cases.append(Case((grads, tau), reference(grads, tau), note))
    return check_function(lambda g, t: tuple(np.round(np.asarray(a, dtype=float), 6) for a in fn(g, t)), cases,
                          name="clip_by_global_norm",
                          hint="norm = sqrt(sum of squares over every array); multiply each by "
                               "min(1, tau / norm) (and leave a zero gradient alone)")


def check_gated_params(fn: Callable[[int, int], tuple[int, int]]) -> CheckResult:
    """Exercise 05.4: parameter counts of keras.layers.LSTM and keras.layers.GRU (reset_after=True)."""
    cases = [Case((d, u), (4 * (d * u + u * u + u), 3 * (d * u + u * u + 2 * u)), f"input {d}, units {u}")
             for d, u in [(1, 1), (64, 256), (10, 3)]]
    return check_function(lambda d, u: tuple(int(v) for v in fn(d, u)), cases, name="gated_params",
                          hint="an LSTM is four SimpleRNN-sized blocks; a GRU three, with two bias vectors "
                               "(input and recurrent) because reset_after=True")
