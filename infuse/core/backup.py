"""Backup and restore of the platform database.

SQLite uses the online backup API (consistent while the server runs); PostgreSQL uses
pg_dump's custom format and pg_restore. Restoring replaces the current database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections


def _database() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(f"{tool} is not installed; install the PostgreSQL client tools.")
    return path


def backup_database(target: Path) -> Path:
    """Write a consistent copy of the database to ``target``; returns the path written."""
    db = _database()
    target.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        connections["default"].close()
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(target) as dest:
            source.backup(dest)
        return target
    if "postgresql" in db["ENGINE"]:
        args, env = _pg_env(db)
        subprocess.run(  # noqa: S603
            [_require("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            check=True,
            env=env,
        )
        return target
    raise RuntimeError(f"Backup is not supported for {db['ENGINE']}")


def restore_database(source: Path) -> None:
    """Replace the current database with the backup at ``source``."""
    if not source.exists():
        raise FileNotFoundError(f"No backup at {source}")
    db = _database()
    connections["default"].close()
    if db["ENGINE"] == "django.db.backends.sqlite3":
        with sqlite3.connect(source) as backup, sqlite3.connect(db["NAME"]) as live:
            backup.backup(live)
        return
    if "postgresql" in db["ENGINE"]:
        args, env = _pg_env(db)
        subprocess.run(  # noqa: S603
            [
                _require("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(source),
            ],
            check=True,
            env=env,
        )
        return
    raise RuntimeError(f"Restore is not supported for {db['ENGINE']}")
