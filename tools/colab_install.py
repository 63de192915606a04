"""Install the course on Colab (or any runtime that already has TensorFlow) without reinstalling it.

The notebooks' setup cell runs this on Colab. It installs the course package with
``--no-deps`` and then only the libraries the runtime lacks, never TensorFlow or
Keras: Colab's own builds match its GPU/TPU drivers, and a reinstall would download
hundreds of MB and force a runtime restart. If the runtime's TensorFlow or Keras is
older than the course's lower bound, it says so and what to do, instead of installing.

    python tools/colab_install.py            install what is missing
    python tools/colab_install.py --dry-run  only say what it would install
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER_INSTALL = {"tensorflow", "keras"}
# Libraries the labs import beyond the package's own dependencies (not the test tools).
LAB_EXTRAS = ("gensim", "scikit-learn", "tokenizers")
IMPORT_NAME = {"scikit-learn": "sklearn"}


def requirement_lines() -> dict[str, str]:
    """{name: specifier} from requirements.txt (the single list of bounds)."""
    specs = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", line).groups()
            specs[name.lower()] = spec.replace(" ", "")
    return specs


def package_dependencies() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    return [re.match(r"[A-Za-z0-9_.\-]+", d).group(0).lower() for d in re.findall(r'"([^"]+)"', block)]


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def too_old() -> list[str]:
    """TensorFlow/Keras present but older than the course's lower bounds."""
    specs = requirement_lines()
    problems = []
    for name in sorted(NEVER_INSTALL):
        lower = re.search(r">=([\d.]+)", specs.get(name, ""))
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed (this runtime should have it; pick a standard Colab runtime)")
            continue
        if lower and _version_tuple(have) < _version_tuple(lower.group(1)):
            problems.append(f"{name} {have} is older than the course needs ({specs[name]})")
    return problems


def missing() -> list[str]:
    """Requirements (with their bounds) whose module this runtime cannot import."""
    specs = requirement_lines()
    wanted = [n for n in (*package_dependencies(), *LAB_EXTRAS) if n not in NEVER_INSTALL]
    return [f"{n}{specs.get(n, '')}" for n in dict.fromkeys(wanted)
            if importlib.util.find_spec(IMPORT_NAME.get(n, n).replace("-", "_")) is None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    for problem in too_old():
        print(f"warning: {problem}. The labs may fail; use a newer runtime "
              "(Runtime > Change runtime type > latest) rather than reinstalling TensorFlow.")
    extra = missing()
    commands = [[sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)]]
    if extra:
        commands.append([sys.executable, "-m", "pip", "install", "-q", *extra])
    for command in commands:
        print("$", " ".join(command[2:]))
        if not args.dry_run:
            subprocess.run(command, check=True)
    print("course installed" + (f"; added {', '.join(extra)}" if extra else "; nothing else was missing"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
