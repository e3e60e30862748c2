"""Keys kept outside the database: bad ones are named when the service starts."""

from __future__ import annotations

import stat

import pytest

from infuse.core import keyring


def test_bad_keys_are_named_with_their_setting():
    with pytest.raises(ValueError, match="INFUSE_AUDIT_KEYS: 'k1' must be id:key with a 32-byte"):
        keyring.parse_keys("k1:c2hvcnQ", "INFUSE_AUDIT_KEYS")
    with pytest.raises(ValueError, match="32-byte key"):
        keyring.parse_keys(":" + keyring.new_key("x").split(":")[1], "INFUSE_BID_KEYS")


def test_keys_rotate_newest_first():
    text = ",".join([keyring.new_key("k2"), keyring.new_key("k1")])
    assert [key_id for key_id, _ in keyring.parse_keys(text, "X")] == ["k2", "k1"]


def test_a_generated_key_file_is_private_to_the_service_user(tmp_path, monkeypatch):
    monkeypatch.delenv("INFUSE_TEST_KEYS", raising=False)
    path = tmp_path / "var" / "keys"
    first = keyring.load_keys("INFUSE_TEST_KEYS", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keyring.load_keys("INFUSE_TEST_KEYS", path) == first


def test_the_audit_command_makes_a_key_the_settings_accept(capsys):
    from django.core.management import call_command

    call_command("audit", "new-key", "k9")
    made = capsys.readouterr().out.strip()
    assert [key_id for key_id, _ in keyring.parse_keys(made, "INFUSE_AUDIT_KEYS")] == ["k9"]
