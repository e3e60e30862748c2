"""Content-addressed storage: complete files or none, never outside the data directory."""

import hashlib

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
