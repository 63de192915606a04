"""Plots in one style for every notebook: learning curves, bar charts, Zipf plots.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_bars(["a", "b"], [1.0, 2.0], title="demo")
    >>> ax.get_title()
    'demo'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .text import fit_zipf

__all__ = ["COLORS", "plot_bars", "plot_learning_curves", "plot_zipf", "use_course_style"]

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def use_course_style() -> None:
    """Set the course's matplotlib style (sizes, grid, colours) for every later plot.

    >>> use_course_style(); mpl.rcParams["axes.grid"]
    True
    """
    mpl.rcParams.update({
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 100,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "legend.frameon": False,
        "axes.prop_cycle": mpl.cycler(color=COLORS),
    })


def _axes(ax: plt.Axes | None) -> plt.Axes:
    if ax is None:
        use_course_style()
        _, ax = plt.subplots()
    return ax


def plot_learning_curves(
    history: Any,
    metrics: Sequence[str] = ("loss",),
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
    xlabel: str = "epoch",
) -> plt.Axes:
    """Training and validation curves from a Keras ``History`` or a dict of lists.

    Each metric ``m`` is drawn with its ``val_m`` partner (dashed) when present.

    >>> ax = plot_learning_curves({"loss": [2.0, 1.5], "val_loss": [2.1, 1.7]})
    >>> len(ax.lines)
    2
    """
    values: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    missing = [m for m in metrics if m not in values]
    if missing:
        raise KeyError(f"no {missing} in the history; it has {sorted(values)}")
    ax = _axes(ax)
    for i, metric in enumerate(metrics):
        color = COLORS[i % len(COLORS)]
        series = list(values[metric])
        steps = np.arange(1, len(series) + 1)
        ax.plot(steps, series, color=color, marker="o", ms=3, label=f"train {metric}")
        if f"val_{metric}" in values:
            ax.plot(steps, list(values[f"val_{metric}"]), color=color, ls="--", marker="o", ms=3,
                    label=f"validation {metric}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(", ".join(metrics))
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_bars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    ax: plt.Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    annotate: bool = True,
    fmt: str = "{:.3g}",
    horizontal: bool = False,
) -> plt.Axes:
    """A bar chart with the value written on each bar.

    >>> ax = plot_bars(["x", "y", "z"], [3, 1, 2], horizontal=True)
    >>> len(ax.patches)
    3
    """
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    ax = _axes(ax)
    positions = np.arange(len(labels))
    if horizontal:
        bars = ax.barh(positions, values, color=COLORS[0])
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
    else:
        bars = ax.bar(positions, values, color=COLORS[0])
        ax.set_xticks(positions, labels)
    if annotate:
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2, fontsize=9)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def plot_zipf(
    corpora: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    ax: plt.Axes | None = None,
    fit_range: tuple[int, int] = (10, 1000),
    title: str = "Zipf's law: frequency against rank",
) -> plt.Axes:
    """Rank–frequency curves on log–log axes, one per corpus, with a fitted Zipf slope each.

    ``corpora`` maps a name to ``(ranks, counts)`` from :func:`lmcourse.text.rank_frequency`.

    >>> ax = plot_zipf({"toy": (np.arange(1, 50), 100 / np.arange(1, 50))}, fit_range=(1, 49))
    >>> ax.get_xscale()
    'log'
    """
    ax = _axes(ax)
    for i, (name, (ranks, counts)) in enumerate(corpora.items()):
        color = COLORS[i % len(COLORS)]
        s, c = fit_zipf(ranks, counts, min_rank=fit_range[0], max_rank=fit_range[1])
        ax.loglog(ranks, counts, color=color, lw=1.5, label=f"{name} (fitted s = {s:.2f})")
        fit_ranks = np.array(fit_range, dtype=float)
        ax.loglog(fit_ranks, c * fit_ranks ** (-s), color=color, ls=":", lw=2)
    ax.set_xlabel("rank (1 = most frequent)")
    ax.set_ylabel("count")
    ax.set_title(title)
    ax.legend()
    return ax
