"""Accounts and passwords: checked input, argon2 hashes, schema constraints."""

from __future__ import annotations

import argon2
import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import AuditEvent, User
from survey.services import accounts
from survey.services.accounts import AccountError, authenticate, create_user
from tests.auth.conftest import PASSWORD


def test_created_account_stores_an_argon2_hash_only(app: Flask, core: User) -> None:
    assert core.email == "core@example.org"
    assert core.password_hash.startswith("$argon2id$")
    assert PASSWORD not in core.password_hash
    assert "m=8,t=1,p=1" in core.password_hash  # the cheap test cost from TestingConfig
    assert core.active and core.role == "core"
    assert len(core.session_token) >= 40


def test_email_is_stored_lower_case(app: Flask, lead: User) -> None:
    assert lead.email == "lead@example.org"  # created as "Lead@Example.org"
    assert accounts.find_user("  LEAD@EXAMPLE.ORG") is lead


@pytest.mark.parametrize(
    ("email", "name", "password", "role", "message"),
    [
        ("not-an-email", "N", PASSWORD, "lead", "is not an email address"),
        ("a b@example.org", "N", PASSWORD, "lead", "is not an email address"),
        ("x@example.org", "  ", PASSWORD, "lead", "the name must have"),
        ("x@example.org", "N", "eleven char", "lead", "at least 12 characters"),
        ("x@example.org", "N", "p" * 257, "lead", "at most 256 characters"),
        ("x@example.org", "N", PASSWORD, "admin", "the role must be one of core, lead"),
        ("CORE@example.org", "N", PASSWORD, "lead", "already exists"),
    ],
)
def test_bad_account_details_are_refused(
    core: User, *, email: str, name: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        create_user(email, name, password, role)
    assert db.session.scalars(select(User)).all() == [core]


def test_twelve_characters_is_enough(app: Flask) -> None:
    user = create_user("twelve@example.org", "T", "exactly12chr", "lead")
    assert authenticate("twelve@example.org", "exactly12chr") is user


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO user_account (email, display_name, password_hash, role, active,"
        " session_token, created_at) VALUES ('Upper@example.org', 'U', 'h', 'lead', true,"
        " 't1', CURRENT_TIMESTAMP)",
        "INSERT INTO user_account (email, display_name, password_hash, role, active,"
        " session_token, created_at) VALUES ('x@example.org', 'U', 'h', 'admin', true,"
        " 't2', CURRENT_TIMESTAMP)",
    ],
)
def test_schema_refuses_upper_case_email_and_unknown_role(app: Flask, statement: str) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement))
    db.session.rollback()


def test_outdated_hash_is_upgraded_at_sign_in(app: Flask, lead: User) -> None:
    # A hash made at another cost (m=16) is replaced by one at the configured cost (m=8).
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
    lead.password_hash = weaker.hash(PASSWORD)
    db.session.commit()
    assert authenticate("lead@example.org", PASSWORD) is lead
    assert "m=8,t=1,p=1" in lead.password_hash  # rehashed to the configured cost
    assert authenticate("lead@example.org", PASSWORD) is lead


def test_a_corrupt_hash_fails_closed(app: Flask, lead: User) -> None:
    lead.password_hash = "not a hash"
    db.session.commit()
    assert authenticate("lead@example.org", PASSWORD) is None


def test_account_creation_is_audited(app: Flask, core: User) -> None:
    lead = create_user("new@example.org", "New", PASSWORD, "lead", actor=core)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.target == f"user:{lead.id}")
    ).one()
    assert (event.action, event.user_id, event.detail) == ("account created", core.id, "role lead")


def test_record_event_is_for_staff_actions(app: Flask, lead: User) -> None:
    event = accounts.record_event("release viewed", user=lead, target="release:4")
    stored = db.session.get(AuditEvent, event.id)
    assert stored is not None
    assert (stored.action, stored.user_id, stored.target) == (
        "release viewed",
        lead.id,
        "release:4",
    )
    assert stored.at is not None


def test_audit_log_has_no_column_for_an_address(app: Flask) -> None:
    columns = {column.name for column in AuditEvent.__table__.columns}
    assert columns == {"id", "at", "user_id", "action", "target", "detail"}
    for table in ("user_account", "lead_grant", "api_token", "audit_event"):
        names = {c.name for c in db.metadata.tables[table].columns}
        assert not {n for n in names if "ip" in n.split("_") or "addr" in n or "agent" in n}
