"""Maintainer tools: clean executed notebooks, and fill every quoted figure from results/.

    python tools/course.py clean notebooks/07_*.ipynb   drop per-cell timing metadata after a run
    python tools/course.py sync                          fill README tables and <!--r:…--> markers
    python tools/course.py sync --check                  exit 1 if anything is out of date

`make execute NB=07` runs both after executing the notebook. The tests call
`sync --check`, so a figure quoted in the README, a lesson or a markdown cell
can never drift from the results file a full run wrote.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from lmcourse.results import ResultTable, repo_results_dir, sync_text  # noqa: E402

TABLE = re.compile(r"(<!--table:(?P<name>[\w-]+)-->\n)(?P<body>.*?)(<!--/table-->)", re.S)


def _figures_of(nb: str, profile: str) -> dict[str, Any]:
    path = repo_results_dir() / f"{nb}.json"
    if not path.exists():
        raise KeyError(f"results/{nb}.json does not exist; run `make execute NB={nb}`")
    data = json.loads(path.read_text(encoding="utf-8"))
    return (data.get(profile) or {}).get("figures", {})


def _machine_of(nb: str) -> dict[str, Any]:
    path = repo_results_dir() / f"{nb}.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return (data.get("full") or {}).get("machine", {})


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} s" if value < 600 else f"{value / 60:.1f} min"


def table_char_leaderboard() -> str:
    rows = ResultTable("char_leaderboard", key=("notebook", "model"), sort_by="nats_per_char").rows("repo")
    lines = ["| model | notebook | nats/char | bits/char | training | tokens seen | parameters | machine (fp32 matmul peak) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tokens = f"{r['train_tokens'] / 1e6:.1f} M" if r.get("train_tokens") else "—"
        params = f"{r['params']:,}" if r.get("params") else "—"
        peak = f"{r.get('cpu', '?')} ({r['matmul_gflops_fp32']:,.0f} GFLOP/s)" if r.get("matmul_gflops_fp32") else "—"
        lines.append(f"| {r['model']} | {r['notebook']} | {r['nats_per_char']:.3f} | {r['bits_per_char']:.3f} | "
                     f"{_fmt_seconds(r.get('train_seconds'))} | {tokens} | {params} | {peak} |")
    return "\n".join(lines) + "\n"


def table_imdb_results() -> str:
    rows = ResultTable("imdb_results", key=("notebook", "model"), sort_by="test_accuracy", descending=True).rows("repo")
    lines = ["| model | notebook | test accuracy | F1 | ROC-AUC | labelled reviews | training |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        f1 = f"{r['f1']:.3f}" if r.get("f1") is not None else "—"
        auc = f"{r['roc_auc']:.3f}" if r.get("roc_auc") is not None else "—"
        labels = f"{r['train_labels']:,}" if r.get("train_labels") else "—"
        lines.append(f"| {r['model']} | {r['notebook']} | {r['test_accuracy']:.4f} | {f1} | {auc} | {labels} | "
                     f"{_fmt_seconds(r.get('train_seconds'))} |")
    return "\n".join(lines) + "\n"


def table_machines() -> str:
    lines = ["| notebook | CPU | cores | fp32 matmul peak | recorded |", "|---|---|---|---|---|"]
    for path in sorted(repo_results_dir().glob("[0-9][0-9].json")):
        data = json.loads(path.read_text(encoding="utf-8")).get("full") or {}
        m = data.get("machine", {})
        if m:
            peak = f"{m['matmul_gflops_fp32']:,.0f} GFLOP/s" if m.get("matmul_gflops_fp32") else "—"
            lines.append(f"| {path.stem} | {m.get('cpu', '?')} ({m.get('cpu_features', '')}) | {m.get('cores', '?')} | "
                         f"{peak} | {data.get('date', '?')} |")
    return "\n".join(lines) + "\n"


TABLES: dict[str, Callable[[], str]] = {
    "char-leaderboard": table_char_leaderboard,
    "imdb-results": table_imdb_results,
    "machines": table_machines,
}


MISSING: list[str] = []  # figures quoted but not recorded yet (filled by sync_markdown when lenient)


def _lenient_figures_of(nb: str, profile: str) -> dict[str, Any]:
    try:
        return _figures_of(nb, profile)
    except KeyError as error:
        MISSING.append(str(error))
        return {}


def sync_markdown(text: str, lenient: bool = False) -> str:
    """Fill figure markers and regenerate every ``<!--table:NAME-->`` block.

    ``lenient``: a marker whose notebook has not recorded the figure yet keeps its text (noted in MISSING)
    instead of stopping the sync, so `make execute NB=07` can fill 07's figures before 08 has run.
    """
    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; known: {sorted(TABLES)}")
        return match.group(1) + TABLES[name]() + match.group(4)

    if lenient:
        from lmcourse.results import _MARKER, format_figure

        def keep_or_fill(match: re.Match[str]) -> str:
            figures = _lenient_figures_of(match["nb"], match["profile"] or "full")
            if match["key"] not in figures:
                MISSING.append(f"{match['nb']}/{match['key']}@{match['profile'] or 'full'}")
                return match.group(0)
            head = match.group(0)[: match.start("old") - match.start()]
            return f"{head}{format_figure(figures[match['key']]['value'], match['fmt'] or '')}<!--/r-->"

        return TABLE.sub(fill, _MARKER.sub(keep_or_fill, text))
    return TABLE.sub(fill, sync_text(text, _figures_of))


def _notebook_sync(path: Path, lenient: bool = False) -> tuple[str, str]:
    """(old, new) JSON text of a notebook whose markdown cells are synced."""
    old = path.read_text(encoding="utf-8")
    nb = nbformat.reads(old, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and ("<!--r:" in cell.source or "<!--table:" in cell.source):
            cell.source = sync_markdown(cell.source, lenient)
    return old, nbformat.writes(nb) + "\n"


def targets() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "lessons").glob("*.md")),
            *sorted((ROOT / "notebooks").glob("*.ipynb"))]


def sync(check: bool = False) -> list[Path]:
    """Bring every quoted figure in line with results/; returns the files that changed (or would).

    With ``check`` a figure that is not recorded yet is an error (KeyError); without it, it is left as it
    is and listed in MISSING.
    """
    changed = []
    MISSING.clear()
    for path in targets():
        if path.suffix == ".ipynb":
            old, new = _notebook_sync(path, lenient=not check)
            if "<!--r:" not in old and "<!--table:" not in old:
                continue
        else:
            old = path.read_text(encoding="utf-8")
            new = sync_markdown(old, lenient=not check)
        if old != new:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed


def clean_notebook(path: Path) -> bool:
    """Drop per-cell execution timing metadata (most of a re-run's diff); returns True if changed."""
    old = path.read_text(encoding="utf-8")
    nb = nbformat.reads(old, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    new = nbformat.writes(nb) + "\n"
    if new != old:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("clean", help="drop timing metadata from executed notebooks")
    c.add_argument("paths", nargs="+", type=Path)
    s = sub.add_parser("sync", help="fill README tables and figure markers from results/")
    s.add_argument("--check", action="store_true", help="only report; exit 1 if something is out of date")
    args = parser.parse_args(argv)
    if args.command == "clean":
        for path in args.paths:
            if clean_notebook(path):
                print(f"cleaned {path.relative_to(ROOT) if path.is_absolute() else path}")
        return 0
    changed = sync(check=args.check)
    for path in changed:
        print(f"{'out of date' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    if MISSING:
        print(f"not recorded yet (left as they are): {len(set(MISSING))} figures, e.g. "
              + ", ".join(sorted(set(MISSING))[:5]))
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
