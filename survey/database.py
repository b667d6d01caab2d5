"""Database connection settings that the ORM cannot express."""

from __future__ import annotations

import sqlite3
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


def init_app(app: Flask) -> None:
    """Attach the connection hook to this app's engine (after db.init_app)."""
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
