"""Tests of lmcourse.data: the registry, the cache, the mirror, verified downloads, safe extraction.

Downloads go to a local HTTP server on 127.0.0.1 that each test starts itself;
nothing here touches the network or the user's real cache.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import re
import socket
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from lmcourse import data
from lmcourse.data import (
    DataIntegrityError,
    DataUnavailableError,
    FileEntry,
    UnsafeArchiveError,
    fetch_file,
    safe_extract,
)

SHARED_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "datasets"
pytestmark = pytest.mark.usefixtures("isolated_data_env")  # from conftest.py: fresh cache, no mirror


class FileServer:
    """A tiny HTTP server on 127.0.0.1 serving ``files`` (path -> bytes) and counting requests.

    ``cut[path] = k`` cuts the body of the next ``k`` responses for ``path`` in half:
    the server announces the full Content-Length, writes half the bytes and closes.
    ``stall[path] = event`` writes half the body, then waits for ``event`` before the rest.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: dict[str, int] = {}
        self.stall: dict[str, threading.Event] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                with server._lock:
                    server.requests.append(self.path)
                    body = server.files.get(self.path)
                    cut = server.cut.get(self.path, 0) > 0
                    if cut:
                        server.cut[self.path] -= 1
                    stall = server.stall.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if stall is not None:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    stall.wait(timeout=10)
                    body = body[len(body) // 2:]
                self.wfile.write(body[: len(body) // 2] if cut else body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep the test output quiet

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests.count(path)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    srv = FileServer()
    try:
        yield srv
    finally:
        srv.stop()


def closed_port() -> int:
    """A local port that nothing listens on (bound, read, closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def payload(size: int = 50_000, seed: int = 0) -> bytes:
    """Deterministic, non-repeating bytes."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}-{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def entry_for(server: FileServer, body: bytes, *, dataset: str = "toyset", file: str = "blob.bin",
              path: str = "/files/blob.bin", sha256: str | None = None) -> FileEntry:
    server.files[path] = body
    return FileEntry(dataset=dataset, file=file, url=server.url(path),
                     sha256=sha256 or sha(body), size=len(body))


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()) if folder.exists() else []


# --------------------------------------------------------------------------- downloads


def test_verified_download_lands_in_cache_and_second_call_makes_no_request(server, isolated_data_env):
    body = payload()
    entry = entry_for(server, body)

    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    expected = isolated_data_env.resolve() / "toyset" / "blob.bin"
    assert path == expected
    assert path.read_bytes() == body
    assert server.count("/files/blob.bin") == 1
    assert files_under(expected.parent) == [expected]  # no temporary file left beside it

    again = fetch_file(entry, progressbar=False, retries=0, timeout=5)
    assert again == expected
    assert server.count("/files/blob.bin") == 1  # served from the cache


def test_corrupt_cached_file_is_detected_and_fetched_again(server, isolated_data_env, capsys):
    body = payload(seed=1)
    entry = entry_for(server, body)
    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)
    path.write_bytes(body[:-1] + bytes([body[-1] ^ 0xFF]))  # one byte flipped

    again = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert again == path
    assert again.read_bytes() == body
    assert server.count("/files/blob.bin") == 2
    assert "corrupt" in capsys.readouterr().out


def test_download_cut_off_mid_body_raises_and_leaves_nothing(server, isolated_data_env):
    body = payload(seed=2)
    entry = entry_for(server, body)
    server.cut["/files/blob.bin"] = 1

    with pytest.raises(DataUnavailableError) as excinfo:
        fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert "toyset/blob.bin" in str(excinfo.value)
    assert server.count("/files/blob.bin") == 1
    assert files_under(isolated_data_env) == []  # neither the final file nor a temporary one


def test_download_cut_off_once_is_retried_and_then_verified(server, isolated_data_env):
    body = payload(seed=3)
    entry = entry_for(server, body)
    server.cut["/files/blob.bin"] = 1

    path = fetch_file(entry, progressbar=False, retries=1, timeout=5)

    assert path.read_bytes() == body
    assert server.count("/files/blob.bin") == 2
    assert files_under(isolated_data_env) == [path]


def test_hash_mismatch_raises_integrity_error_and_caches_nothing(server, isolated_data_env):
    body = payload(seed=4)
    entry = entry_for(server, body, sha256=sha(b"the bytes the registry expects"))

    with pytest.raises(DataIntegrityError) as excinfo:
        fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert entry.url in str(excinfo.value)
    assert server.count("/files/blob.bin") == 1
    assert files_under(isolated_data_env) == []


def test_http_error_raises_unavailable(server, isolated_data_env):
    entry = FileEntry(dataset="toyset", file="gone.bin", url=server.url("/missing.bin"),
                      sha256=sha(b"x"), size=1)

    with pytest.raises(DataUnavailableError, match="LMCOURSE_DATA_MIRROR"):
        fetch_file(entry, progressbar=False, retries=0, timeout=5)
    assert files_under(isolated_data_env) == []


def test_offline_without_mirror_fails_fast_with_a_helpful_message(isolated_data_env):
    url = f"http://127.0.0.1:{closed_port()}/data/input.txt"
    entry = FileEntry(dataset="toyset", file="input.txt", url=url, sha256=sha(b"x"), size=1)

    start = time.perf_counter()
    with pytest.raises(DataUnavailableError) as excinfo:
        fetch_file(entry, progressbar=False, retries=2, timeout=5)
    elapsed = time.perf_counter() - start

    assert elapsed < 5  # a refused connection is not retried with waits
    message = str(excinfo.value)
    assert "toyset/input.txt" in message
    assert url in message
    assert "LMCOURSE_DATA_MIRROR" in message
    assert files_under(isolated_data_env) == []


# --------------------------------------------------------------------------- the mirror


def test_mirror_copy_is_used_in_place_without_a_request(server, tmp_path, monkeypatch, isolated_data_env):
    body = payload(seed=5)
    entry = entry_for(server, body)
    mirror = tmp_path / "mirror"
    (mirror / "toyset").mkdir(parents=True)
    (mirror / "toyset" / "blob.bin").write_bytes(body)
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))

    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert path == (mirror / "toyset" / "blob.bin").resolve()
    assert path.read_bytes() == body
    assert server.requests == []
    assert files_under(isolated_data_env) == []  # read in place, nothing copied


def test_corrupt_mirror_copy_is_refused_unless_verification_is_off(server, tmp_path, monkeypatch):
    body = payload(seed=6)
    entry = entry_for(server, body)
    mirror = tmp_path / "mirror"
    (mirror / "toyset").mkdir(parents=True)
    damaged = b"not the registry's bytes"
    (mirror / "toyset" / "blob.bin").write_bytes(damaged)
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))

    with pytest.raises(DataIntegrityError, match="LMCOURSE_DATA_MIRROR"):
        fetch_file(entry, progressbar=False, retries=0, timeout=5)

    path = fetch_file(entry, verify_mirror=False, progressbar=False, retries=0, timeout=5)
    assert path == (mirror / "toyset" / "blob.bin").resolve()
    assert path.read_bytes() == damaged
    assert server.requests == []


def test_mirror_without_the_file_falls_back_to_download(server, tmp_path, monkeypatch):
    body = payload(seed=7)
    entry = entry_for(server, body)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))

    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert path.read_bytes() == body
    assert server.count("/files/blob.bin") == 1


def test_mirror_variable_pointing_at_a_file_is_an_error(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "mirror.txt"
    not_a_folder.write_text("I am a file")
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(not_a_folder))
    with pytest.raises(DataUnavailableError, match="is not a folder"):
        data.mirror_dir()

    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(tmp_path / "does-not-exist"))
    with pytest.raises(DataUnavailableError, match="LMCOURSE_DATA_MIRROR"):
        data.mirror_dir()


def test_mirror_dir_is_none_when_unset_or_blank(tmp_path, monkeypatch):
    assert data.mirror_dir() is None
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", "   ")
    assert data.mirror_dir() is None
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(tmp_path))
    assert data.mirror_dir() == tmp_path.resolve()


# --------------------------------------------------------------------------- safe extraction


def add_file(tar: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    tar.addfile(info, io.BytesIO(body))


def add_link(tar: tarfile.TarFile, name: str, target: str, kind: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


@pytest.fixture
def workspace(tmp_path):
    """``(archives folder, parent folder, destination)``; the parent holds only the destination."""
    archives = tmp_path / "archives"
    archives.mkdir()
    parent = tmp_path / "work"
    parent.mkdir()
    return archives, parent, parent / "dest"


@pytest.mark.parametrize("mode,suffix", [("w", ".tar"), ("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2")])
def test_safe_extract_normal_tar(workspace, mode, suffix):
    archives, parent, dest = workspace
    archive = archives / f"ok{suffix}"
    with tarfile.open(archive, mode) as tar:
        info = tarfile.TarInfo("top")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        add_file(tar, "top/a.txt", b"alpha\n")
        add_file(tar, "top/sub/b.txt", "bêta ✓\n".encode())
        add_file(tar, "c.txt", b"")
        add_link(tar, "top/sub/link-to-a", "../a.txt", tarfile.SYMTYPE)  # inside dest: allowed

    paths = safe_extract(archive, dest)

    resolved = dest.resolve()
    assert paths == [resolved / "top" / "a.txt", resolved / "top" / "sub" / "b.txt", resolved / "c.txt"]
    assert (dest / "top" / "a.txt").read_bytes() == b"alpha\n"
    assert (dest / "top" / "sub" / "b.txt").read_text(encoding="utf-8") == "bêta ✓\n"
    assert (dest / "c.txt").read_bytes() == b""
    assert (dest / "top" / "sub" / "link-to-a").read_bytes() == b"alpha\n"
    assert sorted(p.name for p in parent.iterdir()) == ["dest"]


def test_safe_extract_normal_zip(workspace):
    archives, parent, dest = workspace
    archive = archives / "ok.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/", b"")
        zf.writestr("pkg/english", "the\na\nan\n")
        zf.writestr("pkg/deep/français", b"le\nla\n")

    paths = safe_extract(archive, dest)

    resolved = dest.resolve()
    assert paths == [resolved / "pkg" / "english", resolved / "pkg" / "deep" / "français"]
    assert (dest / "pkg" / "english").read_text() == "the\na\nan\n"
    assert (dest / "pkg" / "deep" / "français").read_text(encoding="utf-8") == "le\nla\n"
    assert sorted(p.name for p in parent.iterdir()) == ["dest"]


UNSAFE_TAR_MEMBERS = {
    "dotdot": lambda tar: add_file(tar, "../evil.txt", b"evil"),
    "absolute": lambda tar: add_file(tar, "/abs/evil.txt", b"evil"),
    "dotdot-inside": lambda tar: add_file(tar, "a/../../evil.txt", b"evil"),
    "symlink-escapes": lambda tar: add_link(tar, "link", "../../outside", tarfile.SYMTYPE),
    "symlink-absolute": lambda tar: add_link(tar, "passwd", "/etc/passwd", tarfile.SYMTYPE),
    "symlink-nested-escapes": lambda tar: add_link(tar, "a/b/link", "../../../x", tarfile.SYMTYPE),
    "hardlink-escapes": lambda tar: add_link(tar, "hard", "../x", tarfile.LNKTYPE),
    "device": lambda tar: add_link(tar, "dev", "", tarfile.CHRTYPE),
    "fifo": lambda tar: add_link(tar, "fifo", "", tarfile.FIFOTYPE),
}


@pytest.mark.parametrize("kind", sorted(UNSAFE_TAR_MEMBERS))
def test_safe_extract_refuses_unsafe_tar_members_before_writing_anything(workspace, kind):
    archives, parent, dest = workspace
    archive = archives / f"{kind}.tar"
    with tarfile.open(archive, "w") as tar:
        add_file(tar, "good.txt", b"harmless, and first in the archive")
        UNSAFE_TAR_MEMBERS[kind](tar)

    with pytest.raises(UnsafeArchiveError):
        safe_extract(archive, dest)

    assert sorted(p.name for p in parent.iterdir()) == ["dest"]  # nothing outside dest
    assert list(dest.iterdir()) == []  # nothing at all: every member is checked before writing
    assert not Path("/abs/evil.txt").exists()


def chained_symlink_archive(path: Path) -> Path:
    with tarfile.open(path, "w") as tar:
        add_link(tar, "a", ".", tarfile.SYMTYPE)  # harmless alone: points at dest itself
        add_link(tar, "a/b", "..", tarfile.SYMTYPE)  # through 'a' this is dest/b -> dest/..
        add_file(tar, "b/evil.txt", b"evil")  # would land in dest's parent
    return path


def test_safe_extract_never_writes_through_an_earlier_symlink(workspace):
    archives, parent, dest = workspace
    archive = chained_symlink_archive(archives / "chain.tar")

    with pytest.raises((UnsafeArchiveError, tarfile.TarError)):
        safe_extract(archive, dest)

    assert sorted(p.name for p in parent.iterdir()) == ["dest"]  # nothing outside dest


def test_safe_extract_refuses_a_link_through_an_earlier_symlink_before_writing(workspace):
    archives, _, dest = workspace
    archive = chained_symlink_archive(archives / "chain.tar")

    with pytest.raises(UnsafeArchiveError):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []  # refused before anything is written


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt"])
def test_safe_extract_refuses_unsafe_zip_members(workspace, name):
    archives, parent, dest = workspace
    archive = archives / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good.txt", b"harmless")
        zf.writestr(zipfile.ZipInfo(name), b"evil")

    with pytest.raises(UnsafeArchiveError):
        safe_extract(archive, dest)

    assert sorted(p.name for p in parent.iterdir()) == ["dest"]
    assert list(dest.iterdir()) == []


def test_safe_extract_rejects_a_file_that_is_not_an_archive(workspace):
    archives, _, dest = workspace
    not_archive = archives / "notes.txt"
    not_archive.write_text("just some text, neither tar nor zip\n" * 20)

    with pytest.raises(ValueError, match="neither a tar nor a zip") as excinfo:
        safe_extract(not_archive, dest)
    assert not isinstance(excinfo.value, UnsafeArchiveError)


# --------------------------------------------------------------------------- the registry


def test_registry_entries_are_complete():
    entries = data.registry()
    assert ("tiny_shakespeare", "input.txt") in entries
    assert ("imdb", "aclImdb_v1.tar.gz") in entries
    for key, entry in entries.items():
        assert key == (entry.dataset, entry.file)
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256), key
        assert entry.size > 0, key
        assert entry.url.startswith("https://"), key
        assert entry.licence.strip(), key
        assert entry.citation.strip(), key
        if entry.content_digest is not None:
            assert re.fullmatch(r"[0-9a-f]{64}", entry.content_digest), key
    assert entries["tiny_shakespeare", "input.txt"].size == 1115394
    assert entries["imdb", "aclImdb_v1.tar.gz"].content_digest is not None


def test_fetch_unknown_name_raises_key_error_listing_what_exists():
    with pytest.raises(KeyError) as excinfo:
        data.fetch("tiny_shakespeare", "output.txt")
    message = excinfo.value.args[0]
    assert "tiny_shakespeare/output.txt" in message
    assert "tiny_shakespeare/input.txt" in message
    assert "imdb/aclImdb_v1.tar.gz" in message


# --------------------------------------------------------------------------- small helpers


def test_course_split_is_ninety_ten_with_validation_last():
    text = "".join(chr(ord("A") + i % 26) + str(i % 10) for i in range(50))
    assert len(text) == 100

    train, validation = data.course_split(text)

    assert (len(train), len(validation)) == (90, 10)
    assert train + validation == text
    assert validation == text[-10:]
    assert data.course_split("abcdefghij", 0.5) == ("abcde", "fghij")
    assert data.course_split("abcdefghijk") == ("abcdefghi", "jk")  # int(9.9) == 9: rounds down
    assert data.course_split("ab", 0.99) == ("a", "b")  # both sides keep at least one item


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_course_split_rejects_a_bad_fraction(fraction):
    with pytest.raises(ValueError, match="train_fraction"):
        data.course_split("abcdefghij", fraction)


@pytest.mark.parametrize("text", ["", "a"])
def test_course_split_rejects_too_short_input(text):
    with pytest.raises(ValueError, match="at least 2"):
        data.course_split(text)


def test_load_toy_corpus_returns_nonempty_lines():
    lines = data.load_toy_corpus().splitlines()
    assert len(lines) >= 5
    assert all(line.strip() for line in lines)
    assert lines[0] == "the cat sat on the mat ."


def test_cache_dir_honours_the_variable(tmp_path, monkeypatch, isolated_data_env):
    assert data.cache_dir() == isolated_data_env.resolve()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LMCOURSE_DATA_DIR", "~/course-cache")
    assert data.cache_dir() == (tmp_path / "home" / "course-cache").resolve()


def test_sha256_of_matches_hashlib(tmp_path):
    for size in (0, 3, 200_003):
        body = payload(size, seed=size)
        path = tmp_path / f"f{size}"
        path.write_bytes(body)
        assert data.sha256_of(path) == hashlib.sha256(body).hexdigest()
    assert data.sha256_of(os.fspath(tmp_path / "f3")) == sha(payload(3, seed=3))


# --------------------------------------------------------------------------- Tiny Shakespeare


def test_load_tiny_shakespeare_rejects_an_unknown_split():
    with pytest.raises(ValueError, match="split"):
        data.load_tiny_shakespeare("test")


@pytest.mark.skipif(not (SHARED_MIRROR / "tiny_shakespeare" / "input.txt").is_file(),
                    reason=f"no shared data mirror at {SHARED_MIRROR} (the CI layout puts shared/ "
                           "beside the repository)")
def test_load_tiny_shakespeare_from_the_shared_mirror(monkeypatch, isolated_data_env):
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(SHARED_MIRROR))

    text = data.load_tiny_shakespeare()
    train = data.load_tiny_shakespeare("train")
    validation = data.load_tiny_shakespeare("validation")

    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")
    assert train + validation == text
    assert len(train) == int(0.9 * len(text))
    assert files_under(isolated_data_env) == []  # read from the mirror in place


# --------------------------------------------------------------------------- issue 11: bad files, temporaries, timeouts


def test_a_bad_cached_file_is_moved_aside_and_never_deleted(server, isolated_data_env, capsys):
    body = payload(seed=11)
    entry = entry_for(server, body)
    cached = isolated_data_env / "toyset" / "blob.bin"
    cached.parent.mkdir(parents=True)
    mine = b"a file the learner put here by hand"
    cached.write_bytes(mine)

    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert path.read_bytes() == body
    kept = [p for p in files_under(cached.parent) if p != path]
    assert [p.read_bytes() for p in kept] == [mine]  # set aside, not deleted
    out = capsys.readouterr().out
    assert str(kept[0]) in out  # and the message says where it went


def pooch_style_temporary(folder: Path, name: str = "tmpk3_x9a0q", age: float = 3600.0) -> Path:
    """What a download killed mid-way leaves: pooch's temporary file, not touched for ``age`` s."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"the first half of a download")
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_a_temporary_left_by_a_killed_download_is_cleaned_on_the_next_run(server, isolated_data_env):
    body = payload(seed=12)
    entry = entry_for(server, body)
    folder = isolated_data_env / "toyset"
    stale = pooch_style_temporary(folder)
    own_stale = pooch_style_temporary(folder, ".lmcourse-abcd1234.tmp")
    users = [folder / "tmp_notes.txt", folder / "tmpfile"]  # not temporaries of ours: kept
    for user_file in users:
        user_file.write_text("mine")
        os.utime(user_file, (0, 0))

    path = fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert not stale.exists() and not own_stale.exists()
    assert files_under(folder) == sorted([path, *users])


@pytest.mark.skipif(os.name != "posix", reason="a live download is recognised by its file lock on POSIX")
def test_a_download_in_progress_elsewhere_is_not_cleaned(server, isolated_data_env):
    """A second notebook starting while the first downloads must not delete its temporary file."""
    body = payload(seed=13)
    entry = entry_for(server, body)
    release = threading.Event()
    server.stall["/files/blob.bin"] = release
    folder = isolated_data_env / "toyset"
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(
        fetch_file(entry, progressbar=False, retries=0, timeout=5)))
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while server.count("/files/blob.bin") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # the request is out: the temporary file exists and is being written
        (temporary,) = files_under(folder)
        os.utime(temporary, (0, 0))  # old, yet its download is alive
        assert data.clean_stale_temporaries(folder) == []
        assert temporary.exists()
    finally:
        release.set()
        worker.join(timeout=10)
    assert results and Path(results[0]).read_bytes() == body


def test_offline_with_an_empty_mirror_names_the_folder_it_looked_in(tmp_path, monkeypatch):
    mirror = tmp_path / "empty-mirror"
    mirror.mkdir()
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))
    url = f"http://127.0.0.1:{closed_port()}/data/input.txt"
    entry = FileEntry(dataset="toyset", file="input.txt", url=url, sha256=sha(b"x"), size=1)

    with pytest.raises(DataUnavailableError) as excinfo:
        fetch_file(entry, progressbar=False, retries=0, timeout=5)

    assert str(mirror.resolve() / "toyset" / "input.txt") in str(excinfo.value)


@pytest.fixture
def firewalled_port():
    """A local port whose connections hang like dropped packets: its accept queue is full."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # fill the queue; later connection attempts get no answer
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for sock in [*fillers, listener]:
            sock.close()


def test_a_firewalled_network_fails_after_the_connect_timeout(firewalled_port, isolated_data_env,
                                                              monkeypatch):
    monkeypatch.setenv("LMCOURSE_CONNECT_TIMEOUT", "0.2")
    url = f"http://127.0.0.1:{firewalled_port}/data/input.txt"
    entry = FileEntry(dataset="toyset", file="input.txt", url=url, sha256=sha(b"x"), size=1)

    start = time.perf_counter()
    with pytest.raises(DataUnavailableError) as excinfo:
        fetch_file(entry, progressbar=False, retries=2, timeout=5)
    elapsed = time.perf_counter() - start

    assert elapsed < 2  # one short connect timeout, not retried
    assert "LMCOURSE_CONNECT_TIMEOUT" in str(excinfo.value)
    assert files_under(isolated_data_env) == []


def test_the_connect_timeout_is_short_by_default_and_checked(monkeypatch):
    monkeypatch.delenv("LMCOURSE_CONNECT_TIMEOUT", raising=False)
    assert data.default_connect_timeout() <= 15
    monkeypatch.setenv("LMCOURSE_CONNECT_TIMEOUT", "2.5")
    assert data.default_connect_timeout() == 2.5
    for bad in ("soon", "0", "-3", "nan"):
        monkeypatch.setenv("LMCOURSE_CONNECT_TIMEOUT", bad)
        with pytest.raises(ValueError, match="LMCOURSE_CONNECT_TIMEOUT"):
            data.default_connect_timeout()


def test_safe_extract_refuses_a_link_that_climbs_through_an_earlier_link(workspace):
    """a -> . is harmless alone, but p -> a/../outside then points outside dest once a exists."""
    archives, parent, dest = workspace
    archive = archives / "climb.tar"
    with tarfile.open(archive, "w") as tar:
        add_file(tar, "good.txt", b"harmless, and first in the archive")
        add_link(tar, "a", ".", tarfile.SYMTYPE)
        add_link(tar, "p", "a/../outside", tarfile.SYMTYPE)
        add_file(tar, "z.txt", b"after the links")

    with pytest.raises(UnsafeArchiveError, match="'p'"):
        safe_extract(archive, dest)

    assert list(dest.iterdir()) == []  # refused by the function's own checks, before writing
    assert sorted(p.name for p in parent.iterdir()) == ["dest"]


CLIMBING_LINK_CHAINS = {
    "nested": [("d/a", ".."), ("d/p", "a/../q")],  # d/a is dest itself, so d/p is dest/../q
    "declared-first": [("p", "a/../outside"), ("a", ".")],  # the order of the members does not matter
}


@pytest.mark.parametrize("kind", sorted(CLIMBING_LINK_CHAINS))
def test_safe_extract_refuses_other_links_that_climb_through_a_link(workspace, kind):
    archives, parent, dest = workspace
    archive = archives / f"{kind}.tar"
    with tarfile.open(archive, "w") as tar:
        add_file(tar, "good.txt", b"harmless")
        for name, target in CLIMBING_LINK_CHAINS[kind]:
            add_link(tar, name, target, tarfile.SYMTYPE)

    with pytest.raises(UnsafeArchiveError, match="through"):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []
    assert sorted(p.name for p in parent.iterdir()) == ["dest"]


def test_safe_extract_refuses_an_archive_bomb_before_writing(workspace):
    archives, _, dest = workspace
    archive = archives / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_file(tar, "first.txt", b"small")
        add_file(tar, "zeros.bin", bytes(3 * 2**20))  # 3 MiB of zeros: a few KB compressed
    assert archive.stat().st_size < 20_000

    with pytest.raises(UnsafeArchiveError, match="max_bytes") as excinfo:
        safe_extract(archive, dest, max_bytes=2**20)
    assert "3.0 MiB" in str(excinfo.value)
    assert list(dest.iterdir()) == []

    zipped = archives / "bomb.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", bytes(3 * 2**20))
    with pytest.raises(UnsafeArchiveError, match="max_bytes"):
        safe_extract(zipped, dest, max_bytes=2**20)
    assert list(dest.iterdir()) == []

    assert [p.name for p in safe_extract(archive, dest, max_bytes=4 * 2**20)] == ["first.txt", "zeros.bin"]


def test_safe_extract_has_a_default_size_limit(workspace):
    assert 10 * 2**20 < data.MAX_EXTRACT_BYTES <= 2**30  # room for punkt_tab (10.4 MiB), not for bombs


@pytest.mark.parametrize("fmt", ["tar", "zip"])
def test_safe_extract_refuses_every_dotdot_member_even_one_that_stays_inside(workspace, fmt):
    """The docstring's promise: a '..' member is refused before anything is written, wherever it lands."""
    archives, _, dest = workspace
    archive = archives / f"inside.{fmt}"
    if fmt == "tar":
        with tarfile.open(archive, "w") as tar:
            add_file(tar, "ok.txt", b"first")
            add_file(tar, "sub/../ok.txt", b"the same file again, by a detour")
    else:
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("ok.txt", b"first")
            zf.writestr(zipfile.ZipInfo("sub/../ok.txt"), b"the same file again, by a detour")

    with pytest.raises(UnsafeArchiveError, match=r"'sub/\.\./ok\.txt'.*'\.\.'"):
        safe_extract(archive, dest)
    assert list(dest.iterdir()) == []
