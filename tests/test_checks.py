"""Tests for lmcourse.checks: the generic checker and notebook 00's exercise checks."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest

from lmcourse.checks import (
    Case,
    check_alpha_tokenize,
    check_function,
    check_next_token_pairs,
    check_oov_rate,
    check_sequence_log_prob,
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


# Notebook 00: sequence_log_prob -------------------------------------------------------

def test_sequence_log_prob_reference_passes(capsys):
    def sequence_log_prob(probs):
        return sum(math.log(p) for p in probs)

    assert check_sequence_log_prob(sequence_log_prob)
    assert capsys.readouterr().out.startswith("✓ sequence_log_prob")


def test_sequence_log_prob_numpy_reference_passes(capsys):
    assert check_sequence_log_prob(lambda probs: np.log(probs).sum())


def test_sequence_log_prob_product_then_log_fails_on_underflow(capsys):
    def sequence_log_prob(probs):
        return math.log(math.prod(probs))

    assert not check_sequence_log_prob(sequence_log_prob)
    out = capsys.readouterr().out
    assert "✗ sequence_log_prob: case 4 raised ValueError" in out  # log(0.0)
    assert "underflows" in out  # the hint explains why


def test_sequence_log_prob_numpy_product_fails_with_minus_inf(capsys):
    with np.errstate(divide="ignore"):
        assert not check_sequence_log_prob(lambda probs: float(np.log(np.prod(probs))))
    out = capsys.readouterr().out
    assert "✗ sequence_log_prob: case 4 (2000 tokens: the product underflows to 0.0) is wrong" in out
    assert "got:      -inf" in out


def test_sequence_log_prob_stub(capsys):
    assert not check_sequence_log_prob(_stub)
    assert NOT_ATTEMPTED in capsys.readouterr().out


# Notebook 00: alpha_tokenize ------------------------------------------------------------

def test_alpha_tokenize_reference_passes(capsys):
    def alpha_tokenize(text):
        return re.findall(r"[a-z]+", text.lower())

    assert check_alpha_tokenize(alpha_tokenize)
    assert "✓ alpha_tokenize" in capsys.readouterr().out


def test_alpha_tokenize_whitespace_split_fails(capsys):
    def alpha_tokenize(text):
        return text.lower().split()

    assert not check_alpha_tokenize(alpha_tokenize)
    out = capsys.readouterr().out
    assert "✗ alpha_tokenize: case 1 is wrong." in out
    assert "expected: ['the', 'cat', 'sat']" in out
    assert "got:      ['the', 'cat', 'sat.']" in out
    assert "hint: re.findall" in out


def test_alpha_tokenize_keeping_digits_fails(capsys):
    def alpha_tokenize(text):
        return re.findall(r"[a-z0-9]+", text.lower())

    assert not check_alpha_tokenize(alpha_tokenize)
    assert "case 2 (digits split words)" in capsys.readouterr().out


def test_alpha_tokenize_stub(capsys):
    assert not check_alpha_tokenize(_returns_none)
    assert NOT_ATTEMPTED in capsys.readouterr().out


# Notebook 00: oov_rate ------------------------------------------------------------------

def test_oov_rate_reference_passes(capsys):
    def oov_rate(train_tokens, eval_tokens, min_freq):
        counts = Counter(train_tokens)
        kept = {t for t, c in counts.items() if c >= min_freq}
        return sum(t not in kept for t in eval_tokens) / len(eval_tokens)

    assert check_oov_rate(oov_rate)
    assert "✓ oov_rate" in capsys.readouterr().out


def test_oov_rate_counting_distinct_words_fails(capsys):
    def oov_rate(train_tokens, eval_tokens, min_freq):
        counts = Counter(train_tokens)
        kept = {t for t, c in counts.items() if c >= min_freq}
        distinct = set(eval_tokens)
        return len(distinct - kept) / len(distinct)

    assert not check_oov_rate(oov_rate)
    out = capsys.readouterr().out
    assert "✗ oov_rate: case 4 (count every occurrence, not distinct words) is wrong." in out
    assert "expected: 0.75" in out
    assert "got:      0.5" in out


def test_oov_rate_ignoring_min_freq_fails(capsys):
    def oov_rate(train_tokens, eval_tokens, min_freq):
        return sum(t not in set(train_tokens) for t in eval_tokens) / len(eval_tokens)

    assert not check_oov_rate(oov_rate)
    assert "case 3 (with min_freq=2" in capsys.readouterr().out


def test_oov_rate_stub(capsys):
    assert not check_oov_rate(_stub)
    assert NOT_ATTEMPTED in capsys.readouterr().out


# Notebook 00: next_token_pairs ---------------------------------------------------------

def test_next_token_pairs_reference_passes(capsys):
    def next_token_pairs(ids, seq_len):
        n = (len(ids) - 1) // seq_len
        x = ids[: n * seq_len].reshape(n, seq_len)
        y = ids[1 : n * seq_len + 1].reshape(n, seq_len)
        return x, y

    assert check_next_token_pairs(next_token_pairs)
    assert "✓ next_token_pairs" in capsys.readouterr().out


def test_next_token_pairs_off_by_one_window_count_fails(capsys):
    def next_token_pairs(ids, seq_len):
        n = len(ids) // seq_len  # forgets the +1 the last target needs
        x = ids[: n * seq_len].reshape(n, seq_len)
        y = np.concatenate([ids[1:], ids[:1]])[: n * seq_len].reshape(n, seq_len)
        return x, y

    assert not check_next_token_pairs(next_token_pairs)
    out = capsys.readouterr().out
    assert "✗ next_token_pairs: case 2 (6 ids give one window" in out
    assert "expected:" in out and "got:" in out


def test_next_token_pairs_overlapping_windows_fail(capsys):
    def next_token_pairs(ids, seq_len):
        starts = range(len(ids) - seq_len)
        x = np.array([ids[i : i + seq_len] for i in starts])
        y = np.array([ids[i + 1 : i + seq_len + 1] for i in starts])
        return x, y

    assert not check_next_token_pairs(next_token_pairs)
    assert "✗ next_token_pairs: case 1 is wrong." in capsys.readouterr().out


def test_next_token_pairs_stub(capsys):
    assert not check_next_token_pairs(_stub)
    out = capsys.readouterr().out
    assert out.startswith("⏳ next_token_pairs: not attempted yet")


# Notebook 04 ---------------------------------------------------------------

def test_check_rnn_step(capsys):
    from lmcourse.checks import check_rnn_step

    assert check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b))
    assert not check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh))  # bias forgotten
    assert "hint" in capsys.readouterr().out


def test_check_softmax_temperature(capsys):
    from lmcourse.checks import check_softmax_temperature

    def stable(z, t):
        z = np.asarray(z, dtype=float) / t
        e = np.exp(z - z.max())
        return e / e.sum()

    assert check_softmax_temperature(stable)
    with np.errstate(over="ignore", invalid="ignore"):
        assert not check_softmax_temperature(lambda z, t: np.exp(z / t) / np.exp(z / t).sum())
    assert "overflows" in capsys.readouterr().out


def test_check_scale_radius():
    from lmcourse.checks import check_scale_radius

    assert check_scale_radius(lambda W, r: W * r / np.max(np.abs(np.linalg.eigvals(W))))
    assert not check_scale_radius(lambda W, r: W * r / np.linalg.norm(W))  # Frobenius is not the radius


def test_check_simple_rnn_params(capsys):
    from lmcourse.checks import check_simple_rnn_params

    assert check_simple_rnn_params(lambda d, u: d * u + u * u + u)
    assert not check_simple_rnn_params(lambda d, u: d * u + u)
    def stub(d, u):
        raise NotImplementedError

    capsys.readouterr()
    assert not check_simple_rnn_params(stub)
    assert "not attempted yet" in capsys.readouterr().out


# Notebook 05 ---------------------------------------------------------------

def test_check_lstm_and_gru_steps_accept_the_course_cells_and_reject_swapped_gates():
    from lmcourse.checks import check_gru_step, check_lstm_step
    from lmcourse.rnn import gru_step, lstm_step

    assert check_lstm_step(lambda *a: tuple(t.numpy() for t in lstm_step(*a)))
    assert check_gru_step(lambda *a: gru_step(*a).numpy())

    def gru_swapped(x, h, W, U, b):  # the textbook form: (1 - z) keeps the old state
        u = h.shape[1]
        xs, hs = x @ W + b[0], h @ U + b[1]
        z = 1 / (1 + np.exp(-(xs[:, :u] + hs[:, :u])))
        r = 1 / (1 + np.exp(-(xs[:, u:2 * u] + hs[:, u:2 * u])))
        candidate = np.tanh(xs[:, 2 * u:] + r * hs[:, 2 * u:])
        return (1 - z) * h + z * candidate

    assert not check_gru_step(gru_swapped)

    def lstm_order_ifoc(x, h, c, W, U, b):  # reads the blocks in the wrong order
        u = h.shape[1]
        perm = np.r_[0:u, u:2 * u, 3 * u:4 * u, 2 * u:3 * u]
        return tuple(t.numpy() for t in lstm_step(x, h, c, W[:, perm], U[:, perm], b[perm]))

    assert not check_lstm_step(lstm_order_ifoc)


def test_check_clip_by_global_norm(capsys):
    from lmcourse.checks import check_clip_by_global_norm

    def clip(grads, tau):
        norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * min(1.0, tau / norm) if norm else g for g in grads]

    assert check_clip_by_global_norm(clip)
    assert not check_clip_by_global_norm(lambda grads, tau: [g * tau / np.linalg.norm(g) for g in grads])
    assert "hint" in capsys.readouterr().out


def test_check_gated_params():
    from lmcourse.checks import check_gated_params

    assert check_gated_params(lambda d, u: (4 * (d * u + u * u + u), 3 * (d * u + u * u + 2 * u)))
    assert not check_gated_params(lambda d, u: (4 * (d * u + u * u + u), 3 * (d * u + u * u + u)))


def test_check_clip_by_global_norm_rejects_an_answer_that_divides_by_a_zero_norm(capsys):
    from lmcourse.checks import check_clip_by_global_norm

    def divides_by_the_norm(grads, tau):  # right for every non-zero gradient, nan for a zero one
        norm = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
        with np.errstate(invalid="ignore", divide="ignore"):
            return [g / norm * min(norm, tau) for g in grads]

    assert not check_clip_by_global_norm(divides_by_the_norm)
    out = capsys.readouterr().out
    assert "no division by zero" in out  # the failing case says what it is about
