"""Anonymity lives in the schema, and answers never reach the database file in readable form."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect, select, text

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.models import Response, SurveyLink
from survey.services import demo
from survey.services.batches import flush_pending
from survey.services.codes import add_codes, code_hash, normalise, pepper
from survey.services.responses import record_response
from tests.conftest import TODAY
from tests.respond.driver import Respondent, always

# `tag` is an HMAC over the other columns (survey/domain/integrity.py): it names no one.
RESPONSE_COLUMNS = {
    "id",
    "wave_id",
    "team_id",
    "questionnaire_version_id",
    "iso_week",
    "sealed",
    "tag",
}


def test_the_response_table_can_hold_no_person(app: Flask) -> None:
    columns = {c["name"] for c in inspect(db.engine).get_columns("response")}
    assert columns == RESPONSE_COLUMNS
    # Nothing else anywhere links back to a response.
    for table in inspect(db.engine).get_table_names():
        for key in inspect(db.engine).get_foreign_keys(table):
            assert key["referred_table"] != "response", table


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="SQLite-only storage detail (rowid)"
)
def test_sqlite_keeps_no_hidden_insertion_order(app: Flask) -> None:
    sql = db.session.execute(
        text("SELECT sql FROM sqlite_master WHERE name IN ('response', 'used_form')")
    ).scalars()
    assert all("WITHOUT ROWID" in statement for statement in sql)


@pytest.fixture
def file_app(tmp_path: Path, key_file: Path) -> Iterator[Flask]:
    """The app on an SQLite file, so the raw bytes on disk can be searched."""
    settings = TestingConfig({"DATABASE_URL": f"sqlite:///{tmp_path / 'raw.db'}"})
    settings.KEK_FILE = str(key_file)
    application = create_app(settings)
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_a_distinctive_answer_never_appears_in_the_raw_database_file(
    file_app: Flask, tmp_path: Path
) -> None:
    from survey.keyring import configured_kek

    questionnaire = Path(file_app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    demo.seed_demo(configured_kek(file_app.config), questionnaire, TODAY, history=False)
    token = db.session.scalars(select(SurveyLink.token)).first()
    assert token is not None
    marker = "Zebra-Quartz-4471 felt heavy"
    person = Respondent(file_app.test_client(), token)
    person.press("start")
    while 'value="finish"' not in person.html:
        person.press("next", always("4"))
    finished = person.press("finish", always("4"), extra={"q-anything_else": marker})
    assert finished.status_code == 200
    assert flush_pending(db.session.scalars(select(SurveyLink.wave_id)).first() or 0) == 1
    assert len(db.session.scalars(select(Response)).all()) == 1
    db.session.remove()
    db.engine.dispose()  # flush the write-ahead log into the files we read
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("raw.db*"))
    assert raw, "the database file should exist"
    # (Question ids such as "stss.1" do appear: in the stored questionnaire definition.)
    for needle in (marker, "Zebra-Quartz", "4471 felt"):
        assert needle.encode() not in raw
        assert needle.encode("utf-16-le") not in raw


def test_a_spent_code_leaves_no_trace_in_the_raw_database_file(
    file_app: Flask, tmp_path: Path
) -> None:
    from survey.keyring import configured_kek

    questionnaire = Path(file_app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    demo.seed_demo(configured_kek(file_app.config), questionnaire, TODAY, history=False)
    link = db.session.scalars(select(SurveyLink)).first()
    assert link is not None
    link.wave.uses_codes = True
    [code] = add_codes(link.wave, link.team, 1)
    db.session.commit()
    digest = code_hash(normalise(code) or "", pepper(file_app.config))
    db.engine.dispose()  # checkpoint: the live code is in the file
    assert digest.encode() in b"".join(p.read_bytes() for p in tmp_path.glob("raw.db*"))
    record_response(link, {"stss.1": 2}, "one-nonce", TODAY, code=code)
    assert flush_pending(link.wave_id) == 1
    db.session.remove()
    db.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("raw.db*"))
    assert digest.encode() not in raw  # deleted, and the freed space zeroed
