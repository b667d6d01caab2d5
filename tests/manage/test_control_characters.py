"""A NUL (or another control character) in a name or an email is a form error, not a 500.

PostgreSQL refuses NUL in text with a DataError, which reached people as a 500; SQLite
stored it silently. Either way the person now sees which field to retype, and nothing is
written. Run against PostgreSQL too (DATABASE_URL=postgresql+psycopg://...).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.models import AuditEvent, Organisation, SignpostResource, Team, User
from survey.text_forms import CONTROL_MESSAGE
from tests.auth.conftest import sign_in
from tests.manage.conftest import Members, Staff, count, text_of
from tests.manage.test_signposting import typed as resource

NUL = "\x00"


def test_a_nul_in_the_sign_in_email_is_a_form_error(client: FlaskClient, core_user: User) -> None:
    events = count(AuditEvent)
    result = sign_in(client, f"cora{NUL}@example.org")
    assert result.status_code == 422
    assert CONTROL_MESSAGE in text_of(result)
    assert count(AuditEvent) == events  # refused before any look-up


@pytest.mark.parametrize("bad", [NUL, "\x1b", "\x7f"], ids=["nul", "escape", "delete"])
def test_control_characters_in_names_are_form_errors_and_nothing_is_stored(
    app: Flask, as_core: Staff, members: Members, bad: str
) -> None:
    before = (count(Organisation), count(Team), count(User), count(SignpostResource))
    posts = [
        ("/manage/organisations/new", {"name": f"East{bad}side", "sector": "housing"}),
        (f"/manage/organisations/{members.north.id}/teams", {"name": f"Ware{bad}house"}),
        (f"/manage/teams/{members.day.id}/rename", {"name": f"Day{bad}"}),
        (
            "/manage/leads/invite",
            {"display_name": f"Ann{bad}", "email": "ann@example.org", "access": ""},
        ),
        ("/manage/signposting/new", resource(name=f"Line{bad}")),
        ("/manage/signposting/new", resource(description=f"Talk{bad} to us")),
    ]
    for path, data in posts:
        result = as_core.post(path, data)
        assert result.status_code == 422, path
        assert CONTROL_MESSAGE in text_of(result), path
    assert (count(Organisation), count(Team), count(User), count(SignpostResource)) == before
    assert members.day.name == "Day unit"


def test_line_breaks_and_tabs_in_a_description_are_kept(as_core: Staff) -> None:
    result = as_core.post("/manage/signposting/new", resource(description="Line one\r\nLine\ttwo"))
    assert result.status_code == 303
