"""The respondent journey through the real pages, without JavaScript (Post/Redirect/Get)."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.domain.sealing import SealContext, open_wave
from survey.extensions import db
from survey.models import PendingResponse, Response, SurveyLink
from survey.respond import draft
from tests.formtools import only_form
from tests.respond.driver import Respondent, always


def stored() -> list[Response | PendingResponse]:
    """Stored responses: moved into their batch or still waiting for it (the same columns)."""
    moved: list[Response | PendingResponse] = list(db.session.scalars(select(Response)))
    return moved + list(db.session.scalars(select(PendingResponse)))


def to_last_page(person: Respondent, value: str) -> None:
    """Start and answer every question page with `value`, ending on "Check your answers"."""
    person.press("start")
    while "Check your answers</h1>" not in person.html:
        assert person.page.status_code == 200, person.html
        person.press("next", always(value))


def test_welcome_page_makes_the_promise(client: FlaskClient, link: SurveyLink) -> None:
    page = client.get(f"/s/{link.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Before you start" in html  # the content note
    assert "private window" in html and "clear your browsing history" in html
    assert "about " in html and " minutes" in html
    assert f"for {draft.MINUTES} minutes" in html  # how long an interrupted survey waits
    assert "up to 1 question in each part" in html  # skips that still give a result
    assert f"at least {link.wave.k} people" in html
    assert f"For {link.team.name}, {link.team.organisation.name}" in html
    assert "Leave this site quickly" in html
    # Promises that are true of the deployed system: no "cannot unlock" or "nobody sees".
    assert "cannot unlock" not in html and "Nobody" not in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_every_post_redirects_to_a_page_and_no_answer_is_in_an_address(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    locations = [person.posted.headers["Location"]]
    while "Check your answers</h1>" not in person.html:
        person.press("next", always("4"))
        assert person.posted.status_code == 303
        locations.append(person.posted.headers["Location"])
    assert locations == [f"/s/{link.token}/page/{n}" for n in range(1, 5)] + [
        f"/s/{link.token}/check"
    ]
    # Refreshing any page is an ordinary GET that shows the answers kept on the device.
    again = client.get(f"/s/{link.token}/page/2")
    assert again.status_code == 200
    form = only_form(again.get_data(as_text=True))
    assert all(form.fields[name].strip() == "4" for name in form.radios if "stss" in name)


def test_full_journey_stores_one_sealed_response_that_opens(
    client: FlaskClient, link: SurveyLink, kek: bytes
) -> None:
    person = Respondent(client, link.token)
    result = person.complete(always("2"))  # 17 items x 2 = 34: mild
    html = result.get_data(as_text=True)
    assert result.status_code == 200, html
    assert person.posted.headers["Location"] == f"/s/{link.token}/result"
    assert "some signs of secondary traumatic stress" in html
    assert "call this range “mild”" in html  # the published name, second
    assert "not a diagnosis" in html
    assert "Samaritans" in html and "Call 116 123" in html
    assert "Lantern keeps no copy" in html
    rows = stored()
    assert len(rows) == 1
    row = rows[0]
    assert row.team_id == link.team_id and row.wave_id == link.wave_id
    assert len(row.id) == 32 and row.iso_week[4:6] == "-W"
    opener = open_wave(link.wave.wrapped_private_key, kek, link.wave_id)
    answers = opener.open(SealContext(row.wave_id, row.team_id, row.id), row.sealed)
    assert answers == {f"stss.{n}": 2 for n in range(1, 18)}


def test_the_cookie_is_sealed_scoped_to_the_link_and_short_lived(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("5"))
    header = person.posted.headers["Set-Cookie"]
    assert f"Path=/s/{link.token}" in header
    assert f"Max-Age={draft.MAX_AGE}" in header and "HttpOnly" in header
    cookie = client.get_cookie(draft.COOKIE, path=f"/s/{link.token}")
    assert cookie is not None
    # Nothing readable: not the answers, not even the question ids.
    assert "stss" not in cookie.value and "5555" not in cookie.value
    assert stored() == []  # nothing on the server before Finish


def test_skipped_questions_are_not_stored_and_back_keeps_answers(
    client: FlaskClient, link: SurveyLink, kek: bytes
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("3"))  # page 1 answered with 3
    person.press("back")  # back to page 1: the answers are still there
    form = only_form(person.html)
    page_one = list(form.radios)
    assert page_one and all(form.fields[name].strip() == "3" for name in page_one)
    person.press("next")
    while "Check your answers</h1>" not in person.html:
        person.press("next")  # every later page left untouched
    assert "You left 15 questions blank" in person.html
    person.press("finish")
    assert person.page.status_code == 200
    row = stored()[0]
    opener = open_wave(link.wave.wrapped_private_key, kek, link.wave_id)
    answers = opener.open(SealContext(row.wave_id, row.team_id, row.id), row.sealed)
    assert answers == {name.removeprefix("q-"): 3 for name in page_one}


def test_no_skip_is_preselected_and_prefer_not_to_say_replaces_skip(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    html = person.html
    assert "Skip this question" in html and " checked" not in html
    while "A little about you" not in person.html:
        person.press("next")
    context = person.html
    role = context[context.index("best describes your role") :]
    role = role[: role.index("</fieldset>")]
    assert "Prefer not to say" in role and "Skip this question" not in role


def test_high_band_leads_with_next_steps_after_the_summary(
    client: FlaskClient, link: SurveyLink
) -> None:
    html = Respondent(client, link.token).complete(always("5")).get_data(as_text=True)  # 85
    assert "a lot of signs of secondary traumatic stress" in html
    summary = html.index("Your answers show")
    steps = html.index("Some next steps")
    own = html.index("Support from your organisation")
    national = html.index("If you need to talk to someone now")
    assert summary < steps < own < national  # summary, next steps, own support, then lines
    assert "Occupational health self-referral" in html


def test_occasionally_to_everything_leads_with_plain_words_not_severe(
    client: FlaskClient, link: SurveyLink
) -> None:
    html = Respondent(client, link.token).complete(always("3")).get_data(as_text=True)  # 51
    assert "Your result: Severe" not in html
    assert html.index("Your answers show a lot of signs") < html.index("call this range “severe”")
    assert "common among people" in html


def test_skipping_two_in_one_part_still_leads_with_support(
    client: FlaskClient, link: SurveyLink
) -> None:
    # 15 of 17 answered "Very often", items 2 and 3 (both Intrusion) skipped: too many
    # blanks in one part to score, but even at their lowest the total is 77 of 85.
    def choose(question_id: str, options: list[str]) -> str:
        if question_id in ("stss.2", "stss.3") or not question_id.startswith("stss"):
            return ""
        return next(o for o in options if o.strip() == "5")

    person = Respondent(client, link.token)
    person.press("start")
    while "Check your answers</h1>" not in person.html:
        person.press("next", choose)
    html = person.press("finish").get_data(as_text=True)
    assert "cannot work out a result" not in html and "completely fine" not in html
    assert "Even counting every blank one at its lowest" in html
    assert "Some next steps" in html
    assert html.index("Even counting") < html.index("Some next steps")
    assert "between 77 and 85 out of 85" in html


def test_low_band_shows_routes_but_not_high_band_extras(
    client: FlaskClient, link: SurveyLink
) -> None:
    html = Respondent(client, link.token).complete(always("1")).get_data(as_text=True)  # 17
    assert "few or no signs of secondary traumatic stress" in html
    assert "Some next steps" not in html
    assert "Samaritans" in html
    # Help is one tap away on a phone.
    assert 'href="tel:116123"' in html and 'href="sms:85258"' in html
    assert "Employee assistance programme" in html
    assert "Occupational health self-referral" not in html


def test_after_finish_refresh_shows_the_result_and_back_says_saved(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    first = person.complete(always("2")).get_data(as_text=True)
    # Refresh: the same result, from the figures on the device (no answers kept there).
    assert client.get(f"/s/{link.token}/result").get_data(as_text=True) == first
    # Back to any earlier page, or the welcome: saved, and no way to send them again.
    for path in ("/check", "/page/4", "/page/1", ""):
        page = client.get(f"/s/{link.token}{path}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, path
        assert "Your answers are saved" in html and "expired" not in html
        assert "<form" not in html and "Start" not in html
    assert len(stored()) == 1


def test_replayed_finish_is_refused_and_stores_nothing_more(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    to_last_page(person, "2")
    final_form = only_form(person.html)
    path = f"/s/{link.token}"
    cookie = client.get_cookie(draft.COOKIE, path=path)
    assert cookie is not None
    person.press("finish")
    assert person.page.status_code == 200
    # A second tab (or a resubmit with the old cookie) posts the very same finished form.
    client.set_cookie(draft.COOKIE, cookie.value, path=path)
    replay = client.post(path, data=dict(final_form.fields, action="finish"))
    assert replay.status_code == 409
    assert "already have these answers" in replay.get_data(as_text=True)
    assert len(stored()) == 1


def test_a_post_after_finish_goes_to_the_result_and_stores_nothing_more(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    to_last_page(person, "2")
    final_form = only_form(person.html)
    person.press("finish")
    again = client.post(f"/s/{link.token}", data=dict(final_form.fields, action="finish"))
    assert again.status_code == 303 and again.headers["Location"].endswith("/result")
    assert len(stored()) == 1


def test_bad_answer_value_stores_nothing_and_keeps_other_answers(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    page = person.press("next", always("2"), extra={"q-stss.1": "9"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'role="alert"' in html
    assert stored() == []
    form = only_form(html)
    assert form.fields["q-stss.2"].strip() == "2"  # kept, and saved on the device
    assert "q-stss.1" not in form.fields  # the bad value is dropped: blank
    assert client.get(f"/s/{link.token}/page/1").get_data(as_text=True).count(" checked") == 4


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


def test_unfinished_answers_are_forgotten_after_the_time_said(
    client: FlaskClient, link: SurveyLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("2"))
    later = time.time() + draft.MAX_AGE + 1
    monkeypatch.setattr(draft.time, "time", lambda: later)
    page = person.press("next", always("2"))
    assert person.posted.headers["Location"] == f"/s/{link.token}?ended=1"
    assert "unfinished answers are cleared" in page.get_data(as_text=True)
    assert client.get(f"/s/{link.token}/page/1").status_code == 303
    assert stored() == []


def test_resume_after_a_closed_tab_carries_on_where_they_left_off(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("4"))
    person.press("next", always("4"))  # now on page 3
    welcome = Respondent(client, link.token)  # the tab was closed; the link opened again
    assert "You have unfinished answers on this device" in welcome.html
    page = welcome.press("start")
    assert welcome.posted.headers["Location"] == f"/s/{link.token}/page/3"
    assert page.status_code == 200
    back = client.get(f"/s/{link.token}/page/2").get_data(as_text=True)
    assert back.count(" checked") == 6
    # Or start again: every earlier answer is gone.
    fresh = Respondent(client, link.token)
    fresh.press("restart")
    assert client.get(f"/s/{link.token}/page/2").get_data(as_text=True).count(" checked") == 0


def test_quick_exit_clears_the_device_and_back_shows_no_answer(
    app: Flask, client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("4"))
    person.press("next", always("4"))
    left = client.get(f"/s/{link.token}/leave")
    assert left.status_code == 200
    assert f'content="0; url={app.config["QUICK_EXIT_URL"]}"' in left.get_data(as_text=True)
    assert left.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get_cookie(draft.COOKIE, path=f"/s/{link.token}") is None
    # Back (no cache: every respondent page is no-store) finds nothing on the device.
    for number in (1, 2, 3):
        page = client.get(f"/s/{link.token}/page/{number}")
        assert page.status_code == 303 and page.headers["Location"] == f"/s/{link.token}"
    assert stored() == []


def test_need_to_talk_now_keeps_the_answers_on_the_page(
    client: FlaskClient, link: SurveyLink
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    help_page = person.press("help", always("5"))
    html = help_page.get_data(as_text=True)
    assert "Need to talk now?" in html and "Samaritans" in html
    assert f'href="/s/{link.token}/page/1"' in html  # back to the answers
    assert client.get(f"/s/{link.token}/page/1").get_data(as_text=True).count(" checked") == 5


def test_free_text_box_says_it_is_not_monitored(client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    while "A little about you" not in person.html:
        person.press("next")
    assert "Nobody watches this box" in person.html and "do not name anyone" in person.html


def test_a_busy_link_keeps_the_page_and_every_answer(
    app: Flask, client: FlaskClient, link: SurveyLink
) -> None:
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "3 per hour"
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("4"))  # page 1 saved
    person.press("next", always("4"))  # page 2: the third post this hour
    page = person.press("next", always("3"))  # page 3: refused
    html = page.get_data(as_text=True)
    assert person.posted.status_code == 429
    assert "Lots of people are answering right now" in html
    assert "Page 3 of 4" in html
    form = only_form(html)
    assert all(form.fields[name].strip() == "3" for name in form.radios)  # shown again
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "120 per minute"
    # And kept on the device: a later look at page 3 still has them.
    assert client.get(f"/s/{link.token}/page/3").get_data(as_text=True).count(" checked") == 6


def test_response_row_count_changes_only_on_finish(client: FlaskClient, link: SurveyLink) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    person.press("next", always("4"))
    count = db.session.scalar(select(func.count()).select_from(Response))
    assert count == 0
