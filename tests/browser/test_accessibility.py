"""Accessibility of every respondent page: axe-core (WCAG 2.2 A/AA) and measured checks.

Each viewport's tour runs once per module; the tests then read its findings, so a
failure names the check, the page and the element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.audit import CHECKS
from tests.browser.live import LAPTOP, PHONE, Browsing, serve_demo
from tests.browser.tour import TOUR, tour

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@dataclass
class Audit:
    """What each check found on each page of one tour."""

    pages: list[str] = field(default_factory=list)
    findings: dict[str, list[str]] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)

    def report(self, check: str) -> str:
        """The findings of one check, one per line."""
        return "\n".join(self.findings.get(check, []))


def run_audit(
    browser: Browser, workdir: Path, options: dict[str, Any], checks: dict[str, Callable[..., Any]]
) -> Audit:
    """Tour every respondent page in one context and run the checks on each."""
    audit = Audit()
    with serve_demo(workdir) as site:
        browsing = Browsing(browser, site)
        try:
            page: Page = browsing.page(**options)
            for name in tour(page, site):
                audit.pages.append(name)
                for check, run in checks.items():
                    audit.findings.setdefault(check, []).extend(
                        f"[{name}] {line}" for line in run(page)
                    )
        finally:
            browsing.close()
        audit.foreign = browsing.foreign
    return audit


@pytest.fixture(scope="module")
def phone_audit(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """Every check on every page, on a phone whose owner asked for reduced motion."""
    options = {**PHONE, "reduced_motion": "reduce"}
    return run_audit(browser, tmp_path_factory.mktemp("phone"), options, CHECKS)


@pytest.fixture(scope="module")
def laptop_audit(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """axe-core on every page at laptop size."""
    return run_audit(browser, tmp_path_factory.mktemp("laptop"), LAPTOP, {"axe": CHECKS["axe"]})


@pytest.fixture(params=["phone", "laptop"])
def audit(request: pytest.FixtureRequest) -> Iterator[Audit]:
    """The phone or the laptop audit."""
    yield request.getfixturevalue(f"{request.param}_audit")


def test_every_respondent_page_was_audited(phone_audit: Audit, laptop_audit: Audit) -> None:
    assert tuple(phone_audit.pages) == TOUR
    assert tuple(laptop_audit.pages) == TOUR
    assert phone_audit.foreign == laptop_audit.foreign == []


def test_axe_finds_no_wcag_22_aa_violation(audit: Audit) -> None:
    assert audit.pages
    assert not audit.findings["axe"], "axe-core violations:\n" + audit.report("axe")


def test_text_zoomed_to_200_percent_needs_no_sideways_scrolling(phone_audit: Audit) -> None:
    assert not phone_audit.findings["text-zoom"], phone_audit.report("text-zoom")


def test_no_word_is_split_across_lines_at_200_percent_text(phone_audit: Audit) -> None:
    assert not phone_audit.findings["split-words"], phone_audit.report("split-words")


def test_touch_targets_are_at_least_24_css_px(phone_audit: Audit) -> None:
    assert not phone_audit.findings["targets"], phone_audit.report("targets")


def test_every_control_has_a_label(phone_audit: Audit) -> None:
    assert not phone_audit.findings["labels"], phone_audit.report("labels")


def test_one_h1_a_language_and_a_title_on_every_page(phone_audit: Audit) -> None:
    assert not phone_audit.findings["structure"], phone_audit.report("structure")


def test_reduced_motion_is_respected(phone_audit: Audit) -> None:
    assert not phone_audit.findings["motion"], phone_audit.report("motion")


# A page with one known fault for each check, to prove the checks can fail.
FAULTY = """<!doctype html><html><head><title>Faulty</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>One</h1><h1>Two</h1>
<input type="text">
<button style="width:10px;height:10px;padding:0;border:0"></button>
<p style="color:#bbb;background:#fff">Faint text</p>
<p style="transition:opacity 1s">Moving</p>
<p><a href="#x">https://example.org/averylongaddresswithnowheretowrapatall</a></p>
<p style="width:4em;overflow-wrap:anywhere">Compassion</p>
</body></html>"""


def test_the_checks_catch_known_faults(browser: Browser) -> None:
    context = browser.new_context(**PHONE, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.set_content(FAULTY)
        found = {name: run(page) for name, run in CHECKS.items()}
    finally:
        context.close()
    rules = {line.split(" ")[0] for line in found["axe"]}
    assert {"html-has-lang", "label", "button-name", "color-contrast"} <= rules, found["axe"]
    assert any("2 h1 elements" in line for line in found["structure"])
    assert any("html lang is ''" in line for line in found["structure"])
    assert any("scrolls sideways" in line for line in found["text-zoom"])
    assert any("<button" in line for line in found["targets"])
    assert any("no label" in line for line in found["labels"])
    assert any("no accessible name: <button" in line for line in found["labels"])
    assert any("transitions" in line for line in found["motion"])
    assert any('"Compassion" split' in line for line in found["split-words"])
