"""The respondent journey through the real pages, without JavaScript."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.domain.sealing import SealContext, open_wave
from survey.extensions import db
from survey.models import PendingResponse, Response, SurveyLink
from tests.formtools import only_form
from tests.respond.driver import Respondent, always


def stored() -> list[Response | PendingResponse]:
    """Stored responses: moved into their batch or still waiting for it (the same columns)."""
    moved: list[Response | PendingResponse] = list(db.session.scalars(select(Response)))
    return moved + list(db.session.scalars(select(PendingResponse)))


def test_welcome_page_makes_the_promise(client: FlaskClient, link: SurveyLink) -> None:
    page = client.get(f"/s/{link.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Before you start" in html  # the content note
    assert "about " in html and " minutes" in html
    assert f"at least {link.wave.k} people" in html
    assert "Leave this site quickly" in html
    assert "Start" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_full_journey_stores_one_sealed_response_that_opens(
    client: FlaskClient, link: SurveyLink, kek: bytes
) -> None:
    person = Respondent(client, link.token)
    result = person.complete(always("2"))  # 17 items x 2 = 34: mild
    html = result.get_data(as_text=True)
    assert result.status_code == 200, html
    assert "Your result: Mild" in html
    assert "not a diagnosis" in html
    assert "Samaritans" in html and "116 123" in html
    rows = stored()
    assert len(rows) == 1
    row = rows[0]
    assert row.team_id == link.team_id and row.wave_id == link.wave_id
    assert len(row.id) == 32 and row.iso_week[4:6] == "-W"
    opener = open_wave(link.wave.wrapped_private_key, kek, link.wave_id)
    answers = opener.open(SealContext(row.wave_id, row.team_id, row.id), row.sealed)
    assert answers == {f"stss.{n}": 2 for n in range(1, 18)}


def test_skipped_questions_are_not_stored_and_back_keeps_answers(
    client: FlaskClient, link: SurveyLink, kek: bytes
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("3"))  # page 1 answered with 3
    person.press("back")  # back to page 1: the answers are still there
    form = only_form(person.html)
    page_one = [name for name in form.radios]
    assert page_one and all(form.fields[name] == "3" for name in page_one)
    person.press("next")
    # Skip every other page entirely, then finish.
    while 'value="finish"' not in person.html:
        person.press("next")
    person.press("finish")
    assert person.page.status_code == 200
    row = stored()[0]
    opener = open_wave(link.wave.wrapped_private_key, kek, link.wave_id)
    answers = opener.open(SealContext(row.wave_id, row.team_id, row.id), row.sealed)
    assert answers == {name.removeprefix("q-"): 3 for name in page_one}


def test_high_band_leads_with_next_steps(client: FlaskClient, link: SurveyLink) -> None:
    html = Respondent(client, link.token).complete(always("5")).get_data(as_text=True)  # 85: severe
    assert "Your result: Severe" in html
    assert html.index("Some next steps") < html.index("Your result: Severe")
    # The organisation's own routes for higher bands are shown too.
    assert "Occupational health self-referral" in html


def test_low_band_shows_routes_but_not_high_band_extras(
    client: FlaskClient, link: SurveyLink
) -> None:
    html = Respondent(client, link.token).complete(always("1")).get_data(as_text=True)  # 17: little
    assert "Little or no secondary traumatic stress" in html
    assert "Some next steps" not in html
    assert "Samaritans" in html
    # Help is one tap away on a phone.
    assert 'href="tel:116123"' in html and 'href="sms:85258"' in html
    assert "Employee assistance programme" in html
    assert "Occupational health self-referral" not in html


def test_replayed_finish_is_refused_and_stores_nothing_more(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    while 'value="finish"' not in person.html:
        person.press("next", always("2"))
    final_form = only_form(person.html)
    cookie = client.get_cookie("lantern_survey", path="/s/")
    assert cookie is not None
    person.press("finish", always("2"))
    assert person.page.status_code == 200
    # A second tab (or a resubmit with the old cookie) posts the very same finished form.
    client.set_cookie("lantern_survey", cookie.value, path="/s/")
    replay = client.post(f"/s/{link.token}", data=dict(final_form.fields, action="finish"))
    assert replay.status_code == 409
    assert "already have these answers" in replay.get_data(as_text=True)
    assert len(stored()) == 1


def test_refresh_after_finishing_stores_nothing_more(client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    while 'value="finish"' not in person.html:
        person.press("next", always("2"))
    final_form = only_form(person.html)
    person.press("finish", always("2"))
    # The session cookie is gone, so the resubmitted form is refused as expired.
    again = client.post(f"/s/{link.token}", data=dict(final_form.fields, action="finish"))
    assert again.status_code == 400
    assert len(stored()) == 1


def test_bad_answer_value_stores_nothing_and_keeps_other_answers(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    while 'value="finish"' not in person.html:
        person.press("next", always("2"))
    page = person.press("finish", always("2"), extra={"q-stss.1": "9"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'role="alert"' in html
    assert stored() == []
    # Every other answer is still carried in the form.
    form = only_form(html)
    assert form.fields["q-stss.2"] == "2"
    assert form.fields.get("q-stss.1", "-") == "-"  # the bad value is dropped: skipped


def test_missing_csrf_token_gets_a_friendly_page_and_stores_nothing(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    form = only_form(person.html)
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    page = client.post(f"/s/{link.token}", data=dict(data, action="finish"))
    assert page.status_code == 400
    assert "expired" in page.get_data(as_text=True)
    assert stored() == []


def test_forged_form_key_is_refused(client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    form = only_form(person.html)
    page = client.post(
        f"/s/{link.token}", data=dict(form.fields, form_key="forged", action="start")
    )
    assert page.status_code == 400


def test_expired_form_is_refused_kindly(app: Flask, client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    app.config["SURVEY_FORM_MAX_AGE"] = -1
    page = person.press("next", always("2"))
    assert page.status_code == 400
    assert "expired" in page.get_data(as_text=True)
    assert stored() == []


def test_session_cookie_is_cleared_after_finishing(client: FlaskClient, link: SurveyLink) -> None:
    Respondent(client, link.token).complete(always("2"))
    assert client.get_cookie("lantern_survey", path="/s/") is None


def test_response_row_count_changes_only_on_finish(client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("4"))
    count = db.session.scalar(select(func.count()).select_from(Response))
    assert count == 0
