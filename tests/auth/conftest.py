"""Accounts, teams and a signed-in browser for the auth tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.extensions import db
from survey.models import Organisation, Team, User
from survey.services import accounts
from tests.formtools import forms_in

PASSWORD = "correct horse battery"  # 21 characters, over the 12 minimum


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
