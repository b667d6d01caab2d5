"""A year of the core team's work, through the real pages in Chromium, end to end.

Only the first core-team account is made outside the pages (as `flask users create`
would); everything else is done by clicking: an organisation with two teams, a lead
invited by a one-time link, the questionnaire uploaded, a wave opened, its poster,
responses through the team links on phones (one with JavaScript off), close, release,
the lead's results, then a second wave "a year later" and the comparison.

The app reads today's date, so the year is made honestly through the forms rather than
by moving the clock: the first wave is opened with an opening date 400 days ago and a
closing date of today (the form allows a past opening date, only the closing date must
not have passed), and is closed early, which makes yesterday its last day. The second
wave then opens today, after the first one's last day, so it is the later round and
its release compares with the first. Every response is given today either way.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.live import LAPTOP, PHONE, Browsing
from tests.browser.staff import (
    CORE_EMAIL,
    CORE_PASSWORD,
    StaffSite,
    flash_text,
    follow,
    go,
    options,
    respond,
    seed_core_account,
    serve_seeded,
    sign_in,
)
from tests.browser.tour import submit, visit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

QUESTIONNAIRE = Path(__file__).resolve().parents[2] / "questionnaires" / "demo-sts.yaml"
ORGANISATION = "Riverside Community Health"
TEAMS = ("Night shift", "Day clinic")
FIRST, SECOND = "Spring check-in", "Spring check-in, a year later"
LEAD_NAME, LEAD_EMAIL = "Robin Lead", "robin.lead@example.org"
LEAD_PASSWORD = "lantern lead passphrase"
K = 3  # the smallest k the form allows, to keep the walk short
# Each respondent answers every one of the demo's 17 scale items with one value, so a
# score is 17 x value: round one 17, 34, 51, 68, 85 (mean 255 / 5 = 51.0), round two
# 17, 17, 34, 34, 51 (mean 153 / 5 = 30.6): a change of 30.6 - 51.0 = -20.4.
ANSWERS = {FIRST: ("1", "2", "3", "4", "5"), SECOND: ("1", "1", "2", "2", "3")}
# Five people a round: each mean is shown as the 5-point range it lies in (51.0 and 30.6).
MEANS = {FIRST: "between 50.0 and 55.0", SECOND: "between 30.0 and 35.0"}
CHANGE = "the change lies between −25.0 and −15.0 points"


def _laptop(session: Browsing) -> Page:
    return session.page(**LAPTOP)


def _set_up_membership(core: Page, site: StaffSite) -> None:
    """An organisation and its two teams, through the membership pages."""
    follow(core, "Organisations and teams")
    follow(core, "Add an organisation")
    core.get_by_label("Name").fill(ORGANISATION)
    core.get_by_label("Sector").select_option(label="Health")
    core.get_by_label("Date joined").fill("2024-04-01")
    submit(core, "Add organisation")
    assert f"{ORGANISATION} has been added" in flash_text(core)
    for team in TEAMS:
        core.get_by_label("Team name").fill(team)
        submit(core, "Add team")
        assert f"The team {team} has been added" in flash_text(core)
    names = core.locator("table tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == sorted(TEAMS), names


def _invite_lead(core: Page, session: Browsing, site: StaffSite) -> None:
    """The core team invites a lead of the first team; the lead sets a password via the link."""
    go(core, site, "/manage/leads")
    follow(core, "Invite a team lead", exact=False)
    core.get_by_label("Name").fill(LEAD_NAME)
    core.get_by_label("Email").fill(LEAD_EMAIL)
    choices = options(core, "#access")
    core.get_by_label("Access to").select_option(choices[f"{ORGANISATION}: {TEAMS[0]}"])
    submit(core, "Create the account and link")
    link = core.locator("#link").input_value()
    assert link.startswith(site.url("/auth/invitation/")), link
    # Shown once: a reload no longer has it.
    core.reload()
    assert core.locator("#link").count() == 0

    lead = _laptop(session)
    visit(lead, link, 200)
    lead.get_by_label("New password").fill(LEAD_PASSWORD)
    lead.get_by_label("Type it again").fill(LEAD_PASSWORD)
    submit(lead, "Set password")
    assert lead.url == site.url("/auth/sign-in")
    assert "Your password is set" in flash_text(lead)
    # The link works once.
    visit(lead, link, 404)
    lead.context.close()


def _upload_questionnaire(core: Page, site: StaffSite) -> None:
    """Upload the demo questionnaire through the upload form's file input."""
    go(core, site, "/manage/")
    follow(core, "Questionnaires", exact=False)
    follow(core, "Upload a questionnaire", exact=False)
    core.get_by_label("Questionnaire file (YAML)").set_input_files(QUESTIONNAIRE)
    submit(core, "Check and store")
    assert "Stored as" in flash_text(core), flash_text(core)


def _open_wave(core: Page, site: StaffSite, name: str, opens: date, closes: date) -> dict[str, str]:
    """Open a wave for both teams; return each team's survey link from the wave's page."""
    go(core, site, "/manage/waves")
    follow(core, "Open a wave", exact=False)
    # The form suggests today as the opening day.
    assert core.get_by_label("Opens on").input_value() == date.today().isoformat()
    core.get_by_label("Name", exact=True).fill(name)
    # Both teams are the whole organisation: one tick.
    core.get_by_label(f"All {len(TEAMS)} teams of {ORGANISATION}", exact=False).check()
    core.get_by_label("Opens on").fill(opens.isoformat())
    core.get_by_label("Closes on").fill(closes.isoformat())
    core.get_by_label("Smallest group shown (k)").fill(str(K))
    submit(core, "Open the wave")
    assert f"Opened {name}" in flash_text(core)
    links = {}
    for team in TEAMS:
        card = core.locator(".card", has=core.get_by_role("heading", name=team))
        links[team] = card.locator("a code").inner_text().strip()
        assert links[team].startswith(site.url("/s/")), links[team]
    return links


def _check_poster(core: Page, team: str, link: str) -> None:
    """The team's printable poster carries the link as an SVG QR code and as text."""
    card = core.locator(".card", has=core.get_by_role("heading", name=team))
    with core.expect_navigation():
        card.get_by_role("link", name="Poster to print").click()
    assert core.locator("svg.qr").count() == 1
    assert core.locator("svg.qr title").text_content() == "QR code of the link"
    assert core.locator("svg.qr path").count() >= 1
    assert link in core.inner_text("body")
    core.go_back()


def _collect(session: Browsing, links: dict[str, str], answers: tuple[str, ...]) -> None:
    """Every answer through the team's link, each on its own phone; the first without JS."""
    for link in links.values():
        for number, value in enumerate(answers):
            phone = session.page(**PHONE, java_script_enabled=number != 0)
            respond(phone, link, value)
            phone.context.close()


def _close_and_release(core: Page, site: StaffSite, wave_url: str, name: str) -> None:
    """Close the wave early and make its final release, from the wave's page."""
    visit(core, wave_url, 200)
    # Progress says only "k or more", never a count.
    progress = core.locator("#progress tbody").inner_text()
    assert progress.count(f"{K} or more") == len(TEAMS), progress
    follow(core, "Close early")
    submit(core, "Close the wave now")
    assert f"Closed {name}" in flash_text(core)
    follow(core, "Make the final release")
    submit(core, "Make the final release")
    assert f"Made final release 1 of {name}" in flash_text(core)


def _lead_reads(session: Browsing, site: StaffSite, wave: str) -> Page:
    """The lead signs in, lands on results, and opens the wave's release."""
    lead = _laptop(session)
    sign_in(lead, site, LEAD_EMAIL, LEAD_PASSWORD)
    assert lead.url == site.url("/results/")
    follow(lead, wave)
    main = lead.inner_text("main")
    assert f"Results: {wave}" in main
    # The lead's one team, with a chart and the table beside it; never the other team.
    assert lead.get_by_role("heading", name=TEAMS[0]).count() >= 1
    assert TEAMS[1] not in main
    summary = lead.locator("table", has=lead.locator("caption", has_text="score summary"))
    assert lead.locator("figure.chart-figure svg").count() >= 1
    assert summary.count() >= 1
    # Every response counted, the one given without JavaScript too.
    counted = summary.first.locator("tr", has_text="Responses counted").locator("td")
    assert counted.inner_text() == str(len(ANSWERS[wave]))
    mean = summary.first.locator("tr", has_text="Average (mean)").locator("td").inner_text()
    assert mean == MEANS[wave]
    return lead


def _walk_the_year(session: Browsing, site: StaffSite) -> None:
    today = date.today()
    core = _laptop(session)
    sign_in(core, site, CORE_EMAIL, CORE_PASSWORD)
    assert core.url == site.url("/manage/")
    _set_up_membership(core, site)
    _invite_lead(core, session, site)
    _upload_questionnaire(core, site)

    links = _open_wave(core, site, FIRST, today - timedelta(days=400), today)
    first_wave = core.url
    _check_poster(core, TEAMS[0], links[TEAMS[0]])
    _collect(session, links, ANSWERS[FIRST])
    _close_and_release(core, site, first_wave, FIRST)
    # A closed wave's link tells people so.
    phone = session.page(**PHONE)
    visit(phone, links[TEAMS[0]], 410)
    phone.context.close()

    lead = _lead_reads(session, site, FIRST)
    assert "No comparison" in lead.inner_text("main")
    lead.context.close()

    # A year later: the second round opens today, after the first one's last day.
    links = _open_wave(core, site, SECOND, today, today + timedelta(weeks=4))
    second_wave = core.url
    _collect(session, links, ANSWERS[SECOND])
    _close_and_release(core, site, second_wave, SECOND)

    lead = _lead_reads(session, site, SECOND)
    visit(lead, site.url("/results/"), 200)
    rounds = lead.locator("ul.waves h2").all_inner_texts()
    assert rounds == [SECOND, FIRST], rounds  # newest first
    follow(lead, SECOND)
    # A comparison of two small rounds is the range of the change, in words, and no more.
    assert CHANGE in lead.inner_text("main")
    assert lead.locator("caption", has_text=f"change since {FIRST}").count() == 0


def test_a_year_of_work_through_the_pages(browser: Browser, tmp_path: Path) -> None:
    started = time.monotonic()
    with serve_seeded(tmp_path, seed_core_account) as site:
        session = Browsing(browser, site)
        try:
            _walk_the_year(session, site)
        finally:
            session.close()
    assert session.foreign == [], session.foreign
    print(f"a year through the pages took {time.monotonic() - started:.1f} s")
