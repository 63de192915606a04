"""Tests for lmcourse.checks: the generic checker and notebook 00's exercise checks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import lmcourse.checks as checks
from lmcourse.checks import (
    Case,
    check_alpha_tokenize,
    check_function,
)

NOT_ATTEMPTED = "not attempted yet"


def _stub(*args):
    raise NotImplementedError


def _returns_none(*args):
    return None


def _returns_ellipsis(*args):
    return ...


# check_function -------------------------------------------------------------------

def test_case_defaults():
    case = Case((1, 2), 3)
    assert case.args == (1, 2) and case.expected == 3 and case.note == ""


def test_check_function_correct(capsys):
    def add(a, b):
        return a + b

    assert check_function(add, [Case((1, 2), 3), Case((-1, 1), 0)])
    out = capsys.readouterr().out
    assert out.startswith("✓ add:")
    assert "correct on all 2 cases" in out


def test_check_function_uses_given_name(capsys):
    assert check_function(len, [Case(("abc",), 3)], name="length")
    assert capsys.readouterr().out.strip() == "✓ length: correct on all 1 cases."


def test_check_function_wrong_reports_case_expected_got_hint(capsys):
    def add(a, b):
        return a - b

    cases = [Case((2, 0), 2), Case((1, 2), 3, "positive numbers")]
    assert not check_function(add, cases, hint="use +")
    out = capsys.readouterr().out
    assert out.startswith("✗ add: case 2 (positive numbers) is wrong.")
    assert "input:    (1, 2)" in out
    assert "expected: 3" in out
    assert "got:      -1" in out
    assert "hint: use +" in out


def test_check_function_wrong_without_hint_has_no_hint_line(capsys):
    assert not check_function(lambda x: x, [Case((1,), 2)], name="identity")
    out = capsys.readouterr().out
    assert "✗ identity: case 1 is wrong." in out
    assert "hint" not in out


def test_check_function_stops_at_first_failure(capsys):
    calls = []

    def fn(x):
        calls.append(x)
        return 0

    assert not check_function(fn, [Case((1,), 1), Case((2,), 2)])
    assert calls == [1]


def test_check_function_long_values_are_shortened(capsys):
    assert not check_function(lambda s: s * 2, [Case(("x" * 100,), "y")])
    out = capsys.readouterr().out
    got_line = next(line for line in out.splitlines() if "got:" in line)
    assert got_line.endswith("…")
    assert len(got_line.split("got:", 1)[1].strip()) == 80


@pytest.mark.parametrize("stub", [_stub, _returns_none, _returns_ellipsis])
def test_check_function_not_attempted(capsys, stub):
    assert not check_function(stub, [Case((1,), 2)], name="todo")
    out = capsys.readouterr().out
    assert out.startswith("⏳ todo: not attempted yet")
    assert "✗" not in out


def test_check_function_none_is_fine_when_expected(capsys):
    assert check_function(_returns_none, [Case((1,), None)], name="noop")
    assert "✓" in capsys.readouterr().out


def test_check_function_none_on_a_later_case_is_wrong(capsys):
    def fn(x):
        return x if x == 1 else None

    assert not check_function(fn, [Case((1,), 1), Case((2,), 2)], name="f")
    out = capsys.readouterr().out
    assert "✗ f: case 2" in out
    assert "got:      None" in out


def test_check_function_reports_other_exceptions(capsys):
    def broken(x):
        return {}[x]

    assert not check_function(broken, [Case(("k",), 1)], hint="look it up")
    out = capsys.readouterr().out
    assert out.startswith("✗ broken: case 1 raised KeyError: 'k'")
    assert "input: ('k',)" in out
    assert "hint: look it up" in out


def test_check_function_reports_zero_division(capsys):
    assert not check_function(lambda x: 1 / x, [Case((0,), 1.0)], name="inv")
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_check_function_float_tolerance(capsys):
    cases = [Case((), 0.1 + 0.2)]
    assert check_function(lambda: 0.3, cases)
    assert check_function(lambda: 0.3 + 1e-9, cases)
    assert not check_function(lambda: 0.3 + 1e-3, cases)
    assert check_function(lambda: 0.3 + 1e-3, cases, tol=1e-2)
    assert check_function(lambda: np.float32(0.3), cases)
    assert not check_function(lambda: "not a number", cases)
    assert not check_function(lambda: [0.3, 0.3], cases)


def test_check_function_numpy_arrays(capsys):
    expected = np.array([[1, 2], [3, 4]])
    assert check_function(lambda: np.array([[1, 2], [3, 4]]), [Case((), expected)])
    assert check_function(lambda: [[1, 2], [3, 4]], [Case((), expected)])
    assert not check_function(lambda: np.array([1, 2, 3, 4]), [Case((), expected)])  # shape
    assert not check_function(lambda: np.array([[1, 2], [3, 5]]), [Case((), expected)])
    out = capsys.readouterr().out
    assert "expected: [[1 2]  [3 4]]" in out


def test_check_function_tuples(capsys):
    expected = (np.array([1, 2]), 0.5, "x")
    assert check_function(lambda: (np.array([1, 2]), 0.5 + 1e-9, "x"), [Case((), expected)])
    assert check_function(lambda: [[1, 2], 0.5, "x"], [Case((), expected)])  # list is fine
    assert not check_function(lambda: (np.array([1, 2]), 0.5), [Case((), expected)])  # length
    assert not check_function(lambda: (np.array([1, 3]), 0.5, "x"), [Case((), expected)])
    assert not check_function(lambda: "abc", [Case((), ("a", "b", "c"))])  # not a tuple


def test_check_function_reports_uncomparable_result(capsys):
    def as_array(text):
        return np.array(re.findall(r"[a-z]+", text.lower()))

    try:
        result, error = check_alpha_tokenize(as_array), None
    except ValueError as caught:
        result, error = None, caught
    assert error is None, f"the check itself raised {error!r}"
    assert not result
    assert "✗ alpha_tokenize" in capsys.readouterr().out


EVERY_CHECK = [getattr(checks, name) for name in checks.__all__ if name.startswith("check_") and name != "check_function"]


@pytest.mark.parametrize("check", EVERY_CHECK, ids=lambda c: c.__name__)
@pytest.mark.parametrize("fn", [_stub, _returns_none], ids=["raises", "returns None"])
def test_every_lab_check_reads_an_untouched_stub_as_not_attempted(capsys, check, fn):
    assert not check(fn)
    assert "not attempted yet" in capsys.readouterr().out
