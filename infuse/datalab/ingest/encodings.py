"""Telling a text file's encoding from its bytes, and transcoding it to UTF-8 in a stream.

DuckDB reads only UTF-8, so anything else (Windows-1252 with £, Latin-1, UTF-16) is transcoded
first. Council files are often UTF-8 with a stray Windows-1252 byte far from the start; the
``infuse_utf8_cp1252`` error handler registered here reads such a byte as its Windows-1252
character (see :mod:`infuse.datalab.ingest.readers`).
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable
from pathlib import Path

import charset_normalizer

from infuse.datalab.ingest.sources import SAMPLE_BYTES, TRANSCODE_CHUNK, IngestError


def _utf8_then_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: a byte that is not UTF-8 is read as Windows-1252 (then Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.start + 1]
    try:
        text = bytes(bad).decode("cp1252")
    except UnicodeDecodeError:
        text = bytes(bad).decode("latin-1")
    return text, error.start + 1


codecs.register_error("infuse_utf8_cp1252", _utf8_then_cp1252)

_LATIN_FAMILY = {
    "latin_1",
    "iso8859_15",
    "cp1252",
    "cp1250",
    "iso8859_2",
    "cp1254",
    "iso8859_9",
    "cp1257",
    "mac_roman",
    "cp850",
    "cp437",
}


def detect_encoding(path: Path, *, sample_bytes: int = SAMPLE_BYTES) -> str:
    """The Python codec name to read a text file with.

    BOMs decide first (``utf-8-sig``, ``utf-16``). A sample that decodes as UTF-8 is UTF-8.
    Otherwise charset-normalizer guesses from the sample; any Western single-byte guess becomes
    Windows-1252 (a superset of Latin-1's printable characters, and what Excel on Windows writes
    £ in). Binary content or no plausible guess raises ``ingest.unknown-encoding``.
    """
    with path.open("rb") as handle:
        sample = handle.read(sample_bytes)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise IngestError(
            "ingest.unknown-encoding",
            "The file is not text in any encoding we can read (it contains NUL bytes).",
        )
    try:
        # A multi-byte character may be cut at the sample's end; ignore only that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(sample).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best else None
    if guess is None:
        raise IngestError(
            "ingest.unknown-encoding", "The file's character encoding could not be recognised."
        )
    if guess in _LATIN_FAMILY or guess.startswith("iso8859"):
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
        if _looks_like_text(text):
            return "cp1252"
    text = sample.decode(guess, errors="replace")
    if not _looks_like_text(text):
        raise IngestError(
            "ingest.unknown-encoding", "The file's character encoding could not be recognised."
        )
    return guess


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    control = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t"
    )
    return control / len(text) < 0.01


def transcode_to_utf8(
    source: Path,
    dest: Path,
    encoding: str,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Stream ``source`` (in ``encoding``) into ``dest`` as UTF-8; returns how many bytes were
    not valid in the encoding (UTF-8 sources only: those are read as Windows-1252)."""
    total = source.stat().st_size
    errors = "infuse_utf8_cp1252" if encoding in ("utf-8", "utf-8-sig") else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    checker = (
        codecs.getincrementaldecoder(encoding)(errors="replace") if errors != "strict" else None
    )
    replaced = 0
    done = 0
    try:
        with source.open("rb") as reader, dest.open("wb") as writer:
            while chunk := reader.read(TRANSCODE_CHUNK):
                done += len(chunk)
                writer.write(decoder.decode(chunk).encode("utf-8"))
                if checker is not None:
                    replaced += checker.decode(chunk).count("\ufffd")
                if progress is not None:
                    progress(done, total)
            writer.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as error:
        raise IngestError(
            "ingest.undecodable-bytes",
            f"The file is not valid {encoding} text (byte offset {error.start}).",
            encoding=encoding,
            offset=error.start,
        ) from error
    return replaced
