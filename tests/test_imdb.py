"""Tests of lmcourse.imdb on a small archive with the real aclImdb layout, built here.

The content digest is recomputed independently from the spec in datasets/imdb.md;
load_imdb runs end to end against a temporary mirror and cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import socket
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
    """The content digest, computed from its spec independently of lmcourse: each file framed by
    its path and its length in bytes."""
    digest = hashlib.sha256()
    for split, label in DIGEST_ORDER:
        for name in ordered(split, label, reviews):
            body = reviews[f"{split}/{label}/{name}"].encode("utf-8")
            digest.update(f"{split}/{label}/{name}\n{len(body)}\n".encode())
            digest.update(body)
    return digest.hexdigest()


def unframed_digest(reviews: dict[str, str] = REVIEWS) -> str:
    """The digest before issue 11: path line, body, newline, with no length: not a framing."""
    digest = hashlib.sha256()
    for split, label in DIGEST_ORDER:
        for name in ordered(split, label, reviews):
            digest.update(f"{split}/{label}/{name}\n".encode())
            digest.update(reviews[f"{split}/{label}/{name}"].encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()


def forged_reviews() -> dict[str, str]:
    """REVIEWS with train/neg/2_1.txt moved into the end of train/neg/0_3.txt (the file before it
    in digest order), behind the bytes the unframed digest puts between two files, and dropped."""
    forged = dict(REVIEWS)
    moved = forged.pop("train/neg/2_1.txt")
    forged["train/neg/0_3.txt"] += "\ntrain/neg/2_1.txt\n" + moved
    return forged


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


def use_digest(monkeypatch, digest: str, **changes: object) -> None:
    real = lmcourse.data.registry()
    key = ("imdb", "aclImdb_v1.tar.gz")
    patched = dict(real)
    patched[key] = dataclasses.replace(real[key], content_digest=digest, **changes)
    monkeypatch.setattr(lmcourse.imdb, "registry", lambda: dict(patched))
    monkeypatch.setattr(lmcourse.data, "registry", lambda: dict(patched))


def count_parses(monkeypatch) -> list[Path]:
    """Record every read of an archive by load_imdb."""
    calls: list[Path] = []
    real = lmcourse.imdb._read_archive

    def counting(path, progress=True):
        calls.append(Path(path))
        return real(path, progress=False)

    monkeypatch.setattr(lmcourse.imdb, "_read_archive", counting)
    return calls


PARSED = "reviews-v2.npz"  # the parsed cache; v2 since the content digest is framed (issue 11)


def test_load_imdb_parses_once_then_reads_the_cache(mirror_with_archive, isolated_data_env, monkeypatch):
    parses = count_parses(monkeypatch)
    parsed = isolated_data_env.resolve() / "imdb" / PARSED
    assert not parsed.exists()

    texts, labels = load_imdb("train")

    assert parses == [mirror_with_archive.resolve()]  # read from the mirror in place
    assert parsed.is_file()
    want_texts, want_labels, _ = expected_split("train")
    assert texts == want_texts
    assert labels.tolist() == want_labels
    assert labels.dtype == np.int64
    assert [p.name for p in parsed.parent.iterdir()] == [PARSED]  # no temporary file

    def no_archive(*args, **kwargs):
        raise AssertionError("the archive was opened although a parsed cache exists")

    monkeypatch.setattr(lmcourse.imdb, "_read_archive", no_archive)
    monkeypatch.setattr(lmcourse.imdb, "fetch_with_source", no_archive, raising=False)
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
    parsed = isolated_data_env / "imdb" / PARSED
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
    parsed = isolated_data_env / "imdb" / PARSED
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


# --------------------------------------------------------------------------- issue 11: integrity


def closed_url() -> str:
    """An address on 127.0.0.1 that refuses connections: "offline", without touching the network."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/aclImdb_v1.tar.gz"


def nothing_cached(cache: Path) -> bool:
    folder = cache / "imdb"
    return not folder.exists() or list(folder.iterdir()) == []


def test_a_forged_archive_no_longer_has_the_genuine_digest(archive, tmp_path):
    forged = forged_reviews()
    assert unframed_digest(forged) == unframed_digest()  # the old digest could not tell them apart
    fake = build_archive(tmp_path / "forged.tar.gz", review_files(forged))

    assert imdb_content_digest(fake) == expected_digest(forged)
    assert imdb_content_digest(fake) != imdb_content_digest(archive)


def test_load_imdb_refuses_a_forged_mirror_archive(mirror_with_archive, archive, isolated_data_env,
                                                   monkeypatch):
    use_digest(monkeypatch, imdb_content_digest(archive))  # whatever the genuine archive gives
    build_archive(mirror_with_archive, review_files(forged_reviews()))

    with pytest.raises(DataIntegrityError) as excinfo:
        load_imdb("train")

    message = str(excinfo.value)
    assert str(mirror_with_archive.resolve()) in message and "LMCOURSE_DATA_MIRROR" in message
    assert "5 train, 4 test and 3 unsup reviews" in message  # what it holds, in plain words
    assert nothing_cached(isolated_data_env)


def test_a_parsed_cache_written_before_the_framed_digest_is_not_trusted(mirror_with_archive,
                                                                          isolated_data_env, monkeypatch):
    # what an older version could have cached from a forged archive whose digest matched
    old = isolated_data_env / "imdb" / "reviews-v1.npz"
    fake = lmcourse.imdb.ImdbReviews(
        texts={"train": ["forged"], "test": [], "unsup": []},
        labels={"train": np.ones(1, np.int8), "test": np.zeros(0, np.int8), "unsup": np.zeros(0, np.int8)},
        ratings={"train": np.full(1, 9, np.int8), "test": np.zeros(0, np.int8), "unsup": np.zeros(0, np.int8)},
        digest=expected_digest())
    lmcourse.imdb._save_parsed(fake, old)
    parses = count_parses(monkeypatch)

    texts, _ = load_imdb("train")

    assert texts == expected_split("train")[0]
    assert len(parses) == 1  # verified afresh
    assert sorted(p.name for p in old.parent.iterdir()) == [PARSED]  # the old file is gone


JUNK = {
    "truncated": (lambda good: good[: len(good) // 2], "truncated"),
    "html": (lambda good: b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n", "web page"),
    "empty": (lambda good: b"", "empty"),
}


@pytest.mark.parametrize("kind", sorted(JUNK))
def test_a_junk_mirror_archive_is_a_clear_integrity_error(mirror_with_archive, isolated_data_env, kind):
    damage, words = JUNK[kind]
    mirror_with_archive.write_bytes(damage(mirror_with_archive.read_bytes()))

    with pytest.raises(DataIntegrityError) as excinfo:
        load_imdb("train")

    message = str(excinfo.value)
    assert str(mirror_with_archive.resolve()) in message  # the file,
    assert "mirror" in message and "LMCOURSE_DATA_MIRROR" in message  # where it came from,
    assert words in message  # what is wrong with it,
    assert "Replace it with a fresh copy of https://" in message  # and what to do
    assert nothing_cached(isolated_data_env)


def test_a_review_that_is_not_utf8_is_an_integrity_error(mirror_with_archive, isolated_data_env):
    files = review_files()
    files["aclImdb/train/pos/3_9.txt"] = b"Smart, funny \xff\xfe and not UTF-8."
    build_archive(mirror_with_archive, files)

    with pytest.raises(DataIntegrityError, match="content digest") as excinfo:
        load_imdb("train")  # the digest is checked before any text is decoded
    assert str(mirror_with_archive.resolve()) in str(excinfo.value)
    assert nothing_cached(isolated_data_env)

    with pytest.raises(DataIntegrityError, match=r"aclImdb/train/pos/3_9\.txt is not valid UTF-8"):
        parse_imdb_archive(mirror_with_archive, progress=False)


def test_a_junk_archive_that_passed_its_sha256_names_where_it_came_from(tmp_path, monkeypatch,
                                                                        isolated_data_env):
    junk = tmp_path / "aclImdb_v1.tar.gz"
    junk.write_bytes(b"")
    use_digest(monkeypatch, expected_digest())
    monkeypatch.setattr(lmcourse.imdb, "fetch_with_source",
                        lambda *args, **kwargs: lmcourse.data.Fetched(junk, "download"), raising=False)

    with pytest.raises(DataIntegrityError) as excinfo:
        load_imdb("test")

    message = str(excinfo.value)
    assert str(junk) in message and "downloaded from https://" in message and "empty" in message
    assert "report it" in message


def test_the_mirror_archive_copied_into_the_cache_is_accepted_by_its_content(archive, isolated_data_env,
                                                                             monkeypatch, capsys):
    # the offline message says "put the file at <cache>/imdb/aclImdb_v1.tar.gz": a repack is fine
    use_digest(monkeypatch, expected_digest(), url=closed_url())
    cached = isolated_data_env / "imdb" / "aclImdb_v1.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(archive.read_bytes())

    texts, _ = load_imdb("train")

    assert texts == expected_split("train")[0]
    assert cached.read_bytes() == archive.read_bytes()  # kept where the learner put it
    assert "corrupt" not in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["forged", "truncated"])
def test_a_bad_archive_in_the_cache_is_moved_aside_never_deleted(archive, isolated_data_env, monkeypatch,
                                                                 tmp_path, kind):
    use_digest(monkeypatch, expected_digest(), url=closed_url())
    cached = isolated_data_env / "imdb" / "aclImdb_v1.tar.gz"
    cached.parent.mkdir(parents=True)
    if kind == "forged":
        build_archive(cached, review_files(forged_reviews()))
    else:
        cached.write_bytes(archive.read_bytes()[:-100])
    bad = cached.read_bytes()

    with pytest.raises(lmcourse.data.DataUnavailableError) as excinfo:
        load_imdb("train")  # offline, no mirror: nothing else to try

    (aside,) = [p for p in cached.parent.iterdir() if p.name != PARSED]
    assert aside != cached and aside.read_bytes() == bad  # moved, not deleted
    assert str(aside) in str(excinfo.value)  # and the message says where


def test_load_imdb_cleans_temporaries_left_by_a_killed_run(mirror_with_archive, isolated_data_env):
    want, _ = load_imdb("test")
    folder = isolated_data_env / "imdb"
    stale = [folder / "tmp8f3k2_zq.tmp", folder / ".lmcourse-0a9b8c7d.tmp", folder / "tmpq1w2e3r4"]
    for path in stale:
        path.write_bytes(b"half of a file")
        os.utime(path, (0, 0))

    assert load_imdb("test")[0] == want
    assert sorted(p.name for p in folder.iterdir()) == [PARSED]


# --------------------------------------------------------------------------- issue 11: arguments


def no_work_allowed(monkeypatch) -> None:
    def no_work(*args, **kwargs):
        raise AssertionError("load_imdb did work before checking its arguments")

    for name in ("fetch", "fetch_with_source", "_read_archive", "_load_parsed", "parse_imdb_archive"):
        monkeypatch.setattr(lmcourse.imdb, name, no_work, raising=False)


@pytest.mark.parametrize("n,words", [
    (-1, "n must be between 1 and 25,000 for split 'train', got -1"),
    (0, "n must be between 1 and 25,000 for split 'train', got 0"),
    (10**9, "n must be between 1 and 25,000 for split 'train', got 1000000000"),
    (2.5, "n must be a whole number of reviews (an int such as 1000), got 2.5 (a float)"),
    ("100", "n must be a whole number of reviews (an int such as 1000), got '100' (a str)"),
    (True, "n must be a whole number of reviews (an int such as 1000), got True (a bool)"),
])
def test_load_imdb_checks_n_first(monkeypatch, n, words):
    no_work_allowed(monkeypatch)
    with pytest.raises((ValueError, TypeError)) as excinfo:
        load_imdb("train", n=n)
    assert words in str(excinfo.value)


@pytest.mark.parametrize("seed", [-1, 2.5, "0", True, None])
def test_load_imdb_checks_seed_first(monkeypatch, seed):
    no_work_allowed(monkeypatch)
    with pytest.raises((ValueError, TypeError), match="seed must be a whole number, 0 or more"):
        load_imdb("unsup", n=10, seed=seed)


def test_load_imdb_takes_numpy_integers(mirror_with_archive):
    texts, labels = load_imdb("test", n=np.int64(2), seed=np.int32(5))
    assert len(texts) == 2 and labels.shape == (2,)
