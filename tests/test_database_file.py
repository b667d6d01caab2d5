"""The SQLite file and its write-ahead log are owner-only, like the key file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from config import TestingConfig
from survey import create_app
from survey.extensions import db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_wal_are_created_0600(tmp_path: Path) -> None:
    database = tmp_path / "instance" / "lantern.db"
    old = os.umask(0o022)  # the usual umask, under which SQLite itself makes 0644 files
    try:
        app = create_app(TestingConfig({"DATABASE_URL": f"sqlite:///{database}"}))
        with app.app_context():
            db.create_all()
            db.session.execute(text("CREATE TABLE scratch (n INTEGER)"))
            db.session.commit()
            wal = Path(f"{database}-wal")
            assert wal.exists()  # journal_mode=WAL, and the connection is still open
            assert mode(database) == 0o600
            assert mode(wal) == 0o600
            assert mode(Path(f"{database}-shm")) == 0o600
            db.engine.dispose()
    finally:
        os.umask(old)


def test_an_existing_readable_database_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "lantern.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    app = create_app(TestingConfig({"DATABASE_URL": f"sqlite:///{database}"}))
    with app.app_context():
        db.engine.dispose()
    assert mode(database) == 0o600
