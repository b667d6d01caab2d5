"""The core team's questionnaire editor, accounts, audit log and key health, in Chromium.

The editor is driven with JavaScript switched off (every row is added by a submit button),
the audit log is read back for what was just done, and every new page is checked with
axe-core (and, on a phone, the measured checks) at laptop and phone sizes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

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
from tests.browser.test_accessibility import Audit
from tests.browser.tour import submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new core passphrase"
TRICKY = ['Work: it "stayed" with me', "- yes: no #3", "It's 50% of the time: {really}"]


@pytest.fixture
def staff_site(tmp_path: Path) -> Iterator[StaffSite]:
    """A fresh site with only the first core-team account."""
    with serve_seeded(tmp_path, seed_core_account) as site:
        yield site


def build_questionnaire(page: Page, site: StaffSite) -> None:
    """Build a small STSS questionnaire in the editor, without JavaScript, up to the preview."""
    go(page, site, "/manage/questionnaires")
    follow(page, "Build a questionnaire")
    page.get_by_label("Title").fill("Autumn check-in: our own words")
    page.get_by_label("Add a scale").select_option("stss")
    submit(page, "Add this scale")
    for number in range(1, 18):
        wording = TRICKY[number - 1] if number <= len(TRICKY) else f"Own demo wording {number}"
        page.get_by_label(f"Item {number}", exact=True).fill(wording)
    submit(page, "Add “Which of these best describes your role?”")
    submit(page, "Add an answer")
    page.get_by_label("Answer 5", exact=True).fill("Volunteer")
    page.get_by_label("Items on each page").fill("9")
    submit(page, "Move Context questions earlier")
    page.get_by_role("button", name="Preview on a phone").first.click()
    page.wait_for_load_state()


def test_a_questionnaire_is_built_previewed_and_saved_and_the_audit_log_shows_it(
    browser: Browser, staff_site: StaffSite, screenshots: Path
) -> None:
    session = Browsing(browser, staff_site)
    try:
        # The phone first: each sign-in ends the account's other sessions.
        phone = session.page(**PHONE, java_script_enabled=False)
        sign_in(phone, staff_site, *staff_site.accounts["core"])
        build_questionnaire(phone, staff_site)
        phone.locator("#preview").screenshot(path=str(screenshots / "editor-preview-phone.png"))

        page = session.page(**LAPTOP, java_script_enabled=False)
        sign_in(page, staff_site, *staff_site.accounts["core"])
        build_questionnaire(page, staff_site)
        preview = page.locator("#preview")
        assert preview.is_visible()
        frame = page.locator(".phone")
        assert frame.bounding_box()["width"] <= 24 * 16 + 1  # type: ignore[index]
        shown = frame.inner_text()
        assert all(text in shown for text in TRICKY) and "Volunteer" in shown
        pages = page.locator(".phone-page h2").all_inner_texts()
        assert pages[1] == "A little about you"  # the context page moved first
        assert len(pages) == 1 + 1 + 2  # welcome, context, STSS in pages of 9 and 8
        page.screenshot(path=str(screenshots / "editor-preview-laptop.png"), full_page=True)
        for n, shot in enumerate(("welcome", "context", "items")):
            frame.locator(".phone-page").nth(n).screenshot(
                path=str(screenshots / f"editor-preview-{shot}.png")
            )
        page.locator("form section.card").first.screenshot(
            path=str(screenshots / "editor-scale-card.png")
        )
        page.locator("form section.card").nth(1).screenshot(
            path=str(screenshots / "editor-context-card.png")
        )

        submit(page, "Save as a new version")
        assert "Stored as autumn-check-in-our-own-words version 1" in flash_text(page)
        assert page.locator("h1").inner_text() == "Autumn check-in: our own words"

        go(page, staff_site, "/auth/account")
        page.get_by_label("Your current password").fill(staff_site.accounts["core"][1])
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Type it again").fill(NEW_PASSWORD)
        submit(page, "Change my password")
        assert "Your password is changed" in flash_text(page)
        page.get_by_label("What the token is for").fill("monthly report")
        submit(page, "Make a new token")
        assert page.locator("#new-token").input_value().startswith("lantern_")
        submit(page, "Sign out")
        sign_in(page, staff_site, staff_site.accounts["core"][0], NEW_PASSWORD)
        assert page.url.endswith("/manage/")

        go(page, staff_site, "/manage/audit")
        log = page.locator("table").inner_text()
        for action in ("questionnaire built in the editor", "password set", "api token issued"):
            assert action in log, action
        page.get_by_label("Action").select_option("password set")
        submit(page, "Show")
        rows = page.locator("tbody tr").all_inner_texts()
        assert len(rows) == 1 and "First core member" in rows[0]
        page.screenshot(path=str(screenshots / "audit-log-laptop.png"), full_page=True)
    finally:
        session.close()
    assert session.foreign == []


# The new pages, in the order the tour reaches them.
ADMIN_TOUR = (
    "editor-empty",
    "editor-errors",
    "editor-preview",
    "questionnaire-format",
    "account-token",
    "accounts",
    "accounts-invite",
    "accounts-invite-errors",
    "accounts-link",
    "audit-log",
    "key-health",
    "key-health-checked",
)


def admin_tour(page: Page, site: StaffSite) -> Iterator[str]:
    """Reach every new page and yield its name while on it."""
    sign_in(page, site, *site.accounts["core"])
    go(page, site, "/manage/questionnaires/editor")
    page.get_by_label("Add a scale").select_option("stss")
    submit(page, "Add this scale")
    yield "editor-empty"
    submit(page, "Add a choice question")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    yield "editor-errors"
    build_questionnaire(page, site)
    yield "editor-preview"
    go(page, site, "/manage/questionnaires/format")
    yield "questionnaire-format"
    go(page, site, "/auth/account")
    page.get_by_label("What the token is for").fill("audit script")
    submit(page, "Make a new token")
    yield "account-token"
    go(page, site, "/manage/accounts")
    yield "accounts"
    follow(page, "Invite a core-team member")
    yield "accounts-invite"
    submit(page, "Create the account and link", status=422)
    yield "accounts-invite-errors"
    page.get_by_label("Name").fill("Second Member")
    page.get_by_label("Email").fill("second@example.org")
    submit(page, "Create the account and link")
    yield "accounts-link"
    go(page, site, "/manage/audit")
    yield "audit-log"
    go(page, site, "/manage/keys")
    yield "key-health"
    submit(page, "Check every stored response now")
    yield "key-health-checked"


def run_admin_audit(
    browser: Browser, workdir: Path, options: dict[str, Any], checks: dict[str, Any], shots: Path
) -> Audit:
    """Tour the new pages and run the checks on each, with a screenshot of each."""
    audit = Audit()
    with serve_seeded(workdir, seed_core_account) as site:
        session = Browsing(browser, site)
        try:
            page = session.page(**options)
            size = "phone" if options["viewport"]["width"] < 600 else "laptop"
            for name in admin_tour(page, site):
                audit.pages.append(name)
                page.screenshot(path=str(shots / f"admin-{name}-{size}.png"), full_page=True)
                for check, run in checks.items():
                    audit.findings.setdefault(check, []).extend(
                        f"[{name}] {line}" for line in run(page)
                    )
        finally:
            session.close()
        audit.foreign = session.foreign
    return audit


@pytest.fixture(scope="module")
def admin_phone(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, screenshots: Path
) -> Audit:
    """Every check on every new page, on a phone whose owner asked for reduced motion."""
    options = {**PHONE, "reduced_motion": "reduce"}
    return run_admin_audit(
        browser, tmp_path_factory.mktemp("admin-phone"), options, CHECKS, screenshots
    )


@pytest.fixture(scope="module")
def admin_laptop(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, screenshots: Path
) -> Audit:
    """axe-core on every new page at laptop size."""
    checks = {"axe": CHECKS["axe"]}
    return run_admin_audit(
        browser, tmp_path_factory.mktemp("admin-laptop"), LAPTOP, checks, screenshots
    )


def test_every_new_page_was_reached(admin_phone: Audit, admin_laptop: Audit) -> None:
    assert tuple(admin_phone.pages) == tuple(admin_laptop.pages) == ADMIN_TOUR
    assert admin_phone.foreign == admin_laptop.foreign == []


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_axe_finds_no_violation_on_the_new_pages(
    size: str, admin_phone: Audit, admin_laptop: Audit
) -> None:
    audit = admin_phone if size == "phone" else admin_laptop
    assert not audit.findings["axe"], "axe-core violations:\n" + audit.report("axe")


@pytest.mark.parametrize("check", ["text-zoom", "targets", "labels", "structure", "motion"])
def test_the_new_pages_pass_the_measured_checks_on_a_phone(check: str, admin_phone: Audit) -> None:
    assert not admin_phone.findings.get(check), admin_phone.report(check)
