"""Tests for notebook 07's exercise checks: right answers pass, typical mistakes fail with a hint."""

from __future__ import annotations

import math

import numpy as np

from lmcourse.checks import (
    check_gpt_params,
    check_kv_cache_bytes,
    check_lr_schedule,
    check_min_p_filter,
)
from lmcourse.transformer import build_gpt


def _gpt_params(vocab, context, d, layers, mult, tie):
    block = 4 * d + 4 * d * d + 4 * d + 2 * mult * d * d + mult * d + d
    return vocab * d + context * d + layers * block + 2 * d + (0 if tie else d * vocab + vocab)


def test_gpt_params(capsys):
    assert check_gpt_params(_gpt_params)
    model = build_gpt(30, 16, d_model=24, num_layers=2, num_heads=4, ffn_mult=3, tie_embeddings=False)
    assert model.count_params() == _gpt_params(30, 16, 24, 2, 3, False)
    assert not check_gpt_params(lambda v, c, d, n, m, t: _gpt_params(v, c, d, n, m, False))  # tying ignored
    assert not check_gpt_params(lambda v, c, d, n, m, t: _gpt_params(v, c, d, n, m, t) - 4 * d * n)  # no LN
    assert "hint" in capsys.readouterr().out


def _lr(step, peak, warmup, total, final):
    if step < warmup:
        return peak * step / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return peak * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))


def test_lr_schedule(capsys):
    assert check_lr_schedule(_lr)
    assert not check_lr_schedule(lambda s, p, w, t, f: _lr(min(s, t - 1), p, w, t, 0.0))  # decays to zero
    assert not check_lr_schedule(lambda s, p, w, t, f: p * 0.5 * (1 + math.cos(math.pi * min(1, s / t))))
    assert "hint" in capsys.readouterr().out


def test_min_p_filter(capsys):
    def right(z, p_min):
        p = np.exp(z - z.max())
        return np.where(p >= p_min * p.max(), z, -np.inf)

    assert check_min_p_filter(right)
    assert not check_min_p_filter(lambda z, p_min: np.where(np.exp(z) / np.exp(z).sum() >= p_min, z, -np.inf))
    assert "hint" in capsys.readouterr().out


def test_kv_cache_bytes(capsys):
    assert check_kv_cache_bytes(lambda b, n, h, k, t, s: 2 * b * n * h * k * t * s)
    assert not check_kv_cache_bytes(lambda b, n, h, k, t, s: b * n * h * k * t * s)  # the values forgotten
    assert "hint" in capsys.readouterr().out
