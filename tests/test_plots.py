"""Tests for lmcourse.plots: the course style, learning curves, bar charts and Zipf plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lmcourse.plots import (  # noqa: E402
    COLORS,
    plot_bars,
    plot_learning_curves,
    plot_zipf,
    use_course_style,
)


@pytest.fixture(autouse=True)
def clean_matplotlib():
    """Keep rcParams as they were and close every figure a test opened."""
    with matplotlib.rc_context():
        yield
    plt.close("all")


def _legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


# use_course_style -------------------------------------------------------------------

def test_use_course_style_sets_rcparams():
    matplotlib.rcParams["axes.grid"] = False
    use_course_style()
    rc = matplotlib.rcParams
    assert rc["axes.grid"] is True
    assert list(rc["figure.figsize"]) == [7.0, 4.0]
    assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
    assert rc["legend.frameon"] is False
    assert rc["axes.prop_cycle"].by_key()["color"] == COLORS


# plot_learning_curves ---------------------------------------------------------------

def test_learning_curves_from_dict():
    history = {"loss": [2.0, 1.5, 1.2], "val_loss": [2.1, 1.7, 1.6], "accuracy": [0.1, 0.2, 0.3]}
    ax = plot_learning_curves(history, title="training")
    assert len(ax.lines) == 2
    train, val = ax.lines
    assert train.get_xdata().tolist() == [1, 2, 3]
    assert train.get_ydata().tolist() == [2.0, 1.5, 1.2]
    assert val.get_ydata().tolist() == [2.1, 1.7, 1.6]
    assert val.get_linestyle() == "--"
    assert _legend_labels(ax) == ["train loss", "validation loss"]
    assert ax.get_title() == "training"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "loss"


def test_learning_curves_from_history_object():
    class FakeHistory:
        history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9],
                   "accuracy": [0.5, 0.7], "val_accuracy": [0.4, 0.6]}

    ax = plot_learning_curves(FakeHistory(), metrics=("loss", "accuracy"), xlabel="step")
    assert len(ax.lines) == 4
    assert _legend_labels(ax) == ["train loss", "validation loss",
                                  "train accuracy", "validation accuracy"]
    assert ax.get_xlabel() == "step"
    assert ax.get_ylabel() == "loss, accuracy"
    assert ax.lines[0].get_color() == ax.lines[1].get_color() != ax.lines[2].get_color()


def test_learning_curves_without_validation_and_given_axes():
    fig, ax = plt.subplots()
    returned = plot_learning_curves({"loss": np.array([3.0, 2.0])}, ax=ax)
    assert returned is ax
    assert len(ax.lines) == 1
    assert _legend_labels(ax) == ["train loss"]
    assert ax.get_title() == ""


def test_learning_curves_missing_metric():
    n_figures = len(plt.get_fignums())
    with pytest.raises(KeyError) as info:
        plot_learning_curves({"loss": [1.0]}, metrics=("loss", "accuracy"))
    assert "accuracy" in str(info.value)
    assert "loss" in str(info.value)
    assert len(plt.get_fignums()) == n_figures  # no empty figure left behind


# plot_bars ------------------------------------------------------------------------------

def _annotations(ax):
    return [text.get_text() for text in ax.texts]


def test_plot_bars_vertical():
    ax = plot_bars(["a", "b", "c"], [1.0, 2.5, 0.123456], title="demo", xlabel="x", ylabel="y")
    assert len(ax.patches) == 3
    assert [p.get_height() for p in ax.patches] == [1.0, 2.5, 0.123456]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert _annotations(ax) == ["1", "2.5", "0.123"]
    assert ax.get_title() == "demo"
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"


def test_plot_bars_horizontal_custom_format():
    ax = plot_bars(["x", "y", "z"], [3, 1, 2], horizontal=True, fmt="{:.1f}%")
    assert len(ax.patches) == 3
    assert [p.get_width() for p in ax.patches] == [3, 1, 2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "z"]
    assert ax.yaxis_inverted()  # first label on top
    assert _annotations(ax) == ["3.0%", "1.0%", "2.0%"]


def test_plot_bars_without_annotations():
    ax = plot_bars(["a", "b"], [1, 2], annotate=False)
    assert len(ax.patches) == 2
    assert len(ax.texts) == 0


def test_plot_bars_mismatched_lengths():
    with pytest.raises(ValueError, match="2 labels but 3 values"):
        plot_bars(["a", "b"], [1, 2, 3])


# plot_zipf ------------------------------------------------------------------------------

def test_plot_zipf_two_corpora():
    ranks = np.arange(1, 301)
    corpora = {
        "steep": (ranks, 10_000.0 * ranks ** -1.2),
        "flat": (ranks, 500.0 * ranks ** -0.8),
    }
    ax = plot_zipf(corpora, fit_range=(10, 200), title="toy")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert _legend_labels(ax) == ["steep (fitted s = 1.20)", "flat (fitted s = 0.80)"]
    assert len(ax.lines) == 4  # a curve and a fitted line per corpus
    fit_line = ax.lines[1]
    assert fit_line.get_xdata().tolist() == [10.0, 200.0]
    assert np.allclose(fit_line.get_ydata(), 10_000.0 * np.array([10.0, 200.0]) ** -1.2)
    assert ax.get_title() == "toy"
    assert "rank" in ax.get_xlabel() and ax.get_ylabel() == "count"


def test_plot_zipf_default_title_and_axes():
    fig, ax = plt.subplots()
    ranks = np.arange(1, 50)
    returned = plot_zipf({"toy": (ranks, 100 / ranks)}, ax=ax, fit_range=(1, 49))
    assert returned is ax
    assert ax.get_title() == "Zipf's law: frequency against rank"
    assert _legend_labels(ax) == ["toy (fitted s = 1.00)"]


def test_plot_zipf_too_few_points_to_fit():
    ranks = np.arange(1, 6)
    with pytest.raises(ValueError, match="at least two"):
        plot_zipf({"tiny": (ranks, 10.0 / ranks)})  # default fit range starts at rank 10
