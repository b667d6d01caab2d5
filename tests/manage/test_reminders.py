"""The home page's reminders: yearly reviews, waves closing soon, releases waiting."""

from __future__ import annotations

from datetime import date

from flask import Flask

from survey.extensions import db
from survey.models import Organisation, User
from survey.services.journey import review_due_on
from tests.conftest import TODAY, days
from tests.manage.conftest import Members, Staff, text_of
from tests.manage.test_waves import demo_version, open_test_wave


def test_a_member_not_yet_reviewed_is_due_its_baseline_soon_after_joining(app: Flask) -> None:
    # The journey's one rule (reviews of a member move it on by a cycle: tests/journey).
    for name, joined, due in [
        ("A", date(2025, 3, 4), date(2025, 6, 4)),
        ("B", date(2024, 11, 30), date(2025, 2, 28)),
        ("C", None, None),
    ]:
        organisation = Organisation(name=name, joined_on=joined)
        db.session.add(organisation)
        db.session.flush()
        assert review_due_on(organisation) == due


def test_the_home_page_lists_what_needs_attention(
    app: Flask, kek: bytes, as_core: Staff, members: Members, core_user: User
) -> None:
    assert "Nothing is due" in text_of(as_core.get("/manage/"))
    year_ago = TODAY.replace(year=TODAY.year - 1)
    members.north.joined_on = year_ago  # its baseline is overdue
    members.south.joined_on = days(-20)  # its baseline is due in about ten weeks: not yet
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
    due = review_due_on(members.north)
    assert due is not None
    assert f"Reviews due North Hospice : was due {due:%-d %B %Y}" in page
    assert "South Food Bank" not in page and "Gone Trust" not in page and "Later round" not in page
    assert as_core.post(f"/manage/waves/{ended.id}/release").status_code == 303
    assert "Releases waiting" not in text_of(as_core.get("/manage/"))
