"""A real HTTP server with the demo seeded, and Debian's Chromium to point at it.

Shared by the browser tests and `bench/page_weight.py`. The app is served by
werkzeug on 127.0.0.1 (a free port) from a background thread, over a file-based
SQLite database (or DATABASE_URL when set, as in CI), so the browser's requests
and the test's own queries each get their own connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from config import TestingConfig
from survey import create_app
from survey.domain.sealing import SealContext, open_wave
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import create_key_file
from survey.models import SurveyLink
from survey.services import demo
from tests.stored import stored_count, stored_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

CHROMIUM = Path(os.environ.get("LANTERN_CHROMIUM", "/usr/bin/chromium"))
# Headless on a closed network: no first-run, sync, component or background traffic.
# Playwright adds --no-sandbox itself (chromium_sandbox defaults to False) and gives
# every launch a new, empty user-data directory.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A mid-range phone in portrait, and an ordinary laptop.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
# What the quick-exit address serves here, since the machine has no internet.
EXIT_STUB = "<!doctype html><html lang='en'><title>Weather</title><h1>Weather stub</h1></html>"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run .ci/install-browser (Debian's chromium) to enable"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: install requirements-dev.txt"
    return None


def launch_options() -> dict[str, Any]:
    """Keyword arguments for `playwright.chromium.launch` (never a downloaded browser)."""
    return {"executable_path": str(CHROMIUM), "args": list(CHROMIUM_ARGS)}


@dataclass
class LiveSite:
    """The demo served over HTTP: where it is and what it has stored."""

    app: Flask
    base_url: str
    token: str

    @property
    def survey_url(self) -> str:
        """The first demo team's survey link."""
        return f"{self.base_url}/s/{self.token}"

    @property
    def quick_exit_url(self) -> str:
        """Where "Leave this site quickly" goes."""
        return str(self.app.config["QUICK_EXIT_URL"])

    @property
    def k(self) -> int:
        """The demo wave's minimum group size, as the welcome page promises it."""
        with self.app.app_context():
            return int(self._link().wave.k)

    def stored_count(self) -> int:
        """How many responses the database holds."""
        with self.app.app_context():
            return stored_count()

    def stored_answers(self) -> list[dict[str, int | str]]:
        """Every stored response, opened with the wave's key (tests only)."""
        with self.app.app_context():
            link = self._link()
            opener = open_wave(
                link.wave.wrapped_private_key, configured_kek(self.app.config), link.wave_id
            )
            rows = stored_rows()
            return [
                dict(opener.open(SealContext(r.wave_id, r.team_id, r.id), r.sealed)) for r in rows
            ]

    def close_wave(self) -> None:
        """Close the demo wave early, so its links answer 410."""
        with self.app.app_context():
            link = self._link()
            link.wave.closed_early_on = date.today() - timedelta(days=1)
            db.session.commit()

    def reopen_wave(self) -> None:
        """Undo `close_wave`, so another tour can run on the same site."""
        with self.app.app_context():
            link = self._link()
            link.wave.closed_early_on = None
            db.session.commit()

    def _link(self) -> SurveyLink:
        return db.session.scalars(select(SurveyLink).where(SurveyLink.token == self.token)).one()


def _first_token() -> str:
    links = db.session.scalars(select(SurveyLink)).all()
    return sorted(links, key=lambda link: link.team.name)[0].token


@contextmanager
def serve_demo(workdir: Path, database_url: str | None = None) -> Iterator[LiveSite]:
    """Seed the demo into a fresh database and serve it until the block ends.

    The database (`database_url`, else DATABASE_URL, else SQLite in `workdir`) is
    emptied first and afterwards, as the test fixtures do: never point it at real data.
    """
    key_file = workdir / "lantern.key"
    create_key_file(key_file)
    url = database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'lantern.db'}"
    settings = TestingConfig({"DATABASE_URL": url})
    settings.KEK_FILE = str(key_file)
    # Every phone these tests play answers from 127.0.0.1: one address, many people.
    settings.SURVEY_ADDRESS_RATE_LIMIT = "6000 per minute"
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
        questionnaire = Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
        assert demo.seed_demo(
            configured_kek(app.config), questionnaire, date.today(), history=False
        )
        token = _first_token()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="lantern-live", daemon=True)
    thread.start()
    try:
        yield LiveSite(app, f"http://127.0.0.1:{server.server_port}", token)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


class Browsing:
    """Opens pages on the live site; records any request that leaves it."""

    def __init__(self, browser: Browser, site: LiveSite) -> None:
        self.browser = browser
        self.site = site
        self.foreign: list[str] = []
        self.contexts: list[BrowserContext] = []

    def page(self, **options: Any) -> Page:
        """A new page in its own context (phone, laptop, no JavaScript, ...)."""
        context = self.browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.route("**/*", self._route)
        self.contexts.append(context)
        return context.new_page()

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.site.base_url + "/"):
            route.continue_()
        elif url.startswith(self.site.quick_exit_url):
            route.fulfill(status=200, content_type="text/html", body=EXIT_STUB)
        else:
            self.foreign.append(url)
            route.abort()

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()
