"""A lead reads a release in a real browser: first screen, trend, heatmap, actions, report.

The demo is served with its two released synthetic rounds; the demo lead holds the
organisation, so the page has a heatmap. The lead records an action after the first round
and finds it beside the second round's results, then prints the page to PDF with
Chromium's own printing. Screenshots go to test-artifacts/screenshots for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Release, Wave
from tests.browser.audit import CHECKS
from tests.browser.live import LAPTOP, Browsing
from tests.browser.staff import StaffSite, go, seed_demo_history, serve_seeded, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_site(tmp_path: Path) -> Iterator[StaffSite]:
    """The demo with its released history."""
    with serve_seeded(tmp_path, seed_demo_history) as site:
        yield site


def _releases(site: StaffSite) -> list[str]:
    """The demo's screening releases as page addresses, oldest round first.

    The demo's perspective surveys (issue 15) release too; they have no scales.
    """
    with site.app.app_context():
        rows = db.session.execute(
            select(Release.wave_id, Release.sequence, Release.payload)
            .join(Wave)
            .order_by(Wave.opens_on)
        ).all()
    return [
        f"/results/release/{wave}/{sequence}"
        for wave, sequence, payload in rows
        if json.loads(payload)["scales"]
    ]


def _no_axe_violations(page: Page, name: str) -> None:
    found = CHECKS["axe"](page)
    assert not found, f"[{name}] axe-core violations:\n" + "\n".join(found)


def test_a_lead_reads_acts_and_prints(
    browser: Browser, staff_site: StaffSite, screenshots: Path
) -> None:
    session = Browsing(browser, staff_site)
    try:
        _tour(session.page(**LAPTOP), staff_site, screenshots)
    finally:
        session.close()
    assert session.foreign == []


def _tour(page: Page, site: StaffSite, screenshots: Path) -> None:
    baseline, follow_up = _releases(site)
    sign_in(page, site, *site.accounts["lead"])

    # After the first round, the lead records what District nursing will do.
    go(page, site, baseline)
    nursing = page.locator(
        "section.group", has=page.get_by_role("heading", name="District nursing", exact=False)
    ).last
    nursing.get_by_text("Record an action for").click()
    nursing.get_by_label("What will you do?").fill("Start monthly reflective practice")
    nursing.get_by_label("Focus (the Four R's)").select_option("respond")
    nursing.get_by_label("Who leads it (a role, not a name)").fill("Team manager")
    nursing.get_by_label("Due by (optional)").fill("2027-01-31")
    with page.expect_navigation():
        nursing.get_by_role("button", name="Record action").click()
    assert "Action recorded." in page.inner_text("main [role=status]")

    # The next round: the first screen in plain words, with participation.
    go(page, site, follow_up)
    page.screenshot(path=str(screenshots / "lead-release-first-screen.png"))
    team = page.locator("section.group").filter(has_text="District nursing").last
    first = team.locator(".first-screen")
    words = first.inner_text()
    assert "STSS: the average is" in words and "band" in words
    assert "Higher means more secondary traumatic stress." in words
    assert "17 of 22 people answered (77%)." in words
    # The mean sits on the chart against the published bands; band shares are intervals.
    assert "Bands: Little or no secondary traumatic stress 17 to 27" in (
        team.locator("figure svg").first.get_attribute("aria-label") or ""
    )
    assert "ranges never add up to 100%" in team.inner_text()

    # The trend: both rounds, each with its interval.
    rounds = team.get_by_role("table", name="every round")
    assert rounds.locator("tbody tr").count() == 2
    assert "this round" in rounds.inner_text()

    # What we said we would do, beside the new results.
    said = team.locator(".plan")
    assert "Start monthly reflective practice" in said.inner_text()
    assert "Respond with policy and practice" in said.inner_text()
    said.screenshot(path=str(screenshots / "lead-release-actions.png"))

    # Items behind a disclosure control that looks like one, with the version's wording.
    items = team.locator("details.disclosure").filter(has_text="average answer").first
    assert not items.locator("table").is_visible()
    items.locator("summary").click()
    assert items.locator("table").is_visible()
    assert "Lantern's own demo wording" in items.inner_text()

    # The heatmap: each group links to its section.
    heat = page.get_by_role(
        "table", name="Average of each group on every scale and subscale, with its band"
    )
    heat.screenshot(path=str(screenshots / "lead-heatmap.png"))
    heat.get_by_role("link", name="Family support").click()
    page.wait_for_url("**#group-team-*")
    _no_axe_violations(page, "release")

    # The report for the team meeting: A4, no navigation, charts and tables kept.
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    assert page.locator("figure svg").first.is_visible()
    assert not page.get_by_text("Record an action for").first.is_visible()
    # Chromium prints with print media unless told otherwise; say so explicitly, as a user would.
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 3
    (screenshots / "lead-report.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")

    go(page, site, "/results/actions")
    assert "Start monthly reflective practice" in page.inner_text("main")
    _no_axe_violations(page, "actions")

    go(page, site, "/results/nowhere", status=404)
    assert page.get_by_role("navigation", name="Staff pages").is_visible()
    assert "Leave this site quickly" not in page.inner_text("body")
    _no_axe_violations(page, "not-found")
