"""The character-level leaderboard: every model's validation nats/char on the course split.

Every character-level model of the course (n-grams, MLP, RNNs, Transformer) is
scored on the same Tiny Shakespeare split (first 90% train, last 10%
validation) by one function, :func:`lmcourse.metrics.score_text`, and only its
result (a :class:`~lmcourse.metrics.TextScore`) is accepted here. Beside the
score, each row records what it cost: training seconds (evaluation left out),
training tokens, parameters, and the machine (CPU and its measured matmul
peak), so rows from different machines can be compared per token.

``make execute`` writes the committed rows (``results/char_leaderboard.json``);
a learner's runs go to the data cache and are shown beside the committed rows,
marked as theirs.

    >>> import math
    >>> bits_per_char(math.log(2))
    1.0
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from .metrics import TextScore
from .plots import COLORS, use_course_style
from .profile import get_profile
from .results import ResultTable

__all__ = ["LEADERBOARD", "bits_per_char", "leaderboard_path", "load_leaderboard", "plot_leaderboard",
           "record_score"]

LEADERBOARD = ResultTable("char_leaderboard", key=("notebook", "model"), sort_by="nats_per_char")


def leaderboard_path(where: str = "repo") -> Path:
    """The committed leaderboard, ``results/char_leaderboard.json`` (``where="cache"``: a learner's rows).

    >>> leaderboard_path().name
    'char_leaderboard.json'
    """
    return LEADERBOARD.path(where)


def bits_per_char(nats: float) -> float:
    """Convert nats per character to bits per character (divide by ln 2)."""
    return nats / math.log(2)


def load_leaderboard(where: str = "merged") -> list[dict[str, Any]]:
    """All rows, best (lowest nats/char) first: the committed ones, with this machine's own on top.

    ``where="repo"`` gives only the committed rows, ``"cache"`` only a learner's.

    >>> isinstance(load_leaderboard(), list)
    True
    """
    return LEADERBOARD.rows(where)


def record_score(
    model: str,
    score: TextScore,
    *,
    notebook: str,
    train_seconds: float | None,
    train_tokens: int | None,
    params: int | None,
    details: str = "",
) -> None:
    """Record a model's score (from :func:`lmcourse.metrics.score_text`) and what its training cost.

    ``train_seconds`` is training time without evaluation and without the first
    (compiling) step, as :class:`lmcourse.training.TimeBudget` measures it;
    ``None`` for models that are counted rather than trained. Smoke runs print
    the row and record it only in the cache. Read rows back with :func:`load_leaderboard`.
    """
    from .env import machine_info

    if not isinstance(score, TextScore):
        raise TypeError(
            f"record_score takes the TextScore that lmcourse.metrics.score_text returns, got "
            f"{type(score).__name__}: every leaderboard row is scored by that one function"
        )
    if not model or not notebook:
        raise ValueError("model and notebook must be non-empty names")
    for name, value in (("train_seconds", train_seconds), ("train_tokens", train_tokens), ("params", params)):
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a non-negative number or None, got {value!r}")
    machine = machine_info()
    row = {
        "model": model,
        "notebook": notebook,
        "nats_per_char": round(score.nats, 4),
        "bits_per_char": round(score.bits, 4),
        "scored_chars": score.tokens,
        "scoring": score.method,
        "train_seconds": None if train_seconds is None else round(float(train_seconds), 1),
        "train_tokens": None if train_tokens is None else int(train_tokens),
        "params": None if params is None else int(params),
        "details": details,
        "cpu": machine["cpu"],
        "accelerator": machine["accelerator"],
        "matmul_gflops_fp32": machine["matmul_gflops_fp32"],
    }
    LEADERBOARD.record(row)
    where = "results/" if LEADERBOARD.path() == leaderboard_path("repo") else "your cache"
    print(f"recorded in {where} ({get_profile()} profile): {model} = {score.nats:.4f} nats/char "
          f"({score.bits:.3f} bits/char)")


def plot_leaderboard(
    *,
    highlight: str | None = None,
    ax: plt.Axes | None = None,
    where: str = "merged",
    bar: float | None = None,
) -> plt.Axes:
    """Horizontal bars of validation nats/char, best at the top.

    ``highlight`` names a model to colour; a learner's own rows are hatched;
    ``bar`` draws a vertical line (e.g. the best n-gram's score, the bar to beat).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_leaderboard()
    >>> ax.get_xlabel()
    'validation nats per character (lower is better)'
    """
    rows = load_leaderboard(where)
    if ax is None:
        use_course_style()
        _, ax = plt.subplots(figsize=(7.5, 0.42 * max(len(rows), 2) + 1.3))
    labels = [f"{r['model']} ({r['notebook']})" + (" — your run" if r.get("yours") else "") for r in rows]
    values = [r["nats_per_char"] for r in rows]
    colors = [COLORS[1] if r["model"] == highlight else COLORS[0] for r in rows]
    bars = ax.barh(range(len(rows)), values, color=colors)
    for patch, r in zip(bars, rows, strict=True):
        if r.get("yours"):
            patch.set_hatch("//")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2, fontsize=9)
    if bar is not None:
        ax.axvline(bar, color=COLORS[2], ls="--", lw=1)
    if values:
        ax.set_xlim(min(values) - 0.15, max(values) + 0.12)
    ax.set_xlabel("validation nats per character (lower is better)")
    ax.set_title("Tiny Shakespeare character-level leaderboard" if rows else "leaderboard: no rows yet")
    return ax

