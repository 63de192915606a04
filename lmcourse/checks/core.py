"""The shared core of the exercise checks: a verdict that prints one line, and cases to run.

    >>> check_function(len, [Case(("abc",), 3)], name="length")
    ✓ length: correct on all 1 cases.
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Case", "CheckResult", "check_function", "converted"]

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


def converted(fn: Callable[..., Any], convert: Callable[[Any], Any]) -> Callable[..., Any]:
    """``fn`` with its answer passed through ``convert`` (e.g. rounding), except ``None`` and ``...``.

    An untouched stub that returns ``None`` must still read as "not attempted", so
    the conversion never sees it.

    >>> converted(lambda: None, float)() is None, converted(lambda: "2.5", float)()
    (True, 2.5)
    """
    def run(*args: Any) -> Any:
        got = fn(*args)
        return got if got is None or got is Ellipsis else convert(got)

    return run
