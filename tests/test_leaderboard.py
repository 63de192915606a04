"""The character-level leaderboard: rows written only by full runs, sorted, plotted."""

from __future__ import annotations

import json
import math

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lmcourse.leaderboard import (  # noqa: E402
    bits_per_char,
    leaderboard_path,
    load_leaderboard,
    plot_leaderboard,
    record_score,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_bits_per_char_divides_by_ln2():
    assert bits_per_char(math.log(2)) == pytest.approx(1.0)
    assert bits_per_char(1.0) == pytest.approx(1.4426950408889634)


def test_leaderboard_path_is_in_the_repository(repo_root):
    assert leaderboard_path() == repo_root / "results" / "char_leaderboard.json"


def test_load_missing_file_is_empty(tmp_path):
    assert load_leaderboard(tmp_path / "none.json") == []


def test_load_rejects_a_non_list(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"model": "x"}')
    with pytest.raises(ValueError, match="not a leaderboard"):
        load_leaderboard(path)


def test_smoke_profile_never_writes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    path = tmp_path / "board.json"
    assert record_score("bigram", 2.5, notebook="01", path=path) is False
    assert not path.exists()
    assert "not recorded" in capsys.readouterr().out


def test_full_profile_writes_sorted_rows_and_replaces_same_model(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    path = tmp_path / "board.json"
    assert record_score("trigram", 2.2, notebook="01", path=path, details="KN")
    assert record_score("mlp", 2.0, notebook="03", path=path)
    assert record_score("trigram", 2.1, notebook="01", path=path)  # replaces the first row
    rows = load_leaderboard(path)
    assert [(r["model"], r["nats_per_char"]) for r in rows] == [("mlp", 2.0), ("trigram", 2.1)]
    assert rows[1]["bits_per_char"] == pytest.approx(2.1 / math.log(2), abs=1e-4)
    on_disk = json.loads(path.read_text())
    assert len(on_disk) == 2 and not (tmp_path / "board.tmp").exists()


def test_force_writes_in_smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    path = tmp_path / "board.json"
    assert record_score("x", 1.5, notebook="99", path=path, force=True)
    assert load_leaderboard(path)[0]["model"] == "x"


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf"), "2.0"])
def test_bad_scores_are_refused(tmp_path, value):
    with pytest.raises(ValueError, match="positive finite"):
        record_score("x", value, notebook="01", path=tmp_path / "b.json", force=True)


def test_names_are_required(tmp_path):
    with pytest.raises(ValueError, match="non-empty"):
        record_score("", 1.0, notebook="01", path=tmp_path / "b.json", force=True)


def test_plot_draws_one_bar_per_row_and_highlights(tmp_path):
    path = tmp_path / "board.json"
    record_score("a", 2.0, notebook="01", path=path, force=True)
    record_score("b", 1.5, notebook="03", path=path, force=True)
    ax = plot_leaderboard(path, highlight="a")
    assert len(ax.patches) == 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["b (03)", "a (01)"]  # best first
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()


def test_plot_of_an_empty_board_says_so(tmp_path):
    ax = plot_leaderboard(tmp_path / "none.json")
    assert "no rows" in ax.get_title()
