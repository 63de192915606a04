"""Data: a registry of verified files, a per-user cache, a local mirror, and safe extraction.

Every file the course downloads is listed in ``datasets/registry.json`` with its
canonical URL, sha256, size, licence and citation. :func:`fetch` finds a
verified copy in this order:

1. the cache folder (``LMCOURSE_DATA_DIR``, else a per-user cache folder);
2. the mirror folder (``LMCOURSE_DATA_MIRROR``), laid out ``<data set>/<file>``;
3. the canonical URL, downloaded with ``pooch`` (verified, atomic, retried,
   with a progress bar) into the cache.

Offline, with nothing cached and no mirror, it fails at once with a message
naming the file, its URL and the mirror variable.

    >>> from lmcourse.data import registry
    >>> ("tiny_shakespeare", "input.txt") in registry()
    True
"""

from __future__ import annotations

import json
import os
import tarfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import requests

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which warns in Jupyter without ipywidgets and then falls
    # back to the plain text progress bar we want anyway.
    warnings.simplefilter("ignore")
    import pooch

__all__ = [
    "CACHE_VARIABLE",
    "MIRROR_VARIABLE",
    "DataIntegrityError",
    "DataUnavailableError",
    "FileEntry",
    "UnsafeArchiveError",
    "cache_dir",
    "course_split",
    "datasets_dir",
    "fetch",
    "fetch_file",
    "load_tiny_shakespeare",
    "load_toy_corpus",
    "mirror_dir",
    "registry",
    "safe_extract",
    "sha256_of",
]

CACHE_VARIABLE = "LMCOURSE_DATA_DIR"
MIRROR_VARIABLE = "LMCOURSE_DATA_MIRROR"
TRAIN_FRACTION = 0.9  # the course split of Tiny Shakespeare: first 90% train, last 10% validation


class DataUnavailableError(RuntimeError):
    """A data file is neither cached, nor in the mirror, nor downloadable now."""


class DataIntegrityError(ValueError):
    """A data file's bytes are not the ones the registry expects."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the target folder."""


@dataclass(frozen=True)
class FileEntry:
    """One registry entry: a file of a data set and how to verify it."""

    dataset: str
    file: str
    url: str
    sha256: str
    size: int
    licence: str = ""
    citation: str = ""
    content_digest: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.dataset, self.file)


def datasets_dir() -> Path:
    """The course's ``datasets/`` folder (cards, registry, course-authored data).

    >>> (datasets_dir() / "registry.json").exists()
    True
    """
    path = Path(__file__).resolve().parent.parent / "datasets"
    if not (path / "registry.json").exists():
        raise FileNotFoundError(
            f"{path / 'registry.json'} is missing. The helpers read the course's datasets/ folder, "
            "so install them from a clone of the course repository: "
            "`git clone <course repo> && pip install -e <clone>`."
        )
    return path


def registry() -> dict[tuple[str, str], FileEntry]:
    """Every downloadable file, keyed by ``(data set, file)``.

    >>> entry = registry()["tiny_shakespeare", "input.txt"]
    >>> entry.size
    1115394
    """
    with open(datasets_dir() / "registry.json", encoding="utf-8") as handle:
        rows = json.load(handle)["files"]
    entries = [FileEntry(**row) for row in rows]
    return {entry.key: entry for entry in entries}


def cache_dir() -> Path:
    """The folder where verified downloads and parsed data are kept.

    ``LMCOURSE_DATA_DIR`` overrides the per-user default (``~/.cache/lmcourse``
    on Linux).

    >>> cache_dir().name != ""
    True
    """
    override = os.environ.get(CACHE_VARIABLE, "").strip()
    path = Path(override).expanduser() if override else Path(pooch.os_cache("lmcourse"))
    return path.resolve()


def mirror_dir() -> Path | None:
    """The local mirror folder named by ``LMCOURSE_DATA_MIRROR``, or None when unset.

    >>> mirror_dir() is None or mirror_dir().is_dir()
    True
    """
    value = os.environ.get(MIRROR_VARIABLE, "").strip()
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise DataUnavailableError(
            f"{MIRROR_VARIABLE}={value!r} is not a folder. Point it at a folder laid out as "
            f"<data set>/<file> (see the README, 'Offline classroom'), or unset it."
        )
    return path


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file, read in chunks.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    return pooch.file_hash(str(path), alg="sha256")


class _Downloader:
    """pooch's HTTP downloader, with a timeout, a progress bar, and no retries when offline.

    A refused connection or an unknown host means "no network here": it is
    raised as DataUnavailableError at once instead of being retried.
    """

    def __init__(self, entry: FileEntry, progressbar: bool, timeout: float):
        self.entry = entry
        self.http = pooch.HTTPDownloader(progressbar=progressbar, timeout=timeout)

    def __call__(self, url: str, output_file: str, pooch_obj: object, check_only: bool = False):
        try:
            return self.http(url, output_file, pooch_obj, check_only=check_only)
        except requests.exceptions.ConnectionError as error:
            text = str(error)
            partial_body = "IncompleteRead" in text or "Connection broken" in text
            if partial_body:
                raise  # a transient failure mid-body: pooch retries it
            raise DataUnavailableError(_unavailable_message(self.entry, error)) from error


def _unavailable_message(entry: FileEntry, error: BaseException | None = None) -> str:
    where = cache_dir() / entry.dataset / entry.file
    reason = f" (the download failed: {type(error).__name__})" if error else ""
    return (
        f"Cannot get {entry.dataset}/{entry.file}: it is not cached, there is no mirror copy, "
        f"and it cannot be downloaded now{reason}.\n"
        f"  - With internet access, run this again: it downloads {entry.url}\n"
        f"  - Offline, set {MIRROR_VARIABLE} to a folder holding {entry.dataset}/{entry.file} "
        "(a copy of the file from that URL), e.g. "
        f"`export {MIRROR_VARIABLE}=/path/to/mirror` before starting Jupyter, or "
        f"os.environ['{MIRROR_VARIABLE}'] = '/path/to/mirror' in the notebook\n"
        f"  - or put the file at {where} yourself (its sha256 must be {entry.sha256})."
    )


def fetch_file(
    entry: FileEntry,
    *,
    verify_mirror: bool = True,
    progressbar: bool = True,
    timeout: float = 60.0,
    retries: int = 2,
) -> Path:
    """Return the path of a verified local copy of ``entry``: cache, then mirror, then download.

    A cached copy whose sha256 is wrong is removed and fetched again. A mirror
    copy is read in place (nothing is copied); with ``verify_mirror=False`` a
    mirror copy whose sha256 differs is returned anyway and the caller must
    verify it another way (the IMDb loader checks its content digest).
    """
    cached = cache_dir() / entry.dataset / entry.file
    if cached.exists():
        actual = sha256_of(cached)
        if actual == entry.sha256:
            return cached
        print(f"The cached copy of {entry.dataset}/{entry.file} is corrupt "
              f"(sha256 {actual[:12]}…, expected {entry.sha256[:12]}…); fetching it again.")
        cached.unlink()

    mirror = mirror_dir()
    if mirror is not None and (mirror / entry.dataset / entry.file).is_file():
        candidate = mirror / entry.dataset / entry.file
        if not verify_mirror or sha256_of(candidate) == entry.sha256:
            return candidate
        raise DataIntegrityError(
            f"The mirror copy {candidate} does not match the registry (sha256 expected "
            f"{entry.sha256}). Replace it with a fresh copy of {entry.url}, or unset "
            f"{MIRROR_VARIABLE} to download it."
        )

    downloader = _Downloader(entry, progressbar=progressbar, timeout=timeout)
    fetcher = pooch.create(
        path=cached.parent,
        base_url="",
        registry={entry.file: f"sha256:{entry.sha256}"},
        urls={entry.file: entry.url},
        retry_if_failed=retries,
    )
    try:
        return Path(fetcher.fetch(entry.file, downloader=downloader))
    except DataUnavailableError:
        raise
    except ValueError as error:  # pooch's hash mismatch; the bad download is already deleted
        raise DataIntegrityError(
            f"The download of {entry.url} did not match the registry: {error}. Nothing was "
            "cached. Try again later; if it keeps failing the file has changed upstream: "
            "report it to the course maintainers."
        ) from error
    except requests.exceptions.RequestException as error:
        raise DataUnavailableError(_unavailable_message(entry, error)) from error


def fetch(dataset: str, file: str, **options: object) -> Path:
    """Return the path of a verified local copy of a registry file (see :func:`fetch_file`).

    >>> path = fetch("tiny_shakespeare", "input.txt")  # doctest: +SKIP
    """
    entries = registry()
    if (dataset, file) not in entries:
        known = ", ".join(f"{d}/{f}" for d, f in entries)
        raise KeyError(f"{dataset}/{file} is not in the course's data registry; it has: {known}")
    return fetch_file(entries[dataset, file], **options)  # type: ignore[arg-type]


def _check_member_path(name: str, dest: Path) -> Path:
    if name.startswith(("/", "\\")) or PurePosixPath(name).is_absolute() or ":" in name.split("/")[0]:
        raise UnsafeArchiveError(f"archive member {name!r} has an absolute path; refusing to extract")
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        raise UnsafeArchiveError(f"archive member {name!r} climbs out with '..'; refusing to extract")
    target = (dest / Path(*parts)).resolve() if parts else dest
    if target != dest and dest not in target.parents:
        raise UnsafeArchiveError(f"archive member {name!r} would be written outside {dest}")
    return target


def safe_extract(archive: str | os.PathLike[str], dest: str | os.PathLike[str]) -> list[Path]:
    """Extract a tar (any compression) or zip archive into ``dest``, refusing anything unsafe.

    Members with an absolute path, a ``..`` component, a link that points
    outside ``dest``, or a device file are refused before anything is written.
    Returns the paths extracted.

    >>> import io, tempfile
    >>> folder = Path(tempfile.mkdtemp()); data = b"hello"
    >>> with tarfile.open(folder / "a.tar", "w") as tar:
    ...     info = tarfile.TarInfo("greeting.txt"); info.size = len(data)
    ...     tar.addfile(info, io.BytesIO(data))
    >>> [p.name for p in safe_extract(folder / "a.tar", folder / "out")]
    ['greeting.txt']
    """
    archive = Path(archive)
    dest = Path(dest).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            targets = [_check_member_path(n, dest) for n in names]
            zf.extractall(dest)
        return [t for t, n in zip(targets, names, strict=True) if not n.endswith("/")]
    if not tarfile.is_tarfile(archive):
        raise ValueError(f"{archive} is neither a tar nor a zip archive")
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        links = {PurePosixPath(m.name) for m in members if m.issym() or m.islnk()}
        targets = []
        for member in members:
            target = _check_member_path(member.name, dest)
            if any(parent in links for parent in PurePosixPath(member.name).parents):
                raise UnsafeArchiveError(
                    f"archive member {member.name!r} is written through a link in the same archive"
                )
            if member.issym():
                link = (target.parent / member.linkname).resolve()
                if member.linkname.startswith("/") or (link != dest and dest not in link.parents):
                    raise UnsafeArchiveError(
                        f"archive member {member.name!r} links to {member.linkname!r}, outside {dest}"
                    )
            elif member.islnk():
                _check_member_path(member.linkname, dest)
            elif not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError(f"archive member {member.name!r} is a special file")
            targets.append(target)
        try:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")  # a second line of defence
            else:  # Python without extraction filters; every member was checked above
                tar.extractall(dest)  # noqa: S202
        except tarfile.TarError as error:
            raise UnsafeArchiveError(f"refused while extracting {archive}: {error}") from error
    return [t for t, m in zip(targets, members, strict=True) if m.isfile()]


def load_tiny_shakespeare(split: str = "all") -> str:
    """Tiny Shakespeare (1,115,394 characters), whole or one side of the course split.

    ``split`` is ``"all"``, ``"train"`` (first 90%) or ``"validation"`` (last 10%).

    >>> text = load_tiny_shakespeare()  # doctest: +SKIP
    >>> text[:14]  # doctest: +SKIP
    'First Citizen:'
    """
    if split not in ("all", "train", "validation"):
        raise ValueError(f"split must be 'all', 'train' or 'validation', got {split!r}")
    text = fetch("tiny_shakespeare", "input.txt").read_text(encoding="utf-8")
    if split == "all":
        return text
    train, validation = course_split(text)
    return train if split == "train" else validation


def course_split(sequence: str, train_fraction: float = TRAIN_FRACTION) -> tuple[str, str]:
    """Split a text into its first ``train_fraction`` (train) and the rest (validation).

    No shuffling: the validation text is later text, as it is for a model
    that will meet text it has not seen.

    >>> course_split("abcdefghij")
    ('abcdefghi', 'j')
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}")
    if len(sequence) < 2:
        raise ValueError("need at least 2 items to split into train and validation")
    cut = int(len(sequence) * train_fraction)
    cut = min(max(cut, 1), len(sequence) - 1)
    return sequence[:cut], sequence[cut:]


def load_toy_corpus() -> str:
    """The course's own toy corpus (a few sentences), for worked examples and tests.

    >>> load_toy_corpus().splitlines()[0]
    'the cat sat on the mat .'
    """
    return (datasets_dir() / "toy" / "toy_corpus.txt").read_text(encoding="utf-8")
