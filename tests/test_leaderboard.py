"""The character-level leaderboard: only the single scorer's output, committed rows from `make execute` only."""

from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lmcourse.results as results  # noqa: E402
from lmcourse.leaderboard import (  # noqa: E402
    bits_per_char,
    leaderboard_path,
    load_leaderboard,
    plot_leaderboard,
    record_score,
)
from lmcourse.metrics import TextScore, score_text  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """A private cache and a private 'repository results/' folder for every test."""
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LMCOURSE_RECORD", raising=False)
    monkeypatch.setattr(results, "repo_results_dir", lambda: tmp_path / "repo_results")
    yield
    plt.close("all")


def _score(nats: float) -> TextScore:
    return TextScore(nats=nats, tokens=10, method="test", seconds=0.0)


def _record(model: str, nats: float, notebook: str = "01") -> None:
    record_score(model, _score(nats), notebook=notebook, train_seconds=1.0, train_tokens=100, params=5)


def test_bits_per_char_divides_by_ln2():
    assert bits_per_char(math.log(2)) == pytest.approx(1.0)
    assert bits_per_char(1.0) == pytest.approx(1.4426950408889634)


def test_only_the_single_scorer_is_accepted():
    with pytest.raises(TypeError, match="score_text"):
        record_score("x", 1.5, notebook="01", train_seconds=1, train_tokens=1, params=1)


def test_a_learners_run_writes_the_cache_not_the_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    _record("trigram", 2.2)
    assert not leaderboard_path("repo").exists()
    assert leaderboard_path("cache").exists()
    assert [r["model"] for r in load_leaderboard("cache")] == ["trigram"]


def test_make_execute_writes_the_repository_and_replaces_same_model(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    monkeypatch.setenv("LMCOURSE_RECORD", "repo")
    _record("trigram", 2.2)
    _record("mlp", 2.0, notebook="03")
    _record("trigram", 2.1)
    rows = load_leaderboard("repo")
    assert [(r["model"], r["nats_per_char"]) for r in rows] == [("mlp", 2.0), ("trigram", 2.1)]
    assert rows[1]["bits_per_char"] == pytest.approx(2.1 / math.log(2), abs=1e-4)
    assert rows[0]["matmul_gflops_fp32"] > 0 and rows[0]["cpu"]
    assert len(json.loads(leaderboard_path("repo").read_text())) == 2


def test_the_timed_smoke_run_of_make_execute_never_writes_rows(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    monkeypatch.setenv("LMCOURSE_RECORD", "repo")
    _record("bigram", 2.5)
    assert not leaderboard_path("repo").exists()


def test_merged_view_marks_a_learners_rows(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    monkeypatch.setenv("LMCOURSE_RECORD", "repo")
    _record("mlp", 2.0, notebook="03")
    _record("trigram", 2.2)
    monkeypatch.delenv("LMCOURSE_RECORD")
    _record("trigram", 1.9)  # a learner's better run replaces the committed row in their view
    rows = load_leaderboard()
    assert [(r["model"], r.get("yours", False)) for r in rows] == [("trigram", True), ("mlp", False)]


@pytest.mark.parametrize("field, value", [("train_seconds", -1.0), ("train_tokens", float("nan")), ("params", "5")])
def test_bad_costs_are_refused(field, value):
    costs = dict(train_seconds=1.0, train_tokens=1, params=1)
    costs[field] = value
    with pytest.raises(ValueError, match=field):
        record_score("x", _score(1.0), notebook="01", **costs)


def test_plot_shows_rows_best_first_and_the_bar(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    _record("b", 2.0)
    _record("a", 1.5)
    ax = plot_leaderboard(highlight="a", bar=1.52)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("a (01)") and "your run" in labels[0]
    assert any(line.get_xdata()[0] == 1.52 for line in ax.get_lines())


def test_score_text_rows_round_trip(monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    uniform = lambda x: np.zeros((len(x), 4))  # noqa: E731
    score = score_text(uniform, np.array([0, 1, 2, 3]), prefix=np.array([0, 0]), context=2)
    assert record_score("uniform", score, notebook="01", train_seconds=None, train_tokens=None, params=0) is None
    row = load_leaderboard("cache")[0]
    assert row["nats_per_char"] == pytest.approx(math.log(4), abs=1e-4)
    assert row["scored_chars"] == 4 and "fixed window" in row["scoring"]
