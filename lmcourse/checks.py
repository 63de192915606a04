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
