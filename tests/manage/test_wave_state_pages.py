"""The wave's one state on every page, only the actions it allows, and refusals on the server."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Release, SurveyLink, User, Wave
from tests.conftest import days
from tests.manage.conftest import Members, Staff, audit, count, text_of
from tests.manage.test_waves import demo_version, link_of, open_test_wave
from tests.release.helpers import answers_all, submit


@pytest.fixture
def wave(app: Flask, kek: bytes, members: Members, core_user: User) -> Wave:
    """An open wave for Day unit and Outreach, k = 5."""
    return open_test_wave(kek, demo_version(app), [members.day, members.outreach], core_user)


def state_cells(html: str) -> list[str]:
    return re.findall(r'<td class="wave-state">([^<]+)</td>', html)


def buttons(as_core: Staff, wave_id: int) -> str:
    return text_of(as_core.get(f"/manage/waves/{wave_id}"))


def test_close_early_then_release_each_state_shows_the_same_everywhere(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    for _ in range(5):
        submit(link_of(wave, members.day), answers_all(3), days(0))
    page = buttons(as_core, wave.id)
    assert state_cells(as_core.get(f"/manage/waves/{wave.id}").get_data(as_text=True)) == ["open"]
    assert "Poster to print" in page and "Stop link" in page and "Close early" in page
    assert "Make the final release" not in page

    closed = as_core.post(f"/manage/waves/{wave.id}/close", follow_redirects=True)
    shown = text_of(closed)
    assert "The final release can be made now" in shown
    assert f"closed early on {days(0):%-d %B %Y}" in shown
    assert f"to {wave.closes_on:%-d %B %Y}" not in shown  # no range that ends after it closed
    html = closed.get_data(as_text=True)
    assert state_cells(html) == ["closed early"]
    assert state_cells(as_core.get("/manage/waves").get_data(as_text=True)) == ["closed early"]
    for gone in ("Poster to print", "New link", "Stop link", "Close early"):
        assert gone not in shown, gone
    assert "Make the final release" in shown

    released = as_core.post(f"/manage/waves/{wave.id}/release", follow_redirects=True)
    shown = text_of(released)
    assert state_cells(released.get_data(as_text=True)) == ["released"]
    assert "Make the final release" not in shown and "Extend" not in shown
    listing = as_core.get("/manage/waves").get_data(as_text=True)
    assert state_cells(listing) == ["released"]
    # The released wave's row links to its release.
    assert f'href="/results/release/{wave.id}/1"' in listing


def test_a_wave_past_its_closing_day_says_the_release_can_be_made(
    as_core: Staff, wave: Wave
) -> None:
    wave.opens_on, wave.closes_on = days(-30), days(-1)
    db.session.commit()
    page = buttons(as_core, wave.id)
    assert "the final release can be made now" in page
    assert "Poster to print" not in page


def test_impossible_actions_are_refused_on_the_server_with_a_reason(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    link = link_of(wave, members.day)
    assert as_core.post(f"/manage/waves/{wave.id}/close").status_code == 303
    links_before = count(SurveyLink)
    for path in (f"/manage/links/{link.id}/rotate", f"/manage/links/{link.id}/revoke"):
        asked = as_core.get(path)
        assert asked.status_code == 409 and "The wave is closed early" in text_of(asked)
        assert "<button" not in asked.get_data(as_text=True).split("<main", 1)[1]
        posted = as_core.post(path)
        assert posted.status_code == 422 and "The wave is closed early" in text_of(posted)
    db.session.expire_all()
    assert count(SurveyLink) == links_before and not link.revoked
    assert audit("link rotated") == [] and audit("link revoked") == []
    poster = as_core.get(f"/manage/links/{link.id}/poster", follow_redirects=True)
    assert "its posters are no longer offered" in text_of(poster)
    assert "poster-qr" not in poster.get_data(as_text=True)

    assert as_core.post(f"/manage/waves/{wave.id}/release").status_code == 303
    again = as_core.post(f"/manage/waves/{wave.id}/release")
    assert again.status_code == 422 and "final release" in text_of(again)
    asked = as_core.get(f"/manage/waves/{wave.id}/release")
    assert asked.status_code == 409 and "never remade" in text_of(asked)
    assert len(db.session.scalars(select(Release)).all()) == 1
