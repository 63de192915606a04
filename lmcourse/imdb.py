"""IMDb Large Movie Review Dataset (Maas et al., 2011): parsed once, verified, cached.

The archive holds 25,000 labelled training reviews, 25,000 labelled test
reviews and 50,000 unlabelled ones, one file each. The first load streams the
archive once, checks its *content digest* (a sha256 over the review files in
a fixed order, the same for the canonical archive and for a repacked mirror
copy), and writes the reviews into one compact ``.npz`` file in the cache; later
loads read that file in about a second.

    >>> from lmcourse.imdb import SPLITS
    >>> SPLITS
    ('train', 'test', 'unsup')
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .data import DataIntegrityError, cache_dir, fetch, registry

__all__ = ["SPLITS", "ImdbReviews", "imdb_content_digest", "load_imdb", "parse_imdb_archive"]

SPLITS = ("train", "test", "unsup")
# The order the content digest walks: split folder, label folder.
DIGEST_ORDER = (("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos"))
LABELS = {"neg": 0, "pos": 1, "unsup": -1}
_MEMBER = re.compile(r"^(?:\./)?aclImdb/(train|test)/(neg|pos|unsup)/((\d+)_(\d+)\.txt)$")
_PARSED_VERSION = 1


@dataclass
class ImdbReviews:
    """All reviews of the archive, by split, and the archive's content digest."""

    texts: dict[str, list[str]]
    labels: dict[str, np.ndarray]
    ratings: dict[str, np.ndarray]
    digest: str


def parse_imdb_archive(path: str | os.PathLike[str], progress: bool = True) -> ImdbReviews:
    """Read every review of an ``aclImdb`` tar archive in one pass, and its content digest.

    Labels are 1 (positive), 0 (negative), -1 (unlabelled); ratings are the
    stars in the file name (0 for unlabelled reviews). Within a split, reviews
    come negatives first, then positives, each sorted by review id: a fixed
    order, so shuffle before training. Members outside the review layout are
    ignored (nothing is extracted to disk).
    """
    found: dict[tuple[str, str], list[tuple[int, int, str, bytes]]] = {k: [] for k in DIGEST_ORDER}
    with tarfile.open(path, mode="r:*") as tar:
        members = tqdm(tar, desc="reading IMDb reviews", unit=" files", disable=not progress,
                       mininterval=1.0)
        for member in members:
            match = _MEMBER.match(member.name)
            if not match or not member.isfile():
                continue
            split, label, name, review_id, rating = match.groups()
            if (split, label) not in found:
                continue
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file always has a body
            found[split, label].append((int(review_id), int(rating), name, handle.read()))

    digest = hashlib.sha256()
    texts: dict[str, list[str]] = {s: [] for s in SPLITS}
    labels: dict[str, list[int]] = {s: [] for s in SPLITS}
    ratings: dict[str, list[int]] = {s: [] for s in SPLITS}
    for split, label in DIGEST_ORDER:
        out = "unsup" if label == "unsup" else split
        for _, rating, name, body in sorted(found[split, label]):
            digest.update(f"{split}/{label}/{name}\n".encode())
            digest.update(body)
            digest.update(b"\n")
            texts[out].append(body.decode("utf-8"))
            labels[out].append(LABELS[label])
            ratings[out].append(rating if label != "unsup" else 0)
    return ImdbReviews(
        texts=texts,
        labels={s: np.asarray(v, dtype=np.int8) for s, v in labels.items()},
        ratings={s: np.asarray(v, dtype=np.int8) for s, v in ratings.items()},
        digest=digest.hexdigest(),
    )


def imdb_content_digest(path: str | os.PathLike[str]) -> str:
    """The content digest of an ``aclImdb`` archive (see ``datasets/imdb.md``).

    The same for the canonical archive and for any repack of its review files.
    """
    return parse_imdb_archive(path, progress=False).digest


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)  # atomic: a reader never sees half a file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


def load_imdb(split: str = "train", n: int | None = None, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """IMDb reviews and labels of one split: ``"train"``, ``"test"`` (25,000 each) or ``"unsup"`` (50,000).

    Labels are 1 for positive, 0 for negative and -1 for unlabelled reviews.
    With ``n``, a random subset of ``n`` reviews (seeded, in random order) is
    returned; without it, the whole split in a fixed order.

    >>> texts, labels = load_imdb("test", n=100)  # doctest: +SKIP
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    entry = registry()["imdb", "aclImdb_v1.tar.gz"]
    assert entry.content_digest is not None
    parsed = _parsed_path()
    result = _load_parsed(parsed, split, entry.content_digest) if parsed.exists() else None
    if result is None:
        archive = fetch("imdb", "aclImdb_v1.tar.gz", verify_mirror=False)
        start = time.perf_counter()
        reviews = parse_imdb_archive(archive)
        if reviews.digest != entry.content_digest:
            raise DataIntegrityError(
                f"{archive} is not the IMDb v1.0 archive the course expects: its review files give "
                f"content digest {reviews.digest}, expected {entry.content_digest}. Replace it "
                f"with a fresh copy of {entry.url}."
            )
        _save_parsed(reviews, parsed)
        print(f"IMDb parsed and verified in {time.perf_counter() - start:.0f} s; cached at {parsed}")
        result = reviews.texts[split], reviews.labels[split].astype(np.int64)
    texts, labels = result
    if n is not None:
        if not 0 < n <= len(texts):
            raise ValueError(f"n must be between 1 and {len(texts)} for split {split!r}, got {n}")
        order = np.random.default_rng(seed).permutation(len(texts))[:n]
        texts = [texts[i] for i in order]
        labels = labels[order]
    return texts, labels
