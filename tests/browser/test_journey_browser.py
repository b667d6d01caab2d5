"""A member's journey through the real pages in Chromium: a baseline review with staff and
service-user perspective surveys, agreed ratings and actions, and a follow-up a year on.

The core team opens the baseline with an opening date about a year ago (the form allows a
past date), runs both perspective surveys today through their links on phones (one of each
with JavaScript off), closes and releases them from the wave pages, records the agreed
ratings and actions, logs a session, marks an action done, then opens the follow-up today.
Both reviews are then read on the journey page and in the board report, by the core team
and by the organisation's lead. Every new page is checked with axe; the service-user pages
against the respondent budget (first page at most 14 KB and 3 requests).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bench.page_weight import FIRST_PAGE_BYTES, FIRST_PAGE_REQUESTS, Meter
from survey.extensions import db
from survey.models import Organisation, SignpostResource, Team
from survey.services import accounts
from tests.browser.audit import axe
from tests.browser.live import LAPTOP, PHONE, Browsing
from tests.browser.staff import (
    CORE_EMAIL,
    CORE_PASSWORD,
    StaffSite,
    flash_text,
    follow,
    go,
    serve_seeded,
    sign_in,
)
from tests.browser.tour import submit, visit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

MEMBER = "Harbour Food Bank"
LEAD_EMAIL, LEAD_PASSWORD = "lead@harbour.example.org", "harbour lead passphrase"
STAFF_RATINGS = ("green", "green", "amber", "red", "amber")
USER_RATINGS = ("green", "amber", "green", "red", "green")


def _seed(kek: bytes, questionnaire_dir: Path) -> dict[str, tuple[str, str]]:
    """A core account, one member with one team, its lead, and the 24/7 route."""
    accounts.create_user(CORE_EMAIL, "First core member", CORE_PASSWORD, "core")
    member = Organisation(name=MEMBER, sector="food", joined_on=date.today() - timedelta(days=430))
    db.session.add_all([member, Team(name="Drop-in", organisation=member)])
    db.session.add(
        SignpostResource(
            name="Samaritans", contact="Call 116 123 (free)", always=True, phone="116123"
        )
    )
    db.session.commit()
    lead = accounts.create_user(LEAD_EMAIL, "Harbour lead", LEAD_PASSWORD, "lead")
    accounts.grant_lead(lead, organisation_id=member.id)
    return {"core": (CORE_EMAIL, CORE_PASSWORD), "lead": (LEAD_EMAIL, LEAD_PASSWORD)}


def _no_axe(page: Page, where: str) -> None:
    found = axe(page)
    assert found == [], (where, found)


def _open_perspective(core: Page, label: str, *, easy_read: bool, per_team: bool = False) -> str:
    """Open a perspective survey from the review page; return its one link."""
    core.get_by_label("Whose perspective").select_option(label=label)
    if per_team:
        core.get_by_label("One link and poster for each team").check()
    if easy_read:
        core.get_by_label("Offer an easy-read version").check()
    submit(core, "Open the perspective survey")
    assert "Opened" in flash_text(core)
    link = core.locator(".card a code").first.inner_text().strip()
    assert "/s/" in link
    return link


def _rate(page: Page, link: str, value: str, words: str = "") -> None:
    """Answer a perspective survey through its link: every domain `value`, then thank-you."""
    visit(page, link, 200)
    submit(page, "Start")
    while True:
        for radio in page.locator(f'input[type=radio][value^="{value}"]').all():
            radio.check()
        if words and page.locator("textarea").count():
            page.locator("textarea").fill(words)
        if page.get_by_role("button", name="Finish", exact=True).count():
            submit(page, "Finish")  # on the "check your answers" page
            break
        last = page.get_by_role("button", name="Check your answers", exact=True).count()
        submit(page, "Check your answers" if last else "Next")
    main = page.inner_text("main")
    assert "Thank you" in main and "Samaritans" in main and "result" not in main.lower()


def _service_user_pages_in_budget(session: Browsing, link: str) -> None:
    """The service-user form's first page: small, few requests, and axe-clean throughout."""
    phone = session.page(**PHONE)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    meter = Meter()
    meter.listen(cdp)
    load = meter.measure(phone, "welcome", lambda: visit(phone, link, 200))
    assert load.wire <= FIRST_PAGE_BYTES, load.wire
    assert load.requests <= FIRST_PAGE_REQUESTS, [f.url for f in load.fetches]
    _no_axe(phone, "service-user welcome")
    assert "For Harbour Food Bank" in phone.inner_text("main")
    # The easy-read version: a plain link before Start, a button of the form after it.
    easy = meter.measure(phone, "easy welcome", lambda: follow(phone, "Easy read: simpler words"))
    assert easy.wire <= FIRST_PAGE_BYTES, easy.wire
    assert phone.get_by_role("heading", level=1).inner_text() == "Tell us about this service"
    _no_axe(phone, "service-user welcome, easy read")
    submit(phone, "Start")
    _no_axe(phone, "service-user question, easy read")
    assert "Do you feel safe here?" in phone.inner_text("main")
    submit(phone, "Use the usual words")
    assert "Do you feel safe when you come here?" in phone.inner_text("main")
    _no_axe(phone, "service-user question")
    assert phone.locator("fieldset").count() == 1  # one question per screen
    assert phone.get_by_text("Skip this question").count() == 1
    assert phone.locator("#quick-exit").is_visible()
    phone.context.close()


def _collect(session: Browsing, link: str, ratings: tuple[str, ...], words: str = "") -> None:
    for number, value in enumerate(ratings):
        phone = session.page(**PHONE, java_script_enabled=number != 0)
        _rate(phone, link, value, words)
        if number == 1:
            _no_axe(phone, "thank-you page")
        phone.context.close()


def _close_and_release(core: Page, site: StaffSite, link_text: str) -> None:
    core.get_by_role("link", name=link_text).click()
    core.wait_for_load_state()
    follow(core, "Close early")
    submit(core, "Close the wave now")
    follow(core, "Make the final release")
    submit(core, "Make the final release")
    assert "Made final release 1" in flash_text(core)


def _record(core: Page, agreed_on: date, ratings: dict[str, str], strengths: str = "") -> None:
    core.get_by_label("Date of the review session").fill(agreed_on.isoformat())
    for domain, rating in ratings.items():
        core.locator(f'input[name="{domain}-rating"][value="{rating}"]').check()
    if strengths:
        core.get_by_label("Strengths in Safety").fill(strengths)
    submit(core, "Save the agreed ratings")
    assert "The agreed ratings have been saved." in flash_text(core)


def _add_action(core: Page, domain: str, title: str, role: str) -> None:
    core.get_by_label("Domain", exact=True).select_option(label=domain)
    core.get_by_label("What will be done").fill(title)
    core.get_by_label("Who leads it (a role, not a name)").fill(role)
    submit(core, "Add the action")
    assert "The action has been added to the plan." in flash_text(core)


def _walk(session: Browsing, site: StaffSite) -> None:
    today = date.today()
    core = session.page(**LAPTOP)
    sign_in(core, site, CORE_EMAIL, CORE_PASSWORD)
    go(core, site, "/journey/")
    _no_axe(core, "alliance overview")
    follow(core, MEMBER)
    _no_axe(core, "journey, before any review")
    core.get_by_label("Opens on").fill((today - timedelta(days=400)).isoformat())
    submit(core, "Open the review")
    assert "The baseline review is open" in flash_text(core)
    review_url = core.url
    _no_axe(core, "review page")

    staff_link = _open_perspective(core, "Staff", easy_read=False, per_team=True)
    _no_axe(core, "perspective wave page")
    visit(core, review_url, 200)
    users_link = _open_perspective(core, "People who use the service", easy_read=True)
    _service_user_pages_in_budget(session, users_link)
    _collect(session, staff_link, STAFF_RATINGS)
    _collect(session, users_link, USER_RATINGS, words="The tea was warm.")
    for name in ("staff (baseline review)", "people who use the service (baseline review)"):
        visit(core, review_url, 200)
        _close_and_release(core, site, f"{MEMBER}: {name}")
    visit(core, review_url, 200)
    side = core.locator("table", has=core.locator("caption", has_text="beside the anonymous"))
    assert side.count() == 1
    header = side.locator("thead").inner_text()
    assert "Staff (n = 5)" in header and "People who use the service (n = 5)" in header
    assert "%" in side.locator("tbody").inner_text()
    _no_axe(core, "review page with perspectives")

    _record(
        core,
        today - timedelta(days=390),
        {"safety": "red", "language": "amber", "empowerment": "red"},
        strengths="Volunteers greet everyone by name",
    )
    _add_action(core, "Safety", "A quiet corner with seats", "Volunteer coordinator")
    _add_action(core, "Empowerment", "A users' panel on opening hours", "Manager")
    go(core, site, "/journey/")
    follow(core, MEMBER)
    core.get_by_label("New status of A quiet corner with seats").select_option("done")
    core.get_by_role("button", name="Change the status of A quiet corner with seats").click()
    core.wait_for_load_state()
    assert "is now done" in flash_text(core)
    core.get_by_label("Date", exact=True).fill((today - timedelta(days=200)).isoformat())
    core.get_by_label("Kind").select_option(label="Reflective practice")
    core.get_by_label("Number attending").fill("7")
    submit(core, "Add to the log")
    assert "engagement log" in flash_text(core)

    # A year on: the follow-up, opened today.
    core.get_by_label("Opens on").fill(today.isoformat())
    submit(core, "Open the review")
    assert "The follow-up review is open" in flash_text(core)
    _record(core, today, {"safety": "green", "language": "amber", "empowerment": "red"})
    follow(core, f"← {MEMBER}: the journey", exact=True)
    _check_journey(core)
    _no_axe(core, "journey page with two reviews")
    follow(core, "Board report (printable)")
    _check_board(core)
    _no_axe(core, "board report")
    go(core, site, "/journey/?sector=food")
    heat = core.locator("table.heatmap tbody").inner_text()
    assert MEMBER in heat and "Green" in heat
    core.context.close()

    lead = session.page(**LAPTOP)
    sign_in(lead, site, LEAD_EMAIL, LEAD_PASSWORD)
    member_id = core_member_id(site)
    go(lead, site, f"/journey/organisations/{member_id}")
    _check_journey(lead)
    assert lead.get_by_role("button", name="Open the review").count() == 0
    _no_axe(lead, "journey page, lead")
    go(lead, site, f"/journey/organisations/{member_id}/board")
    _check_board(lead)
    assert "The tea was warm." not in lead.content()  # free text never reaches a lead
    lead.context.close()


def core_member_id(site: StaffSite) -> int:
    with site.app.app_context():
        return int(db.session.scalars(db.select(Organisation.id)).one())


def _check_journey(page: Page) -> None:
    main = page.inner_text("main")
    moved = page.locator("table", has=page.locator("caption", has_text="beside the one before"))
    safety = moved.locator("tr", has_text="Safety").inner_text()
    assert "Red" in safety and "Green" in safety and "Better" in safety and "1 of 1" in safety
    assert "No change" in moved.locator("tr", has_text="Language").inner_text()
    assert "A users' panel on opening hours" in main and "Planned" in main
    assert "Reflective practice session (7 attending)" in main
    assert "Follow-up review opened" in main and "Next review due" in main
    assert "People who use the service (n = 5)" in main


def _check_board(page: Page) -> None:
    main = page.inner_text("main")
    assert f"{MEMBER}: our trauma-informed journey" in main
    assert "Volunteers greet everyone by name" in main
    assert "Thirkle" in main
    page.emulate_media(media="print")
    assert not page.locator(".staff-nav").is_visible()
    assert not page.locator("header.bar").is_visible()
    assert page.locator("table", has=page.locator("caption", has_text="action plan")).is_visible()
    page.emulate_media(media="screen")


def test_a_members_journey_through_the_pages(browser: Browser, tmp_path: Path) -> None:
    started = time.monotonic()
    with serve_seeded(tmp_path, _seed) as site:
        session = Browsing(browser, site)
        try:
            _walk(session, site)
        finally:
            session.close()
    assert session.foreign == [], session.foreign
    print(f"a member's journey through the pages took {time.monotonic() - started:.1f} s")
