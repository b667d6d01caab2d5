"""The workspace at alliance scale, in a real browser, at laptop and phone sizes.

Only the first core account is seeded (and the demo questionnaire); everything else goes
through the pages: importing 34 organisations from a CSV with bad rows (every problem shown,
nothing stored), then the fixed file (all stored); opening a wave for a whole organisation
in one step; printing every poster of a wave as one PDF; the wave's state after closing
early, closing and releasing. axe-core runs on every page this adds, and each is saved as
a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Organisation, Team, Wave
from survey.services.questionnaires import store_questionnaire_file
from survey.services.waves import WavePlan, open_wave
from tests.alliance_file import alliance_rows, as_csv
from tests.browser.audit import CHECKS
from tests.browser.live import LAPTOP, PHONE, Browsing
from tests.browser.staff import (
    StaffSite,
    flash_text,
    follow,
    go,
    seed_core_account,
    serve_seeded,
    sign_in,
)
from tests.browser.tour import submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}
ORGANISATIONS, TEAMS = 34, 250


def seed(kek: bytes, questionnaire_dir: Path) -> dict[str, tuple[str, str]]:
    """The first core account and the demo questionnaire: nothing else."""
    store_questionnaire_file(questionnaire_dir / "demo-sts.yaml")
    return seed_core_account(kek, questionnaire_dir)


class Findings:
    """axe-core's findings on each page visited, and a screenshot of each."""

    def __init__(self, folder: Path, size: str) -> None:
        self.folder, self.size = folder, size
        self.pages: list[str] = []
        self.violations: list[str] = []

    def check(self, page: Page, name: str) -> None:
        self.pages.append(name)
        shot = self.folder / f"scale-{name}-{self.size}"
        page.screenshot(path=f"{shot}.png", full_page=True, scale="css")
        page.screenshot(path=f"{shot}-first-screen.png", scale="css")
        self.violations += [f"[{name}] {line}" for line in CHECKS["axe"](page)]


def counts(site: StaffSite) -> tuple[int, int]:
    with site.app.app_context():
        found = (
            db.session.scalar(select(func.count()).select_from(Organisation)) or 0,
            db.session.scalar(select(func.count()).select_from(Team)) or 0,
        )
        db.session.remove()
    return found


def upload(page: Page, text: str, tmp: Path, status: int) -> None:
    file = tmp / "alliance.csv"
    file.write_text(text, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(file))
    submit(page, "Check the file", status=status)


def set_wave_dates(site: StaffSite, name: str, opens: int, closes: int) -> None:
    with site.app.app_context():
        wave = db.session.scalars(select(Wave).where(Wave.name == name)).one()
        wave.opens_on = date.today() + timedelta(days=opens)
        wave.closes_on = date.today() + timedelta(days=closes)
        db.session.commit()
        db.session.remove()


def state_on_page(page: Page) -> str:
    return page.locator("td.wave-state").first.inner_text()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_an_alliance_from_a_csv_to_a_released_wave(
    browser: Browser, tmp_path: Path, screenshots: Path, size: str
) -> None:
    findings = Findings(screenshots, size)
    options: dict[str, Any] = VIEWPORTS[size]
    with serve_seeded(tmp_path, seed) as site:
        session = Browsing(browser, site)
        try:
            page = session.page(**options)
            sign_in(page, site, *site.accounts["core"])
            findings.check(page, "home")

            # A file with three bad rows: every problem shown at once, nothing stored.
            rows = alliance_rows(ORGANISATIONS, TEAMS)
            good = as_csv(rows)
            rows[4][1] = "helth"
            rows[11][5] = "4; 5"
            rows[30][2] = "sometime in 2023"
            go(page, site, "/manage/organisations/import")
            findings.check(page, "import")
            upload(page, as_csv(rows), tmp_path, status=422)
            problems = page.locator("#problems li")
            assert problems.count() == 3
            text = page.locator("#problems").inner_text()
            for line, name in (
                (6, "Member 05 Trust"),
                (13, "Member 12 Trust"),
                (32, "Member 31 Trust"),
            ):
                assert f"Line {line} ({name})" in text
            assert page.locator("table.import-rows tbody tr").count() == ORGANISATIONS
            assert page.get_by_role("button", name=re.compile("^Store")).count() == 0
            findings.check(page, "import-problems")
            assert counts(site) == (0, 0)

            # The fixed file: previewed, then stored in one step.
            follow(page, "← Upload another file")
            upload(page, good, tmp_path, status=200)
            assert f"adds {ORGANISATIONS} organisations and {TEAMS} teams" in page.inner_text(
                "#summary"
            )
            findings.check(page, "import-preview")
            assert counts(site) == (0, 0)
            submit(page, f"Store all {ORGANISATIONS} rows")
            assert (
                f"{ORGANISATIONS} organisations added, 0 changed, {TEAMS} teams added"
                in flash_text(page)
            )
            assert counts(site) == (ORGANISATIONS, TEAMS)

            # One organisation's every team in one tick (its teams stay folded away).
            go(page, site, "/manage/waves/new")
            search = page.get_by_label("Find an organisation or team")
            search.fill("member 07")
            assert page.locator(".org-choice:visible").count() == 1
            findings.check(page, "wave-new")
            page.get_by_label("Name", exact=True).fill("Spring round")
            page.get_by_label("Questionnaire version").select_option(index=0)
            page.get_by_label(re.compile(r"All \d+ teams of Member 07 Trust")).check()
            submit(page, "Open the wave")
            with site.app.app_context():
                wave = db.session.scalars(select(Wave)).one()
                wave_id, link_count, link_id = wave.id, len(wave.links), wave.links[0].id
                expected = {t.name for t in wave.links[0].team.organisation.teams}
                assert {link.team.name for link in wave.links} == expected
                db.session.remove()
            assert link_count == len(rows[6][4].split("; "))
            assert state_on_page(page) == "open"
            findings.check(page, "wave")

            # Every poster at once: one printed A4 page per team.
            follow(page, "Print every poster")
            assert page.locator("article.poster").count() == link_count
            findings.check(page, "posters")
            if size == "laptop":
                page.emulate_media(media="print")
                pdf = page.pdf(format="A4", print_background=True)
                assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == link_count
                (screenshots / "scale-posters.pdf").write_bytes(pdf)
                page.emulate_media(media="screen")

            # Close early: the state, the dates and the actions follow.
            go(page, site, f"/manage/waves/{wave_id}/close")
            submit(page, "Close the wave now")
            assert state_on_page(page) == "closed early"
            main = page.inner_text("main")
            assert "closed early on" in main and "the final release can be made now" in main
            for gone in ("Poster to print", "Print every poster", "Close early", "Stop link"):
                assert page.get_by_role("link", name=gone).count() == 0, gone
            findings.check(page, "wave-closed-early")
            go(page, site, f"/manage/links/{link_id}/rotate", status=409)
            findings.check(page, "refused")

            # Closed on its day rather than early, then released: no second release offered.
            go(page, site, f"/manage/waves/{wave_id}/extend")
            page.get_by_label("New closing date").fill(
                (date.today() + timedelta(days=9)).isoformat()
            )
            submit(page, "Extend the wave")
            assert state_on_page(page) == "open"
            set_wave_dates(site, "Spring round", -20, -1)
            go(page, site, f"/manage/waves/{wave_id}")
            assert state_on_page(page) == "closed"
            go(page, site, "/manage/")
            assert "Spring round" in page.locator(".reminders").inner_text()
            follow(page, "Spring round")
            follow(page, "Make the final release")
            submit(page, "Make the final release")
            assert state_on_page(page) == "released"
            assert page.get_by_role("link", name="Make the final release").count() == 0
            findings.check(page, "wave-released")
            go(page, site, "/manage/waves")
            assert state_on_page(page) == "released"
            follow(page, "Release 1 of Spring round")
            assert page.url.endswith(f"/results/release/{wave_id}/1")
        finally:
            session.close()
    assert findings.pages == [
        "home",
        "import",
        "import-problems",
        "import-preview",
        "wave-new",
        "wave",
        "posters",
        "wave-closed-early",
        "refused",
        "wave-released",
    ]
    assert not findings.violations, "axe-core violations:\n" + "\n".join(findings.violations)


def seed_coded_wave(kek: bytes, questionnaire_dir: Path) -> dict[str, tuple[str, str]]:
    """The first core account and a wave in code mode for one organisation's three teams."""
    made = seed_core_account(kek, questionnaire_dir)
    version = store_questionnaire_file(questionnaire_dir / "demo-sts.yaml")
    organisation = Organisation(name="Harbour Trust", sector="housing")
    teams = [Team(name=name, organisation=organisation) for name in ("Day", "Night", "Outreach")]
    db.session.add_all([organisation, *teams])
    db.session.commit()
    plan = WavePlan("Coded round", version, teams, date.today(), date.today() + timedelta(days=20))
    open_wave(replace(plan, uses_codes=True), kek)
    return made


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_code_sheets_for_several_teams_shown_once_then_one_voided(
    browser: Browser, tmp_path: Path, screenshots: Path, size: str
) -> None:
    findings = Findings(screenshots, size)
    with serve_seeded(tmp_path, seed_coded_wave) as site:
        session = Browsing(browser, site)
        try:
            page = session.page(**VIEWPORTS[size])
            sign_in(page, site, *site.accounts["core"])
            with site.app.app_context():
                wave_id = db.session.scalars(select(Wave.id)).one()
                db.session.remove()
            go(page, site, f"/manage/waves/{wave_id}/codes")
            page.get_by_label("Day (Harbour Trust)").fill("6")
            page.get_by_label("Outreach (Harbour Trust)").fill("4")
            findings.check(page, "codes")
            submit(page, "Make the codes and show the sheets")
            assert page.locator(".slip-code").count() == 10
            key = page.locator(".sheet-key code").first.inner_text()
            findings.check(page, "code-sheets")
            reloaded = page.reload()
            assert reloaded is not None and reloaded.status == 410
            assert page.locator(".slip-code").count() == 0
            findings.check(page, "code-sheets-shown")
            go(page, site, f"/manage/waves/{wave_id}/codes")
            follow(page, "Void this sheet of Day", exact=False)
            page.get_by_label("Void key printed on the sheet").fill("ACDEF-GHJKM-NPRTW-XY346")
            submit(page, "Void the sheet", status=422)
            findings.check(page, "void-refused")
            page.get_by_label("Void key printed on the sheet").fill(key)
            submit(page, "Void the sheet")
            assert "is void" in flash_text(page)
            assert "void since" in page.inner_text("main")
        finally:
            session.close()
    assert findings.pages == ["codes", "code-sheets", "code-sheets-shown", "void-refused"]
    assert not findings.violations, "axe-core violations:\n" + "\n".join(findings.violations)
