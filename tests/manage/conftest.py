"""Signed-in browsers for the core team's workspace tests (core member, lead, anonymous visitor).

General on purpose: every page of the workspace can be tested with `as_core`, and its
refusals with `as_lead` and `client` (anonymous).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing.converters import AnyConverter
from werkzeug.test import TestResponse

from survey.extensions import db
from survey.models import AuditEvent, Organisation, PendingResponse, Response, Team, User
from survey.services import accounts
from tests.auth.conftest import PASSWORD, csrf_of, sign_in


@dataclass
class Staff:
    """A signed-in browser: `post` adds the session's CSRF token, as the page's form would."""

    client: FlaskClient
    user: User
    _csrf: str = field(default="", repr=False)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        """GET a page."""
        return self.client.get(path, **kwargs)

    def csrf(self) -> str:
        """The session's CSRF token, read from a page the way a browser gets it."""
        if not self._csrf:
            self._csrf = csrf_of(self.client.get("/auth/account").get_data(as_text=True))
        return self._csrf

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST a form with a valid CSRF token (pass csrf_token=... in data to override)."""
        return self.client.post(path, data={"csrf_token": self.csrf(), **(data or {})}, **kwargs)


def signed_in(app: Flask, user: User) -> Staff:
    """A fresh browser signed in as this account."""
    client = app.test_client()
    result = sign_in(client, user.email)
    assert result.status_code == 303, "sign-in failed"
    return Staff(client, user)


@pytest.fixture
def core_user(app: Flask) -> User:
    """A core-team account."""
    return accounts.create_user("cora@example.org", "Cora Core", PASSWORD, "core")


@pytest.fixture
def lead_user(app: Flask) -> User:
    """A team-lead account with no grants."""
    return accounts.create_user("lee@example.org", "Lee Lead", PASSWORD, "lead")


@pytest.fixture
def as_core(app: Flask, core_user: User) -> Staff:
    """A browser signed in as a core-team member."""
    return signed_in(app, core_user)


@pytest.fixture
def as_lead(app: Flask, lead_user: User) -> Staff:
    """A browser signed in as a team lead (who must be refused every workspace page)."""
    return signed_in(app, lead_user)


@dataclass
class Members:
    """Two organisations: North with teams Day and Night, South with team Outreach."""

    north: Organisation
    south: Organisation
    day: Team
    night: Team
    outreach: Team


@pytest.fixture
def members(app: Flask) -> Members:
    """A small alliance to manage."""
    north = Organisation(name="North Hospice", sector="hospice", pledge_status="pledge signed")
    south = Organisation(name="South Food Bank", sector="food")
    day = Team(name="Day unit", organisation=north)
    night = Team(name="Night unit", organisation=north)
    outreach = Team(name="Outreach", organisation=south)
    db.session.add_all([north, south, day, night, outreach])
    db.session.commit()
    return Members(north, south, day, night, outreach)


def audit(action: str | None = None) -> list[AuditEvent]:
    """Audit events, oldest first, optionally of one action."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def text_of(response: TestResponse) -> str:
    """A page's visible text, tags dropped and whitespace collapsed (for reading messages)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_error(response: TestResponse, field_id: str) -> str:
    """The message shown next to a field (empty when there is none)."""
    html = response.get_data(as_text=True)
    found = re.search(rf'<span class="error" id="{re.escape(field_id)}-error">(.*?)</span>', html)
    return unescape(found.group(1)) if found else ""


def input_value(response: TestResponse, field_id: str) -> str | None:
    """The value an input shows (what the person typed, after an error), or None if absent."""
    html = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def selected(response: TestResponse, field_id: str) -> str | None:
    """The chosen option of a select, or None."""
    html = response.get_data(as_text=True)
    block = re.search(rf'<select[^>]*\bid="{re.escape(field_id)}".*?</select>', html, flags=re.S)
    if block is None:
        return None
    option = re.search(r'<option[^>]*\bselected[^>]*\bvalue="([^"]*)"', block.group(0))
    option = option or re.search(r'<option[^>]*\bvalue="([^"]*)"[^>]*\bselected', block.group(0))
    return unescape(option.group(1)) if option else None


def my_routes(app: Flask, modules: tuple[str, ...]) -> list[tuple[str, str]]:
    """(method, url) for every route of these view modules, ids set to 1."""
    found = []
    for rule in app.url_map.iter_rules():
        if app.view_functions[rule.endpoint].__module__ not in modules:
            continue
        values = {
            name: sorted(converter.items)[0] if isinstance(converter, AnyConverter) else 1
            for name, converter in rule._converters.items()
        }
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        found += [(method, url) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def count(model: type) -> int:
    """Rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def stored() -> int:
    """Stored responses: moved into their batch or still pending."""
    return count(Response) + count(PendingResponse)
