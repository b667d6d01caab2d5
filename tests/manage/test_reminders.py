"""The home page's reminders: yearly reviews, waves closing soon, releases waiting."""

from __future__ import annotations

from datetime import date

from flask import Flask

from survey.extensions import db
from survey.models import Organisation, User
from survey.services.reminders import review_due_on
from tests.conftest import TODAY, days
from tests.manage.conftest import Members, Staff, text_of
from tests.manage.test_waves import demo_version, open_test_wave


def test_a_review_is_due_a_year_after_joining() -> None:
    assert review_due_on(Organisation(name="A", joined_on=date(2025, 3, 4))) == date(2026, 3, 4)
    assert review_due_on(Organisation(name="B", joined_on=date(2024, 2, 29))) == date(2025, 2, 28)
    assert review_due_on(Organisation(name="C", joined_on=None)) is None


def test_the_home_page_lists_what_needs_attention(
    app: Flask, kek: bytes, as_core: Staff, members: Members, core_user: User
) -> None:
    assert "Nothing is due" in text_of(as_core.get("/manage/"))
    year_ago = TODAY.replace(year=TODAY.year - 1)
    members.north.joined_on = year_ago  # due today
    members.south.joined_on = days(-100)  # due in about nine months: not yet
    db.session.add(Organisation(name="Gone Trust", joined_on=year_ago, pledge_status="left"))
    version = demo_version(app)
    closing = open_test_wave(kek, version, [members.day], core_user, opens=-20, closes=3)
    later = open_test_wave(kek, version, [members.night], core_user, opens=-1, closes=30)
    ended = open_test_wave(kek, version, [members.outreach], core_user, opens=-30, closes=-2)
    closing.name, later.name, ended.name = "Closing round", "Later round", "Ended round"
    db.session.commit()
    page = text_of(as_core.get("/manage/"))
    assert "Releases waiting to be made Ended round" in page
    assert "Waves closing soon Closing round : last day" in page
    assert (
        f"Yearly reviews due North Hospice : due {year_ago.replace(year=TODAY.year):%-d %B %Y}"
        in page
    )
    assert "South Food Bank" not in page and "Gone Trust" not in page and "Later round" not in page
    assert as_core.post(f"/manage/waves/{ended.id}/release").status_code == 303
    assert "Releases waiting" not in text_of(as_core.get("/manage/"))
