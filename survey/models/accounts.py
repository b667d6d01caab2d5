"""Staff accounts, lead grants, API tokens and the audit log of staff actions.

Respondents never appear here: these tables hold core-team members and team
leads only, and no table stores a network address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.core import Organisation, Team, utcnow

ROLES = ("core", "lead")


def new_session_token() -> str:
    """A random session identifier; rotating it ends every session of the account."""
    return secrets.token_urlsafe(32)


def session_digest(token: str) -> str:
    """What is stored of a session identifier: its SHA-256, so a database copy signs no one in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unusable_session() -> str:
    """A stored digest no cookie matches: the account has no live session."""
    return session_digest(new_session_token())


class User(db.Model):  # type: ignore[name-defined,misc]
    """A person who signs in: a core-team member or a team lead."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('core', 'lead')", name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # The SHA-256 of what the session cookie carries instead of the id (see session_digest),
    # so sessions can be revoked and a copy of the database holds no live session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=unusable_session)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    grants: Mapped[list[LeadGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's user protocol, spelled out rather than inherited from an untyped mixin.
    @property
    def is_authenticated(self) -> bool:
        """Always true for a stored account (Flask-Login protocol)."""
        return True

    @property
    def is_active(self) -> bool:
        """Whether the account may sign in (Flask-Login protocol)."""
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous (Flask-Login protocol)."""
        return False

    def get_id(self) -> str:
        """The session identifier Flask-Login keeps in the cookie (never stored, only its hash)."""
        return str(self.__dict__.get("session_key", ""))


class LeadGrant(db.Model):  # type: ignore[name-defined,misc]
    """Lead access to exactly one team or one organisation (which implies its teams)."""

    __tablename__ = "lead_grant"
    __table_args__ = (
        CheckConstraint("(team_id IS NULL) <> (organisation_id IS NULL)", name="one_target"),
        UniqueConstraint("user_id", "team_id", name="lead_grant_user_team"),
        UniqueConstraint("user_id", "organisation_id", name="lead_grant_user_organisation"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(back_populates="grants")
    team: Mapped[Team | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A per-user API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)
    # The ISO week ("2026-W49") the token was last used in: enough to spot a stale token.
    last_used_week: Mapped[str | None] = mapped_column(String(8))
    user: Mapped[User] = relationship()


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One staff action (sign-in, grant, view, export...). Never about a respondent."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # Who acted; empty for command-line actions and for sign-ins to unknown emails.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User | None] = relationship()
