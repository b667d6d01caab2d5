"""Importing the alliance from a CSV: every row and problem shown, then all or nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from io import BytesIO

from sqlalchemy import select

from survey.domain.alliance_csv import read_alliance_csv
from survey.extensions import db
from survey.models import SECTORS, Organisation, Team
from survey.services.membership import PLEDGE_STATUSES
from tests.alliance_file import alliance_rows, as_csv
from tests.manage.conftest import Members, Staff, audit, count, text_of

HEADER = "name,sector,joined,pledge status,teams,headcounts\n"


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html
    )
    assert found, name
    return unescape(found.group(1))


def preview(as_core: Staff, text: str, status: int = 200) -> str:
    result = as_core.post(
        "/manage/organisations/import",
        data={"file": (BytesIO(text.encode("utf-8")), "alliance.csv")},
        content_type="multipart/form-data",
    )
    assert result.status_code == status, text_of(result)
    return result.get_data(as_text=True)


def store(as_core: Staff, html: str, status: int = 303) -> str:
    result = as_core.post(
        "/manage/organisations/import/store",
        data={"csv_text": hidden(html, "csv_text"), "digest": hidden(html, "digest")},
    )
    assert result.status_code == status
    return text_of(result)


def test_the_reader_collects_every_problem_of_every_row_at_once() -> None:
    text = HEADER + (
        "Harbour Trust,helth,2024-13-01,signed,Day; Night,3\n"
        ",food,,,Kitchen,\n"
        '"Comma, Inc",charity,31/05/2023,pledge signed,A; B; a,1; x; 2\n'
        "Short,row\n"
    )
    read = read_alliance_csv(text, SECTORS, PLEDGE_STATUSES)
    problems = {row.line: row.problems for row in read.rows}
    assert len(problems[2]) == 4  # sector, date, status, headcounts
    assert "the sector “helth” is not one of" in problems[2][0]
    assert any("2 teams but 1 headcount" in p for p in problems[2])
    assert problems[3] == ("the organisation needs a name",)
    assert any("named twice" in p for p in problems[4])
    assert any("headcount of “B” should be a whole number" in p for p in problems[4])
    assert read.rows[2].joined_on == date(2023, 5, 31) and read.rows[2].name == "Comma, Inc"
    assert "the row has 2 fields but the header has 6" in problems[5][0]


def test_bad_rows_show_every_problem_and_store_nothing_then_the_fixed_file_stores_all(
    as_core: Staff,
) -> None:
    rows = alliance_rows(34, 200)
    rows[4][1] = "helth"
    rows[9][5] = "12; 9"  # too few headcounts
    rows[20][0] = rows[3][0]  # the same organisation twice
    html = preview(as_core, as_csv(rows), 422)
    page = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "3 problems found, so nothing has been stored" in " ".join(page.split())
    assert "Line 6 (Member 05 Trust): the sector “helth” is not one of" in page
    assert "Line 11 (Member 10 Trust)" in page and "Line 22 (Member 04 Trust)" in page
    assert "already on line 5" in page
    assert len(re.findall(r"<tr[ >]", html)) == 35  # the header and every row, good or bad
    assert "Store all" not in html
    assert count(Organisation) == 0 and count(Team) == 0

    rows = alliance_rows(34, 200)
    html = preview(as_core, as_csv(rows))
    assert "No problems found. Nothing has been stored yet." in text_of_html(html)
    assert "adds 34 organisations and 200 teams" in text_of_html(html)
    assert count(Organisation) == 0
    store(as_core, html)
    assert count(Organisation) == 34 and count(Team) == 200
    first = db.session.scalars(select(Organisation).order_by(Organisation.name)).first()
    assert first is not None and first.name == "Member 01 Trust"
    expected = dict(zip(rows[0][4].split("; "), map(int, rows[0][5].split("; ")), strict=True))
    assert {t.name: t.headcount for t in first.teams} == expected
    assert len(audit("organisation created")) == 34
    [done] = audit("alliance imported")
    assert done.detail == "34 organisations added, 0 changed, 200 teams added"
    flashed = text_of(as_core.get("/manage/organisations"))
    assert "Stored: 34 organisations added, 0 changed, 200 teams added." in flashed


def text_of_html(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_second_import_adds_and_changes_only_what_differs_and_never_deletes(
    as_core: Staff, members: Members
) -> None:
    text = HEADER + (
        "North Hospice,hospice,,pledge signed,Day unit; Night unit; Bereavement,10; ; 4\n"
        "South Food Bank,food,,not started,Outreach,\n"
    )
    html = preview(as_core, text)
    page = text_of_html(html)
    assert "new team Bereavement" in page and "headcount of Day unit: not known → 10" in page
    assert "No change" in page  # South Food Bank as stored
    store(as_core, html)
    db.session.expire_all()
    assert [(t.name, t.headcount) for t in members.north.teams] == [
        ("Bereavement", 4),
        ("Day unit", 10),
        ("Night unit", None),
    ]
    assert count(Organisation) == 2


def test_a_name_differing_only_in_capitals_is_a_problem_not_a_duplicate(
    as_core: Staff, members: Members
) -> None:
    html = preview(as_core, HEADER + "north hospice,hospice,,,Day Unit,\n", 422)
    assert "an organisation called “North Hospice” exists: spell it the same way" in unescape(html)


def test_storing_refuses_when_things_changed_since_the_preview(
    as_core: Staff, members: Members
) -> None:
    html = preview(as_core, HEADER + "East Housing,housing,,,Tenancy,\n")
    db.session.add(Organisation(name="East Housing", sector="housing"))
    db.session.commit()
    shown = store(as_core, html, status=409)
    assert "changed since the preview, so nothing was stored" in shown
    assert count(Team) == 3  # the members' teams only


def test_a_tampered_text_is_checked_again_not_trusted(as_core: Staff) -> None:
    html = preview(as_core, HEADER + "East Housing,housing,,,Tenancy,\n")
    result = as_core.post(
        "/manage/organisations/import/store",
        data={"csv_text": HEADER + "Bad,nowhere,,,X,\n", "digest": hidden(html, "digest")},
    )
    assert result.status_code == 409 and "problems" in text_of(result)
    assert count(Organisation) == 0


def test_export_reads_back_as_no_change(as_core: Staff, members: Members) -> None:
    members.day.headcount = 7
    members.north.joined_on = date(2024, 5, 1)
    db.session.commit()
    exported = as_core.get("/manage/organisations/export.csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data().decode("utf-8-sig")
    assert text.splitlines()[1] == (
        "North Hospice,hospice,2024-05-01,pledge signed,Day unit; Night unit,7; "
    )
    html = preview(as_core, text)
    assert text_of_html(html).count("No change") == 2
