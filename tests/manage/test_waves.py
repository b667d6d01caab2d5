"""Waves and links in the core team's workspace: open, close, extend, archive, release, links.

Progress per team says only "fewer than k" or "k or more": the tests play someone reading
the page twice, hoping to difference a count.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey.access import ACCESS_ATTR, allowed_roles
from survey.extensions import db
from survey.models import (
    QuestionnaireVersion,
    Release,
    SingleUseCode,
    SurveyLink,
    Team,
    User,
    Wave,
)
from survey.services import wave_admin
from survey.services.questionnaires import store_questionnaire_file
from survey.services.waves import WavePlan
from tests.auth.conftest import csrf_of
from tests.conftest import days
from tests.manage.conftest import Members, Staff, audit, count, field_error, my_routes, text_of
from tests.release.helpers import answers_all, submit

MY_VIEWS = ("survey.manage.waves", "survey.manage.poster", "survey.manage.codes")
MY_ACTIONS = (
    "wave opened",
    "wave closed early",
    "wave extended",
    "wave archived",
    "release made",
    "link rotated",
    "link revoked",
    "codes made",
)


def demo_version(app: Flask) -> QuestionnaireVersion:
    """The demo questionnaire, stored."""
    return store_questionnaire_file(Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml")


def open_test_wave(
    kek: bytes,
    version: QuestionnaireVersion,
    teams: list[Team],
    actor: User,
    *,
    opens: int = 0,
    closes: int = 28,
    k: int = 5,
    release_mode: str = "at_close",
    uses_codes: bool = False,
) -> Wave:
    """A wave opened through the same service the page uses."""
    plan = WavePlan("Spring round", version, teams, days(opens), days(closes), k, release_mode)
    return wave_admin.open_new_wave(plan, kek, uses_codes=uses_codes, actor=actor)


def link_of(wave: Wave, team: Team) -> SurveyLink:
    """The team's working link."""
    link = wave_admin.live_link(wave, team.id)
    assert link is not None
    return link


@pytest.fixture
def version(app: Flask) -> QuestionnaireVersion:
    """The demo questionnaire, version 1."""
    return demo_version(app)


@pytest.fixture
def wave(kek: bytes, version: QuestionnaireVersion, members: Members, core_user: User) -> Wave:
    """An open wave for Day unit and Outreach, k = 5."""
    return open_test_wave(kek, version, [members.day, members.outreach], core_user)


def open_form(
    version: QuestionnaireVersion, members: Members, **changes: object
) -> dict[str, object]:
    """A valid 'open a wave' form, with some fields changed."""
    data: dict[str, object] = {
        "name": "Autumn 2026",
        "questionnaire": str(version.id),
        "teams": [str(members.day.id), str(members.outreach.id)],
        "opens_on": days(0).isoformat(),
        "closes_on": days(21).isoformat(),
        "k": "5",
        "release_mode": "at_close",
    }
    data.update(changes)
    return data


# Access


def test_every_page_is_for_the_core_team_only(app: Flask) -> None:
    views = [v for v in app.view_functions.values() if v.__module__ in MY_VIEWS]
    assert len(views) >= 11
    assert all(allowed_roles(getattr(v, ACCESS_ATTR)) == {"core"} for v in views)


def test_a_lead_gets_nothing_and_changes_nothing(
    app: Flask, as_lead: Staff, wave: Wave, members: Members
) -> None:
    wave.uses_codes = True
    db.session.commit()
    routes = my_routes(app, MY_VIEWS)
    assert ("POST", "/manage/links/1/rotate") in routes
    data = {"csrf_token": as_lead.csrf(), "closes_on": days(60).isoformat(), "count": "5"}
    for method, url in routes:
        result = as_lead.client.open(url, method=method, data=data | {"team": members.day.id})
        assert result.status_code == 403, f"{method} {url}"
    db.session.expire_all()
    assert wave.closed_early_on is None and not wave.archived and wave.closes_on == days(28)
    assert not any(link.revoked for link in wave.links) and len(wave.links) == 2
    assert count(SingleUseCode) == 0 and count(Release) == 0 and count(Wave) == 1
    assert [e.action for e in audit() if e.action in MY_ACTIONS] == ["wave opened"]


def test_an_anonymous_visitor_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, wave: Wave
) -> None:
    token = csrf_of(client.get("/auth/sign-in").get_data(as_text=True))
    for method, url in my_routes(app, MY_VIEWS):
        result = client.open(url, method=method, data={"csrf_token": token})
        assert result.status_code == 302, f"{method} {url}"
        assert result.headers["Location"].startswith("/auth/sign-in?next="), f"{method} {url}"
    assert not any(link.revoked for link in wave.links)


def test_a_post_without_the_csrf_token_is_refused(as_core: Staff, wave: Wave) -> None:
    result = as_core.client.post(f"/manage/waves/{wave.id}/close", data={})
    assert result.status_code == 400
    db.session.expire_all()
    assert wave.closed_early_on is None


# Opening a wave


def test_the_form_groups_teams_by_organisation_and_suggests_k_5(
    as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    page = as_core.get("/manage/waves/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    north = html.index("<strong>North Hospice</strong>")
    south = html.index("<strong>South Food Bank</strong>")
    assert north < html.index("Day unit") < html.index("Night unit") < south
    assert south < html.index("Outreach")
    assert re.search(r'<input[^>]*id="k"[^>]*value="5"', html)


def test_opening_a_wave_makes_one_link_per_team_and_audits_it(
    as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    result = as_core.post("/manage/waves/new", open_form(version, members, uses_codes="y"))
    made = db.session.scalars(select(Wave)).one()
    assert result.status_code == 303
    assert result.headers["Location"] == f"/manage/waves/{made.id}"
    assert (made.name, made.k, made.release_mode, made.uses_codes) == (
        "Autumn 2026",
        5,
        "at_close",
        True,
    )
    assert sorted(link.team.name for link in made.links) == ["Day unit", "Outreach"]
    [event] = audit("wave opened")
    assert event.user_id == as_core.user.id and event.target == f"wave:{made.id}"
    assert f"team:{members.day.id}" in event.detail and "k=5" in event.detail
    page = as_core.get(result.headers["Location"]).get_data(as_text=True)
    for link in made.links:
        assert f"http://127.0.0.1:5000/s/{link.token}" in page  # SERVER_NAME_FOR_LINKS


@pytest.mark.parametrize(
    "case",
    [
        ({"k": "2"}, "k", "k must be a whole number from 3"),
        ({"k": ""}, "k", "at least 3"),
        ({"name": "  "}, "name", "Give the wave a name"),
        ({"teams": []}, "teams", "Choose at least one team"),
        ({"closes_on": days(-1).isoformat()}, "closes_on", "on or after the opening date"),
        (
            {"opens_on": days(-9).isoformat(), "closes_on": days(-2).isoformat()},
            "closes_on",
            "passed",
        ),
        ({"opens_on": "31/02/2027"}, "opens_on", "Not a valid date"),
        ({"release_mode": "whenever"}, "release_mode", "Not a valid choice"),
    ],
)
def test_a_bad_wave_is_refused_beside_its_field_and_nothing_is_saved(
    as_core: Staff,
    version: QuestionnaireVersion,
    members: Members,
    case: tuple[dict[str, object], str, str],
) -> None:
    changes, field, message = case
    result = as_core.post("/manage/waves/new", open_form(version, members, **changes))
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    if field in ("teams", "release_mode"):
        found = re.search(rf'<span class="error" id="{field}-error">(.*?)</span>', html)
        assert found is not None and message in found.group(1)
    else:
        assert message in field_error(result, field)
    assert "nothing has been saved" in html
    assert count(Wave) == 0 and count(SurveyLink) == 0 and audit("wave opened") == []


def test_a_missing_key_is_explained_and_nothing_is_saved(
    app: Flask, as_core: Staff, version: QuestionnaireVersion, members: Members
) -> None:
    app.config["KEK_FILE"] = str(Path(app.config["KEK_FILE"]).with_name("gone.key"))
    result = as_core.post("/manage/waves/new", open_form(version, members))
    assert result.status_code == 422
    assert "key-encryption key is not available" in text_of(result)
    assert count(Wave) == 0


# Closing, extending, archiving


def test_closing_early_stops_the_links_at_once(
    as_core: Staff, client: FlaskClient, wave: Wave, members: Members
) -> None:
    token = link_of(wave, members.day).token
    assert client.get(f"/s/{token}").status_code == 200
    confirm = as_core.get(f"/manage/waves/{wave.id}/close")
    assert confirm.status_code == 200 and "Close the wave now" in text_of(confirm)
    result = as_core.post(f"/manage/waves/{wave.id}/close")
    assert result.status_code == 303
    assert client.get(f"/s/{token}").status_code == 410
    assert [e.target for e in audit("wave closed early")] == [f"wave:{wave.id}"]
    again = as_core.post(f"/manage/waves/{wave.id}/close")
    assert again.status_code == 422 and "already closed" in text_of(again)
    assert len(audit("wave closed early")) == 1


def test_a_wave_closed_on_its_opening_day_takes_nothing_that_day(
    as_core: Staff, client: FlaskClient, wave: Wave, members: Members
) -> None:
    assert wave.opens_on == days(0)
    as_core.post(f"/manage/waves/{wave.id}/close")
    assert client.get(f"/s/{link_of(wave, members.day).token}").status_code == 410


def test_extending_needs_a_later_date_and_reopens_a_wave_closed_early(
    as_core: Staff, client: FlaskClient, wave: Wave, members: Members
) -> None:
    same = as_core.post(f"/manage/waves/{wave.id}/extend", {"closes_on": days(28).isoformat()})
    assert same.status_code == 422
    assert "after the current closing date" in field_error(same, "closes_on")
    as_core.post(f"/manage/waves/{wave.id}/close")
    result = as_core.post(f"/manage/waves/{wave.id}/extend", {"closes_on": days(40).isoformat()})
    assert result.status_code == 303
    db.session.expire_all()
    assert wave.closes_on == days(40) and wave.closed_early_on is None
    assert client.get(f"/s/{link_of(wave, members.day).token}").status_code == 200
    [event] = audit("wave extended")
    assert event.detail == f"{days(-1)} to {days(40)}"  # closed early: yesterday was the last day


def test_a_wave_closed_before_it_opened_reopens_only_from_its_opening_day(
    as_core: Staff, wave: Wave
) -> None:
    wave.opens_on = days(10)
    db.session.commit()
    as_core.post(f"/manage/waves/{wave.id}/close")  # never opened: its last day is yesterday
    early = as_core.post(f"/manage/waves/{wave.id}/extend", {"closes_on": days(5).isoformat()})
    assert early.status_code == 422
    assert "on or after the opening date" in field_error(early, "closes_on")
    assert (
        as_core.post(
            f"/manage/waves/{wave.id}/extend", {"closes_on": days(12).isoformat()}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert (wave.closes_on, wave.closed_early_on) == (days(12), None)


def test_a_wave_with_its_final_release_cannot_be_extended(
    as_core: Staff, wave: Wave, kek: bytes, core_user: User
) -> None:
    wave.opens_on, wave.closes_on = days(-30), days(-1)
    db.session.commit()
    wave_admin.release_wave(wave, kek, days(0), actor=core_user)
    result = as_core.post(f"/manage/waves/{wave.id}/extend", {"closes_on": days(9).isoformat()})
    assert result.status_code == 422
    assert "final release" in field_error(result, "closes_on")
    db.session.expire_all()
    assert wave.closes_on == days(-1)


def test_only_a_closed_wave_can_be_archived(as_core: Staff, wave: Wave) -> None:
    refused = as_core.post(f"/manage/waves/{wave.id}/archive")
    assert refused.status_code == 422 and "close the wave before" in text_of(refused).lower()
    as_core.post(f"/manage/waves/{wave.id}/close")
    assert as_core.post(f"/manage/waves/{wave.id}/archive").status_code == 303
    db.session.expire_all()
    assert wave.archived
    listing = text_of(as_core.get("/manage/waves"))
    assert "No current waves" in listing
    assert listing.index("Archived waves") < listing.rindex("Spring round")
    assert len(audit("wave archived")) == 1


# Releases


def test_the_release_button_refuses_kindly_while_an_at_close_wave_is_open(
    as_core: Staff, wave: Wave
) -> None:
    result = as_core.post(f"/manage/waves/{wave.id}/release")
    assert result.status_code == 422
    assert "released once, when it closes" in text_of(result)
    assert count(Release) == 0 and audit("release made") == []


def test_a_closed_wave_gets_its_final_release_once(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    for _ in range(5):
        submit(link_of(wave, members.day), answers_all(3), days(0))
    wave.opens_on, wave.closes_on = days(-30), days(-1)
    db.session.commit()
    assert "Make the final release" in text_of(as_core.get(f"/manage/waves/{wave.id}"))
    result = as_core.post(f"/manage/waves/{wave.id}/release")
    assert result.status_code == 303
    release = db.session.scalars(select(Release)).one()
    assert (release.kind, release.sequence) == ("final", 1)
    [event] = audit("release made")
    assert event.detail == f"release:{release.id}; final release 1"
    again = as_core.post(f"/manage/waves/{wave.id}/release")
    assert again.status_code == 422 and "never remade" in text_of(again)
    assert count(Release) == 1
    page = as_core.get(f"/manage/waves/{wave.id}").get_data(as_text=True)
    assert f'href="/results/release/{wave.id}/1"' in page  # by wave and number, not by id
    assert release.made_on.strftime("%-d %B %Y") in page


def test_an_interim_wave_can_be_released_while_open(
    kek: bytes, version: QuestionnaireVersion, members: Members, core_user: User, as_core: Staff
) -> None:
    interim = open_test_wave(kek, version, [members.day], core_user, release_mode="interim")
    assert as_core.post(f"/manage/waves/{interim.id}/release").status_code == 303
    assert db.session.scalars(select(Release.kind)).one() == "interim"


# Links


def test_rotating_a_link_stops_the_old_one_at_once(
    as_core: Staff, client: FlaskClient, wave: Wave, members: Members
) -> None:
    old = link_of(wave, members.day)
    old_token = old.token
    result = as_core.post(f"/manage/links/{old.id}/rotate")
    assert result.status_code == 303
    db.session.expire_all()
    new = link_of(wave, members.day)
    assert new.id != old.id and new.token != old_token
    assert client.get(f"/s/{old_token}").status_code == 404
    assert client.get(f"/s/{new.token}").status_code == 200
    [event] = audit("link rotated")
    assert f"link:{old.id} revoked; link:{new.id} issued" in event.detail
    # The stopped link cannot be rotated again while the team has a newer one.
    assert as_core.post(f"/manage/links/{old.id}/rotate").status_code == 422
    assert len([link for link in wave.links if link.team_id == members.day.id]) == 2


def test_revoking_a_link_leaves_the_team_without_one_until_a_new_one_is_issued(
    as_core: Staff, client: FlaskClient, wave: Wave, members: Members
) -> None:
    link = link_of(wave, members.outreach)
    assert as_core.post(f"/manage/links/{link.id}/revoke").status_code == 303
    assert client.get(f"/s/{link.token}").status_code == 404
    page = text_of(as_core.get(f"/manage/waves/{wave.id}"))
    assert "No working link" in page and "Issue a new link" in page
    assert as_core.post(f"/manage/links/{link.id}/revoke").status_code == 422
    assert as_core.post(f"/manage/links/{link.id}/rotate").status_code == 303
    db.session.expire_all()
    assert client.get(f"/s/{link_of(wave, members.outreach).token}").status_code == 200
    assert [e.action for e in audit() if e.action.startswith("link")] == [
        "link revoked",
        "link rotated",
    ]


def test_the_poster_carries_the_qr_code_the_link_the_promise_and_k(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    link = link_of(wave, members.day)
    url = f"http://127.0.0.1:5000/s/{link.token}"
    page = as_core.get(f"/manage/links/{link.id}/poster")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The QR code is exactly the one segno makes for this address (same data, same level).
    expected = segno.make(url, error="m", micro=False).svg_inline(omitsize=True, lineclass=None)
    drawn = re.search(r'<path[^>]* d="([^"]+)"', expected)
    assert drawn is not None and drawn.group(1) in html
    text = text_of(page)
    assert url in text
    assert "groups of at least 5 people" in text
    assert "do not ask your name" in text
    assert 'href="/manage/waves/print.css"' in html
    css = as_core.get("/manage/waves/print.css")
    assert css.mimetype == "text/css" and "size:A4" in css.get_data(as_text=True)


def test_a_stopped_link_has_no_poster(as_core: Staff, wave: Wave, members: Members) -> None:
    link = link_of(wave, members.day)
    as_core.post(f"/manage/links/{link.id}/revoke")
    assert as_core.get(f"/manage/links/{link.id}/poster").status_code == 404


# Progress: never a count that could be differenced


def _progress_section(page: TestResponse) -> str:
    html = page.get_data(as_text=True)
    found = re.search(r'<section id="progress".*?</section>', html, flags=re.S)
    assert found is not None
    return found.group(0)


def _without_csrf(page: TestResponse) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page.get_data(as_text=True))


def test_progress_says_only_fewer_than_k_or_k_or_more(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    day, outreach = link_of(wave, members.day), link_of(wave, members.outreach)
    for _ in range(3):  # below k = 5
        submit(day, answers_all(2), days(0))
    for _ in range(7):  # above k
        submit(outreach, answers_all(4), days(0))
    page = as_core.get(f"/manage/waves/{wave.id}")
    section = _progress_section(page)
    assert "Day unit" in section and "fewer than 5" in section
    assert "Outreach" in section and "5 or more" in section
    # Tag names aside (h2), every character counts, attributes included: no 3, no 7, only k.
    assert set(re.findall(r"\d", re.sub(r"</?[a-z][a-z0-9]*", "<", section))) == {"5"}
    text = text_of(page)
    for count_shown in ("3 responses", "7 responses", " 3 ", " 7 ", " 10 "):
        assert count_shown not in text


def test_a_new_response_changes_the_page_only_when_a_team_reaches_k(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    day, outreach = link_of(wave, members.day), link_of(wave, members.outreach)
    for _ in range(3):
        submit(day, answers_all(2), days(0))
    for _ in range(6):
        submit(outreach, answers_all(4), days(0))
    before = _without_csrf(as_core.get(f"/manage/waves/{wave.id}"))
    submit(day, answers_all(2), days(0))  # 3 -> 4: still fewer than k
    submit(outreach, answers_all(4), days(0))  # 6 -> 7: still k or more
    assert _without_csrf(as_core.get(f"/manage/waves/{wave.id}")) == before
    submit(day, answers_all(2), days(0))  # 4 -> 5: reaches k
    after = as_core.get(f"/manage/waves/{wave.id}")
    assert _without_csrf(after) != before
    assert "fewer than" not in _progress_section(after)


def test_the_wave_list_shows_no_counts(as_core: Staff, wave: Wave, members: Members) -> None:
    for _ in range(4):
        submit(link_of(wave, members.day), answers_all(2), days(0))
    html = as_core.get("/manage/waves").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)
    assert rows
    for row in rows:  # dates aside, no 4 anywhere: not in text, not in an attribute
        assert "4" not in re.sub(r"\d{1,2} \w{3} \d{4}", "", row)


def test_progress_counts_stored_answers_and_says_a_release_may_hide_the_team(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    # 5 stored, 3 with every question skipped: k or more here, yet only 2 can be scored.
    day = link_of(wave, members.day)
    for _ in range(2):
        submit(day, answers_all(3), days(0))
    for _ in range(3):
        submit(day, {}, days(0))
    page = as_core.get(f"/manage/waves/{wave.id}")
    section = _progress_section(page)
    assert "Day unit" in section and "5 or more" in section
    words = " ".join(text_of(page).split())
    assert "Releases count only answers with enough questions answered to be scored" in words
    assert "can still be hidden in a release" in words
    assert "never gives an exact number, here or in the shell" in words
    assert set(re.findall(r"\d", re.sub(r"</?[a-z][a-z0-9]*", "<", section))) == {"5"}
