"""Tests of lmcourse.imdb on a small archive with the real aclImdb layout, built here.

The content digest is recomputed independently from the spec in datasets/imdb.md;
load_imdb runs end to end against a temporary mirror and cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

import lmcourse.data
import lmcourse.imdb
from lmcourse.data import DataIntegrityError
from lmcourse.imdb import imdb_content_digest, load_imdb, parse_imdb_archive

pytestmark = pytest.mark.usefixtures("isolated_data_env")  # from conftest.py: fresh cache, no mirror


# Reviews, keyed "split/label/file name". Ids chosen so numeric order differs from string order.
REVIEWS: dict[str, str] = {
    "train/neg/0_3.txt": "Ennuyeux à mourir.<br /><br />Je me suis endormi — deux fois.",
    "train/neg/10_2.txt": "Worst film of the year.<br />Nope. 😴",
    "train/neg/2_1.txt": "Schrecklich langweilig; die Schauspieler wirkten müde.",
    "train/pos/1_7.txt": "A quiet, lovely film.<br /><br />Recommended.",
    "train/pos/11_10.txt": "Masterpiece! Señor García steals every scene. ★★★★★",
    "train/pos/3_9.txt": "Smart, funny, and 2½ hours that fly by.",
    "train/unsup/5_0.txt": "Saw it on a plane.<br />Can't say much.",
    "train/unsup/12_0.txt": "Le café scene — iconic.",
    "train/unsup/7_0.txt": "Meh.",
    "test/neg/4_4.txt": "Not great, not terrible.<br />Mostly not great.",
    "test/neg/1_1.txt": "Ужасно. Terrible in every language.",
    "test/pos/20_10.txt": "Perfect.<br /><br />Naïve charm, well earned.",
    "test/pos/9_8.txt": "Good fun — 8/10.",
}
DISTRACTORS: dict[str, bytes] = {
    "aclImdb/README": b"Large Movie Review Dataset v1.0\n",
    "aclImdb/imdb.vocab": b"the\nand\na\n",
    "aclImdb/imdbEr.txt": b"0.1\n0.2\n",
    "aclImdb/train/labeledBow.feat": b"9 0:9 1:1\n",
    "aclImdb/train/urls_pos.txt": b"http://www.imdb.com/title/tt0453418/usercomments\n",
    "aclImdb/test/labeledBow.feat": b"10 0:7\n",
}
DIGEST_ORDER = [("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos")]


def review_files(reviews: dict[str, str] = REVIEWS) -> dict[str, bytes]:
    files = {f"aclImdb/{key}": text.encode("utf-8") for key, text in reviews.items()}
    files.update(DISTRACTORS)
    return files


def build_archive(path: Path, files: dict[str, bytes], *, mode: str = "w:gz", prefix: str = "",
                  reverse: bool = False) -> Path:
    """A tar archive of ``files`` with folder members, as the real archive has."""
    folders = sorted({str(Path(name).parent) for name in files} | {"aclImdb"})
    names = list(files)
    if reverse:
        folders, names = folders[::-1], names[::-1]
    with tarfile.open(path, mode) as tar:
        for folder in folders:
            info = tarfile.TarInfo(prefix + folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for name in names:
            info = tarfile.TarInfo(prefix + name)
            info.size = len(files[name])
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    return path


def review_id(name: str) -> int:
    return int(name.split("_")[0])


def ordered(split: str, label: str, reviews: dict[str, str] = REVIEWS) -> list[str]:
    """The file names of one split/label folder, sorted by review id."""
    names = [key.split("/")[2] for key in reviews if key.startswith(f"{split}/{label}/")]
    return sorted(names, key=review_id)


def expected_digest(reviews: dict[str, str] = REVIEWS) -> str:
    """The content digest, computed from its spec independently of lmcourse."""
    digest = hashlib.sha256()
    for split, label in DIGEST_ORDER:
        for name in ordered(split, label, reviews):
            digest.update(f"{split}/{label}/{name}\n".encode())
            digest.update(reviews[f"{split}/{label}/{name}"].encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def expected_split(split: str) -> tuple[list[str], list[int], list[int]]:
    """(texts, labels, ratings) of one split in the documented order."""
    parts = [("train", "unsup")] if split == "unsup" else [(split, "neg"), (split, "pos")]
    texts, labels, ratings = [], [], []
    for folder, label in parts:
        for name in ordered(folder, label):
            texts.append(REVIEWS[f"{folder}/{label}/{name}"])
            labels.append({"neg": 0, "pos": 1, "unsup": -1}[label])
            ratings.append(int(name.split("_")[1].removesuffix(".txt")) if label != "unsup" else 0)
    return texts, labels, ratings


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "archives"
    folder.mkdir()
    return build_archive(folder / "aclImdb_v1.tar.gz", review_files())


# --------------------------------------------------------------------------- parsing


def test_expected_order_is_numeric_not_string_order():
    # guards the fixture itself: the test data must tell the two orders apart
    assert ordered("train", "neg") == ["0_3.txt", "2_1.txt", "10_2.txt"]
    assert sorted(ordered("train", "neg")) != ordered("train", "neg")


def test_parse_gives_the_spec_digest_and_the_documented_order(archive):
    reviews = parse_imdb_archive(archive, progress=False)

    assert reviews.digest == expected_digest()
    assert imdb_content_digest(archive) == expected_digest()
    for split in ("train", "test", "unsup"):
        texts, labels, ratings = expected_split(split)
        assert reviews.texts[split] == texts, split
        assert reviews.labels[split].tolist() == labels, split
        assert reviews.ratings[split].tolist() == ratings, split
    # spot checks by hand, so the expectations above are not just the same code twice
    assert reviews.texts["train"][:3] == [REVIEWS["train/neg/0_3.txt"], REVIEWS["train/neg/2_1.txt"],
                                          REVIEWS["train/neg/10_2.txt"]]
    assert reviews.ratings["train"].tolist() == [3, 1, 2, 7, 9, 10]
    assert reviews.labels["train"].tolist() == [0, 0, 0, 1, 1, 1]
    assert reviews.labels["unsup"].tolist() == [-1, -1, -1]
    assert reviews.ratings["test"].tolist() == [1, 4, 8, 10]
    assert "<br />" in reviews.texts["train"][0] and "à" in reviews.texts["train"][0]


def test_repacked_archive_has_the_same_digest_and_a_changed_byte_does_not(archive, tmp_path):
    plain_reversed = build_archive(tmp_path / "repack.tar", review_files(), mode="w", reverse=True)
    dot_prefixed = build_archive(tmp_path / "repack.tar.bz2", review_files(), mode="w:bz2",
                                 prefix="./")
    assert archive.read_bytes() != plain_reversed.read_bytes()

    assert imdb_content_digest(plain_reversed) == expected_digest()
    assert imdb_content_digest(dot_prefixed) == expected_digest()

    changed = dict(REVIEWS)
    changed["test/pos/9_8.txt"] = changed["test/pos/9_8.txt"].replace("8/10", "9/10")  # one byte
    one_byte = build_archive(tmp_path / "changed.tar.gz", review_files(changed))
    assert imdb_content_digest(one_byte) == expected_digest(changed)
    assert imdb_content_digest(one_byte) != expected_digest()


def test_distractors_do_not_change_the_digest(tmp_path):
    files = {name: body for name, body in review_files().items() if name not in DISTRACTORS}
    bare = build_archive(tmp_path / "bare.tar", files, mode="w")
    assert imdb_content_digest(bare) == expected_digest()


# --------------------------------------------------------------------------- load_imdb end to end


@pytest.fixture
def mirror_with_archive(tmp_path, monkeypatch, archive):
    """A mirror holding the small archive, and registries whose imdb entry expects its digest.

    The sha256 stays the real archive's: a repacked mirror copy is verified by its
    content digest (fetch uses verify_mirror=False), as it is in a classroom.
    """
    mirror = tmp_path / "mirror"
    (mirror / "imdb").mkdir(parents=True)
    target = mirror / "imdb" / "aclImdb_v1.tar.gz"
    target.write_bytes(archive.read_bytes())
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))
    use_digest(monkeypatch, expected_digest())
    return target


def use_digest(monkeypatch, digest: str) -> None:
    real = lmcourse.data.registry()
    key = ("imdb", "aclImdb_v1.tar.gz")
    patched = dict(real)
    patched[key] = dataclasses.replace(real[key], content_digest=digest)
    monkeypatch.setattr(lmcourse.imdb, "registry", lambda: dict(patched))
    monkeypatch.setattr(lmcourse.data, "registry", lambda: dict(patched))


def count_parses(monkeypatch) -> list[Path]:
    calls: list[Path] = []
    real = lmcourse.imdb.parse_imdb_archive

    def counting(path, progress=True):
        calls.append(Path(path))
        return real(path, progress=False)

    monkeypatch.setattr(lmcourse.imdb, "parse_imdb_archive", counting)
    return calls


def test_load_imdb_parses_once_then_reads_the_cache(mirror_with_archive, isolated_data_env, monkeypatch):
    parses = count_parses(monkeypatch)
    parsed = isolated_data_env.resolve() / "imdb" / "reviews-v1.npz"
    assert not parsed.exists()

    texts, labels = load_imdb("train")

    assert parses == [mirror_with_archive.resolve()]  # read from the mirror in place
    assert parsed.is_file()
    want_texts, want_labels, _ = expected_split("train")
    assert texts == want_texts
    assert labels.tolist() == want_labels
    assert labels.dtype == np.int64
    assert [p.name for p in parsed.parent.iterdir()] == ["reviews-v1.npz"]  # no temporary file

    def no_archive(*args, **kwargs):
        raise AssertionError("the archive was opened although a parsed cache exists")

    monkeypatch.setattr(lmcourse.imdb, "parse_imdb_archive", no_archive)
    monkeypatch.setattr(lmcourse.imdb, "fetch", no_archive)
    mirror_with_archive.unlink()

    again_texts, again_labels = load_imdb("train")
    assert again_texts == texts
    assert np.array_equal(again_labels, labels) and again_labels.dtype == labels.dtype
    for split in ("test", "unsup"):
        split_texts, split_labels = load_imdb(split)
        want_texts, want_labels, _ = expected_split(split)
        assert split_texts == want_texts, split
        assert split_labels.tolist() == want_labels, split


def test_load_imdb_subset_is_seeded(mirror_with_archive):
    all_texts, all_labels = load_imdb("train")
    label_of = dict(zip(all_texts, all_labels.tolist(), strict=True))

    texts, labels = load_imdb("train", n=4, seed=1)
    assert len(texts) == 4 and labels.shape == (4,)
    assert len(set(texts)) == 4 and set(texts) <= set(all_texts)
    assert labels.tolist() == [label_of[t] for t in texts]  # each label stays with its review

    same_texts, same_labels = load_imdb("train", n=4, seed=1)
    assert same_texts == texts and np.array_equal(same_labels, labels)
    others = {tuple(load_imdb("train", n=4, seed=seed)[0]) for seed in range(10)}
    assert len(others) > 1  # the seed matters

    whole, _ = load_imdb("train", n=len(all_texts), seed=3)
    assert sorted(whole) == sorted(all_texts)
    with pytest.raises(ValueError, match="n must be between"):
        load_imdb("train", n=len(all_texts) + 1)
    with pytest.raises(ValueError, match="n must be between"):
        load_imdb("train", n=0)


def test_load_imdb_wrong_digest_raises_and_caches_nothing(mirror_with_archive, isolated_data_env,
                                                          monkeypatch):
    use_digest(monkeypatch, hashlib.sha256(b"another archive").hexdigest())

    with pytest.raises(DataIntegrityError) as excinfo:
        load_imdb("train")

    assert expected_digest() in str(excinfo.value)  # says what it found
    folder = isolated_data_env / "imdb"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_load_imdb_reparses_when_the_archive_digest_changes(mirror_with_archive, monkeypatch, tmp_path):
    load_imdb("train")
    changed = dict(REVIEWS)
    changed["train/pos/1_7.txt"] = "A different review, now."
    build_archive(mirror_with_archive, review_files(changed))
    use_digest(monkeypatch, expected_digest(changed))
    parses = count_parses(monkeypatch)

    texts, _ = load_imdb("train")

    assert len(parses) == 1  # the old parsed file was for another digest
    assert "A different review, now." in texts
    assert REVIEWS["train/pos/1_7.txt"] not in texts


@pytest.mark.parametrize("keep", [0, 3])
def test_load_imdb_reparses_a_tiny_damaged_cache(mirror_with_archive, isolated_data_env, monkeypatch,
                                                 keep):
    want, _ = load_imdb("test")
    parsed = isolated_data_env / "imdb" / "reviews-v1.npz"
    parsed.write_bytes(parsed.read_bytes()[:keep])
    parses = count_parses(monkeypatch)

    texts, _ = load_imdb("test")

    assert texts == want
    assert len(parses) == 1
    assert load_imdb("test")[0] == want and len(parses) == 1  # the cache was rewritten


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_load_imdb_reparses_a_truncated_cache(mirror_with_archive, isolated_data_env, monkeypatch,
                                              fraction):
    want, want_labels = load_imdb("train")
    parsed = isolated_data_env / "imdb" / "reviews-v1.npz"
    body = parsed.read_bytes()
    parsed.write_bytes(body[: int(len(body) * fraction)])
    parses = count_parses(monkeypatch)

    texts, labels = load_imdb("train")

    assert texts == want and np.array_equal(labels, want_labels)
    assert len(parses) == 1


def test_load_imdb_unknown_split(mirror_with_archive, isolated_data_env):
    with pytest.raises(ValueError, match="split must be one of"):
        load_imdb("validation")
    assert not (isolated_data_env / "imdb").exists()  # rejected before any work
