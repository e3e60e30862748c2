"""The `infuse` console script, run as a real process against its own database.

On PostgreSQL (INFUSE_DATABASE_URL set) each test gets a fresh database of its own, so the
commands run exactly as an operator would run them, including pg_dump/pg_restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.processes import run


def test_help_lists_the_platform_commands(cli_env):
    out = run(cli_env, "--help").stdout
    for command in (
        "demo",
        "serve",
        "worker",
        "migrate",
        "createuser",
        "audit",
        "backup",
        "restore",
        "check",
    ):
        assert command in out


@pytest.mark.parametrize(
    "command",
    ["demo", "serve", "worker", "createuser", "audit", "backup", "restore", "migrate", "check"],
)
def test_every_command_has_help(cli_env, command):
    assert "usage:" in run(cli_env, command, "--help").stdout


def test_demo_is_idempotent_and_the_audit_chain_verifies(cli_env):
    run(cli_env, "migrate", "--no-input")
    first = run(cli_env, "demo").stdout
    assert "admin@infuse.example" in first and "supplier@infuse.example" in first
    run(cli_env, "demo")
    count = run(
        cli_env,
        "shell",
        "--no-imports",
        "-c",
        "from infuse.core.models import Person, Membership; "
        "print(Person.objects.count(), Membership.objects.count())",
    ).stdout.split()
    # One person per demo role, and the demo challenges' two other supplier companies.
    from infuse.demo.loader import DEMO_PEOPLE
    from infuse.demo.procurement import SUPPLIERS

    people = len(DEMO_PEOPLE) + len(SUPPLIERS) - 1
    assert count == [str(people), str(people)]
    verified = run(cli_env, "audit", "verify").stdout
    assert "Audit chain intact" in verified and "Audit checkpoints match" in verified


def test_createuser_with_role_and_clear_errors(migrated_env):
    run(
        migrated_env,
        "createuser",
        "nia@cardiff.example",
        "--name",
        "Nia Rees",
        "--role",
        "analyst",
        "--organisation",
        "cardiff",
        "--password-stdin",
        stdin="a-good-long-password\n",
    )
    again = run(migrated_env, "createuser", "nia@cardiff.example", "--name", "Nia", ok=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    bad_org = run(
        migrated_env,
        "createuser",
        "x@y.example",
        "--name",
        "X",
        "--role",
        "officer",
        "--organisation",
        "atlantis",
        ok=False,
    )
    assert "No organisation 'atlantis'" in bad_org.stderr and "cardiff" in bad_org.stderr


def test_audit_verify_fails_and_names_a_tampered_event(migrated_env):
    run(migrated_env, "demo", "--people-only")
    run(
        migrated_env,
        "shell",
        "--no-imports",
        "-c",
        "from infuse.core.models import AuditEvent; "
        "AuditEvent.objects.filter(sequence=3).update(actor_label='mallory@evil.example')",
    )
    result = run(migrated_env, "audit", "verify", ok=False)
    assert result.returncode != 0
    assert "event #3" in result.stderr and "edited" in result.stderr


@pytest.mark.skipif(
    os.environ.get("INFUSE_DATABASE_URL", "").startswith("postgres")
    and shutil.which("pg_dump") is None,
    reason="PostgreSQL backup needs pg_dump (apt-get install postgresql-client)",
)
def test_backup_and_restore_round_trip(migrated_env, tmp_path):
    from infuse.demo.loader import DEMO_PEOPLE

    run(migrated_env, "demo", "--people-only")
    backup = tmp_path / "infuse.backup"
    run(migrated_env, "backup", str(backup))
    assert backup.stat().st_size > 0
    if not migrated_env.get("INFUSE_DATABASE_URL"):
        with sqlite3.connect(backup) as conn:
            people = conn.execute("select count(*) from core_person").fetchone()[0]
            assert people == len(DEMO_PEOPLE)
    run(migrated_env, "createuser", "later@cardiff.example", "--name", "Later")
    restored = run(migrated_env, "restore", str(backup), "--yes").stdout
    # The checkpoints written after the backup name events the restored chain no longer has:
    # they are kept beside it, and the restore starts the file afresh.
    assert "Audit checkpoints from before the restore are kept in" in restored
    count = run(
        migrated_env,
        "shell",
        "--no-imports",
        "-c",
        "from infuse.core.models import Person; print(Person.objects.count())",
    ).stdout
    assert count.strip() == str(len(DEMO_PEOPLE))
    assert "Audit chain intact" in run(migrated_env, "audit", "verify").stdout


def test_restore_refuses_without_confirmation(cli_env, tmp_path):
    result = run(cli_env, "restore", str(tmp_path / "none"), ok=False, stdin="no\n")
    assert result.returncode != 0 and "Not restored" in result.stderr


def test_deploy_check_is_clean_under_production_settings(cli_env):
    env = {
        **cli_env,
        "INFUSE_SECRET_KEY": "x" * 64 + "-production-secret-key-value-0123456789",
        "INFUSE_ALLOWED_HOSTS": "infuse.example.org",
        "INFUSE_BEHIND_PROXY": "1",
        "INFUSE_EMAIL_URL": "smtp://infuse:secret@smtp.example.org:587",
    }
    # Links in emails must point where people reach the service, not at this machine.
    loopback = run(env, "check", "--deploy", "--fail-level", "WARNING", ok=False)
    assert "infuse.E002" in loopback.stderr and "INFUSE_SITE_URL" in loopback.stderr
    env["INFUSE_SITE_URL"] = "https://infuse.example.org"
    unsealed = run(env, "check", "--deploy", "--fail-level", "WARNING", ok=False)
    assert "infuse.W001" in unsealed.stderr and "INFUSE_BID_KEYS" in unsealed.stderr
    key = run(env, "procurement", "new-key", "k1").stdout.strip()
    result = run({**env, "INFUSE_BID_KEYS": key}, "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in result.stdout


def test_bad_setting_is_a_clear_error(cli_env):
    result = run({**cli_env, "INFUSE_DEBUG": "perhaps"}, "check", ok=False)
    assert "INFUSE_DEBUG must be true or false" in result.stderr


def test_data_ingest_shows_progress_and_adds_a_version(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    run(
        migrated_env,
        "shell",
        "--no-imports",
        "-c",
        "from infuse.core.models import Person\n"
        "from infuse.datalab.catalogue import services\n"
        "from infuse.datalab.catalogue.schemas import DatasetIn\n"
        "officer = Person.objects.get(email='officer@infuse.example')\n"
        "services.create_dataset(actor=officer, dataset_in=DatasetIn(\n"
        "    title_en='Fuel', title_cy='Tanwydd',\n"
        "    publisher='cardiff'))\n",
    )
    data = tmp_path / "fuel.csv"
    data.write_text("council,litres\nCardiff,10.5\nNewport,7\n", encoding="utf-8")
    args = ("data", "ingest", str(data), "--dataset", "fuel", "--as", "officer@infuse.example")
    first = run(migrated_env, *args)
    assert "Version 1 of fuel: 2 rows" in first.stdout
    assert "Ingesting fuel.csv" in first.stderr  # the bar: stdout stays clean for pipes
    again = run(migrated_env, *args)
    assert "Already version 1" in again.stdout
    nobody = run(
        migrated_env,
        "data",
        "ingest",
        str(data),
        "--dataset",
        "fuel",
        "--as",
        "supplier@infuse.example",
        ok=False,
    )
    assert nobody.returncode != 0
    empty = tmp_path / "empty.csv"
    empty.write_text("council,litres\n")
    rejected = run(
        migrated_env,
        "data",
        "ingest",
        str(empty),
        "--dataset",
        "fuel",
        "--as",
        "officer@infuse.example",
        ok=False,
    )
    assert "no rows of data" in rejected.stderr


def test_the_database_file_and_data_directories_are_private(migrated_env, tmp_path):
    """Other users on the machine cannot read the database, the keys or the data files."""
    var = Path(migrated_env["INFUSE_VAR_DIR"])
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "data").stat().st_mode) == 0o700
    if not migrated_env.get("INFUSE_DATABASE_URL", "").startswith("postgres"):
        assert stat.S_IMODE((var / "infuse.sqlite3").stat().st_mode) == 0o600
    for key in ("secret_key", "bid_keys", "audit_keys"):
        assert stat.S_IMODE((var / key).stat().st_mode) == 0o600, key
