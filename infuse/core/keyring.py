"""Secret keys kept outside the database, by id, the first one current (so keys can rotate).

Used for the master keys that wrap sealed bids (``INFUSE_BID_KEYS``) and the audit log's keys
(``INFUSE_AUDIT_KEYS``). Settings read them before any application module may load, so this
module imports nothing but the standard library.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def parse_keys(text: str, setting: str) -> list[tuple[str, bytes]]:
    """``id:base64key,id:base64key`` → [(id, 32-byte key)], with a message naming a bad one."""
    keys: list[tuple[str, bytes]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, _, encoded = item.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            key = b""
        if not key_id or len(key) != KEY_BYTES:
            raise ValueError(
                f"{setting}: {key_id or item!r} must be id:key with a {KEY_BYTES}-byte key in "
                "URL-safe base64 (make one with `infuse audit new-key ID`)"
            )
        keys.append((key_id, key))
    return keys


def new_key(key_id: str) -> str:
    """A fresh ``id:base64key`` entry for a keys setting."""
    encoded = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
    return f"{key_id}:{encoded}"


def load_keys(setting: str, key_file: Path) -> list[tuple[str, bytes]]:
    """The keys from the environment variable ``setting``; without it, from ``key_file``
    (made, private to this user, on first use: the demo's keys, never production's)."""
    text = os.environ.get(setting)
    if not text:
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(new_key("k1"))
        text = key_file.read_text().strip()
    return parse_keys(text, setting)
