"""A live server seeded as a test asks, and helpers for driving the staff pages in a browser.

`serve_seeded` is `live.serve_demo` with the seeding left to the caller (nothing, one
core account, or the demo with its history), and with links printed for the live port,
so the invitation, survey and poster links the pages show can be opened as they are.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from werkzeug.serving import make_server

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import create_key_file
from survey.services import accounts, demo
from tests.browser.live import LiveSite
from tests.browser.tour import CHECK, FINISH, PAGES, answer_all, radio, submit, visit

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")
CORE_EMAIL = "core@example.org"
CORE_PASSWORD = "core team passphrase 1"


@dataclass
class StaffSite(LiveSite):
    """A live site for staff pages: no demo survey token, but the accounts it was seeded with."""

    token: str = ""
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """The full address of a path on the live site."""
        return self.base_url + path


@contextmanager
def serve_seeded(
    workdir: Path, seed: Callable[[bytes, Path], dict[str, tuple[str, str]]]
) -> Iterator[StaffSite]:
    """Serve a fresh database filled by `seed(kek, questionnaire_dir)` until the block ends.

    `seed` runs in the app context and returns the accounts it made: role to (email, password).
    The database is emptied before and after, as `serve_demo` does: never real data.
    """
    key_file = workdir / "lantern.key"
    create_key_file(key_file)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'lantern.db'}"
    settings = TestingConfig({"DATABASE_URL": url})
    settings.KEK_FILE = str(key_file)
    # Every phone these tests play answers from 127.0.0.1: one address, many people.
    settings.SURVEY_ADDRESS_RATE_LIMIT = "6000 per minute"
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
        made = seed(configured_kek(app.config), Path(app.config["QUESTIONNAIRE_DIR"]))
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Invitation, survey and poster links are printed from this setting: point it here.
    app.config["SERVER_NAME_FOR_LINKS"] = base_url
    app.config["STAFF_NAME_FOR_LINKS"] = base_url  # one app serves both here
    thread = threading.Thread(target=server.serve_forever, name="lantern-staff", daemon=True)
    thread.start()
    try:
        yield StaffSite(app, base_url, accounts=made)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def seed_core_account(kek: bytes, questionnaire_dir: Path) -> dict[str, tuple[str, str]]:
    """Only the first core-team account: everything else is made through the pages."""
    accounts.create_user(CORE_EMAIL, "First core member", CORE_PASSWORD, "core")
    return {"core": (CORE_EMAIL, CORE_PASSWORD)}


def seed_demo_history(kek: bytes, questionnaire_dir: Path) -> dict[str, tuple[str, str]]:
    """The demo with its two released synthetic rounds, and its core and lead accounts."""
    made = demo.seed_demo(kek, questionnaire_dir / "demo-sts.yaml", date.today(), history=True)
    assert made
    return {account.role: (account.email, account.password) for account in made}


def sign_in(page: Page, site: StaffSite, email: str, password: str) -> None:
    """Sign in through the sign-in page and land on the role's home page."""
    visit(page, site.url("/auth/sign-in"), 200)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    submit(page, "Sign in")


def go(page: Page, site: StaffSite, path: str, status: int = 200) -> None:
    """Open a path on the site, checking its status."""
    visit(page, site.url(path), status)


def follow(page: Page, name: str, *, exact: bool = True) -> None:
    """Click a link by its accessible name and wait for the page it opens."""
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=name, exact=exact).first.click()
    response = navigation.value
    assert response is not None and response.status == 200, (name, response)


def respond(page: Page, survey_url: str, value: str, role: str | None = None) -> None:
    """Answer the whole survey through its link: every scale item `value`, then the result."""
    visit(page, f"{survey_url}/leave", 200)  # a fresh person on this device
    page.wait_for_url(lambda url: "/leave" not in url)
    visit(page, survey_url, 200)
    submit(page, "Start")
    for number in range(1, PAGES + 1):
        answer_all(page, value)
        if number == PAGES and role is not None:
            page.locator(radio("role_group", role)).check()
        submit(page, "Next" if number < PAGES else CHECK)
    submit(page, FINISH)
    assert "Your answers are saved" in page.inner_text("main")


def flash_text(page: Page) -> str:
    """The page's status message (after a change), or ''."""
    box = page.locator("main [role=status]")
    return box.inner_text() if box.count() else ""


def options(page: Page, selector: str) -> dict[str, Any]:
    """A select's options as label to value."""
    found: dict[str, Any] = page.evaluate(
        "s => Object.fromEntries([...document.querySelector(s).options]"
        ".map(o => [o.textContent.trim(), o.value]))",
        selector,
    )
    return found
