"""Content-addressed file storage under INFUSE_DATA_DIR.

Raw uploads and Parquet files are stored by SHA-256, written to a temporary name in the same
directory, flushed to disk, then renamed into place, so a reader either sees a complete file or
none, and a killed process leaves at most a temporary file (swept by ``sweep_temporary_files``).
Stored files are never modified: the same content always has the same name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

CHUNK = 1024 * 1024
TEMPORARY_PREFIX = ".incoming-"


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def resolve(relative: str) -> Path:
    """The absolute path of a stored file; refuses anything outside the data directory."""
    root = data_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"{relative!r} is not inside the data directory")
    return path


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    relative_path: str

    @property
    def path(self) -> Path:
        return resolve(self.relative_path)


@dataclass(frozen=True)
class Upload:
    """A file a person sends (from a page, the API or the CLI), as a service takes it: its
    name and type as the sender gave them, and its bytes as a stream (never all in memory)."""

    name: str
    content_type: str
    chunks: Iterable[bytes]

    @classmethod
    def of(cls, uploaded: Any) -> Upload:
        """From a Django ``UploadedFile``."""
        return cls(uploaded.name or "", uploaded.content_type or "", uploaded.chunks())

    @classmethod
    def from_path(cls, path: Path, content_type: str = "") -> Upload:
        """From a file on disk (the CLI), read in chunks."""

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as handle:
                while block := handle.read(CHUNK):
                    yield block

        return cls(path.name, content_type, chunks())


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(temporary: Path, digest: str, kind: str, suffix: str) -> str:
    relative = f"{kind}/{digest[:2]}/{digest}{suffix}"
    final = data_dir() / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        temporary.unlink()  # identical content is already stored
    else:
        os.replace(temporary, final)
        _fsync_path(final.parent)
    return relative


def store_stream(
    chunks: Iterable[bytes], *, kind: str, suffix: str = "", max_bytes: int | None = None
) -> StoredFile:
    """Store a stream of bytes under ``kind/`` by its SHA-256, hashing while it is written.

    Raises ``ValueError`` (and stores nothing) when more than ``max_bytes`` arrive.
    """
    incoming = data_dir() / kind
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    # Not a context manager on purpose: the file must outlive the handle (it is renamed into place).
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=incoming, prefix=TEMPORARY_PREFIX, delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ValueError(f"more than {max_bytes} bytes")
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        relative = _place(temporary, digest.hexdigest(), kind, suffix)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredFile(sha256=digest.hexdigest(), size=size, relative_path=relative)


def store_file(source: Path, *, kind: str, suffix: str = "") -> StoredFile:
    """Store a finished file a task wrote (in its work directory) by its SHA-256.

    The file is hashed where it lies and renamed into the store, not copied: a version's
    Parquet file used to be read and written once more just to be stored. A file on another
    file system is copied (and hashed on the way), and the original left where it was.
    """
    root = data_dir()
    root.mkdir(parents=True, exist_ok=True)
    if source.stat().st_dev != root.stat().st_dev:
        return store_stream(Upload.from_path(source).chunks, kind=kind, suffix=suffix)
    # Stored now: the sweep of unreferenced files judges by age, and a long ingest's file may
    # have been written long before its version row.
    os.utime(source)
    _fsync_path(source)
    digest = sha256_of(source)
    size = source.stat().st_size
    return StoredFile(sha256=digest, size=size, relative_path=_place(source, digest, kind, suffix))


def work_dir() -> Path:
    """A private scratch directory for one task, inside the data directory (same filesystem)."""
    root = data_dir() / "work"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=root, prefix=TEMPORARY_PREFIX))


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (a file of any size in bounded memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def damage(relative: str) -> str | None:
    """What is wrong with a stored file, or None: it must exist and still hash to its name
    (the store names every file by the SHA-256 of its bytes)."""
    path = resolve(relative)
    if not path.is_file():
        return "missing"
    return None if path.name.startswith(sha256_of(path)) else "changed"


def remove_unreferenced(kind: str, referenced: Iterable[str], *, older_than_seconds: float) -> int:
    """Delete the stored files of ``kind`` that nothing refers to and that are older than
    ``older_than_seconds``; returns how many. Why: a process killed between storing a file and
    writing the row that refers to it leaves the file behind; the age keeps a file that a
    running process has just stored (and is about to refer to) safe."""
    keep = set(referenced)
    folder = data_dir() / kind
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith(TEMPORARY_PREFIX):
            continue
        relative = path.relative_to(data_dir()).as_posix()
        if relative not in keep and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_temporary_files(older_than_seconds: float = 24 * 3600) -> int:
    """Remove leftovers of killed writers; returns how many were removed."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    for path in data_dir().rglob(f"{TEMPORARY_PREFIX}*"):
        if path.stat().st_mtime < cutoff:
            if path.is_dir():
                for child in sorted(path.rglob("*"), reverse=True):
                    child.unlink() if child.is_file() else child.rmdir()
                path.rmdir()
            else:
                path.unlink()
            removed += 1
    return removed
