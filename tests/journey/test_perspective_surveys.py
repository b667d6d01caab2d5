"""Perspective surveys end to end without a browser: open, answer through the real pages,
release through the release step, and read the shares beside the agreed ratings."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.domain.readability import reading_age
from survey.extensions import db
from survey.models import Review, SignpostResource, User, Wave
from survey.release import make_release, releases_of
from survey.services import journey, lead_access, perspectives, reviews
from survey.services.free_text import free_text
from survey.services.release_access import scope_for
from survey.services.waves import close_wave
from tests.manage.conftest import Members, Staff, audit, text_of
from tests.respond.driver import Respondent

TODAY = date.today()
ANSWERS = ["green", "green", "amber", "red", "green", "amber"]


@pytest.fixture
def review(members: Members, core_user: User) -> Review:
    db.session.add(
        SignpostResource(name="Samaritans", contact="Call 116 123", always=True, phone="116123")
    )
    db.session.commit()
    return reviews.open_review(
        members.north, framework_key="roots", opened_on=TODAY, actor=core_user
    )


def _open(review: Review, perspective: str, kek: bytes, core_user: User, **extra: bool) -> Wave:
    return perspectives.open_perspective_survey(
        review,
        perspective=perspective,
        teams=[review.organisation.teams[0]],
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        k=5,
        kek=kek,
        actor=core_user,
        easy_read=extra.get("easy_read", False),
    )


def _answer_all(app: Flask, wave: Wave, rating: str, words: str = "") -> Respondent:
    person = Respondent(app.test_client(), wave.links[0].token)
    extra = {"q-in_your_words": words} if words else None
    person.press("start")
    while 'value="finish"' not in person.html:
        here = extra if 'name="q-in_your_words"' in person.html else None
        person.press("next", lambda _q, options: rating if rating in options else "", here)
    person.press("finish")
    return person


def _visible_sentences(client: FlaskClient, html: str) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", html, flags=re.S)
    assert main is not None
    text = re.sub(r"<[^>]+>", " ", main.group(1))
    return " ".join(text.split())


def test_service_users_rate_the_service_and_see_a_thank_you_not_a_result(
    app: Flask, review: Review, kek: bytes, core_user: User
) -> None:
    wave = _open(review, "service_user", kek, core_user, easy_read=True)
    client = app.test_client()
    welcome = client.get(f"/s/{wave.links[0].token}")
    assert welcome.status_code == 200
    html = welcome.get_data(as_text=True)
    assert "Why we ask" in html and "your own result" not in html
    # The plainest pages in the product: the whole welcome page reads at age 11 or under.
    assert reading_age(_visible_sentences(client, html)) <= 11
    # The respondent page budget: at most 14 KB compressed, as a phone fetches it, and the
    # page plus at most two files (one now: the stylesheet is inline).
    phone = client.get(f"/s/{wave.links[0].token}", headers={"Accept-Encoding": "gzip"})
    assert phone.headers["Content-Encoding"] == "gzip" and len(phone.data) <= 14 * 1024
    assert len(re.findall(r'(?:href|src)="/static/', html)) <= 2
    person = _answer_all(app, wave, "red", words="The door was locked.")
    end = person.html
    assert person.page.status_code == 200
    assert "Thank you" in end and "Samaritans" in end
    assert "Your result" not in end and "band" not in end.lower()
    assert reading_age(_visible_sentences(client, end)) <= 11
    # Every question could be skipped: a person who skips everything is thanked too.
    skipper = _answer_all(app, wave, "")
    assert "Thank you" in skipper.html
    assert audit("perspective survey opened")[0].detail.endswith(
        "service_user; links: one per team; easy read on"
    )


def test_perspective_results_go_through_the_release_step_and_sit_beside_the_ratings(
    review: Review, kek: bytes, core_user: User, lead_user: User, as_lead: Staff
) -> None:
    app, north = as_lead.client.application, review.organisation
    staff = _open(review, "staff", kek, core_user)
    users = _open(review, "service_user", kek, core_user)
    for rating in ANSWERS:
        _answer_all(app, staff, rating)
    for i in range(11):
        _answer_all(app, users, "green" if i % 3 else "amber", words=f"Example {i}")
    # Free text: the core team sees a pool of 10 or more, only after the final release.
    assert free_text(users, kek) is None
    for wave in (staff, users):
        close_wave(wave, TODAY, actor=core_user)
        make_release(wave, kek, kind="final", today=TODAY)
    payload = json.loads(releases_of(users.id)[-1].payload)
    org = payload["groups"][f"organisation:{north.id}"]
    assert org["shown"] and org["n"] == 11
    safety = org["domains"]["safety"]
    assert safety["n"] == 11 and [c["label"] for c in safety["cells"]][:1] == ["Red"]
    assert all("%" in c["text"] for c in safety["cells"])  # coded ranges, never counts
    [pool] = [g for g in free_text(users, kek) or [] if g.question.startswith("Is there")]
    assert sorted(pool.answers) == sorted(f"Example {i}" for i in range(11))
    # Beside the agreed ratings, for the core team and for the organisation's lead.
    view = journey.journey_for(north, scope_for(core_user), TODAY)
    results = view.perspectives[review.id]
    assert [r.perspective for r in results] == ["staff", "service_user"]
    assert results[0].n == 6 and results[0].shares("safety")
    lead_access.change_access(lead_user, f"organisation:{north.id}", grant=True, actor=core_user)
    page = text_of(as_lead.get(f"/journey/organisations/{north.id}"))
    assert "Agreed ratings beside the anonymous perspectives" in page
    assert "People who use the service (n = 11)" in page
    assert "Example 3" not in page  # free text never reaches a lead
    # Screening pages are not confused by a perspective release.
    assert as_lead.get("/results/").status_code == 200
    for wave in (staff, users):
        assert as_lead.get(f"/results/release/{wave.id}/1").status_code == 200
        assert as_lead.get(f"/results/release/{wave.id}/1.csv").status_code == 200
    # Perspective waves are not part of the screening trend.
    assert view.sts == []


def test_a_small_perspective_group_is_hidden(
    app: Flask, review: Review, kek: bytes, core_user: User, members: Members
) -> None:
    wave = _open(review, "staff", kek, core_user)
    for rating in ANSWERS[:3]:
        _answer_all(app, wave, rating)
    close_wave(wave, TODAY, actor=core_user)
    make_release(wave, kek, kind="final", today=TODAY)
    view = journey.journey_for(members.north, scope_for(core_user), TODAY)
    [result] = view.perspectives[review.id]
    assert not result.shown and result.n is None and result.shares("safety") == ()


def test_people_who_use_the_service_are_not_offered_the_staff_support_routes(
    app: Flask, review: Review, kek: bytes, core_user: User, members: Members
) -> None:
    # The core team's local routes are for staff (employee assistance and the like).
    db.session.add(
        SignpostResource(
            organisation=members.north, name="Staff counselling line", contact="Call 01632 960 000"
        )
    )
    db.session.commit()
    for perspective, staff_route_shown in (("service_user", False), ("staff", True)):
        wave = _open(review, perspective, kek, core_user)
        token = wave.links[0].token
        person = _answer_all(app, wave, "")
        assert "Samaritans" in person.html
        assert ("Staff counselling line" in person.html) is staff_route_shown, perspective
        help_page = Respondent(app.test_client(), token)
        help_page.press("start")
        help_page.press("help")
        assert "Samaritans" in help_page.html
        assert ("Staff counselling line" in help_page.html) is staff_route_shown, perspective
