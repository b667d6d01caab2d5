"""The schema comes from migrations: they apply, reverse, and match the models exactly."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from config import TestingConfig
from survey import create_app
from survey.extensions import db


@pytest.fixture
def bare_app(tmp_path: Path) -> Iterator[Flask]:
    """An app whose database has no tables at all (not even alembic's)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'migrate.db'}"
    application = create_app(TestingConfig({"DATABASE_URL": url}))
    with application.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        yield application
        db.session.remove()
        downgrade(revision="base")
        db.drop_all()
        db.engine.dispose()


def _differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, db.metadata))


def test_migrated_schema_equals_the_models(bare_app: Flask) -> None:
    upgrade()
    assert _differences() == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(bare_app: Flask) -> None:
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "response" in inspect(db.engine).get_table_names()


def test_0006_keeps_code_counts_drops_spent_codes_and_keeps_release_days(bare_app: Flask) -> None:
    upgrade(revision="0005")
    with db.engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO organisation (id, name, sector, pledge_status)"
                " VALUES (1, 'O', 'x', 'y')"
            )
        )
        run(text("INSERT INTO team (id, organisation_id, name) VALUES (1, 1, 'T')"))
        run(
            text(
                "INSERT INTO questionnaire_version (id, key, version, title, source, fingerprint,"
                " created_at) VALUES (1, 'q', 1, 'Q', 's', 'f', '2026-11-01 10:00:00+00:00')"
            )
        )
        run(
            text(
                "INSERT INTO wave (id, name, questionnaire_version_id, opens_on, closes_on,"
                " archived, k, release_mode, synthetic, uses_codes, public_key,"
                " wrapped_private_key, kek_id) VALUES (1, 'W', 1, '2026-11-01', '2026-11-20',"
                " false, 5, 'at_close', false, true, :key, :key, 'kek')"
            ),
            {"key": b"k"},
        )
        for code, used in (("a" * 64, True), ("b" * 64, True), ("c" * 64, False)):
            run(
                text(
                    "INSERT INTO single_use_code (wave_id, code_hash, team_id, used)"
                    " VALUES (1, :code, 1, :used)"
                ),
                {"code": code, "used": used},
            )
        run(
            text(
                "INSERT INTO release (id, wave_id, sequence, kind, made_at, payload, ledger)"
                " VALUES (1, 1, 1, 'final', '2026-11-21 23:59:58.123456+00:00', '{}', '{}')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT team_id, made FROM code_tally")).all() == [(1, 3)]
        live = connection.execute(text("SELECT code_hash FROM single_use_code")).scalars().all()
        assert live == ["c" * 64]
        made_on = connection.execute(text("SELECT made_on FROM release")).scalar_one()
        assert str(made_on) == "2026-11-21"
    downgrade(revision="0005")
    with db.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("release")}
        assert "made_at" in columns and "made_on" not in columns
        assert connection.execute(text("SELECT count(*) FROM single_use_code")).scalar_one() == 1
    with db.engine.begin() as connection:  # empty again, so the fixture can go to base
        for table in ("release", "single_use_code", "wave", "questionnaire_version", "team"):
            connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names
        connection.execute(text("DELETE FROM organisation"))


def test_0008_hashes_stored_session_identifiers_so_signed_in_staff_stay_signed_in(
    bare_app: Flask,
) -> None:
    upgrade(revision="0006")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, email, display_name, password_hash, role, active,"
                " session_token, created_at) VALUES (1, 'a@example.org', 'A', 'h', 'lead', true,"
                " 'the-cookie-value', '2026-11-01 10:00:00+00:00')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT session_token FROM user_account")).scalar_one()
    assert stored == hashlib.sha256(b"the-cookie-value").hexdigest()
    from survey.services.accounts import user_for_session

    user = user_for_session("the-cookie-value")  # the cookie from before still signs in
    assert user is not None and user.email == "a@example.org"
    db.session.rollback()
    downgrade(revision="0006")
    with db.engine.begin() as connection:
        after = connection.execute(text("SELECT session_token FROM user_account")).scalar_one()
        assert after not in ("the-cookie-value", stored)  # cannot un-hash: everyone signs in
        connection.execute(text("DELETE FROM user_account"))
