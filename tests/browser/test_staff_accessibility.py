"""Accessibility of every lead and core-team page: axe-core (WCAG 2.2 A/AA) and measured checks.

The demo is served with its released history, so results pages have charts. One tour
per viewport runs once per module; the tests then read its findings, so a failure names
the check, the page and the element.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.models import Organisation, QuestionnaireVersion, Release, SurveyLink, Wave
from tests.browser.audit import CHECKS
from tests.browser.live import LAPTOP, PHONE, Browsing
from tests.browser.staff import (
    StaffSite,
    follow,
    go,
    seed_demo_history,
    serve_seeded,
    sign_in,
)
from tests.browser.test_accessibility import Audit
from tests.browser.tour import submit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

# Every staff page, in the order the tour reaches it.
STAFF_TOUR = (
    "sign-in",
    "sign-in-failed",
    "manage-home",
    "account",
    "organisations",
    "organisation-new",
    "organisation-new-errors",
    "organisation",
    "leads",
    "lead-invite",
    "lead-link",
    "lead",
    "invitation-accept",
    "signposting",
    "signposting-new",
    "questionnaires",
    "questionnaire-upload",
    "questionnaire-version",
    "questionnaire-preview",
    "waves",
    "wave-new",
    "wave",
    "wave-close-confirm",
    "poster",
    "free-text",
    "results",
    "release",
    "lead-results",
    "lead-release",
    "lead-actions",
    "lead-not-found",
)


@dataclass(frozen=True)
class DemoIds:
    """Where the demo's records are, for addresses the tour opens."""

    organisation: int
    version: int
    open_wave: int
    link: int
    released_wave: int
    release: str  # wave/number, as pages address it


def demo_ids(site: StaffSite) -> DemoIds:
    """The ids of the demo organisation, questionnaire, open wave and latest release."""
    with site.app.app_context():
        organisation = db.session.scalars(select(Organisation)).first()
        version = db.session.scalars(select(QuestionnaireVersion)).first()
        open_wave = db.session.scalars(select(Wave).where(Wave.synthetic.is_(False))).one()
        link = db.session.scalars(
            select(SurveyLink).where(SurveyLink.wave_id == open_wave.id)
        ).first()
        # The latest screening release (the demo's perspective surveys release too).
        release = next(
            (
                r
                for r in db.session.scalars(select(Release).order_by(Release.id.desc()))
                if json.loads(r.payload)["scales"]
            ),
            None,
        )
        assert organisation and version and link and release
        ids = DemoIds(
            organisation.id,
            version.id,
            open_wave.id,
            link.id,
            release.wave_id,
            f"{release.wave_id}/{release.sequence}",
        )
        db.session.remove()
    return ids


class AuditSession(Browsing):
    """Browsing that remembers which page the tour is on."""

    current: Page


def staff_tour(session: AuditSession, site: StaffSite, options: dict[str, Any]) -> Iterator[str]:
    """Reach every staff page in turn and yield its name (see STAFF_TOUR) while on it.

    `session.current` is the page being audited (the core member's, a new lead's, or a lead's).
    """
    ids = demo_ids(site)
    core = session.page(**options)
    session.current = core
    go(core, site, "/auth/sign-in")
    yield "sign-in"
    email, password = site.accounts["core"]
    core.get_by_label("Email").fill(email)
    core.get_by_label("Password").fill("not the password")
    submit(core, "Sign in", status=422)
    yield "sign-in-failed"
    sign_in(core, site, email, password)
    yield "manage-home"
    for name, path in (
        ("account", "/auth/account"),
        ("organisations", "/manage/organisations"),
        ("organisation-new", "/manage/organisations/new"),
    ):
        go(core, site, path)
        yield name
    submit(core, "Add organisation", status=422)
    yield "organisation-new-errors"
    for name, path in (
        ("organisation", f"/manage/organisations/{ids.organisation}"),
        ("leads", "/manage/leads"),
        ("lead-invite", "/manage/leads/invite"),
    ):
        go(core, site, path)
        yield name
    core.get_by_label("Name").fill("Audit Lead")
    core.get_by_label("Email").fill("audit.lead@example.org")
    core.get_by_label("Access to").select_option(index=1)
    submit(core, "Create the account and link")
    link = core.locator("#link").input_value()
    yield "lead-link"
    follow(core, "Go to Audit Lead's page")
    yield "lead"

    newcomer = session.page(**options)
    session.current = newcomer
    go(newcomer, site, link.removeprefix(site.base_url))
    yield "invitation-accept"
    newcomer.context.close()

    session.current = core
    for name, path in (
        ("signposting", "/manage/signposting"),
        ("signposting-new", "/manage/signposting/new"),
        ("questionnaires", "/manage/questionnaires"),
        ("questionnaire-upload", "/manage/questionnaires/upload"),
        ("questionnaire-version", f"/manage/questionnaires/{ids.version}"),
        ("questionnaire-preview", f"/manage/questionnaires/{ids.version}/preview"),
        ("waves", "/manage/waves"),
        ("wave-new", "/manage/waves/new"),
        ("wave", f"/manage/waves/{ids.open_wave}"),
        ("wave-close-confirm", f"/manage/waves/{ids.open_wave}/close"),
        ("poster", f"/manage/links/{ids.link}/poster"),
        ("free-text", f"/manage/waves/{ids.released_wave}/free-text"),
        ("results", "/results/"),
        ("release", f"/results/release/{ids.release}"),
    ):
        go(core, site, path)
        yield name

    lead = session.page(**options)
    session.current = lead
    sign_in(lead, site, *site.accounts["lead"])
    yield "lead-results"
    go(lead, site, f"/results/release/{ids.release}")
    assert lead.locator("figure svg").count() >= 1
    yield "lead-release"
    go(lead, site, "/results/actions")
    yield "lead-actions"
    go(lead, site, "/results/no-such-page", status=404)
    yield "lead-not-found"


def run_audit(
    browser: Browser, workdir: Path, options: dict[str, Any], checks: dict[str, Callable[..., Any]]
) -> Audit:
    """Tour every staff page and run the checks on each."""
    audit = Audit()
    with serve_seeded(workdir, seed_demo_history) as site:
        session = AuditSession(browser, site)
        try:
            for name in staff_tour(session, site, options):
                audit.pages.append(name)
                for check, run in checks.items():
                    audit.findings.setdefault(check, []).extend(
                        f"[{name}] {line}" for line in run(session.current)
                    )
        finally:
            session.close()
        audit.foreign = session.foreign
    for check, lines in audit.findings.items():
        for line in lines:
            print(f"{check}: {line}")
    return audit


@pytest.fixture(scope="module")
def phone_audit(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """Every check on every staff page, on a phone whose owner asked for reduced motion."""
    options = {**PHONE, "reduced_motion": "reduce"}
    return run_audit(browser, tmp_path_factory.mktemp("staff-phone"), options, CHECKS)


@pytest.fixture(scope="module")
def laptop_audit(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """axe-core on every staff page at laptop size."""
    checks = {"axe": CHECKS["axe"]}
    return run_audit(browser, tmp_path_factory.mktemp("staff-laptop"), LAPTOP, checks)


@pytest.fixture(params=["phone", "laptop"])
def audit(request: pytest.FixtureRequest) -> Iterator[Audit]:
    """The phone or the laptop audit."""
    yield request.getfixturevalue(f"{request.param}_audit")


def test_every_staff_page_was_audited(phone_audit: Audit, laptop_audit: Audit) -> None:
    assert tuple(phone_audit.pages) == STAFF_TOUR
    assert tuple(laptop_audit.pages) == STAFF_TOUR
    assert phone_audit.foreign == laptop_audit.foreign == []


def test_axe_finds_no_wcag_22_aa_violation_on_staff_pages(audit: Audit) -> None:
    assert not audit.findings["axe"], "axe-core violations:\n" + audit.report("axe")


def test_staff_pages_zoomed_to_200_percent_need_no_sideways_scrolling(phone_audit: Audit) -> None:
    assert not phone_audit.findings["text-zoom"], phone_audit.report("text-zoom")


def test_staff_touch_targets_are_at_least_24_css_px(phone_audit: Audit) -> None:
    assert not phone_audit.findings["targets"], phone_audit.report("targets")


def test_every_staff_control_has_a_label(phone_audit: Audit) -> None:
    assert not phone_audit.findings["labels"], phone_audit.report("labels")


def test_one_h1_a_language_and_a_title_on_every_staff_page(phone_audit: Audit) -> None:
    assert not phone_audit.findings["structure"], phone_audit.report("structure")


def test_staff_pages_respect_reduced_motion(phone_audit: Audit) -> None:
    assert not phone_audit.findings["motion"], phone_audit.report("motion")
