"""Results are data: every figure a notebook reports is written to a file by its run.

A notebook opens its results file once (``res = Results("07")``) and records
each figure it prints (``res.record("val_nats", 1.48, "validation nats/char")``).
The README's tables, the leaderboard and the figures quoted in lessons and
markdown cells are generated from these files (``python -m lmcourse.results``),
and a test checks that they agree, so nothing is ever copied by hand.

Where a run writes:

* ``make execute`` (which sets ``LMCOURSE_RECORD=repo``) writes the
  repository's ``results/`` folder: these are the committed figures;
* every other run (a learner's, the tests') writes the same files into the
  data cache (``<cache>/results/<profile>/``), so it never changes a tracked file.

Each file records the machine that made it (CPU model, cores, measured matmul
peak): the same kind of 2-core machine has come with CPUs three times apart,
so a time means little without them.

    >>> import tempfile, os
    >>> os.environ["LMCOURSE_DATA_DIR"] = tempfile.mkdtemp()
    >>> res = Results("99", measure=False)
    >>> res.record("answer", 42, "a figure the notebook prints")
    >>> load_results("99", where="cache")["figures"]["answer"]["value"]
    42
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .data import cache_dir, datasets_dir
from .profile import get_profile, run_name

__all__ = [
    "RECORD_VARIABLE",
    "ResultTable",
    "Results",
    "format_figure",
    "load_results",
    "recording_to_repo",
    "repo_results_dir",
    "results_dir",
    "sync_text",
]

RECORD_VARIABLE = "LMCOURSE_RECORD"


def recording_to_repo() -> bool:
    """True when this run writes the committed ``results/`` folder (``make execute`` sets it).

    >>> recording_to_repo() in (True, False)
    True
    """
    value = os.environ.get(RECORD_VARIABLE, "").strip().lower()
    if value not in ("", "repo", "cache"):
        raise ValueError(f"{RECORD_VARIABLE}={value!r}: use 'repo' (what `make execute` sets) or leave it unset")
    return value == "repo"


def repo_results_dir() -> Path:
    """The repository's ``results/`` folder (the committed figures).

    >>> repo_results_dir().name
    'results'
    """
    return datasets_dir().parent / "results"


def results_dir(where: str | None = None) -> Path:
    """Where this run's results go: ``results/`` under ``make execute``, else the data cache.

    ``where="repo"`` or ``where="cache"`` forces one; the cache keeps one
    folder per profile, so a smoke run never mixes with a full one.

    >>> results_dir("cache").parent.name
    'results'
    """
    if where is None:
        where = "repo" if recording_to_repo() else "cache"
    if where == "repo":
        return repo_results_dir()
    if where == "cache":
        return cache_dir() / "results" / get_profile()
    raise ValueError(f"where must be 'repo', 'cache' or None, got {where!r}")


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _plain(value: Any) -> Any:
    """A JSON-ready copy: NumPy scalars and arrays become Python numbers and lists, floats rounded."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot record {value!r}: results must be finite numbers")
        return float(f"{value:.6g}") if abs(value) < 1e15 else value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    raise TypeError(f"cannot record a {type(value).__name__}; record numbers, strings, lists or dicts")


def _check_notebook(notebook: str) -> str:
    if not isinstance(notebook, str) or not re.fullmatch(r"\d\d", notebook):
        raise ValueError(f"notebook must be its two-digit number as a string, like '07'; got {notebook!r}")
    return notebook


class Results:
    """The figures one notebook's run reports, written to ``<results dir>/<NN>.json`` as they come.

    The file holds one section per profile (``full``, ``smoke``) or named
    variant of the full run; this run's section is started afresh (the others
    are kept), and the file is rewritten after every :meth:`record`, so an
    interrupted run still leaves what it measured.
    """

    def __init__(self, notebook: str, *, measure: bool = True, where: str | None = None):
        from .env import machine_info

        self.notebook = _check_notebook(notebook)
        self.profile = run_name()  # "full", "smoke", or a named variant of the full run
        self.path = results_dir(where) / f"{notebook}.json"
        self._data: dict[str, Any] = {"notebook": notebook}
        if self.path.exists():
            try:
                old = json.loads(self.path.read_text(encoding="utf-8"))
                self._data.update({k: v for k, v in old.items() if k != "notebook"})
            except (OSError, ValueError):
                pass  # an unreadable old file is simply replaced
        self._data[self.profile] = {
            "date": _dt.date.today().isoformat(),
            "machine": machine_info(measure=measure),
            "figures": {},
        }
        self._save()

    @property
    def figures(self) -> dict[str, Any]:
        """This run's figures so far: ``{key: {"value": …, "about": …}}``."""
        return self._data[self.profile]["figures"]

    @property
    def machine(self) -> dict[str, Any]:
        """The machine this run measured on (CPU, cores, accelerator, matmul peak)."""
        return self._data[self.profile]["machine"]

    def record(self, key: str, value: Any, about: str = "") -> None:
        """Record one figure (a number, string, list or dict) under ``key``; read it back with ``res[key]``.

        >>> import tempfile; os.environ["LMCOURSE_DATA_DIR"] = tempfile.mkdtemp()
        >>> res = Results("98", measure=False)
        >>> res.record("steps", 10)
        >>> res["steps"]
        10
        """
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][\w.\-]*", key):
            raise ValueError(f"key must be a name like 'val_nats' or 'race.lstm.tokens', got {key!r}")
        entry = {"value": _plain(value)}
        if about:
            entry["about"] = about
        self.figures[key] = entry
        self._save()

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]["value"]

    def __contains__(self, key: object) -> bool:
        return key in self.figures

    def _save(self) -> None:
        _write_json(self.path, self._data)

    def __repr__(self) -> str:
        return f"Results({self.notebook!r}, profile={self.profile!r}, {len(self.figures)} figures, path={self.path.name})"


def load_results(notebook: str, *, where: str = "repo", profile: str | None = None) -> dict[str, Any]:
    """One notebook's recorded section: ``{"date", "machine", "figures"}`` (empty figures if none yet).

    ``profile`` names the section (``"full"``, ``"smoke"`` or a variant); by
    default the committed full run (``where="repo"``) or this run's own (``"cache"``).

    >>> load_results("00")["figures"] is not None
    True
    """
    _check_notebook(notebook)
    if profile is None:
        profile = "full" if where == "repo" else run_name()
    if where == "repo":
        path = repo_results_dir() / f"{notebook}.json"
    else:
        folder = profile if profile in ("smoke", "full") else "full"  # variants are variants of full
        path = cache_dir() / "results" / folder / f"{notebook}.json"
    if not path.exists():
        return {"date": None, "machine": {}, "figures": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get(profile) or {"date": None, "machine": {}, "figures": {}}


class ResultTable:
    """A results file that holds rows (a leaderboard): one row per key, replaced when re-recorded.

    Rows recorded by ``make execute`` go to ``results/<name>.json``; a learner's
    rows go to the cache and are shown beside the committed ones, marked as theirs.

    >>> import tempfile; os.environ["LMCOURSE_DATA_DIR"] = tempfile.mkdtemp()
    >>> table = ResultTable("demo_table", key=("model",), sort_by="score")
    >>> table.record({"model": "a", "score": 2.0}); table.record({"model": "b", "score": 1.0})
    >>> [r["model"] for r in table.rows(where="cache")]
    ['b', 'a']
    """

    def __init__(self, name: str, key: Sequence[str], sort_by: str, descending: bool = False):
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"name must be lowercase letters, digits and _, got {name!r}")
        self.name = name
        self.key = tuple(key)
        self.sort_by = sort_by
        self.descending = descending

    def path(self, where: str | None = None) -> Path:
        """The file for ``where`` ('repo' or 'cache'; None: where this run records).

        Only a full run under ``make execute`` records rows into the repository;
        the timed smoke run that ``make execute`` also makes records into the cache.
        """
        if where is None:
            where = "repo" if recording_to_repo() and get_profile() == "full" else "cache"
        return results_dir(where) / f"{self.name}.json"

    def _read(self, path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ValueError(f"{path} is not a results table (expected a JSON list of rows); delete it and re-run")
        return rows

    def _sorted(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda r: r[self.sort_by], reverse=self.descending)

    def rows(self, where: str = "merged") -> list[dict[str, Any]]:
        """The rows, best first. ``"merged"``: the committed rows with this machine's own runs on top.

        In a merged table a row recorded outside ``make execute`` replaces the
        committed row with the same key and carries ``"yours": True``.
        """
        if where in ("repo", "cache"):
            return self._sorted(self._read(self.path(where)))
        if where != "merged":
            raise ValueError(f"where must be 'repo', 'cache' or 'merged', got {where!r}")
        merged = {tuple(r[k] for k in self.key): r for r in self._read(self.path("repo"))}
        if not recording_to_repo():
            for row in self._read(self.path("cache")):
                merged[tuple(row[k] for k in self.key)] = dict(row, yours=True)
        return self._sorted(merged.values())

    def drop(self, **match: Any) -> int:
        """Remove, where this run records, the rows whose fields equal ``match``; returns how many went.

        A notebook calls it (through :func:`lmcourse.classification.record_imdb`)
        before its first row of a run, so rows of models it no longer trains do
        not linger in the table.
        """
        unknown = [k for k in match if k not in self.key]
        if not match or unknown:
            raise ValueError(f"match rows by the key fields {list(self.key)}, got {list(match)}")
        path = self.path()
        rows = self._read(path)
        kept = [r for r in rows if any(r.get(k) != v for k, v in match.items())]
        if len(kept) != len(rows):
            _write_json(path, self._sorted(kept))
        return len(rows) - len(kept)

    def record(self, row: Mapping[str, Any]) -> None:
        """Add ``row`` (replacing the row with the same key) where this run records."""
        missing = [k for k in (*self.key, self.sort_by) if k not in row]
        if missing:
            raise ValueError(f"a {self.name} row needs {missing}")
        path = self.path()
        key = tuple(row[k] for k in self.key)
        rows = [r for r in self._read(path) if tuple(r[k] for k in self.key) != key]
        rows.append(_plain(dict(row)))
        _write_json(path, self._sorted(rows))


# Figures quoted in text -------------------------------------------------------------------

_MARKER = re.compile(
    r"<!--r:(?P<nb>\d\d)/(?P<key>[\w.\-]+)(?:@(?P<profile>[\w\-]+))?(?::(?P<fmt>[^>]*?))?-->(?P<old>.*?)<!--/r-->",
    re.S,
)


def format_figure(value: Any, fmt: str = "") -> str:
    """A recorded value as text, with a Python format spec (``",.0f"``, ``".3f"``, ``".1%"``).

    >>> format_figure(1234.5678, ",.1f"), format_figure(0.912, ".1%"), format_figure("GELU")
    ('1,234.6', '91.2%', 'GELU')
    """
    if fmt:
        return format(value, fmt)
    return str(value)


FiguresOf = Callable[[str, str], dict[str, Any]]


def _lookup(figures_of: FiguresOf, nb: str, key: str, profile: str) -> Any:
    figures = figures_of(nb, profile)
    if key not in figures:
        raise KeyError(f"results/{nb}.json has no {profile}-profile figure {key!r}; "
                       f"run `make execute NB={nb}` to record it, or fix the marker's name")
    return figures[key]["value"]


def sync_text(text: str, figures_of: FiguresOf | None = None) -> str:
    """Fill every ``<!--r:NN/key:fmt-->…<!--/r-->`` marker in ``text`` with the recorded figure.

    The markers are HTML comments, invisible on GitHub and in Jupyter, so a
    lesson reads normally and the number between them is always the recorded
    one. ``NN/key@smoke`` reads the smoke profile's section (e.g. its run time),
    ``NN/key@12M`` a named variant's.

    >>> figs = {"07": {"val_nats": {"value": 1.4823}}}
    >>> sync_text("loss <!--r:07/val_nats:.2f-->?<!--/r--> nats", lambda nb, profile: figs[nb])
    'loss <!--r:07/val_nats:.2f-->1.48<!--/r--> nats'
    """
    if figures_of is None:
        def figures_of(nb: str, profile: str) -> dict[str, Any]:
            return load_results(nb, profile=profile)["figures"]

    def fill(match: re.Match[str]) -> str:
        value = _lookup(figures_of, match["nb"], match["key"], match["profile"] or "full")
        fmt = match["fmt"] or ""
        head = match.group(0)[: match.start("old") - match.start()]
        return f"{head}{format_figure(value, fmt)}<!--/r-->"

    return _MARKER.sub(fill, text)
