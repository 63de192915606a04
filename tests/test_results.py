"""Results are data: figures recorded per notebook, rows in tables, and quoted figures kept in sync."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
import pytest

import lmcourse.results as results
from lmcourse.profile import profile_config
from lmcourse.results import (
    Results,
    ResultTable,
    format_figure,
    load_results,
    recording_to_repo,
    sync_text,
)

ROOT = Path(__file__).resolve().parent.parent


def _tools():
    spec = importlib.util.spec_from_file_location("course_tools", ROOT / "tools" / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def private(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LMCOURSE_RECORD", raising=False)
    monkeypatch.delenv("LMCOURSE_VARIANT", raising=False)
    monkeypatch.setattr(results, "repo_results_dir", lambda: tmp_path / "repo_results")
    return tmp_path


def test_a_learners_run_never_writes_the_repository(private, monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    res = Results("07", measure=False)
    res.record("val_nats", 1.5, "validation loss")
    assert not (private / "repo_results").exists()
    assert res.path == private / "cache" / "results" / "full" / "07.json"
    assert load_results("07", where="cache")["figures"]["val_nats"] == {"value": 1.5, "about": "validation loss"}


def test_make_execute_writes_both_profiles_side_by_side(private, monkeypatch):
    monkeypatch.setenv("LMCOURSE_RECORD", "repo")
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    Results("07", measure=False).record("wall_seconds", 60)
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    res = Results("07")
    res.record("wall_seconds", 900.0)
    data = json.loads((private / "repo_results" / "07.json").read_text())
    assert data["smoke"]["figures"]["wall_seconds"]["value"] == 60
    assert data["full"]["figures"]["wall_seconds"]["value"] == 900.0
    assert data["full"]["machine"]["matmul_gflops_fp32"] > 0 and data["full"]["machine"]["cpu"]
    Results("07", measure=False)  # a new full run starts its section afresh, keeps the smoke one
    data = json.loads((private / "repo_results" / "07.json").read_text())
    assert data["full"]["figures"] == {} and "wall_seconds" in data["smoke"]["figures"]


def test_a_variant_records_under_its_name(private, monkeypatch):
    monkeypatch.setenv("LMCOURSE_RECORD", "repo")
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    monkeypatch.setenv("LMCOURSE_VARIANT", "12M")
    cfg = profile_config(smoke={"tokens": 1}, full={"tokens": 5}, variants={"12M": {"tokens": 12}}, show=False)
    assert cfg.tokens == 12 and "variant 12M" in cfg.profile
    Results("07", measure=False).record("tokens", cfg.tokens)
    data = json.loads((private / "repo_results" / "07.json").read_text())
    assert data["12M"]["figures"]["tokens"]["value"] == 12


def test_unknown_variant_and_variant_in_smoke_are_clear_errors(monkeypatch):
    monkeypatch.setenv("LMCOURSE_VARIANT", "huge")
    with pytest.raises(ValueError, match="not a variant of this notebook"):
        profile_config(smoke={"n": 1}, full={"n": 2}, variants={"12M": {"n": 3}}, show=False)
    monkeypatch.setenv("LMCOURSE_VARIANT", "12M")
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    with pytest.raises(ValueError, match="variant of the full run"):
        profile_config(smoke={"n": 1}, full={"n": 2}, variants={"12M": {"n": 3}}, show=False)
    with pytest.raises(ValueError, match="settings the profiles do not have"):
        profile_config(smoke={"n": 1}, full={"n": 2}, variants={"12M": {"m": 3}}, show=False)


def test_bad_record_variable_and_keys_are_refused(private, monkeypatch):
    monkeypatch.setenv("LMCOURSE_RECORD", "yes")
    with pytest.raises(ValueError, match="LMCOURSE_RECORD"):
        recording_to_repo()
    monkeypatch.delenv("LMCOURSE_RECORD")
    res = Results("07", measure=False)
    with pytest.raises(ValueError, match="key must be"):
        res.record("val loss", 1.0)
    with pytest.raises(ValueError, match="finite"):
        res.record("x", float("nan"))
    with pytest.raises(TypeError, match="cannot record"):
        res.record("x", object())
    with pytest.raises(ValueError, match="two-digit"):
        Results("7", measure=False)


def test_numpy_values_are_recorded_as_plain_numbers(private):
    import numpy as np

    res = Results("07", measure=False)
    res.record("curve", np.array([1.0, 2.5]))
    res.record("count", np.int64(3))
    assert res["curve"] == [1.0, 2.5] or list(res["curve"]) == [1.0, 2.5]
    on_disk = load_results("07", where="cache")["figures"]
    assert on_disk["curve"]["value"] == [1.0, 2.5] and on_disk["count"]["value"] == 3


def test_result_table_replaces_rows_by_key_and_sorts(private, monkeypatch):
    monkeypatch.setenv("LMCOURSE_PROFILE", "full")
    table = ResultTable("imdb_results", key=("notebook", "model"), sort_by="test_accuracy", descending=True)
    table.record({"notebook": "08", "model": "LSTM", "test_accuracy": 0.88})
    table.record({"notebook": "08", "model": "TF-IDF", "test_accuracy": 0.90})
    table.record({"notebook": "08", "model": "LSTM", "test_accuracy": 0.89})
    assert [(r["model"], r["test_accuracy"]) for r in table.rows("cache")] == [("TF-IDF", 0.90), ("LSTM", 0.89)]
    with pytest.raises(ValueError, match="needs"):
        table.record({"model": "x"})


def test_sync_text_fills_markers_and_names_a_missing_figure():
    figs = {("07", "full"): {"loss": {"value": 1.23456}}, ("07", "smoke"): {"wall_seconds": {"value": 61.2}}}
    text = "loss <!--r:07/loss:.3f-->old<!--/r-->, smoke <!--r:07/wall_seconds@smoke:.0f-->?<!--/r--> s"
    assert sync_text(text, lambda nb, p: figs[nb, p]) == (
        "loss <!--r:07/loss:.3f-->1.235<!--/r-->, smoke <!--r:07/wall_seconds@smoke:.0f-->61<!--/r--> s")
    with pytest.raises(KeyError, match="make execute NB=07"):
        sync_text("<!--r:07/nope-->x<!--/r-->", lambda nb, p: figs[nb, p])
    assert format_figure(0.9123, ".1%") == "91.2%"


def test_every_quoted_figure_agrees_with_results():
    """README tables, lessons and notebooks' markdown quote exactly what results/ holds."""
    changed = _tools().sync(check=True)
    assert not changed, ("out of date with results/ (run `python tools/course.py sync`): "
                         + ", ".join(str(p.relative_to(ROOT)) for p in changed))


def test_clean_notebook_drops_timing_metadata(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["execution"] = {"iopub.status.busy": "2026-11-26T12:52:23Z"}
    nb.cells.append(cell)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    tools = _tools()
    assert tools.clean_notebook(path) is True
    assert "execution" not in nbformat.read(path, as_version=4).cells[0].metadata
    assert tools.clean_notebook(path) is False


def test_sync_check_reports_a_stale_figure(tmp_path, monkeypatch):
    tools = _tools()
    monkeypatch.setattr(tools, "_figures_of", lambda nb, p: {"x": {"value": 2}})
    monkeypatch.setattr(tools, "targets", lambda: [tmp_path / "lesson.md"])
    (tmp_path / "lesson.md").write_text("x = <!--r:07/x-->1<!--/r-->\n")
    assert tools.sync(check=True) == [tmp_path / "lesson.md"]
    assert tools.sync() == [tmp_path / "lesson.md"]
    assert (tmp_path / "lesson.md").read_text() == "x = <!--r:07/x-->2<!--/r-->\n"
    assert tools.sync(check=True) == []


def test_notebook_07_uses_the_recipe_its_12m_study_chose():
    """The full profile of lab 07 trains the recipe the 12M variant chose on dev (no choice made by hand)."""
    import ast

    nb = nbformat.read(ROOT / "notebooks" / "07_transformer_language_model.ipynb", as_version=4)
    config = next(c.source for c in nb.cells if c.cell_type == "code" and "RECIPE_12M =" in c.source)
    assigned = next(node.value for node in ast.parse(config).body
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RECIPE_12M")
    chosen = load_results("07", profile="12M")["figures"]
    assert "recipe_changes" in chosen, "results/07.json has no 12M study: run `make execute NB=07 VARIANT=12M`"
    assert ast.literal_eval(assigned) == chosen["recipe_changes"]["value"]


def test_notebook_07_races_the_n_gram_lab_01_chose_on_dev():
    """Lab 07's n-gram opponent is the Kneser-Ney setting lab 01 chose on its dev slice."""
    import re

    nb = nbformat.read(ROOT / "notebooks" / "07_transformer_language_model.ipynb", as_version=4)
    config = next(c.source for c in nb.cells if c.cell_type == "code" and "profile_config(" in c.source)
    full = config[config.index("full=dict("):]
    order = int(re.search(r"ngram_order=(\d+)", full).group(1))
    discount = float(re.search(r"ngram_discount=([\d.]+)", full).group(1))
    chosen = load_results("01")["figures"]
    assert "char.kneser_ney.order" in chosen, "results/01.json has no tuned Kneser-Ney: run `make execute NB=01`"
    assert (order, discount) == (chosen["char.kneser_ney.order"]["value"], chosen["char.kneser_ney.discount"]["value"])
