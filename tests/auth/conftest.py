"""Accounts, teams and a signed-in browser for the auth tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.extensions import db
from survey.models import Organisation, Team, User
from survey.services import accounts
from tests.formtools import forms_in

PASSWORD = "correct horse battery"  # 21 characters, over the 12 minimum


@pytest.fixture(autouse=True)
def fresh_g_per_request(app: Flask) -> Iterator[None]:
    """Give each request an empty `g`, as a real request's own app context would.

    The shared `app` fixture keeps one app context for the whole test, so without
    this Flask-Login's cached user and Flask-WTF's cached CSRF token would leak from
    one request (and one client) to the next.
    """

    def clear(sender: Flask, **extra: Any) -> None:
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@dataclass
class Alliance:
    """Two organisations: A with teams a1 and a2, B with team b1."""

    org_a: Organisation
    org_b: Organisation
    a1: Team
    a2: Team
    b1: Team


@pytest.fixture
def alliance(app: Flask) -> Alliance:
    """A small alliance to grant access to."""
    org_a = Organisation(name="Org A")
    org_b = Organisation(name="Org B")
    a1 = Team(name="A one", organisation=org_a)
    a2 = Team(name="A two", organisation=org_a)
    b1 = Team(name="B one", organisation=org_b)
    db.session.add_all([org_a, org_b, a1, a2, b1])
    db.session.commit()
    return Alliance(org_a, org_b, a1, a2, b1)


@pytest.fixture
def core(app: Flask) -> User:
    """A core-team account."""
    return accounts.create_user("core@example.org", "Cora Core", PASSWORD, "core")


@pytest.fixture
def lead(app: Flask) -> User:
    """A lead account with no grants."""
    return accounts.create_user("Lead@Example.org", "Lee Lead", PASSWORD, "lead")


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page."""
    return forms_in(html)[0].fields["csrf_token"]


def sign_in(
    client: FlaskClient, email: str, password: str = PASSWORD, next_: str = ""
) -> TestResponse:
    """Post the sign-in form as a browser would, after loading it."""
    page = client.get("/auth/sign-in")
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "email": email}
    data |= {"password": password, "next": next_}
    return client.post("/auth/sign-in", data=data)


def page_csrf(client: FlaskClient, path: str = "/auth/account") -> str:
    """The CSRF token a signed-in page offers (the sign-out button's form)."""
    return csrf_of(client.get(path).get_data(as_text=True))
