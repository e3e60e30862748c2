"""Sealed bids: AES-256-GCM envelope encryption, so nobody can read a bid before its opening.

Each challenge has its own data key, stored only wrapped (encrypted) by a master key from the
settings (``INFUSE_BID_KEYS``: ``id:base64key`` pairs, the first one current). A bid's contents
and documents are sealed with the challenge's key and bound to the bid by the associated data
(``bid:<id>``), so ciphertext moved to another row fails to open. Rotating the master key means
adding a new first key and running ``infuse procurement rotate-keys``, which rewraps every
challenge key; bids themselves are never re-encrypted. Losing every master key loses the bids.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from infuse.core import keyring

NONCE_BYTES = 12
KEY_AAD = b"infuse:challenge-key"


class SealError(Exception):
    """A sealed value could not be opened (wrong key, wrong row, or tampered bytes)."""


def master_keys() -> dict[str, bytes]:
    keys: dict[str, bytes] = dict(settings.BID_KEYS)
    if not keys:
        raise SealError("INFUSE_BID_KEYS holds no key")
    return keys


def current_key_id() -> str:
    return str(settings.BID_KEYS[0][0])


def new_master_key(key_id: str) -> str:
    """A fresh ``id:base64key`` entry for ``INFUSE_BID_KEYS``."""
    return keyring.new_key(key_id)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as error:
        raise SealError("the sealed value does not open with this key and label") from error


def new_challenge_key() -> tuple[bytes, str]:
    """A new data key for a challenge, wrapped by the current master key, and that key's id."""
    key_id = current_key_id()
    return _seal(master_keys()[key_id], AESGCM.generate_key(256), KEY_AAD), key_id


def unwrap(wrapped: bytes, key_id: str) -> bytes:
    keys = master_keys()
    if key_id not in keys:
        raise SealError(f"master key {key_id!r} is not in INFUSE_BID_KEYS")
    return _open(keys[key_id], bytes(wrapped), KEY_AAD)


def rewrap(wrapped: bytes, key_id: str) -> tuple[bytes, str]:
    """The same data key wrapped by the current master key (key rotation)."""
    current = current_key_id()
    if key_id == current:
        return bytes(wrapped), key_id
    return _seal(master_keys()[current], unwrap(wrapped, key_id), KEY_AAD), current


def seal(data_key: bytes, plaintext: bytes, label: str) -> bytes:
    return _seal(data_key, plaintext, label.encode())


def open_sealed(data_key: bytes, sealed: bytes, label: str) -> bytes:
    return _open(data_key, bytes(sealed), label.encode())
