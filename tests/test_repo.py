"""Repository checks: notebooks, lessons, solutions, README, dependencies, data and lint."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

import lmcourse
from lmcourse.data import registry

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


def tracked_files() -> list[Path]:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / p for p in out.decode().split("\0") if p]


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_nbformat_and_numbered(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert NAME.match(path.name), f"{path.name} must be named NN_topic.ipynb"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_paired_and_follows_conventions(path: Path):
    stem = path.stem
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert first.startswith("# "), "the first cell is the title"
    badge = f"https://colab.research.google.com/github/{lmcourse.REPOSITORY}/blob/main/notebooks/{path.name}"
    assert badge in first, "the title cell has an Open in Colab badge for this notebook"
    assert f"../lessons/{stem}.md" in first, "the title cell links to the lesson"
    assert (ROOT / "lessons" / f"{stem}.md").exists(), f"lessons/{stem}.md is missing"
    assert (ROOT / "solutions" / f"{stem}.ipynb").exists(), f"solutions/{stem}.ipynb is missing"
    plain = re.sub(r"<!--.*?-->", "", first)  # figures come through results markers
    assert re.search(r"full.*\d+\s*(s|min)", plain, re.S), "the title cell gives measured run times"
    codes = code_cells(nb)
    assert 'google.colab' in codes[0].source and "setup(" in codes[0].source, "first code cell is the setup cell"
    assert "profile_config(" in codes[1].source, "second code cell is the configuration cell"
    assert any(c.cell_type == "markdown" and "## Recap" in c.source for c in nb.cells), "a recap section"
    assert "wall time" in codes[-1].source, "the last cell reports the wall time"
    lesson = (ROOT / "lessons" / f"{stem}.md").read_text(encoding="utf-8")
    assert f"../notebooks/{path.name}" in lesson, "the lesson links back to its notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_committed_outputs_in_order(path: Path):
    nb = nbformat.read(path, as_version=4)
    counts = [c.execution_count for c in code_cells(nb)]
    assert all(c is not None for c in counts), "every code cell has run (commit a full-profile run)"
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts} are not 1..N"
    assert not any(o.output_type == "error" for c in code_cells(nb) for o in c.outputs), "no errors"
    text = "".join(o.get("text", "") for c in code_cells(nb) for o in c.outputs)
    assert "profile        full" in text, "committed outputs come from a full-profile run"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_check_passes_in_the_solution(path: Path):
    source = "\n".join(c.source for c in code_cells(nbformat.read(path, as_version=4)))
    checks = sorted(set(re.findall(r"\b(check_\w+)\(", source)))
    assert 3 <= len(checks) <= 5, f"3 to 5 exercises with checks, found {checks}"
    solution = "\n".join(c.source for c in code_cells(nbformat.read(ROOT / "solutions" / path.name, as_version=4)))
    for check in checks:
        assert f"assert {check}(" in solution, f"the solution asserts {check} passes"


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"README course map lacks {path.name}"
        assert f"lessons/{path.stem}.md" in readme


def _requirements() -> dict[str, str]:
    reqs = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", line).groups()
            reqs[name.lower()] = spec.replace(" ", "")
    return reqs


def test_dependency_bounds_agree():
    reqs = _requirements()
    for name, spec in reqs.items():
        assert re.fullmatch(r">=[\d.]+,<[\d.]+", spec), f"{name}{spec}: use >=tested,<next-major"
    env = (ROOT / "environment.yml").read_text()
    for name, spec in reqs.items():
        assert f"- {name}{spec}" in env, f"environment.yml lacks {name}{spec}"
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.S | re.M)
    deps = re.findall(r'"([^"]+)"', block.group(1))
    assert deps, "pyproject.toml lists the package's dependencies"
    for dep in deps:
        name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", dep).groups()
        assert reqs.get(name.lower()) == spec, f"pyproject {dep} differs from requirements.txt"
    text = "\n".join(p.read_text(errors="ignore") for p in [ROOT / "requirements.txt", ROOT / "pyproject.toml"])
    assert "tf_keras" not in text and "tf-keras" not in text


def test_no_big_or_third_party_files_tracked():
    digests = {e.sha256 for e in registry().values()}
    names = {Path(e.file).name for e in registry().values()}
    for path in tracked_files():
        if not path.is_file():
            continue
        size = path.stat().st_size
        rel = path.relative_to(ROOT)
        assert size <= 5_000_000, f"{rel} is {size / 1e6:.1f} MB; keep tracked files under 5 MB"
        assert path.name not in names, f"{rel} looks like third-party data; load it through the mirror"
        if size > 10_000:
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in digests, f"{rel} is registry data"


def test_ruff_is_clean():
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    result = subprocess.run(command + ["check", "lmcourse", "tests", "tools", "notebooks", "solutions"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_legacy_keras_apis():
    pattern = re.compile(r"tf_keras|tf\.keras|keras\.preprocessing\.text\.Tokenizer\(|from keras\.preprocessing")
    for path in [*(ROOT / "lmcourse").glob("*.py"), *NOTEBOOKS, *SOLUTIONS]:
        if path.suffix == ".ipynb":
            source = "\n".join(c.source for c in code_cells(nbformat.read(path, as_version=4)))
        else:
            source = path.read_text(encoding="utf-8")
        assert not pattern.search(source), f"{path.name} uses a legacy Keras 2 API"


def test_registry_entries_have_cards():
    for entry in registry().values():
        assert (ROOT / "datasets" / f"{entry.dataset}.md").exists(), f"datasets/{entry.dataset}.md"
    data = json.loads((ROOT / "datasets" / "registry.json").read_text())
    assert len(data["files"]) == len(registry())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_jupyterlab(tmp_path: Path):
    """`make lab` starts JupyterLab (as root too) and it answers over HTTP."""
    venv = ROOT / ".venv"
    if not (venv / ".installed").exists() or Path(sys.prefix).resolve() != venv.resolve():
        pytest.skip("runs inside the course's .venv, as `make test` does")
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"))
    args = f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token=test"
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 90
        status = None
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=test", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
        if status is None:
            proc.terminate()
            output = proc.communicate(timeout=30)[0].decode(errors="replace")
            pytest.fail(f"JupyterLab did not answer on port {port}:\n{output[-3000:]}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test", timeout=10) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
