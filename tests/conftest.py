"""Shared test set-up: the smoke profile, a headless plot backend, the repository root."""

import os
from pathlib import Path

import pytest

# Notebook kernels started by nbval inherit this environment: tests run the smoke profile
# unless told otherwise (`make test` sets it too).
os.environ.setdefault("LMCOURSE_PROFILE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder."""
    return ROOT
