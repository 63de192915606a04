"""IMDb Large Movie Review Dataset (Maas et al., 2011): parsed once, verified, cached.

The archive holds 25,000 labelled training reviews, 25,000 labelled test
reviews and 50,000 unlabelled ones, one file each. The first load streams the
archive once, checks its *content digest* (a sha256 over the review files in
a fixed order, each framed by its path and length: the same for the canonical
archive and for a repacked mirror copy), and writes the reviews into one
compact ``.npz`` file in the cache; later loads read that file in about a second.

    >>> from lmcourse.imdb import SPLITS
    >>> SPLITS
    ('train', 'test', 'unsup')
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .data import (
    UNREADABLE_ARCHIVE_ERRORS,
    DataIntegrityError,
    FileEntry,
    atomic_file,
    cache_dir,
    clean_stale_temporaries,
    describe_unreadable_archive,
    fetch_with_source,
    registry,
    reject,
    short_path,
)

__all__ = ["SPLITS", "SPLIT_SIZES", "ImdbReviews", "imdb_content_digest", "load_imdb", "parse_imdb_archive"]

SPLITS = ("train", "test", "unsup")
SPLIT_SIZES = {"train": 25_000, "test": 25_000, "unsup": 50_000}  # reviews in each split of v1.0
ARCHIVE = "aclImdb_v1.tar.gz"
# The order the content digest walks: split folder, label folder.
DIGEST_ORDER = (("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos"))
LABELS = {"neg": 0, "pos": 1, "unsup": -1}
_MEMBER = re.compile(r"^(?:\./)?aclImdb/(train|test)/(neg|pos|unsup)/((\d+)_(\d+)\.txt)$")
# 2: the content digest frames each file by its length (issue 11); a v1 file is never read.
_PARSED_VERSION = 2
_PARSED_FILE = re.compile(r"reviews-v(\d+)\.npz")

# The review files of one archive, by (split folder, label folder): (review id, rating, name, bytes).
_Found = dict[tuple[str, str], list[tuple[int, int, str, bytes]]]


@dataclass
class ImdbReviews:
    """All reviews of the archive, by split, and the archive's content digest."""

    texts: dict[str, list[str]]
    labels: dict[str, np.ndarray]
    ratings: dict[str, np.ndarray]
    digest: str


@dataclass
class _RawReviews:
    """The review files of an archive, as bytes in digest order, and their content digest."""

    found: _Found
    digest: str

    def counts(self) -> dict[str, int]:
        """How many reviews each split holds."""
        sizes = dict.fromkeys(SPLITS, 0)
        for (split, label), files in self.found.items():
            sizes["unsup" if label == "unsup" else split] += len(files)
        return sizes


def _read_archive(path: str | os.PathLike[str], progress: bool = True) -> _RawReviews:
    """Stream an ``aclImdb`` tar archive once: its review files (not decoded) and content digest.

    The digest feeds sha256, for each review file in digest order, with
    ``"{split}/{label}/{file name}\\n{length in bytes}\\n"`` and then the
    file's bytes: the length frames each file, so no two different sets of
    files give the same stream. A damaged archive raises DataIntegrityError.
    """
    found: _Found = {key: [] for key in DIGEST_ORDER}
    try:
        with tarfile.open(path, mode="r:*") as tar:
            members = tqdm(tar, desc="reading IMDb reviews", unit=" files", disable=not progress,
                           mininterval=1.0)
            for member in members:
                match = _MEMBER.match(member.name)
                if not match or not member.isfile():
                    continue
                split, label, name, review_id, rating = match.groups()
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file always has a body
                found[split, label].append((int(review_id), int(rating), name, handle.read()))
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except UNREADABLE_ARCHIVE_ERRORS as error:
        raise DataIntegrityError(describe_unreadable_archive(path, error)) from error

    digest = hashlib.sha256()
    for split, label in DIGEST_ORDER:
        found[split, label].sort()
        for _, _, name, body in found[split, label]:
            digest.update(f"{split}/{label}/{name}\n{len(body)}\n".encode())
            digest.update(body)
    return _RawReviews(found, digest.hexdigest())


def _decode(raw: _RawReviews, path: str | os.PathLike[str]) -> ImdbReviews:
    """The reviews as text, with labels and ratings, in the documented order."""
    texts: dict[str, list[str]] = {s: [] for s in SPLITS}
    labels: dict[str, list[int]] = {s: [] for s in SPLITS}
    ratings: dict[str, list[int]] = {s: [] for s in SPLITS}
    for split, label in DIGEST_ORDER:
        out = "unsup" if label == "unsup" else split
        for _, rating, name, body in raw.found[split, label]:
            try:
                texts[out].append(body.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise DataIntegrityError(
                    f"in {path}, review aclImdb/{split}/{label}/{name} is not valid UTF-8 (byte "
                    f"{error.start}); the IMDb reviews are all UTF-8: this archive is damaged or "
                    "not the IMDb v1.0 archive"
                ) from error
            labels[out].append(LABELS[label])
            ratings[out].append(rating if label != "unsup" else 0)
    return ImdbReviews(
        texts=texts,
        labels={s: np.asarray(v, dtype=np.int8) for s, v in labels.items()},
        ratings={s: np.asarray(v, dtype=np.int8) for s, v in ratings.items()},
        digest=raw.digest,
    )


def parse_imdb_archive(path: str | os.PathLike[str], progress: bool = True) -> ImdbReviews:
    """Read every review of an ``aclImdb`` tar archive in one pass, and its content digest.

    Labels are 1 (positive), 0 (negative), -1 (unlabelled); ratings are the
    stars in the file name (0 for unlabelled reviews). Within a split, reviews
    come negatives first, then positives, each sorted by review id: a fixed
    order, so shuffle before training. Members outside the review layout are
    ignored (nothing is extracted to disk). A damaged archive, or a review
    that is not UTF-8, raises DataIntegrityError.
    """
    return _decode(_read_archive(path, progress=progress), path)


def imdb_content_digest(path: str | os.PathLike[str]) -> str:
    """The content digest of an ``aclImdb`` archive (see ``datasets/imdb.md``).

    The same for the canonical archive and for any repack of its review files.
    """
    return _read_archive(path, progress=False).digest


def _check_digest(raw: _RawReviews, entry: FileEntry) -> None:
    """Raise DataIntegrityError, saying what the archive holds, unless its digest is the registry's."""
    if raw.digest == entry.content_digest:
        return
    counts = raw.counts()
    raise DataIntegrityError(
        f"its review files give content digest {raw.digest}, expected {entry.content_digest} "
        f"(it holds {counts['train']:,} train, {counts['test']:,} test and {counts['unsup']:,} unsup "
        f"reviews; the IMDb v1.0 archive holds {SPLIT_SIZES['train']:,}, {SPLIT_SIZES['test']:,} and "
        f"{SPLIT_SIZES['unsup']:,}, and a changed byte changes the digest too)"
    )


def _read_verified_archive(entry: FileEntry) -> ImdbReviews:
    """Fetch the archive, read it once, check its content digest, then decode the reviews.

    A cached or mirror copy that is not the canonical file byte for byte (a
    repack) is accepted when its content digest is the registry's.
    """
    read: list[_RawReviews] = []

    def check_content(path: Path) -> None:
        raw = _read_archive(path)
        _check_digest(raw, entry)
        read.append(raw)

    fetched = fetch_with_source("imdb", ARCHIVE, check_content=check_content)
    if not read:  # the canonical file (its sha256 matched): read and check it all the same
        try:
            check_content(fetched.path)
        except DataIntegrityError as error:
            raise reject(entry, fetched, str(error)) from error
    try:
        return _decode(read[-1], fetched.path)
    except DataIntegrityError as error:  # not reached with a verified digest; said clearly anyway
        raise reject(entry, fetched, str(error)) from error


def _parsed_path() -> Path:
    return cache_dir() / "imdb" / f"reviews-v{_PARSED_VERSION}.npz"


def _save_parsed(reviews: ImdbReviews, path: Path) -> None:
    arrays: dict[str, np.ndarray] = {"digest": np.frombuffer(reviews.digest.encode(), np.uint8)}
    for split in SPLITS:
        encoded = [t.encode("utf-8") for t in reviews.texts[split]]
        arrays[f"{split}_blob"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        arrays[f"{split}_offsets"] = np.cumsum([0] + [len(e) for e in encoded], dtype=np.int64)
        arrays[f"{split}_labels"] = reviews.labels[split]
        arrays[f"{split}_ratings"] = reviews.ratings[split]
    with atomic_file(path) as handle:  # a reader never sees half a file
        np.savez(handle, **arrays)


def _remove_older_parsed(path: Path) -> None:
    """Remove parsed files of earlier versions beside ``path``: they are never read again."""
    for other in path.parent.iterdir():
        match = _PARSED_FILE.fullmatch(other.name)
        if match and int(match[1]) < _PARSED_VERSION and other.is_file():
            other.unlink()


def _load_parsed(path: Path, split: str, expected_digest: str) -> tuple[list[str], np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if bytes(data["digest"]).decode() != expected_digest:
                return None
            blob = data[f"{split}_blob"].tobytes()
            offsets = data[f"{split}_offsets"].tolist()
            labels = data[f"{split}_labels"].astype(np.int64)
        texts = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # missing or damaged (e.g. truncated): parse the archive again
    return texts, labels


def _is_whole_number(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_request(split: str, n: object, seed: object) -> None:
    """Check load_imdb's arguments before any work, in the course's words."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if n is not None:
        if not _is_whole_number(n):
            raise TypeError(f"n must be a whole number of reviews (an int such as 1000), got {n!r} "
                            f"(a {type(n).__name__}); leave n=None for the whole split")
        if not 1 <= n <= SPLIT_SIZES[split]:
            raise ValueError(f"n must be between 1 and {SPLIT_SIZES[split]:,} for split {split!r}, got "
                             f"{n} (it is how many reviews to return); leave n=None for the whole split")
    if not _is_whole_number(seed) or seed < 0:  # type: ignore[operator]
        error = ValueError if _is_whole_number(seed) else TypeError
        raise error(f"seed must be a whole number, 0 or more (it seeds the random choice of "
                    f"reviews), got {seed!r}")


def load_imdb(split: str = "train", n: int | None = None, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """IMDb reviews and labels of one split: ``"train"``, ``"test"`` (25,000 each) or ``"unsup"`` (50,000).

    Labels are 1 for positive, 0 for negative and -1 for unlabelled reviews.
    With ``n``, a random subset of ``n`` reviews (seeded, in random order) is
    returned; without it, the whole split in a fixed order.

    >>> texts, labels = load_imdb("test", n=100)  # doctest: +SKIP
    """
    _check_request(split, n, seed)
    entry = registry()["imdb", ARCHIVE]
    assert entry.content_digest is not None
    parsed = _parsed_path()
    clean_stale_temporaries(parsed.parent)
    result = _load_parsed(parsed, split, entry.content_digest) if parsed.exists() else None
    if result is None:
        start = time.perf_counter()
        reviews = _read_verified_archive(entry)
        _save_parsed(reviews, parsed)
        _remove_older_parsed(parsed)
        print(f"IMDb parsed and verified in {time.perf_counter() - start:.0f} s; cached at {short_path(parsed)}")
        result = reviews.texts[split], reviews.labels[split].astype(np.int64)
    texts, labels = result
    if n is not None:
        if not n <= len(texts):
            raise ValueError(f"n must be between 1 and {len(texts)} for split {split!r}, got {n}")
        order = np.random.default_rng(int(seed)).permutation(len(texts))[:n]
        texts = [texts[i] for i in order]
        labels = labels[order]
    return texts, labels
