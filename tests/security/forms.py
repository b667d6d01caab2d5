"""Helpers for hostile-form tests: reach a stage of the survey, post, and check what was stored."""

from __future__ import annotations

from collections.abc import Iterable

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from survey.domain.questionnaire_model import AnswerError, Answers, Questionnaire
from survey.domain.sealing import SealContext, open_wave
from survey.errors import MESSAGES
from survey.extensions import db
from survey.form_encoding import UNREADABLE_TITLE
from survey.models import Response, SurveyLink, UsedForm
from tests.formtools import only_form
from tests.stored import stored_count, stored_rows

# What a hostile or broken post may get back: a page, or a clear refusal.
CLEAR_STATUSES = {200, 400, 404, 405, 409, 410, 413, 422}
ERROR_TITLES = {str(escape(title)) for title, _ in MESSAGES.values()} | {
    "This form has expired",
    UNREADABLE_TITLE,
    "We could not save your answers",
}


def open_form(client: FlaskClient, token: str, stage: int) -> dict[str, str]:
    """The fields a browser would send from stage 0 (welcome), 1 (first page) or 2 (last page)."""
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    fields = dict(only_form(page.get_data(as_text=True)).fields)
    if stage == 0:
        return fields
    page = client.post(f"/s/{token}", data=dict(fields, action="start"))
    while stage == 2 and 'value="finish"' not in page.get_data(as_text=True):
        fields = dict(only_form(page.get_data(as_text=True)).fields)
        page = client.post(f"/s/{token}", data=dict(fields, action="next"))
    assert page.status_code == 200, (page.status_code, page.get_data(as_text=True)[:300])
    return dict(only_form(page.get_data(as_text=True)).fields)


def row_counts() -> tuple[int, int]:
    """How many responses and spent form nonces are stored."""
    used = db.session.scalar(select(func.count()).select_from(UsedForm))
    return stored_count(), int(used or 0)


def response_ids() -> set[str]:
    """The ids of every stored response."""
    return {row.id for row in stored_rows()}


def expected_answers(q: Questionnaire, fields: Iterable[tuple[str, str]]) -> Answers | None:
    """What the server should store for these fields (first value wins), or None if invalid."""
    first: dict[str, str] = {}
    for name, value in fields:
        if name.startswith("q-") and name not in first:
            first[name] = value
    raw = {name[2:]: value for name, value in first.items()}
    # A skipped choice is sent as "-" (padded like any choice); free text is taken as sent.
    text = {c.id for c in q.context if c.kind == "text"}
    known = set(q.question_ids())
    raw = {
        qid: "" if qid in known and qid not in text and value.strip() == "-" else value
        for qid, value in raw.items()
    }
    try:
        return q.parse_answers(raw)
    except AnswerError:
        return None


def opened(link: SurveyLink, kek: bytes, response_id: str) -> dict[str, int | str]:
    """Open one stored response with the KEK, as the release step would."""
    row = db.session.get(Response, response_id)
    assert row is not None
    opener = open_wave(link.wave.wrapped_private_key, kek, link.wave_id)
    return opener.open(SealContext(row.wave_id, row.team_id, row.id), row.sealed)


def is_result(page: TestResponse) -> bool:
    """Whether this is the person's result page (their answers were stored)."""
    return page.status_code == 200 and "Your result" in page.get_data(as_text=True)


def assert_clear(page: TestResponse) -> None:
    """Never a 500 or a stack trace; every refusal is the friendly page or the form with a note."""
    status = page.status_code
    html = page.get_data(as_text=True)
    assert status in CLEAR_STATUSES, (status, html[:400])
    assert "Traceback" not in html
    if status == 422:
        assert 'role="alert"' in html  # the form again, with the problem named beside it
    elif status >= 400:
        assert any(f"<h1>{title}</h1>" in html for title in ERROR_TITLES), html[:400]
        assert "Samaritans" in html  # help is one step away even on an error
