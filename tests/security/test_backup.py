"""SQLite online backup and restore, as documented in the README: every response still opens."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import create_key_file
from tests.respond.driver import Respondent, always
from tests.security.keyfixtures import live_token, open_all, run, seed


def file_app(path: Path, key_file: Path) -> Flask:
    """The app on an SQLite file (WAL, as in the embedded deployment)."""
    settings = TestingConfig({"DATABASE_URL": f"sqlite:///{path}"})
    settings.KEK_FILE = str(key_file)
    return create_app(settings)


@pytest.fixture
def live(tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """A running app with three responses submitted through the pages."""
    monkeypatch.delenv("LANTERN_KEK", raising=False)
    app = file_app(tmp_path / "lantern.db", key_file)
    with app.app_context():
        db.create_all()
        seed(app)
        token = live_token()
        db.session.remove()
    for answer in ("1", "3", "5"):
        page = Respondent(app.test_client(), token).complete(always(answer))
        assert page.status_code == 200
    return app


def restore_and_open(backup: Path, tmp_path: Path, key_file: Path) -> dict[str, object]:
    """Restore a backup into place as a fresh database and open every response."""
    restored = tmp_path / "restored" / "lantern.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    app = file_app(restored, key_file)
    with app.app_context():
        opened: dict[str, object] = dict(open_all(configured_kek(app.config)))
        verified = run(app, "keys", "verify")
        assert verified.exit_code == 0, verified.output
        db.session.remove()
        db.engine.dispose()
    return opened


def test_python_online_backup_restores_every_response(
    live: Flask, tmp_path: Path, key_file: Path
) -> None:
    with live.app_context():
        before = dict(open_all(configured_kek(live.config)))
        # Online: the app still holds its connection (and the WAL) while the copy is taken.
        backup = tmp_path / "backup.db"
        with sqlite3.connect(tmp_path / "lantern.db") as source, sqlite3.connect(backup) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        db.session.remove()
        db.engine.dispose()
    assert len(before) == 3  # the three people above, nothing else
    (tmp_path / "lantern.db").unlink()  # the original is lost
    assert restore_and_open(backup, tmp_path, key_file) == before


def test_sqlite3_command_line_backup_restores_every_response(
    live: Flask, tmp_path: Path, key_file: Path
) -> None:
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        pytest.skip("the sqlite3 command-line tool is not installed (Debian package sqlite3)")
    with live.app_context():
        before = dict(open_all(configured_kek(live.config)))
        backup = tmp_path / "backup.db"
        # The command documented in the README, run while the app is connected.
        subprocess.run(  # noqa: S603  (a fixed tool and our own temp paths)
            [sqlite, str(tmp_path / "lantern.db"), f".backup '{backup}'"], check=True, timeout=60
        )
        db.session.remove()
        db.engine.dispose()
    assert restore_and_open(backup, tmp_path, key_file) == before


def test_a_backup_without_its_key_opens_nothing(
    live: Flask, tmp_path: Path, key_file: Path
) -> None:
    """The backup alone reveals no answer: it needs the KEK, which is kept elsewhere."""
    backup = tmp_path / "backup.db"
    with sqlite3.connect(tmp_path / "lantern.db") as source, sqlite3.connect(backup) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    key_file.unlink()
    other_key = tmp_path / "other.key"
    create_key_file(other_key)
    app = file_app(backup, other_key)
    with app.app_context():
        result = run(app, "keys", "verify")
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 1
    assert "0 response(s) opened, 3 failed" in result.output
