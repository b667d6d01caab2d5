"""Survey post limits: one client cannot exhaust a team's link; storage shared across processes.

Every post is limited per client address, and a link only counts refused posts, with more
room than one address may use: so neither a poster holder nor a broken phone can block the
real people answering on the same link.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import Flask

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.models import Wave
from survey.services import demo
from tests.formtools import only_form
from tests.security.keyfixtures import live_token, seed

LIMIT = 4
REDIS = "redis://127.0.0.1:6379/0"


def start(app: Flask, token: str, address: str) -> int:
    """One person (own cookies, own address) opens the link and presses Start."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    welcome = client.get(f"/s/{token}", environ_base=environ)
    fields = only_form(welcome.get_data(as_text=True)).fields
    page = client.post(f"/s/{token}", data=dict(fields, action="start"), environ_base=environ)
    if page.status_code == 429:
        # The welcome page again, with a calm line: nothing is lost.
        assert "Please wait a moment" in page.get_data(as_text=True)
        assert 'value="start"' in page.get_data(as_text=True)
    return page.status_code


STARTED = 303  # on to page 1 (Post/Redirect/Get)


def malformed(app: Flask, token: str, address: str) -> int:
    """A post that is refused (no form key, no CSRF token), as a script or broken phone sends."""
    page = app.test_client().post(
        f"/s/{token}", data={"action": "finish"}, environ_base={"REMOTE_ADDR": address}
    )
    return page.status_code


def test_one_client_cannot_exhaust_a_teams_link(app: Flask, demo_wave: Wave) -> None:
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = f"{LIMIT} per minute"
    app.config["SURVEY_LINK_FAILURE_RATE_LIMIT"] = f"{2 * LIMIT} per minute"
    first, second = sorted(demo_wave.links, key=lambda link: link.id)
    # Someone holding the poster floods the link with refused posts from one address...
    flood = [malformed(app, first.token, "203.0.113.9") for _ in range(3 * LIMIT)]
    assert flood == [400] * LIMIT + [429] * (2 * LIMIT)
    # ...and is held back, on every link, while the real people keep answering.
    assert start(app, second.token, "203.0.113.9") == 429
    people = [start(app, first.token, f"10.0.0.{n}") for n in range(1, 3 * LIMIT)]
    assert people == [STARTED] * (3 * LIMIT - 1)


def test_successful_posts_never_use_up_a_link(app: Flask, demo_wave: Wave) -> None:
    # The default limits: a large team answering at once (125 people inside a minute, more
    # than the old per-link budget of 120 posts) is never held back on its own link.
    link = sorted(demo_wave.links, key=lambda item: item.id)[0]
    people = [start(app, link.token, f"10.0.{n // 200}.{n % 200}") for n in range(125)]
    assert people == [STARTED] * 125


def test_a_links_failure_budget_is_its_own(app: Flask, demo_wave: Wave) -> None:
    app.config["SURVEY_LINK_FAILURE_RATE_LIMIT"] = f"{LIMIT} per minute"
    first, second = sorted(demo_wave.links, key=lambda link: link.id)
    # Refused posts from many addresses: past the link's budget, the link waits a while...
    assert [malformed(app, first.token, f"10.0.2.{n}") for n in range(LIMIT)] == [400] * LIMIT
    assert start(app, first.token, "10.0.2.99") == 429
    # ...while the other team's link is unaffected, from an address already seen.
    assert start(app, second.token, "10.0.2.1") == STARTED


def seeded_file_app(tmp_path: Path, key_file: Path, storage: str, prefix: str) -> Flask:
    """An app on a shared SQLite file with the given limiter storage (one 'process')."""
    settings = TestingConfig(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}", "RATELIMIT_STORAGE_URI": storage}
    )
    settings.KEK_FILE = str(key_file)
    # Read when the limiter starts, so set before: runs never see each other's counters.
    settings.RATELIMIT_KEY_PREFIX = prefix  # type: ignore[attr-defined]
    app = create_app(settings)
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = f"{LIMIT} per minute"
    with app.app_context():
        db.create_all()
        if demo.is_empty():
            seed(app)
        db.session.remove()
    return app


def redis_reachable() -> str | None:
    """Why the redis case cannot run here, or None when it can."""
    try:
        import redis
    except ImportError:
        return "the redis client package is not installed"
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"no redis server at {REDIS} ({type(error).__name__})"
    return None


@pytest.mark.parametrize("storage", ["memory://", REDIS])
def test_limiter_storage_is_configurable_and_redis_is_shared(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch, storage: str
) -> None:
    if storage.startswith("redis"):
        reason = redis_reachable()
        if reason is not None:
            print(f"skipping the redis case: {reason}")
            pytest.skip(reason)
    monkeypatch.delenv("LANTERN_KEK", raising=False)
    prefix = f"lantern-test-{secrets.token_hex(6)}"  # runs never see each other's counters
    one = seeded_file_app(tmp_path, key_file, storage, prefix)
    assert one.config["RATELIMIT_STORAGE_URI"] == storage
    with one.app_context():
        token = live_token()
        db.session.remove()
    assert [start(one, token, "10.1.0.1") for _ in range(LIMIT)] == [STARTED] * LIMIT
    assert start(one, token, "10.1.0.1") == 429
    with one.app_context():
        db.engine.dispose()

    # A second app process (a fresh limiter storage client) on the same database.
    two = seeded_file_app(tmp_path, key_file, storage, prefix)
    status = start(two, token, "10.1.0.1")
    with two.app_context():
        db.engine.dispose()
    if storage == "memory://":
        assert status == STARTED  # memory is per process: why production sets a shared store
    else:
        assert status == 429  # the budget spent through the first process still counts


def test_app_wide_limits_are_refused_rather_than_silently_never_checked() -> None:
    # Limits live on routes; the before-request check that app-wide limits would need
    # is switched off, so configuring one must stop the start instead of doing nothing.
    settings = dict(TestingConfig().as_mapping(), RATELIMIT_DEFAULT="100 per minute")
    with pytest.raises(RuntimeError, match="declare them on routes"):
        create_app(settings)
