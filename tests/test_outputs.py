"""Committed notebooks are clean: no start-up noise, no paths of the machine that ran them, no timings.

Learners read the committed outputs on GitHub; a red block of TensorFlow start-up lines or a
warning that prints the author's home folder is noise they cannot act on, and per-cell timing
metadata makes every re-run a diff of timestamps.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))

NOISE = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cuda drivers|cudart_stub|computation placer|"
    r"^[IWE]\d{4} \d\d:\d\d:\d\d|UserWarning|DeprecationWarning|FutureWarning|RuntimeWarning|"
    r"Traceback \(most recent call last\)",
    re.M,
)
MACHINE_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.-]+/){2,}|\.venv/|site-packages")


def output_texts(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell number, output kind, text) of every text an output shows."""
    texts = []
    for number, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append((number, output.get("name", output.output_type), output.text))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    texts.append((number, mime, value if isinstance(value, str) else "".join(value)))
    return texts


def problems_of(nb: nbformat.NotebookNode) -> list[str]:
    """Everything unclean in a notebook's committed outputs and metadata."""
    found = []
    for number, kind, text in output_texts(nb):
        if NOISE.search(text):
            found.append(f"cell {number} ({kind}): log noise: {NOISE.search(text).group(0)!r}")
        if MACHINE_PATH.search(text):
            found.append(f"cell {number} ({kind}): a path of the machine that ran it: "
                         f"{MACHINE_PATH.search(text).group(0)!r}")
    for number, cell in enumerate(nb.cells):
        if "execution" in cell.metadata:
            found.append(f"cell {number}: per-cell timing metadata (run `python tools/course.py clean`)")
    return found


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_outputs_are_clean(path: Path):
    problems = problems_of(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}:\n" + "\n".join(problems[:10])


def test_the_cleanliness_check_catches_each_kind():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import lmcourse")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="I0000 00:00:1795699043.787934 port.cc:153] oneDNN custom operations are on.\n"),
        nbformat.v4.new_output("stream", name="stdout", text="data cache  /home/someone/.cache/lmcourse\n"),
    ]
    cell.metadata["execution"] = {"iopub.status.busy": "2026-11-26T12:52:23Z"}
    nb.cells.append(cell)
    problems = "\n".join(problems_of(nb))
    assert "log noise" in problems and "path of the machine" in problems and "timing metadata" in problems
    clean = nbformat.v4.new_notebook()
    ok = nbformat.v4.new_code_cell("print(1)")
    ok.outputs = [nbformat.v4.new_output("stream", name="stdout", text="data cache  ~/.cache/lmcourse\ntrain/neg/0_3.txt\n")]
    clean.cells.append(ok)
    assert problems_of(clean) == []

