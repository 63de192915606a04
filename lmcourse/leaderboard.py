"""The character-level leaderboard: every model's validation nats/char on the course split.

Each notebook that trains a character-level model on Tiny Shakespeare (first
90% train, last 10% validation) records one row here from its full-profile
run; the rows live in ``results/char_leaderboard.json`` in the repository.
Smoke runs never write the file, so tests cannot overwrite real results.

    >>> import math
    >>> bits_per_char(math.log(2))
    1.0
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from .data import datasets_dir
from .plots import COLORS, use_course_style
from .profile import get_profile

__all__ = ["bits_per_char", "leaderboard_path", "load_leaderboard", "plot_leaderboard", "record_score"]


def leaderboard_path() -> Path:
    """Where the committed leaderboard lives: ``results/char_leaderboard.json``.

    >>> leaderboard_path().name
    'char_leaderboard.json'
    """
    return datasets_dir().parent / "results" / "char_leaderboard.json"


def bits_per_char(nats: float) -> float:
    """Convert nats per character to bits per character (divide by ln 2)."""
    return nats / math.log(2)


def load_leaderboard(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """All recorded rows, best (lowest nats/char) first; an empty list if there are none yet.

    >>> isinstance(load_leaderboard(), list)
    True
    """
    path = Path(path) if path is not None else leaderboard_path()
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    if not isinstance(rows, list):
        raise ValueError(f"{path} is not a leaderboard file (expected a JSON list of rows)")
    return sorted(rows, key=lambda r: r["nats_per_char"])


def record_score(
    model: str,
    nats_per_char: float,
    *,
    notebook: str,
    details: str = "",
    path: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> bool:
    """Record a model's validation nats/char; returns True if the file was written.

    Only full-profile runs write (or ``force=True``, for tests); a smoke run
    prints what it would have recorded. A row with the same ``notebook`` and
    ``model`` is replaced, so re-running a notebook updates its rows.
    """
    if not model or not notebook:
        raise ValueError("model and notebook must be non-empty names")
    if not (isinstance(nats_per_char, (int, float)) and math.isfinite(nats_per_char) and nats_per_char > 0):
        raise ValueError(f"nats_per_char must be a positive finite number, got {nats_per_char!r}")
    row = {
        "model": model,
        "notebook": notebook,
        "nats_per_char": round(float(nats_per_char), 4),
        "bits_per_char": round(bits_per_char(float(nats_per_char)), 4),
        "details": details,
        "date": _dt.date.today().isoformat(),
    }
    if get_profile() != "full" and not force:
        print(f"profile {get_profile()}: not recorded ({model}: {nats_per_char:.4f} nats/char)")
        return False
    path = Path(path) if path is not None else leaderboard_path()
    rows = [r for r in load_leaderboard(path) if (r["notebook"], r["model"]) != (notebook, model)]
    rows.append(row)
    rows.sort(key=lambda r: r["nats_per_char"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    print(f"recorded: {model} = {nats_per_char:.4f} nats/char ({row['bits_per_char']:.3f} bits/char)")
    return True


def plot_leaderboard(
    path: str | os.PathLike[str] | None = None,
    *,
    highlight: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Horizontal bars of validation nats/char, best at the top; ``highlight`` names a model to colour.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_leaderboard()
    >>> ax.get_xlabel()
    'validation nats per character (lower is better)'
    """
    rows = load_leaderboard(path)
    if ax is None:
        use_course_style()
        _, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 1.2))
    labels = [f"{r['model']} ({r['notebook']})" for r in rows]
    values = [r["nats_per_char"] for r in rows]
    colors = [COLORS[1] if r["model"] == highlight else COLORS[0] for r in rows]
    bars = ax.barh(range(len(rows)), values, color=colors)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2, fontsize=9)
    ax.set_xlabel("validation nats per character (lower is better)")
    ax.set_title("Tiny Shakespeare character-level leaderboard" if rows else "leaderboard: no rows yet")
    return ax
