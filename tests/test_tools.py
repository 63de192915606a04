"""The Colab installer adds only what a runtime lacks and never TensorFlow or Keras."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def installer():
    spec = importlib.util.spec_from_file_location("colab_install", ROOT / "tools" / "colab_install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_never_installs_tensorflow_or_keras_even_when_missing(installer, monkeypatch):
    monkeypatch.setattr(installer.importlib.util, "find_spec", lambda name: None)  # a runtime with nothing
    wanted = installer.missing()
    assert wanted and not any(w.startswith(("tensorflow", "keras")) for w in wanted)
    assert any(w.startswith("gensim") for w in wanted) and any(w.startswith("scikit-learn") for w in wanted)
    assert all(">=" in w for w in wanted)  # with the course's own bounds


def test_installs_nothing_extra_in_a_complete_environment(installer, capsys):
    assert installer.missing() == []  # this test environment has everything
    assert installer.main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "--no-deps -e" in out and "nothing else was missing" in out


def test_reports_an_old_tensorflow_instead_of_installing(installer, monkeypatch):
    monkeypatch.setattr(installer.importlib.metadata, "version", lambda name: "2.15.0")
    problems = installer.too_old()
    assert any("tensorflow 2.15.0 is older" in p for p in problems)
