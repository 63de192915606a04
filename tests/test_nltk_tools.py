"""Tests of lmcourse.nltk_tools.ensure_nltk: found, from the mirror, or a clear error offline.

NLTK's search path is replaced by an empty folder in every test, so the user's
own nltk_data is never used and nothing is downloaded from the internet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
import zipfile
from pathlib import Path

import nltk
import pytest

import lmcourse.nltk_tools
from lmcourse.data import DataIntegrityError, DataUnavailableError
from lmcourse.nltk_tools import ensure_nltk

SHARED_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "datasets"
STOPWORDS = ["the", "a", "an", "and", "über"]


@pytest.fixture(autouse=True)
def isolated_nltk_env(isolated_data_env, tmp_path, monkeypatch):
    """The isolated data environment, and an NLTK search path without the real data folders."""
    cache = isolated_data_env
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(nltk.data, "path", [str(empty)])
    return cache


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stopwords_zip(path: Path, words: list[str] = STOPWORDS) -> Path:
    """A tiny package laid out as NLTK's stopwords.zip: ``stopwords/english``, one word a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("stopwords/", b"")
        zf.writestr("stopwords/english", "".join(f"{w}\n" for w in words).encode("utf-8"))
        zf.writestr("stopwords/README", b"A tiny test package.\n")
    return path


def use_sha256(monkeypatch, package_file: str, sha256: str) -> None:
    real = lmcourse.nltk_tools.registry()
    key = ("nltk_data", package_file)
    patched = dict(real)
    patched[key] = dataclasses.replace(real[key], sha256=sha256)
    monkeypatch.setattr(lmcourse.nltk_tools, "registry", lambda: dict(patched))


@pytest.fixture
def stopwords_mirror(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    package = stopwords_zip(mirror / "nltk_data" / "corpora" / "stopwords.zip")
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))
    use_sha256(monkeypatch, "corpora/stopwords.zip",
               hashlib.sha256(package.read_bytes()).hexdigest())
    return mirror


def test_unknown_resource_is_a_value_error():
    with pytest.raises(ValueError, match="punkt_tab"):
        ensure_nltk("wordnet")


def test_stopwords_from_the_mirror_then_found(stopwords_mirror, isolated_data_env):
    assert ensure_nltk("stopwords", download=False) == "mirror"

    target = isolated_data_env.resolve() / "nltk_data"
    assert str(target) in nltk.data.path
    found = Path(str(nltk.data.find("corpora/stopwords")))
    assert found == target / "corpora" / "stopwords"
    reader = nltk.corpus.reader.WordListCorpusReader(str(found), ["english"])
    assert reader.words("english") == STOPWORDS

    assert ensure_nltk("stopwords", download=False) == "found"
    assert ensure_nltk("stopwords") == "found"  # found first: no download is attempted
    assert nltk.data.path.count(str(target)) == 1  # the cache folder is added once


def test_corrupt_mirror_package_is_refused(stopwords_mirror, monkeypatch, isolated_data_env):
    use_sha256(monkeypatch, "corpora/stopwords.zip", hashlib.sha256(b"another zip").hexdigest())

    with pytest.raises(DataIntegrityError):
        ensure_nltk("stopwords", download=False)
    assert not (isolated_data_env / "nltk_data" / "corpora" / "stopwords").exists()


def test_missing_without_download_raises_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(tmp_path / "empty"))  # a mirror without it
    with pytest.raises(DataUnavailableError) as excinfo:
        ensure_nltk("stopwords", download=False)
    message = str(excinfo.value)
    assert "LMCOURSE_DATA_MIRROR" in message
    assert "nltk_data/corpora/stopwords.zip" in message


def test_offline_and_missing_raises_with_what_to_do(isolated_data_env):
    index = f"http://127.0.0.1:{closed_port()}/index.xml"

    with pytest.raises(DataUnavailableError) as excinfo:
        ensure_nltk("stopwords", server_index_url=index)

    message = str(excinfo.value)
    assert "LMCOURSE_DATA_MIRROR" in message
    assert "nltk.download('stopwords')" in message
    assert "nltk_data/corpora/stopwords.zip" in message
    downloaded = isolated_data_env / "nltk_data" / "corpora" / "stopwords"
    assert not downloaded.exists()


@pytest.mark.skipif(not (SHARED_MIRROR / "nltk_data" / "tokenizers" / "punkt_tab.zip").is_file(),
                    reason=f"no shared data mirror at {SHARED_MIRROR} (the CI layout puts shared/ "
                           "beside the repository)")
def test_punkt_tab_from_the_shared_mirror(monkeypatch, isolated_data_env):
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(SHARED_MIRROR))
    get_tokenizer = getattr(nltk.tokenize, "_get_punkt_tokenizer", None)
    if get_tokenizer is not None and hasattr(get_tokenizer, "cache_clear"):
        get_tokenizer.cache_clear()  # load it from the folder this test extracts

    assert ensure_nltk("punkt_tab", download=False) == "mirror"

    assert (isolated_data_env / "nltk_data" / "tokenizers" / "punkt_tab" / "english").is_dir()
    assert nltk.word_tokenize("Don't stop.") == ["Do", "n't", "stop", "."]
    assert ensure_nltk("punkt_tab", download=False) == "found"
    if get_tokenizer is not None and hasattr(get_tokenizer, "cache_clear"):
        get_tokenizer.cache_clear()  # do not leave a tokenizer from a temporary folder cached
