"""Survey posts are limited per link, never per address, in storage shared across processes."""

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


def test_addresses_share_a_links_budget_and_links_do_not_share(app: Flask, demo_wave: Wave) -> None:
    app.config["SURVEY_SUBMIT_RATE_LIMIT"] = f"{LIMIT} per minute"
    first, second = sorted(demo_wave.links, key=lambda link: link.id)
    # Four people from four addresses spend the first link's budget together...
    statuses = [start(app, first.token, f"10.0.0.{n}") for n in range(1, LIMIT + 1)]
    assert statuses == [STARTED] * LIMIT
    # ...so a fifth is limited whatever their address, including a new one.
    assert start(app, first.token, "10.0.0.1") == 429
    assert start(app, first.token, "192.0.2.77") == 429
    # The other team's link has its own budget, even from an address already seen.
    assert start(app, second.token, "10.0.0.1") == STARTED


def seeded_file_app(tmp_path: Path, key_file: Path, storage: str, prefix: str) -> Flask:
    """An app on a shared SQLite file with the given limiter storage (one 'process')."""
    settings = TestingConfig(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}", "RATELIMIT_STORAGE_URI": storage}
    )
    settings.KEK_FILE = str(key_file)
    app = create_app(settings)
    app.config["SURVEY_SUBMIT_RATE_LIMIT"] = f"{LIMIT} per minute"
    app.config["RATELIMIT_KEY_PREFIX"] = prefix
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
    assert start(one, token, "10.1.0.2") == 429
    with one.app_context():
        db.engine.dispose()

    # A second app process (a fresh limiter storage client) on the same database.
    two = seeded_file_app(tmp_path, key_file, storage, prefix)
    status = start(two, token, "10.1.0.3")
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
