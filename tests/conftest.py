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


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def isolated_data_env(tmp_path, monkeypatch) -> Path:
    """A fresh cache folder, no mirror, the default connect timeout, and no proxy between the
    tests and 127.0.0.1.

    Data tests use it so that nothing touches the user's real cache or network.
    """
    cache = tmp_path / "cache"
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(cache))
    monkeypatch.delenv("LMCOURSE_DATA_MIRROR", raising=False)
    monkeypatch.delenv("LMCOURSE_CONNECT_TIMEOUT", raising=False)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return cache
