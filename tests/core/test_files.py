"""Content-addressed storage: complete files or none, never outside the data directory."""

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest

from infuse.core import files


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_stream_is_stored_by_its_sha256():
    stored = files.store_stream([b"a,b\n", b"1,2\n"], kind="raw", suffix=".csv")
    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert stored.sha256 == digest and stored.size == 8
    assert stored.relative_path == f"raw/{digest[:2]}/{digest}.csv"
    assert stored.path.read_bytes() == b"a,b\n1,2\n"


def test_the_same_bytes_twice_are_stored_once(data_dir):
    first = files.store_stream([b"same"], kind="raw")
    second = files.store_stream([b"sa", b"me"], kind="raw")
    assert first == second
    assert len([p for p in (data_dir / "raw").rglob("*") if p.is_file()]) == 1


def test_a_failed_write_leaves_nothing_behind(data_dir):
    def chunks():
        yield b"partial data"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        files.store_stream(chunks(), kind="raw")
    assert [p for p in (data_dir / "raw").rglob("*") if p.is_file()] == []


def test_too_many_bytes_are_refused_and_not_kept(data_dir):
    with pytest.raises(ValueError, match="more than 10 bytes"):
        files.store_stream([b"0123456789", b"x"], kind="raw", max_bytes=10)
    assert [p for p in (data_dir / "raw").rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("evil", ["../secret", "raw/../../etc/passwd", "/etc/passwd"])
def test_paths_outside_the_data_directory_are_refused(evil):
    with pytest.raises(ValueError, match="not inside the data directory"):
        files.resolve(evil)


def test_leftovers_of_killed_writers_are_swept(data_dir):
    (data_dir / "raw").mkdir(parents=True)
    leftover = data_dir / "raw" / f"{files.TEMPORARY_PREFIX}abc"
    leftover.write_bytes(b"half")
    kept = files.store_stream([b"whole"], kind="raw")
    assert files.sweep_temporary_files(older_than_seconds=0) == 1
    assert not leftover.exists() and kept.path.exists()


def test_a_file_a_task_wrote_is_moved_into_the_store_not_copied(data_dir):
    written = files.work_dir() / "typed.parquet"
    written.write_bytes(b"PAR1 rows PAR1")
    inode = written.stat().st_ino
    stored = files.store_file(written, kind="parquet", suffix=".parquet")
    assert stored.sha256 == hashlib.sha256(b"PAR1 rows PAR1").hexdigest()
    assert not written.exists()
    kept = files.resolve(stored.relative_path)
    assert kept.read_bytes() == b"PAR1 rows PAR1" and kept.stat().st_ino == inode


#: Memory-backed, so (usually) another file system than the test's data directory.
SHM = Path("/dev/shm")  # noqa: S108 - a private directory is made inside it


@pytest.mark.skipif(not SHM.is_dir(), reason="needs a second file system")
def test_a_file_on_another_file_system_is_copied_and_left_alone(data_dir):
    elsewhere = Path(tempfile.mkdtemp(dir=SHM))
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if elsewhere.stat().st_dev == data_dir.stat().st_dev:
            pytest.skip("the shared-memory file system is the data's own here")
        source = elsewhere / "rows.csv"
        source.write_bytes(b"a,b\n1,2\n")
        stored = files.store_file(source, kind="raw")
        assert source.exists()
        assert files.resolve(stored.relative_path).read_bytes() == b"a,b\n1,2\n"
    finally:
        shutil.rmtree(elsewhere)
