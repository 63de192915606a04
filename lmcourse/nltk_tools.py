"""NLTK resources (``stopwords``, ``punkt_tab``) found, mirrored or downloaded, never a surprise.

    >>> from lmcourse.nltk_tools import NLTK_RESOURCES
    >>> sorted(NLTK_RESOURCES)
    ['punkt_tab', 'stopwords']
"""

from __future__ import annotations

from pathlib import PurePosixPath

import nltk

from .data import (
    MIRROR_VARIABLE,
    DataUnavailableError,
    cache_dir,
    fetch_file,
    mirror_dir,
    registry,
    safe_extract,
)

__all__ = ["NLTK_RESOURCES", "ensure_nltk"]

# name -> (what nltk.data.find looks for, the package file in an nltk_data folder)
NLTK_RESOURCES = {
    "stopwords": ("corpora/stopwords", "corpora/stopwords.zip"),
    "punkt_tab": ("tokenizers/punkt_tab/english/", "tokenizers/punkt_tab.zip"),
}


def _found(path: str) -> bool:
    try:
        nltk.data.find(path)
        return True
    except LookupError:
        return False


def ensure_nltk(name: str, *, download: bool = True, server_index_url: str | None = None) -> str:
    """Make an NLTK resource loadable and say where it came from.

    Looks in NLTK's own paths first, then in the mirror's ``nltk_data/``
    (verified, then extracted into the course cache, which is added to
    ``nltk.data.path``), then downloads it with ``nltk.download``. Returns
    ``"found"``, ``"mirror"`` or ``"downloaded"``; offline and missing, raises
    DataUnavailableError saying what to do.

    >>> ensure_nltk("stopwords") in {"found", "mirror", "downloaded"}  # doctest: +SKIP
    True
    """
    if name not in NLTK_RESOURCES:
        raise ValueError(f"unknown NLTK resource {name!r}; the course uses {sorted(NLTK_RESOURCES)}")
    find_path, package_file = NLTK_RESOURCES[name]
    target = cache_dir() / "nltk_data"
    if str(target) not in nltk.data.path:
        nltk.data.path.append(str(target))
    if _found(find_path):
        return "found"

    mirror = mirror_dir()
    if mirror is not None and (mirror / "nltk_data" / package_file).is_file():
        package = fetch_file(registry()["nltk_data", package_file], progressbar=False)
        safe_extract(package, target / PurePosixPath(package_file).parent)
        if _found(find_path):
            return "mirror"

    if download:
        target.mkdir(parents=True, exist_ok=True)
        downloader = nltk.downloader.Downloader(server_index_url=server_index_url)
        try:
            downloader.download(name, download_dir=str(target), quiet=True, raise_on_error=True)
        except Exception:  # noqa: BLE001 - any failure is reported below, with what to do
            pass
        if _found(find_path):
            return "downloaded"

    raise DataUnavailableError(
        f"The NLTK resource {name!r} is not installed and could not be fetched.\n"
        f"  - With internet access: run `import nltk; nltk.download({name!r})`.\n"
        f"  - Offline: set {MIRROR_VARIABLE} to a folder holding nltk_data/{package_file} "
        "(see the README, 'Offline classroom')."
    )
