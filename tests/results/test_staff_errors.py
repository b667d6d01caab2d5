"""A signed-in lead who reaches a missing or forbidden page stays among staff pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user

from survey.errors import _unexpected
from survey.extensions import db
from survey.models import User, Wave
from tests.results.conftest import staff_client
from tests.results.world import World, address

QUICK_EXIT = "Leave this site quickly"


def test_a_signed_in_lead_gets_a_staff_404_with_staff_navigation(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    for path in (f"/results/release/{address(world.b_only)}", "/results/nothing-here", "/nowhere"):
        result = client.get(path)
        html = result.get_data(as_text=True)
        assert result.status_code == 404, path
        assert 'aria-label="Staff pages"' in html and "Action plans" in html, path
        assert QUICK_EXIT not in html and "Samaritans" not in html, path


def test_a_lead_on_a_core_team_page_gets_a_staff_403(
    app: Flask, world: World, lead_a1: User
) -> None:
    result = staff_client(app, "a1@example.org").get("/manage/")
    html = result.get_data(as_text=True)
    assert result.status_code == 403
    assert "This page is not available to your account" in html and QUICK_EXIT not in html


def test_respondent_pages_keep_the_respondent_error_page(
    app: Flask, world: World, lead_a1: User, client: FlaskClient
) -> None:
    # Even with a staff session in the same browser, /s/ errors stay respondent pages.
    staff = staff_client(app, "a1@example.org")
    for browser in (staff, client):
        html = browser.get("/s/not-a-real-link").get_data(as_text=True)
        assert QUICK_EXIT in html


def test_a_wave_closed_early_reads_closed_early_everywhere(
    app: Flask, world: World, lead_a1: User
) -> None:
    wave = db.session.get(Wave, world.this_year.wave_id)
    assert wave is not None
    # Closed on its opening day: its last day is the day before it opened.
    wave.closed_early_on = wave.opens_on - timedelta(days=1)
    db.session.commit()
    opened = f"{wave.opens_on.day} {wave.opens_on:%B %Y}"
    client = staff_client(app, "a1@example.org")
    for path in ("/results/", f"/results/release/{address(world.this_year)}"):
        html = client.get(path).get_data(as_text=True)
        assert f"Opened {opened}, closed early on {opened}" in html, path
    # Release dates in one format: day, month in words, year.
    made = world.this_year.made_on
    assert f"made on {made.day} {made:%B %Y}" in html


def test_a_refused_staff_form_stays_a_staff_page(app: Flask, world: World, lead_a1: User) -> None:
    client = staff_client(app, "a1@example.org")
    # No form token (an expired form), then a token with a status that does not exist.
    expired = client.post("/results/actions/1/status", data={"status": "done"})
    html = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "This form has expired" in html and 'aria-label="Staff pages"' in html
    assert QUICK_EXIT not in html and "Samaritans" not in html


def test_an_unexpected_failure_for_staff_is_a_staff_page(
    app: Flask, world: World, lead_a1: User
) -> None:
    with app.test_request_context("/results/"):
        login_user(lead_a1)
        html, status = _unexpected(RuntimeError("boom"))
    assert status == 500
    assert "Something went wrong on our side" in html and 'aria-label="Staff pages"' in html
    assert QUICK_EXIT not in html
    with app.test_request_context("/s/some-link"):
        html, status = _unexpected(RuntimeError("boom"))
    assert status == 500 and QUICK_EXIT in html  # respondents keep their page
