"""Team headcounts: a team's usual figure is copied into each new wave, and edited per wave."""

from __future__ import annotations

from flask import Flask

from survey.extensions import db
from survey.models import User
from tests.manage.conftest import Members, Staff, audit, text_of
from tests.manage.test_waves import demo_version, link_of, open_test_wave


def test_a_new_waves_links_start_from_each_teams_headcount_and_are_edited_per_wave(
    app: Flask, kek: bytes, as_core: Staff, members: Members, core_user: User
) -> None:
    members.day.headcount = 12
    db.session.commit()
    wave = open_test_wave(kek, demo_version(app), [members.day, members.outreach], core_user)
    assert link_of(wave, members.day).headcount == 12
    assert link_of(wave, members.outreach).headcount is None
    page = as_core.get(f"/manage/waves/{wave.id}").get_data(as_text=True)
    assert f'name="headcount-{members.day.id}"' in page and 'value="12"' in page

    bad = as_core.post(
        f"/manage/waves/{wave.id}/headcounts",
        data={f"headcount-{members.day.id}": "twelve", f"headcount-{members.outreach.id}": "7"},
    )
    assert bad.status_code == 422 and "Day unit: Enter a whole number" in text_of(bad)
    assert 'value="twelve"' in bad.get_data(as_text=True)  # what was typed stays
    db.session.expire_all()
    assert link_of(wave, members.outreach).headcount is None

    # A rotated link keeps the figure.
    assert as_core.post(f"/manage/links/{link_of(wave, members.day).id}/rotate").status_code == 303
    saved = as_core.post(
        f"/manage/waves/{wave.id}/headcounts",
        data={f"headcount-{members.day.id}": "14", f"headcount-{members.outreach.id}": "7"},
        follow_redirects=True,
    )
    assert "Headcounts saved for 2 teams." in text_of(saved)
    db.session.expire_all()
    assert {link.headcount for link in wave.links if link.team_id == members.day.id} == {14}
    assert link_of(wave, members.outreach).headcount == 7
    assert members.day.headcount == 12  # the team's usual figure is untouched
    [event] = audit("headcounts changed")
    assert event.detail == f"team:{members.day.id} 12 -> 14; team:{members.outreach.id} None -> 7"


def test_after_the_final_release_the_headcounts_are_fixed(
    app: Flask, kek: bytes, as_core: Staff, members: Members, core_user: User
) -> None:
    wave = open_test_wave(kek, demo_version(app), [members.day], core_user)
    as_core.post(f"/manage/waves/{wave.id}/close")
    assert as_core.post(f"/manage/waves/{wave.id}/release").status_code == 303
    refused = as_core.post(
        f"/manage/waves/{wave.id}/headcounts",
        data={f"headcount-{members.day.id}": "9"},
        follow_redirects=True,
    )
    assert "The wave is released, so its headcounts are fixed." in text_of(refused)
    assert f'name="headcount-{members.day.id}"' not in refused.get_data(as_text=True)
    db.session.expire_all()
    assert link_of(wave, members.day).headcount is None and audit("headcounts changed") == []
