"""Database connection settings that the ORM cannot express."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from survey.extensions import db


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log, enforced foreign keys, durable commits, zeroed deletions.

    secure_delete overwrites deleted rows (a spent code, a moved pending response) with
    zeros, so the file does not keep them in free space.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def private_sqlite_file(database: str | None) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does, and tighten an old one.

    SQLite creates its `-wal` and `-shm` files with the main file's mode, so a private main
    file keeps the write-ahead log (which holds recent rows) private too.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def init_app(app: Flask) -> None:
    """Attach the connection hook to this app's engine (after db.init_app)."""
    with app.app_context():
        if db.engine.url.get_backend_name() == "sqlite":
            private_sqlite_file(db.engine.url.database)
        event.listen(db.engine, "connect", _sqlite_pragmas)
