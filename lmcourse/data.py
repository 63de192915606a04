"""Data: a registry of verified files, a per-user cache, a local mirror, and safe extraction.

Every file the course downloads is listed in ``datasets/registry.json`` with its
canonical URL, sha256, size, licence and citation. :func:`fetch` finds a
verified copy in this order:

1. the cache folder (``LMCOURSE_DATA_DIR``, else a per-user cache folder);
2. the mirror folder (``LMCOURSE_DATA_MIRROR``), laid out ``<data set>/<file>``;
3. the canonical URL, downloaded with ``pooch`` (verified, atomic, retried,
   with a progress bar) into the cache.

A cached copy that fails verification is moved aside (``<file>.rejected``),
never deleted: it may be a file a learner put there. Temporary files left by a
download or a parse that was killed are removed on the next run. Offline, with
nothing cached and no mirror, it fails at once with a message naming the file,
its URL and the mirror variable; where packets are silently dropped, after the
connect timeout (``LMCOURSE_CONNECT_TIMEOUT``, 10 s by default).

    >>> from lmcourse.data import registry
    >>> ("tiny_shakespeare", "input.txt") in registry()
    True
"""

from __future__ import annotations

import itertools
import json
import lzma
import math
import os
import re
import tarfile
import tempfile
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, NamedTuple

import requests

try:
    import fcntl
except ImportError:  # Windows: a stale temporary file is recognised by its age alone
    fcntl = None  # type: ignore[assignment]

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which warns in Jupyter without ipywidgets and then falls
    # back to the plain text progress bar we want anyway.
    warnings.simplefilter("ignore")
    import pooch

__all__ = [
    "CACHE_VARIABLE",
    "CONNECT_TIMEOUT_VARIABLE",
    "MAX_EXTRACT_BYTES",
    "MIRROR_VARIABLE",
    "DataIntegrityError",
    "DataUnavailableError",
    "Fetched",
    "FileEntry",
    "UnsafeArchiveError",
    "atomic_file",
    "cache_dir",
    "clean_stale_temporaries",
    "course_split",
    "datasets_dir",
    "default_connect_timeout",
    "describe_unreadable_archive",
    "fetch",
    "fetch_file",
    "fetch_with_source",
    "load_tiny_shakespeare",
    "load_toy_corpus",
    "mirror_dir",
    "registry",
    "reject",
    "safe_extract",
    "sha256_of",
    "short_path",
]

CACHE_VARIABLE = "LMCOURSE_DATA_DIR"
MIRROR_VARIABLE = "LMCOURSE_DATA_MIRROR"
CONNECT_TIMEOUT_VARIABLE = "LMCOURSE_CONNECT_TIMEOUT"
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to wait for a server to accept a connection
MAX_EXTRACT_BYTES = 100 * 2**20  # what safe_extract lets one archive write, by default
TRAIN_FRACTION = 0.9  # the course split of Tiny Shakespeare: first 90% train, last 10% validation

# Temporary files in the cache: pooch's downloads (tempfile's default names, "tmp" and 8
# characters), the course's own (atomic_file), and the parse files of earlier versions.
_TEMPORARY = re.compile(r"tmp[a-z0-9_]{8}(?:\.tmp)?|\.lmcourse-[a-z0-9_]{8}\.tmp")
_STALE_AFTER_S = 5.0  # a temporary file younger than this is never removed
_STALE_UNLOCKED_AFTER_S = 3600.0  # without file locks (Windows): untouched for an hour
# What reading a damaged archive raises (gzip: EOFError, BadGzipFile; bz2: OSError; xz: LZMAError).
UNREADABLE_ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError)


class DataUnavailableError(RuntimeError):
    """A data file is neither cached, nor in the mirror, nor downloadable now."""


class DataIntegrityError(ValueError):
    """A data file's bytes are not the ones the registry expects."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the target folder, or the archive is a bomb."""


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


class Fetched(NamedTuple):
    """A verified local copy of a registry file, and where it came from."""

    path: Path
    source: str  # "cache", "mirror" or "download"


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


def default_connect_timeout() -> float:
    """Seconds to wait for a server to accept a connection: ``LMCOURSE_CONNECT_TIMEOUT``, else 10.

    In a lab whose firewall silently drops outside traffic, a download fails
    after this long (once per file, never retried).

    >>> default_connect_timeout() > 0
    True
    """
    value = os.environ.get(CONNECT_TIMEOUT_VARIABLE, "").strip()
    if not value:
        return DEFAULT_CONNECT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(
            f"{CONNECT_TIMEOUT_VARIABLE}={value!r} is not a number of seconds. Set it to a positive "
            f"number such as 3 or 30, or unset it for the default ({DEFAULT_CONNECT_TIMEOUT:g} s)."
        )
    return seconds


def short_path(path: str | os.PathLike[str] | None) -> str:
    """A path as a learner would type it: ``~`` for the home folder; never another user's name.

    Committed notebooks show the environment report, so it must not print the
    paths of the machine that ran them.

    >>> short_path(Path.home() / ".cache" / "lmcourse")
    '~/.cache/lmcourse'
    >>> short_path(None)
    'not set'
    """
    if path is None:
        return "not set"
    resolved = Path(path).expanduser()
    home = Path.home()
    try:
        return "~/" + resolved.relative_to(home).as_posix() if resolved != home else "~"
    except ValueError:
        pass
    for root in (Path.cwd(), Path(__file__).resolve().parent.parent):
        try:
            return "./" + resolved.relative_to(root).as_posix()
        except ValueError:
            continue
    return "…/" + resolved.name


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file, read in chunks.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    return pooch.file_hash(str(path), alg="sha256")


# --------------------------------------------------------------------------- temporary files


def _hold_lock(handle: IO[bytes]) -> None:
    """Mark an open temporary file as being written, until it is closed (a POSIX file lock)."""
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _in_use(path: Path) -> bool:
    """Is a live process still writing the temporary file ``path``?"""
    if fcntl is None:
        return time.time() - path.stat().st_mtime < _STALE_UNLOCKED_AFTER_S
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
    return False  # nobody held the lock; closing the file released ours


def clean_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files that a killed download or parse left in ``folder``; return them.

    Only temporary files of the course (and of ``pooch``) are removed, and
    only when no running process is writing them: a second notebook started
    during a download leaves that download alone.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); _ = (folder / "notes.txt").write_text("mine")
    >>> clean_stale_temporaries(folder)
    []
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in sorted(folder.iterdir()):
        if not _TEMPORARY.fullmatch(path.name) or path.is_symlink() or not path.is_file():
            continue
        try:
            if now - path.stat().st_mtime < _STALE_AFTER_S or _in_use(path):
                continue
            path.unlink()
        except OSError:  # gone already, or not ours to remove
            continue
        removed.append(path)
    if removed:
        print(f"Removed {len(removed)} unfinished temporary file(s) from {folder}, left by an earlier "
              "run that was stopped mid-way.")
    return removed


@contextmanager
def atomic_file(target: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Write ``target`` atomically: into a temporary file beside it, renamed over it when done.

    A reader never sees half a file. If the run is killed mid-way, the next
    :func:`clean_stale_temporaries` of the folder removes the temporary file.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "out.bin"
    >>> with atomic_file(target) as handle:
    ...     _ = handle.write(b"all or nothing")
    >>> target.read_bytes()
    b'all or nothing'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".lmcourse-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as handle:
            _hold_lock(handle)
            yield handle
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _set_aside(path: Path) -> Path:
    """Rename a rejected file to ``<name>.rejected`` (or ``.rejected-2``, ...) beside it; never delete it."""
    for number in itertools.count(1):
        aside = path.with_name(f"{path.name}.rejected" + (f"-{number}" if number > 1 else ""))
        if not aside.exists():
            path.rename(aside)
            return aside
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- errors that say what to do


def describe_unreadable_archive(path: str | os.PathLike[str], error: BaseException) -> str:
    """Say in plain words why an archive could not be read: empty, a web page, cut short, not an archive.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "a.tar.gz"; _ = p.write_bytes(b"")
    >>> describe_unreadable_archive(p, EOFError())
    'it is empty (0 bytes)'
    """
    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(1024).lower()
    except OSError:
        size, head = -1, b""
    text = str(error)
    if size == 0:
        return "it is empty (0 bytes)"
    if head.lstrip().startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return (f"it is a web page (HTML, {size:,} bytes), not an archive: a download that landed "
                "on an error or sign-in page")
    if isinstance(error, EOFError) or "unexpected end of data" in text:
        return f"it is truncated: it ends in the middle ({size:,} bytes), as after an interrupted download or copy"
    if isinstance(error, tarfile.ReadError):
        return f"it is not a tar archive ({size:,} bytes; tarfile says: {text})"
    return f"it cannot be read as an archive ({size:,} bytes; {type(error).__name__}: {text})"


def _describe_copy(entry: FileEntry, fetched: Fetched) -> str:
    if fetched.source == "mirror":
        return f"The mirror copy {fetched.path} (from {MIRROR_VARIABLE})"
    if fetched.source == "cache":
        return f"The cached copy {fetched.path}"
    return f"The file {fetched.path}, downloaded from {entry.url},"


def reject(entry: FileEntry, fetched: Fetched, reason: str) -> DataIntegrityError:
    """The error for a copy of ``entry`` that is not the expected file; a cached copy is moved aside.

    ``reason`` says what is wrong with it. The message names the file, where
    it came from and what to do; raise what this returns.
    """
    if fetched.source == "mirror":
        todo = (f"Replace it with a fresh copy of {entry.url} ({entry.size:,} bytes), or unset "
                f"{MIRROR_VARIABLE} to download it.")
    elif fetched.source == "cache":
        aside = _set_aside(fetched.path)
        todo = f"It was moved aside to {aside} (delete it when you like); run this again to fetch a fresh copy."
    else:
        todo = ("Nothing was cached. Try again later; if it keeps failing, the file has changed "
                "upstream: report it to the course maintainers.")
    return DataIntegrityError(
        f"{_describe_copy(entry, fetched)} is not the {entry.dataset}/{entry.file} the course expects: "
        f"{reason}. {todo}"
    )


def _unavailable_message(entry: FileEntry, error: BaseException | None = None, *,
                         set_aside: Path | None = None, connect: float | None = None) -> str:
    where = cache_dir() / entry.dataset / entry.file
    mirror = mirror_dir()
    no_mirror = (f"no mirror is set ({MIRROR_VARIABLE} is unset)" if mirror is None
                 else f"there is no mirror copy at {mirror / entry.dataset / entry.file}")
    not_cached = ("it is not cached" if set_aside is None else
                  f"the cached copy was not the expected file (it was moved aside to {set_aside})")
    if isinstance(error, requests.exceptions.ConnectTimeout):
        reason = (f" (no answer from the server within {connect:g} s, as behind a firewall that drops "
                  f"outside traffic; {CONNECT_TIMEOUT_VARIABLE} sets how long to wait)")
    else:
        reason = f" (the download failed: {type(error).__name__})" if error else ""
    expected = f"its sha256 must be {entry.sha256}"
    if entry.content_digest:
        expected += f", or, for a repack, its content digest {entry.content_digest}: see datasets/{entry.dataset}.md"
    return (
        f"Cannot get {entry.dataset}/{entry.file}: {not_cached}, {no_mirror}, "
        f"and it cannot be downloaded now{reason}.\n"
        f"  - With internet access, run this again: it downloads {entry.url}\n"
        f"  - Offline, set {MIRROR_VARIABLE} to a folder holding {entry.dataset}/{entry.file} "
        "(a copy of the file from that URL), e.g. "
        f"`export {MIRROR_VARIABLE}=/path/to/mirror` before starting Jupyter, or "
        f"os.environ['{MIRROR_VARIABLE}'] = '/path/to/mirror' in the notebook\n"
        f"  - or put the file at {where} yourself ({expected})."
    )


# --------------------------------------------------------------------------- fetching


class _Downloader:
    """pooch's HTTP downloader, with timeouts, a progress bar, and no retries when offline.

    A refused connection, an unknown host or a connect timeout means "no
    network here": it is raised as DataUnavailableError at once instead of
    being retried. The temporary file is locked while it is written, so that
    :func:`clean_stale_temporaries` in another process leaves it alone.
    """

    def __init__(self, entry: FileEntry, progressbar: bool, timeout: tuple[float, float],
                 set_aside: Path | None = None):
        self.entry, self.connect, self.set_aside = entry, timeout[0], set_aside
        self.http = pooch.HTTPDownloader(progressbar=progressbar, timeout=timeout)

    def __call__(self, url: str, output_file: str, pooch_obj: object, check_only: bool = False):
        try:
            if check_only or not isinstance(output_file, (str, os.PathLike)):
                return self.http(url, output_file, pooch_obj, check_only=check_only)
            with open(output_file, "w+b") as handle:
                _hold_lock(handle)
                return self.http(url, handle, pooch_obj)
        except requests.exceptions.ConnectionError as error:
            text = str(error)
            partial_body = "IncompleteRead" in text or "Connection broken" in text
            if partial_body:
                raise  # a transient failure mid-body: pooch retries it
            raise DataUnavailableError(self.message(error)) from error

    def message(self, error: BaseException) -> str:
        return _unavailable_message(self.entry, error, set_aside=self.set_aside, connect=self.connect)


def _sha256_reason(actual: str, entry: FileEntry) -> str:
    return f"its sha256 is {actual[:12]}…, not {entry.sha256[:12]}…"


def _from_cache(entry: FileEntry, cached: Path,
                check_content: Callable[[Path], None] | None) -> tuple[Fetched | None, Path | None]:
    """The cached copy if it is verified; else move it aside: ``(None, where it went)``."""
    actual = sha256_of(cached)
    if actual == entry.sha256:
        return Fetched(cached, "cache"), None
    reason = _sha256_reason(actual, entry)
    if check_content is not None:
        try:
            check_content(cached)
            return Fetched(cached, "cache"), None  # a repack with the expected content
        except DataIntegrityError as error:
            reason = f"{reason}, and {error}"
    aside = _set_aside(cached)
    print(f"The cached copy of {entry.dataset}/{entry.file} is corrupt or not the expected file "
          f"({reason}): moved it aside to {aside}; fetching it again.")
    return None, aside


def _from_mirror(entry: FileEntry, verify: bool,
                 check_content: Callable[[Path], None] | None) -> Fetched | None:
    """The mirror copy if there is one and it is verified (or ``verify`` is off); None if none."""
    mirror = mirror_dir()
    if mirror is None or not (mirror / entry.dataset / entry.file).is_file():
        return None
    fetched = Fetched(mirror / entry.dataset / entry.file, "mirror")
    if not verify and check_content is None:
        return fetched
    actual = sha256_of(fetched.path)
    if actual == entry.sha256:
        return fetched
    if check_content is None:
        raise reject(entry, fetched, _sha256_reason(actual, entry))
    try:
        check_content(fetched.path)
    except DataIntegrityError as error:
        raise reject(entry, fetched, str(error)) from None
    return fetched


def _fetch_file(
    entry: FileEntry,
    *,
    verify_mirror: bool = True,
    check_content: Callable[[Path], None] | None = None,
    progressbar: bool = True,
    timeout: float = 60.0,
    connect_timeout: float | None = None,
    retries: int = 2,
) -> Fetched:
    cached = cache_dir() / entry.dataset / entry.file
    clean_stale_temporaries(cached.parent)
    aside = None
    if cached.is_file():
        fetched, aside = _from_cache(entry, cached, check_content)
        if fetched is not None:
            return fetched
    fetched = _from_mirror(entry, verify_mirror, check_content)
    if fetched is not None:
        return fetched

    connect = default_connect_timeout() if connect_timeout is None else connect_timeout
    downloader = _Downloader(entry, progressbar=progressbar, timeout=(connect, timeout), set_aside=aside)
    fetcher = pooch.create(
        path=cached.parent,
        base_url="",
        registry={entry.file: f"sha256:{entry.sha256}"},
        urls={entry.file: entry.url},
        retry_if_failed=retries,
    )
    try:
        return Fetched(Path(fetcher.fetch(entry.file, downloader=downloader)), "download")
    except DataUnavailableError:
        raise
    except ValueError as error:  # pooch's hash mismatch; the bad download is already deleted
        raise DataIntegrityError(
            f"The download of {entry.url} did not match the registry: {error}. Nothing was "
            "cached. Try again later; if it keeps failing the file has changed upstream: "
            "report it to the course maintainers."
        ) from error
    except requests.exceptions.RequestException as error:
        raise DataUnavailableError(downloader.message(error)) from error


def fetch_file(
    entry: FileEntry,
    *,
    verify_mirror: bool = True,
    check_content: Callable[[Path], None] | None = None,
    progressbar: bool = True,
    timeout: float = 60.0,
    connect_timeout: float | None = None,
    retries: int = 2,
) -> Path:
    """Return the path of a verified local copy of ``entry``: cache, then mirror, then download.

    A cached copy whose sha256 is wrong is moved aside (``<file>.rejected``,
    never deleted) and fetched again. A mirror copy is read in place (nothing
    is copied). ``check_content(path)`` verifies a cached or mirror copy whose
    sha256 differs another way (a repacked archive: the IMDb loader checks
    its content digest); it raises DataIntegrityError saying what is wrong.
    With ``verify_mirror=False`` (and no ``check_content``) a mirror copy
    whose sha256 differs is returned anyway and the caller must verify it.
    ``timeout`` is the read timeout; ``connect_timeout`` defaults to
    :func:`default_connect_timeout`.
    """
    return _fetch_file(entry, verify_mirror=verify_mirror, check_content=check_content,
                       progressbar=progressbar, timeout=timeout, connect_timeout=connect_timeout,
                       retries=retries).path


def _entry(dataset: str, file: str) -> FileEntry:
    entries = registry()
    if (dataset, file) not in entries:
        known = ", ".join(f"{d}/{f}" for d, f in entries)
        raise KeyError(f"{dataset}/{file} is not in the course's data registry; it has: {known}")
    return entries[dataset, file]


def fetch(dataset: str, file: str, **options: object) -> Path:
    """Return the path of a verified local copy of a registry file (see :func:`fetch_file`).

    >>> path = fetch("tiny_shakespeare", "input.txt")  # doctest: +SKIP
    """
    return fetch_file(_entry(dataset, file), **options)  # type: ignore[arg-type]


def fetch_with_source(dataset: str, file: str, **options: object) -> Fetched:
    """Like :func:`fetch`, and say where the copy came from: ``"cache"``, ``"mirror"`` or ``"download"``.

    >>> path, source = fetch_with_source("tiny_shakespeare", "input.txt")  # doctest: +SKIP
    """
    return _fetch_file(_entry(dataset, file), **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- safe extraction


def _check_member_path(name: str, dest: Path) -> Path:
    if name.startswith(("/", "\\")) or PurePosixPath(name).is_absolute() or ":" in name.split("/")[0]:
        raise UnsafeArchiveError(f"archive member {name!r} has an absolute path; refusing to extract")
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        raise UnsafeArchiveError(f"archive member {name!r} has '..' in its path; refusing to extract "
                                 "(even where it would land inside the folder)")
    target = (dest / Path(*parts)).resolve() if parts else dest
    if target != dest and dest not in target.parents:
        raise UnsafeArchiveError(f"archive member {name!r} would be written outside {dest}")
    return target


def _check_symlink(member: tarfile.TarInfo, dest: Path, links: set[PurePosixPath]) -> None:
    """Refuse a symbolic link that points outside ``dest``, or that leads through another link.

    Where a link that passes through another link of the archive leads is only
    known once that one exists (``a -> .`` then ``p -> a/../outside``), so it is
    refused outright, whatever the order of the members.
    """
    name, linkname = member.name, member.linkname
    if not linkname or linkname.startswith(("/", "\\")) or PurePosixPath(linkname).is_absolute():
        raise UnsafeArchiveError(f"archive member {name!r} links to {linkname!r}, outside {dest}")
    here = PurePosixPath(name).parent  # walk the link's path from its folder, one part at a time
    for part in PurePosixPath(linkname.replace("\\", "/")).parts:
        if part == "..":
            if not here.parts:
                raise UnsafeArchiveError(f"archive member {name!r} links to {linkname!r}, outside {dest}")
            here = here.parent
        elif part != ".":
            here = here / part
            if here in links:
                raise UnsafeArchiveError(
                    f"archive member {name!r} links to {linkname!r} through {str(here)!r}, itself a "
                    "link in the same archive; refusing to extract"
                )
    resolved = (dest / Path(*here.parts)).resolve() if here.parts else dest
    if resolved != dest and dest not in resolved.parents:  # through a link already in dest
        raise UnsafeArchiveError(f"archive member {name!r} links to {linkname!r}, outside {dest}")


def _check_tar_members(members: list[tarfile.TarInfo], dest: Path) -> list[Path]:
    """Check every member before anything is written; return where each would go."""
    links = {PurePosixPath(m.name) for m in members if m.issym() or m.islnk()}
    targets = []
    for member in members:
        target = _check_member_path(member.name, dest)
        if any(parent in links for parent in PurePosixPath(member.name).parents):
            raise UnsafeArchiveError(
                f"archive member {member.name!r} is written through a link in the same archive"
            )
        if member.issym():
            _check_symlink(member, dest, links)
        elif member.islnk():
            _check_member_path(member.linkname, dest)
            if any(parent in links for parent in PurePosixPath(member.linkname).parents):
                raise UnsafeArchiveError(
                    f"archive member {member.name!r} links to {member.linkname!r} through a link in "
                    "the same archive; refusing to extract"
                )
        elif not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"archive member {member.name!r} is a special file")
        targets.append(target)
    return targets


def _check_total_size(archive: Path, total: int, max_bytes: int) -> None:
    if total > max_bytes:
        raise UnsafeArchiveError(
            f"{archive} would write {total / 2**20:.1f} MiB when extracted, more than the limit of "
            f"{max_bytes / 2**20:.1f} MiB: it may be an archive bomb (a small file that fills the "
            "disk). Nothing was written. If you trust it and have the space, pass a larger "
            "max_bytes= to safe_extract."
        )


def safe_extract(archive: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                 max_bytes: int = MAX_EXTRACT_BYTES) -> list[Path]:
    """Extract a tar (any compression) or zip archive into ``dest``, refusing anything unsafe.

    Refused before anything is written: members with an absolute path or a
    ``..`` component (even one that would land inside ``dest``), a link that
    points outside ``dest`` or leads through another link of the archive, a
    device file, and archives that would write more than ``max_bytes`` in all
    (100 MiB by default: an archive bomb). Returns the paths extracted.

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
            infos = zf.infolist()
            targets = [_check_member_path(info.filename, dest) for info in infos]
            _check_total_size(archive, sum(info.file_size for info in infos), max_bytes)
            zf.extractall(dest)  # zipfile never writes more than a member's declared size
        return [t for t, info in zip(targets, infos, strict=True) if not info.is_dir()]
    if not tarfile.is_tarfile(archive):
        raise ValueError(f"{archive} is neither a tar nor a zip archive")
    with tarfile.open(archive) as tar:
        try:
            members = tar.getmembers()
        except UNREADABLE_ARCHIVE_ERRORS as error:
            raise DataIntegrityError(
                f"{archive} is damaged: {describe_unreadable_archive(archive, error)}. Nothing was "
                "extracted; get a fresh copy of it."
            ) from error
        targets = _check_tar_members(members, dest)
        _check_total_size(archive, sum(m.size for m in members if m.isfile()), max_bytes)
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
