"""Unknown, revoked and closed links get friendly pages, and look alike from outside."""

from __future__ import annotations

from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import SurveyLink
from survey.services.waves import close_wave
from tests.conftest import days


def test_unknown_link_gets_a_friendly_404(client: FlaskClient, link: SurveyLink) -> None:
    page = client.get("/s/not-a-real-token")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "find that page" in html
    assert "Traceback" not in html
    assert "Samaritans" in html  # help is always one step away


def test_revoked_link_looks_exactly_like_an_unknown_one(
    client: FlaskClient, link: SurveyLink
) -> None:
    unknown = client.get("/s/not-a-real-token")
    link.revoked = True
    db.session.commit()
    revoked = client.get(f"/s/{link.token}")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.get_data() == unknown.get_data()
    posted_revoked = client.post(f"/s/{link.token}", data={})
    posted_unknown = client.post("/s/not-a-real-token", data={})
    assert posted_revoked.status_code == posted_unknown.status_code
    assert posted_revoked.get_data() == posted_unknown.get_data()


def test_closed_wave_says_so(client: FlaskClient, link: SurveyLink) -> None:
    link.wave.closed_early_on = days(-1)
    db.session.commit()
    page = client.get(f"/s/{link.token}")
    assert page.status_code == 410
    assert "closed" in page.get_data(as_text=True)


def test_wave_not_yet_open_says_when_it_opens(client: FlaskClient, link: SurveyLink) -> None:
    link.wave.opens_on = days(3)
    link.wave.closes_on = days(30)
    db.session.commit()
    page = client.get(f"/s/{link.token}")
    # The link is right, only early: a friendly page, not "not found".
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "not opened yet" in html and "the same link will work" in html
    assert "<form" not in html


def test_wave_closed_before_it_opened_says_closed_not_come_back_later(
    client: FlaskClient, link: SurveyLink
) -> None:
    # Closing a wave before its opening day cancels it: nobody should be told to come back.
    link.wave.opens_on = days(3)
    link.wave.closes_on = days(30)
    db.session.commit()
    close_wave(link.wave, days(0))
    db.session.commit()
    page = client.get(f"/s/{link.token}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "closed" in html
    assert "opens on" not in html


def test_oversized_post_is_refused_kindly(client: FlaskClient, link: SurveyLink) -> None:
    page = client.post(f"/s/{link.token}", data={"q-free": "x" * 100_000})
    assert page.status_code == 413
    assert "more than we can accept" in page.get_data(as_text=True)
