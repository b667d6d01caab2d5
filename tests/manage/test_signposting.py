"""The core team's signposting pages: support routes added, checked, reordered and removed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import SignpostResource
from survey.services.signposting import routes_for
from survey.services.signposting_admin import dialable, six_months_before, stale, web_address
from tests.manage.conftest import (
    Members,
    Staff,
    audit,
    field_error,
    input_value,
    selected,
    text_of,
)

TODAY = date.today()


def route(name: str, organisation_id: int | None = None, **fields: object) -> SignpostResource:
    """A stored support route."""
    values: dict[str, object] = {"contact": "Call us", "position": 10, "last_checked": TODAY}
    resource = SignpostResource(name=name, organisation_id=organisation_id, **(values | fields))
    db.session.add(resource)
    db.session.commit()
    return resource


def typed(**changes: str) -> dict[str, str]:
    """What a person fills in for a new route, with some fields changed."""
    form = {
        "organisation_id": "",
        "name": "Staff wellbeing line",
        "contact": "Call the line",
        "phone": "0800 123 4567",
        "sms": "",
        "url": "https://wellbeing.example.org",
        "hours": "9am to 5pm",
        "description": "Someone to talk to.",
        "min_level": "2",
        "position": "",
        "last_checked": TODAY.isoformat(),
    }
    return form | changes


def stored() -> list[SignpostResource]:
    return list(db.session.scalars(select(SignpostResource).order_by(SignpostResource.id)))


# Pure helpers


@pytest.mark.parametrize(
    ("today", "cut_off"),
    [
        (date(2026, 8, 31), date(2026, 2, 28)),  # February is shorter: its last day
        (date(2026, 3, 15), date(2025, 9, 15)),  # back across a year: 3 - 6 = -3, so September
        (date(2028, 8, 29), date(2028, 2, 29)),  # a leap year keeps the 29th
    ],
)
def test_six_months_before(today: date, cut_off: date) -> None:
    assert six_months_before(today) == cut_off


def test_stale_means_checked_before_the_cut_off() -> None:
    today = date(2026, 8, 31)
    assert not stale(SignpostResource(last_checked=date(2026, 2, 28)), today)  # exactly six months
    assert stale(SignpostResource(last_checked=date(2026, 2, 27)), today)


def test_numbers_become_digits_and_addresses_must_be_web_addresses() -> None:
    assert dialable(" 0800 123-456 ") == "0800123456"
    assert dialable("  ") is None
    for bad in ("+44 800", "call 111", "12", "1" * 16):
        with pytest.raises(ValueError):
            dialable(bad)
    assert web_address(" https://example.org/help ") == "https://example.org/help"
    for bad in ("javascript:alert(1)", "example.org", "https://", "ftp://example.org"):
        with pytest.raises(ValueError):
            web_address(bad)


# Pages


def test_the_list_groups_routes_and_warns_when_a_check_is_old(
    as_core: Staff, members: Members
) -> None:
    route("Samaritans", always=True, phone="116123")
    route("Hospice counselling", members.north.id, min_level=3, last_checked=date(2020, 1, 2))
    page = text_of(as_core.get("/manage/signposting"))
    alliance, north = page.split("Everyone in the alliance", 1)[1].split("North Hospice", 1)
    assert "Samaritans" in alliance and "every result, always (24/7 route)" in alliance
    assert "more than six months ago" not in alliance
    assert "Hospice counselling" in north and "Shown with: high and above" in north
    assert "Last checked 02 Jan 2020: more than six months ago" in north
    assert "South Food Bank No routes of its own yet" in page


def test_the_form_says_what_each_band_level_means(as_core: Staff, members: Members) -> None:
    page = text_of(as_core.get(f"/manage/signposting/new?organisation={members.south.id}"))
    for words in ("Every result, whatever the band", "Moderate and above", "High and above"):
        assert words in page
    assert selected(
        as_core.get(f"/manage/signposting/new?organisation={members.south.id}"), "organisation_id"
    ) == str(members.south.id)


def test_adding_a_route_stores_it_for_respondents(as_core: Staff, members: Members) -> None:
    route("Existing", members.north.id, position=40)
    result = as_core.post("/manage/signposting/new", typed(organisation_id=str(members.north.id)))
    assert result.status_code == 303
    made = stored()[-1]
    assert result.headers["Location"] == f"/manage/signposting#resource-{made.id}"
    assert (made.phone, made.sms, made.min_level, made.always) == ("08001234567", None, 2, False)
    assert made.position == 50  # after the last route of its own list (40 + 10)
    [event] = audit("signpost created")
    assert (event.user_id, event.target) == (as_core.user.id, f"signpost:{made.id}")
    assert "'Staff wellbeing line'" in event.detail
    # Shown to that organisation's respondents from the moderate band (level 2) upwards.
    assert made in routes_for(members.north.id, 2)[1]
    assert made not in routes_for(members.north.id, 1)[1]
    assert made not in routes_for(members.south.id, 4)[1]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name."),
        ({"contact": " "}, "contact", "Say how to contact them: a number, a place or a web page."),
        ({"name": "n" * 201}, "name", "Use at most 200 characters."),
        ({"phone": "call 111"}, "phone", "Use digits only, for example 116123 (spaces are fine)."),
        ({"sms": "+4485258"}, "sms", "Use digits only, for example 116123 (spaces are fine)."),
        ({"url": "javascript:alert(1)"}, "url", "Enter a full address starting with https://."),
        ({"url": "www.example.org"}, "url", "Enter a full address starting with https://."),
        ({"position": "first"}, "position", "Not a valid integer value."),
        ({"position": "-5"}, "position", "Enter a whole number from 0 to 100000."),
        ({"min_level": "9"}, "min_level", "Not a valid choice."),
        ({"organisation_id": "999"}, "organisation_id", "Not a valid choice."),
        ({"last_checked": ""}, "last_checked", "Enter the date the details were last checked."),
        ({"last_checked": "yesterday"}, "last_checked", "Not a valid date value."),
        (
            {"last_checked": (TODAY + timedelta(days=1)).isoformat()},
            "last_checked",
            "The date last checked cannot be in the future.",
        ),
    ],
)
def test_a_bad_route_is_refused_beside_the_field(
    as_core: Staff, members: Members, change: dict[str, str], field: str, message: str
) -> None:
    result = as_core.post("/manage/signposting/new", typed(**change))
    assert result.status_code == 422
    assert field_error(result, field) == message
    assert stored() == [] and audit("signpost created") == []
    if field != "phone":
        assert input_value(result, "phone") == "0800 123 4567"  # as typed, spaces and all
    if field != "url":
        assert input_value(result, "url") == "https://wellbeing.example.org"
    if field != "min_level":
        assert selected(result, "min_level") == "2"


def test_editing_a_route_records_what_changed(as_core: Staff, members: Members) -> None:
    resource = route("Helpline", phone="111", hours="Any time")
    page = as_core.get(f"/manage/signposting/{resource.id}/edit")
    assert input_value(page, "name") == "Helpline" and selected(page, "organisation_id") == ""
    data = typed(name="Helpline", contact="Call us", phone="111", url="", hours="24 hours")
    data |= {"description": "", "min_level": "0", "position": "10"}
    result = as_core.post(f"/manage/signposting/{resource.id}/edit", data | {"always": "y"})
    assert result.status_code == 303
    assert (resource.hours, resource.always) == ("24 hours", True)
    [event] = audit("signpost changed")
    assert event.detail == "hours: 'Any time' -> '24 hours'; always: False -> True"
    again = as_core.post(f"/manage/signposting/{resource.id}/edit", data | {"always": "y"})
    assert "Nothing was changed" in text_of(as_core.get(again.headers["Location"]))
    assert len(audit("signpost changed")) == 1
    bad = as_core.post(f"/manage/signposting/{resource.id}/edit", data | {"phone": "one one one"})
    assert bad.status_code == 422 and resource.phone == "111"


def test_checked_today(as_core: Staff) -> None:
    resource = route("Helpline", last_checked=date(2024, 5, 1))
    result = as_core.post(f"/manage/signposting/{resource.id}/checked")
    assert result.status_code == 303 and resource.last_checked == TODAY
    [event] = audit("signpost checked")
    assert (event.user_id, event.detail) == (
        as_core.user.id,
        f"last checked: 2024-05-01 -> {TODAY}",
    )
    assert "more than six months ago" not in text_of(as_core.get("/manage/signposting"))


def test_moving_routes_within_their_list(as_core: Staff, members: Members) -> None:
    first, second, third = (route(name, position=p) for name, p in (("A", 5), ("B", 5), ("C", 7)))
    elsewhere = route("Their own", members.north.id, position=6)
    assert as_core.post(f"/manage/signposting/{third.id}/up").status_code == 303
    assert [(r.name, r.position) for r in (first, third, second)] == [
        ("A", 10),
        ("C", 20),
        ("B", 30),
    ]
    assert elsewhere.position == 6  # another list is untouched
    at_top = as_core.post(f"/manage/signposting/{first.id}/up")
    assert "A is already first in its list" in text_of(as_core.get(at_top.headers["Location"]))
    as_core.post(f"/manage/signposting/{first.id}/down")
    assert [r.name for r in sorted((first, second, third), key=lambda r: r.position)] == [
        "C",
        "A",
        "B",
    ]
    assert [(e.action, e.detail) for e in audit() if e.action == "signpost moved"] == [
        ("signpost moved", "up"),
        ("signpost moved", "down"),
    ]


def test_removing_a_route(as_core: Staff, members: Members) -> None:
    resource = route("Old line", members.south.id)
    resource_id = resource.id
    assert "Remove Old line?" in text_of(as_core.get(f"/manage/signposting/{resource_id}/delete"))
    result = as_core.post(f"/manage/signposting/{resource_id}/delete")
    assert result.status_code == 303 and stored() == []
    [event] = audit("signpost deleted")
    assert (event.user_id, event.target) == (as_core.user.id, f"signpost:{resource_id}")
    assert event.detail == f"'Old line' organisation:{members.south.id}"
    assert as_core.get(f"/manage/signposting/{resource_id}/edit").status_code == 404
