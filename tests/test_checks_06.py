"""Tests for notebook 06's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import numpy as np

from lmcourse.checks import (
    check_additive_attention,
    check_decoder_mask,
    check_mha_params,
    check_shift_matrix,
)


def _additive(q, K, W1, W2, w):
    e = np.tanh(q @ W1 + K @ W2) @ w
    p = np.exp(e - e.max())
    return p / p.sum()


def test_additive_attention(capsys):
    assert check_additive_attention(_additive)
    assert not check_additive_attention(lambda q, K, W1, W2, w: np.tanh(q @ W1 + K @ W2) @ w)  # no softmax
    assert "hint" in capsys.readouterr().out


def test_decoder_mask(capsys):
    def right(ids, pad_id=0):
        T = ids.shape[1]
        return np.tril(np.ones((T, T), bool))[None] & (ids != pad_id)[:, None, :]

    def queries_instead_of_keys(ids, pad_id=0):
        T = ids.shape[1]
        return np.tril(np.ones((T, T), bool))[None] & (ids != pad_id)[:, :, None]

    assert check_decoder_mask(right)
    assert not check_decoder_mask(queries_instead_of_keys)
    assert not check_decoder_mask(lambda ids, pad_id=0: np.triu(np.ones((1, ids.shape[1], ids.shape[1]), bool)))
    assert "hint" in capsys.readouterr().out


def test_mha_params(capsys):
    assert check_mha_params(lambda d, h, k: 3 * (d * h * k + h * k) + h * k * d + d)
    assert not check_mha_params(lambda d, h, k: 4 * d * d + 4 * d)  # right only when h·k = d
    assert not check_mha_params(lambda d, h, k: 4 * d * h * k)  # biases forgotten
    assert "hint" in capsys.readouterr().out


def test_shift_matrix(capsys):
    def right(k, d):
        M = np.zeros((d, d))
        for i in range(d // 2):
            a = k / 10000 ** (2 * i / d)
            M[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
        return M

    assert check_shift_matrix(right)
    assert not check_shift_matrix(lambda k, d: right(k, d).T)  # the rotation for column vectors
    assert not check_shift_matrix(lambda k, d: np.eye(d))
    assert "hint" in capsys.readouterr().out
