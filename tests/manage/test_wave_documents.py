"""A wave's documents at once: every poster in one printable page, every link as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask

from survey.models import User, Wave
from tests.manage.conftest import Members, Staff, text_of
from tests.manage.test_waves import demo_version, link_of, open_test_wave


@pytest.fixture
def wave(app: Flask, kek: bytes, members: Members, core_user: User) -> Wave:
    teams = [members.day, members.night, members.outreach]
    return open_test_wave(kek, demo_version(app), teams, core_user)


def test_every_poster_of_a_wave_in_one_document(
    as_core: Staff, wave: Wave, members: Members
) -> None:
    as_core.post(f"/manage/links/{link_of(wave, members.night).id}/revoke")
    page = as_core.get(f"/manage/waves/{wave.id}/posters")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<article class="poster"') == 2  # the stopped link has none
    for team in (members.day, members.outreach):
        assert f"/s/{link_of(wave, team).token}" in html
    assert html.count("<svg") == 2 and html.count("<h1") == 1
    assert "break-before:page" in as_core.get("/manage/waves/print.css").get_data(as_text=True)


def test_every_link_as_csv_for_mailing(as_core: Staff, wave: Wave, members: Members) -> None:
    result = as_core.get(f"/manage/waves/{wave.id}/links.csv")
    assert result.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(result.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["organisation", "team", "link"]
    assert [(org, team) for org, team, _ in rows[1:]] == [
        ("North Hospice", "Day unit"),
        ("North Hospice", "Night unit"),
        ("South Food Bank", "Outreach"),
    ]
    assert rows[1][2] == f"http://127.0.0.1:5000/s/{link_of(wave, members.day).token}"


def test_a_closed_wave_offers_no_posters_or_links(as_core: Staff, wave: Wave) -> None:
    as_core.post(f"/manage/waves/{wave.id}/close")
    for path in ("posters", "links.csv"):
        result = as_core.get(f"/manage/waves/{wave.id}/{path}", follow_redirects=True)
        assert "The wave is closed early" in text_of(result), path
        assert "poster-qr" not in result.get_data(as_text=True)
    assert "Print every poster" not in text_of(as_core.get(f"/manage/waves/{wave.id}"))
