"""One staff navigation on every workspace page, drawn from endpoint names."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from survey import navigation
from survey.extensions import db
from survey.models import LeadGrant, User, Wave
from tests.manage.conftest import Members, Staff

CORE_LABELS = [
    "Home",
    "Organisations",
    "Team leads",
    "Questionnaires",
    "Waves",
    "Journeys",
    "Results",
    "Action plans",
    "Signposting",
]


def nav_of(html: str) -> list[tuple[str, str, str | None]]:
    """(label, href, aria-current) of each link in the staff navigation."""
    block = re.search(r'<nav class="staff-nav"[^>]*>(.*?)</nav>', html, flags=re.S)
    assert block is not None, "no staff navigation on the page"
    found = re.findall(r'<a href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>', block.group(1))
    return [(label, href, current or None) for href, current, label in found]


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/manage/", "Home"),
        ("/manage/organisations", "Organisations"),
        ("/manage/organisations/new", "Organisations"),
        ("/manage/leads", "Team leads"),
        ("/manage/questionnaires", "Questionnaires"),
        ("/manage/waves", "Waves"),
        ("/manage/waves/new", "Waves"),
        ("/manage/signposting", "Signposting"),
        ("/journey/", "Journeys"),
        ("/results/", "Results"),
        ("/auth/account", None),
    ],
)
def test_every_workspace_page_has_the_same_navigation(
    as_core: Staff, path: str, marked: str | None
) -> None:
    html = as_core.get(path).get_data(as_text=True)
    entries = nav_of(html)
    assert [label for label, _, _ in entries][: len(CORE_LABELS)] == CORE_LABELS
    assert [label for label, _, current in entries if current] == ([marked] if marked else [])
    assert '<a class="brand" href="/manage/"' in html


def test_a_waves_own_pages_keep_waves_marked(as_core: Staff, demo_wave: Wave) -> None:
    link = demo_wave.links[0]
    for path in (f"/manage/waves/{demo_wave.id}", f"/manage/links/{link.id}/poster"):
        entries = nav_of(as_core.get(path).get_data(as_text=True))
        assert [(label, current) for label, _, current in entries if current] == [
            ("Waves", "true")
        ], path


def test_a_page_not_built_yet_is_left_out_and_appears_once_it_exists(
    app: Flask, as_core: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = [label for label, _, _ in nav_of(as_core.get("/manage/").get_data(as_text=True))]
    assert ("Audit log" in labels) == ("manage.audit_log" in app.view_functions)
    assert ("Accounts" in labels) == ("manage.accounts" in app.view_functions)
    entries = (("manage.not_built_yet", "Later"), ("manage.free_text_help", "Gone"))
    monkeypatch.setattr(navigation, "CORE_NAV", (*entries, ("auth.account", "Account")))
    html = as_core.get("/manage/").get_data(as_text=True)
    assert nav_of(html) == [("Account", "/auth/account", None)]


def test_a_lead_sees_results_and_their_account_only(as_lead: Staff) -> None:
    html = as_lead.get("/results/").get_data(as_text=True)
    assert [label for label, _, _ in nav_of(html)] == ["Results", "Action plans", "Your account"]
    assert '<a class="brand" href="/results/"' in html


def test_a_lead_who_holds_an_organisation_finds_its_journey(
    as_lead: Staff, lead_user: User, members: Members
) -> None:
    db.session.add(LeadGrant(user=lead_user, team=members.night))
    db.session.commit()
    labels = [label for label, _, _ in nav_of(as_lead.get("/results/").get_data(as_text=True))]
    assert labels == ["Results", "Action plans", "Your account"]  # a team grant: no journey
    db.session.add(LeadGrant(user=lead_user, organisation_id=members.north.id))
    db.session.commit()
    journey = f"/journey/organisations/{members.north.id}"
    entries = nav_of(as_lead.get("/results/").get_data(as_text=True))
    assert entries[2] == ("Journey", journey, None)
    assert as_lead.get(journey).status_code == 200
    marked = nav_of(as_lead.get(journey).get_data(as_text=True))
    assert [(label, current) for label, _, current in marked if current] == [("Journey", "page")]
    db.session.add(LeadGrant(user=lead_user, organisation_id=members.south.id))
    db.session.commit()
    labels = [label for label, _, _ in nav_of(as_lead.get("/results/").get_data(as_text=True))]
    assert labels[2:4] == ["Journey: North Hospice", "Journey: South Food Bank"]


def test_nobody_signed_in_sees_no_navigation(app: Flask, members: Members) -> None:
    html = app.test_client().get("/auth/sign-in").get_data(as_text=True)
    assert "staff-nav" not in html
    assert '<a class="brand" href="/auth/sign-in"' in html
