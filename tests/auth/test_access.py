"""Deny by default: every endpoint outside a short allow-list refuses anonymous visitors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from flask_login import current_user
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    UUIDConverter,
)

from survey.access import ACCESS_ATTR, PUBLIC, allowed_roles, lead_or_core, role_required
from survey.models import User
from survey.services import accounts
from tests.auth.conftest import csrf_of, sign_in

PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "respond.welcome",
    "respond.step",
    # The respondent's other pages (GET only): each reads the person's own sealed cookie.
    "respond.page",
    "respond.check",
    "respond.result",
    "respond.help_now",
    "respond.leave",
    "respond.about",
    "auth.sign_in",
    "auth.accept_invitation",  # a one-time set-password link; bad tokens get a 404
}
REFUSALS = {401, 404}


def _sample(converter: BaseConverter) -> Any:
    """A value the converter accepts, so the URL routes to its view."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def _url(app: Flask, rule: Rule) -> str:
    values = {name: _sample(converter) for name, converter in rule._converters.items()}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _requests(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route outside the allow-list."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, _url(app, rule)))
    return found


def test_every_view_declares_who_may_reach_it(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, ACCESS_ATTR, None) is None
    ]
    assert undeclared == []
    for endpoint, view in app.view_functions.items():
        access = getattr(view, ACCESS_ATTR, PUBLIC)
        assert access == PUBLIC or allowed_roles(access) <= {"core", "lead"}, endpoint


def test_only_the_allow_list_is_public(app: Flask) -> None:
    public = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, ACCESS_ATTR, None) == PUBLIC
    }
    assert public | {"static"} == PUBLIC_ENDPOINTS


def test_every_other_endpoint_refuses_an_anonymous_visitor(app: Flask, client: FlaskClient) -> None:
    # A valid CSRF token, so it is the access check (not CSRF) that must refuse a POST.
    token = csrf_of(client.get("/auth/sign-in").get_data(as_text=True))
    checked = _requests(app)
    assert ("auth.account", "GET", "/auth/account") in checked  # the walk does reach views
    for endpoint, method, url in checked:
        result = client.open(url, method=method, data={"csrf_token": token})
        where = f"{method} {url} ({endpoint})"
        if url.startswith("/api/"):
            assert result.status_code in REFUSALS, where
            continue
        assert result.status_code in REFUSALS | {302}, where
        if result.status_code == 302:
            assert result.headers["Location"].startswith("/auth/sign-in?next="), where


def _probe(app: Flask) -> None:
    """Routes guarded by each decorator, added before the app serves anything."""
    probe = Blueprint("probe", __name__)

    def who() -> dict[str, str]:
        return {"email": current_user.email}

    routes: list[tuple[str, str, Callable[..., Any]]] = [
        ("/probe/any-staff", "page_any", lead_or_core),
        ("/probe/core", "page_core", role_required("core")),
        ("/api/probe/any-staff", "api_any", lead_or_core),
        ("/api/probe/core", "api_core", role_required("core")),
    ]
    for path, name, guard in routes:
        probe.add_url_rule(path, name, guard(_named(who, name)))
    app.register_blueprint(probe)


def _named(view: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A distinct function per route, so each carries its own access mark."""

    def wrapper() -> Any:
        return view()

    wrapper.__name__ = name
    return wrapper


@pytest.fixture
def probed(app: Flask) -> Flask:
    """The app with probe routes."""
    _probe(app)
    return app


def test_roles_are_enforced_for_signed_in_staff(probed: Flask, lead: User, core: User) -> None:
    as_lead = probed.test_client()
    sign_in(as_lead, "lead@example.org")
    assert as_lead.get("/probe/any-staff").status_code == 200
    assert as_lead.get("/probe/core").status_code == 403
    as_core = probed.test_client()
    sign_in(as_core, "core@example.org")
    assert as_core.get("/probe/any-staff").get_json() == {"email": "core@example.org"}
    assert as_core.get("/probe/core").status_code == 200


def test_api_refusals_are_json(probed: Flask) -> None:
    result = probed.test_client().get("/api/probe/any-staff")
    assert result.status_code == 401
    assert result.get_json() == {"error": "authentication required"}
    assert result.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_disabled_account_loses_its_session_at_once(
    probed: Flask, client: FlaskClient, lead: User
) -> None:
    sign_in(client, "lead@example.org")
    assert client.get("/probe/any-staff").status_code == 200
    accounts.set_active(lead, False)
    assert client.get("/probe/any-staff").status_code == 302


def test_role_required_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        role_required()


def test_an_expired_staff_form_says_reload_not_open_your_survey_link(client: FlaskClient) -> None:
    # CSRF is checked before access, so even a signed-out post meets this page first.
    page = client.post("/manage/organisations/1/teams", data={"name": "A team"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "reload the page" in html
    assert "open your link" not in html
    survey = client.post("/s/AnyToken123", data={})
    assert "open your link again" in survey.get_data(as_text=True)
