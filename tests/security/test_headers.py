"""Security headers on every response, and cookies that cannot be read, sent or framed away."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from config import ProductionConfig
from survey import create_app
from survey.extensions import db
from survey.models import SurveyLink
from tests.formtools import only_form
from tests.security.keyfixtures import live_token, seed


def sample_path(rule: Rule, token: str) -> str:
    """A concrete URL for a rule: the live survey token, the stylesheet, or a stand-in."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # werkzeug keeps them here
        if name == "token":
            values[name] = token
        elif name == "filename":
            values[name] = "lantern.css"
        elif type(converter).__name__ in ("IntegerConverter", "FloatConverter"):
            values[name] = 1
        else:
            values[name] = "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def every_get(app: Flask, client: FlaskClient, token: str) -> Iterator[tuple[str, TestResponse]]:
    """GET every route that answers GET, then the error pages a visitor can reach."""
    requests = [
        (sample_path(rule, token), "GET", None)
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set())
    ]
    requests += [
        ("/no/such/page", "GET", None),
        ("/s/not-a-real-token", "GET", None),
        (f"/s/{token}", "PUT", None),  # 405
        (f"/s/{token}", "POST", {"action": "start"}),  # no CSRF token: 400
        (f"/s/{token}", "POST", {"q-x": "x" * 100_000}),  # 413
        ("/static/nothing-here.css", "GET", None),
    ]
    for path, method, data in requests:
        response = client.open(path, method=method, data=data)
        yield f"{method} {path}", response
        response.close()  # static files are streamed from disk


def assert_headers(where: str, response: TestResponse, *, production: bool) -> None:
    """The headers every response must carry, whatever its status."""
    headers = response.headers
    assert response.status_code < 500, where
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("default-src") == ["'none'"], where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    hsts = headers.get("Strict-Transport-Security")
    if production:
        assert hsts is not None and "max-age=" in hsts, where
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000, where  # a year or more
    else:
        assert hsts is None, where  # never pin a plain-HTTP development host to HTTPS


def assert_cookies(where: str, response: TestResponse, *, production: bool) -> int:
    """Every cookie set is HttpOnly and SameSite, and Secure in production; return how many."""
    # A cookie being deleted (expired, empty) carries nothing to protect.
    cookies = [
        cookie
        for cookie in response.headers.getlist("Set-Cookie")
        if "Max-Age=0" not in cookie and "=;" not in cookie.split(";")[0] + ";"
    ]
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert "httponly" in attributes, (where, cookie)
        assert "samesite" in attributes, (where, cookie)
        assert ("secure" in attributes) == production, (where, cookie)
    return len(cookies)


def test_every_response_carries_the_headers_in_development_and_testing(
    client: FlaskClient, app: Flask, link: SurveyLink
) -> None:
    seen = 0
    for where, response in every_get(app, client, link.token):
        assert_headers(where, response, production=False)
        assert_cookies(where, response, production=False)
        seen += 1
    assert seen >= len(list(app.url_map.iter_rules())) // 2 + 6


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Flask]:
    """The production settings (secure cookies, HSTS) on an in-memory database."""
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("LANTERN_KEK", key)
    env = {
        "DATABASE_URL": "sqlite://",
        "SECRET_KEY": "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e",
        "LANTERN_KEK": key,
    }
    application = create_app(ProductionConfig(env))
    with application.app_context():
        db.create_all()
        seed(application)
        yield application
        db.session.remove()
        db.engine.dispose()


def https_client(app: Flask) -> FlaskClient:
    """A client whose requests arrive as https, as behind the TLS proxy."""
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "lantern.example"})
    return client


def test_every_response_carries_the_headers_in_production(production: Flask) -> None:
    token = live_token()
    client = https_client(production)
    cookies = 0
    for where, response in every_get(production, client, token):
        assert_headers(where, response, production=True)
        cookies += assert_cookies(where, response, production=True)
    assert cookies >= 1  # the survey form's session cookie was among them, and checked


def test_the_form_works_behind_tls_without_a_referrer(production: Flask) -> None:
    """Browsers send no Referer under `Referrer-Policy: no-referrer`; the form must still work."""
    token = live_token()
    client = https_client(production)
    welcome = client.get(f"/s/{token}")
    fields = only_form(welcome.get_data(as_text=True)).fields
    started = client.post(f"/s/{token}", data=dict(fields, action="start"))
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    assert "Page 1 of" in started.get_data(as_text=True)


def test_a_cross_site_post_is_still_refused_behind_tls(production: Flask) -> None:
    """Without the strict Referer check, the CSRF token in the SameSite cookie still decides."""
    token = live_token()
    victim = https_client(production)
    fields = only_form(victim.get(f"/s/{token}").get_data(as_text=True)).fields
    # Another site's page posting the same fields: the browser sends no Lax cookie with it.
    attacker = https_client(production)
    forged = attacker.post(f"/s/{token}", data=dict(fields, action="start"))
    assert forged.status_code == 400
