"""Browser fixtures: Debian's Chromium under Playwright, the demo on a live server.

Every test here carries the `browser` marker. Without /usr/bin/chromium (or the
playwright package) they are skipped with the reason, and the run ends with a
line saying so, so a green run never hides that the browser tests did not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.live import Browsing, LiveSite, chromium_missing, launch_options, serve_demo

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests, with the reason, when Chromium or Playwright is missing."""
    reason = chromium_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser test not run: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly at the end of the run that the browser tests were skipped."""
    reason = chromium_missing()
    if reason is not None:
        terminalreporter.write_line(f"BROWSER TESTS SKIPPED: {reason}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(**launch_options())
        yield launched
        launched.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    """The demo, freshly seeded, served over HTTP on 127.0.0.1."""
    with serve_demo(tmp_path) as live:
        yield live


@pytest.fixture
def browsing(browser: Browser, site: LiveSite) -> Iterator[Browsing]:
    """Pages on the live demo; every context is closed afterwards."""
    session = Browsing(browser, site)
    yield session
    session.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder people open to look at the pages (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
