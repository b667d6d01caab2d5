"""The schema comes from migrations: they apply, reverse, and match the models exactly."""

from __future__ import annotations

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
