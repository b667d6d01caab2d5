"""Fixtures for the results pages: a released world and signed-in staff."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.models import User
from survey.services import accounts
from tests.auth.conftest import PASSWORD, sign_in
from tests.results.world import World, build_world


@pytest.fixture
def world(app: Flask, kek: bytes) -> World:
    """Three released waves over two organisations and three teams."""
    return build_world(app, kek)


def staff_client(app: Flask, email: str) -> FlaskClient:
    """A browser signed in as this account."""
    client = app.test_client()
    result = sign_in(client, email, PASSWORD)
    assert result.status_code == 303, email
    return client


@pytest.fixture
def lead_a1(world: World) -> User:
    """A lead of team A one only."""
    user = accounts.create_user("a1@example.org", "Ada One", PASSWORD, "lead")
    accounts.grant_lead(user, team_id=world.a1.id)
    return user


@pytest.fixture
def lead_org_a(world: World) -> User:
    """A lead of organisation A (and so of both its teams)."""
    user = accounts.create_user("orga@example.org", "Olu Org", PASSWORD, "lead")
    accounts.grant_lead(user, organisation_id=world.org_a.id)
    return user


@pytest.fixture
def core_user(world: World) -> User:
    """A core-team member."""
    return accounts.create_user("core@example.org", "Cora Core", PASSWORD, "core")
