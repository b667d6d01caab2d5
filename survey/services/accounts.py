"""Staff accounts: passwords, sign-in, lead grants, API tokens, the audit log, and visibility.

Every write is one function that commits once. Messages in `AccountError` are
meant for the core team at the command line; sign-in failures never say which
part was wrong.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date
from functools import lru_cache
from typing import TypeGuard

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models import (
    ROLES,
    ApiToken,
    AuditEvent,
    LeadGrant,
    Organisation,
    Team,
    User,
    new_session_token,
    session_digest,
    unusable_session,
)
from survey.services.responses import iso_week

MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase, short enough that hashing cannot be used to tie up a worker.
MAX_PASSWORD_LENGTH = 256
MAX_EMAIL_LENGTH = 254
# A recognisable prefix (not a secret) lets secret scanners spot a leaked token.
TOKEN_PREFIX = "lantern_"  # noqa: S105  # nosec B105
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Exception):
    """An account request that cannot be met; the message says why, for the core team."""


def normalise_email(email: str) -> str:
    """Emails are matched without surrounding spaces and case."""
    return email.strip().lower()


def _hasher() -> argon2.PasswordHasher:
    """argon2id with the configured cost (tests configure it cheap)."""
    config = current_app.config
    return argon2.PasswordHasher(
        time_cost=int(config.get("ARGON2_TIME_COST", argon2.DEFAULT_TIME_COST)),
        memory_cost=int(config.get("ARGON2_MEMORY_COST", argon2.DEFAULT_MEMORY_COST)),
        parallelism=int(config.get("ARGON2_PARALLELISM", argon2.DEFAULT_PARALLELISM)),
    )


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash of a random secret, so unknown emails cost the same work as known ones."""
    hasher = argon2.PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )
    return hasher.hash(secrets.token_urlsafe(32))


def check_password(password: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"passwords may have at most {MAX_PASSWORD_LENGTH} characters")


def _event(
    action: str, *, user: User | None = None, target: str = "", detail: str = ""
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(action=action, user=user, target=target, detail=detail)
    db.session.add(event)
    return event


def record_event(
    action: str, *, user: User | None = None, target: str = "", detail: str = ""
) -> AuditEvent:
    """Record one staff action (e.g. "release viewed", target "release:4") and commit."""
    event = _event(action, user=user, target=target, detail=detail)
    db.session.commit()
    return event


def _user_target(user: User) -> str:
    return f"user:{user.id}"


def find_user(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(email: str) -> User:
    """The account with this email, or an AccountError naming the email."""
    user = find_user(email)
    if user is None:
        raise AccountError(f"no account has the email {normalise_email(email)}")
    return user


def all_users() -> list[User]:
    """Every account, core team first, then by email."""
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def check_account_details(email: str, display_name: str, role: str) -> str:
    """Check a new account's email, name and role (before asking for a password); its email."""
    address = normalise_email(email)
    if len(address) > MAX_EMAIL_LENGTH or not _EMAIL.match(address):
        raise AccountError(f"{address!r} is not an email address")
    name = display_name.strip()
    if not name or len(name) > 120:
        raise AccountError("the name must have between 1 and 120 characters")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if find_user(address) is not None:
        raise AccountError(f"an account with the email {address} already exists")
    return address


def create_user(
    email: str, display_name: str, password: str, role: str, *, actor: User | None = None
) -> User:
    """Create an account after checking every field; commits once."""
    address = check_account_details(email, display_name, role)
    check_password(password)
    user = User(
        email=address,
        display_name=display_name.strip(),
        role=role,
        password_hash=_hasher().hash(password),
    )
    db.session.add(user)
    db.session.flush()
    _event("account created", user=actor, target=_user_target(user), detail=f"role {role}")
    db.session.commit()
    return user


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Replace the password and end every session of the account; commits once."""
    check_password(password)
    user.password_hash = _hasher().hash(password)
    user.session_token = unusable_session()
    revoked = _revoke_all_tokens(user)
    _event("password set", user=actor, target=_user_target(user), detail=revoked)
    db.session.commit()


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Enable or disable an account; disabling ends its sessions and API access at once."""
    user.active = active
    detail = ""
    if not active:
        user.session_token = unusable_session()
        # Revoked, not just refused while disabled: enabling the account again revives none.
        detail = _revoke_all_tokens(user)
    _event(
        "account enabled" if active else "account disabled",
        user=actor,
        target=_user_target(user),
        detail=detail,
    )
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The account if the password matches an active one, else None; audited either way.

    Unknown emails are checked against a dummy hash, so the time taken does not
    reveal which accounts exist.
    """
    hasher = _hasher()
    user = find_user(email)
    stored = (
        user.password_hash
        if user is not None
        else _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    )
    matched: bool
    try:
        matched = hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        matched = False
    if user is None:
        _event("sign-in failed", detail="unknown email")
    elif not matched or not user.active:
        reason = "wrong password" if not matched else "account disabled"
        _event("sign-in failed", target=_user_target(user), detail=reason)
        user = None
    else:
        if hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
        _start_session(user)
        _event("sign-in", user=user, target=_user_target(user))
    db.session.commit()
    return user


def _start_session(user: User) -> None:
    """A fresh session identifier for this sign-in; only its digest is stored.

    The identifier itself exists only in the cookie, so the database cannot give it back:
    each sign-in makes a new one, which ends the account's sessions on other browsers.
    """
    key = new_session_token()
    user.session_token = session_digest(key)
    user.session_key = key  # not a column: what get_id gives Flask-Login for the cookie


def user_for_session(session_token: str) -> User | None:
    """The active account a session cookie names, if any."""
    user = db.session.scalar(
        select(User).where(
            User.session_token == session_digest(session_token), User.active.is_(True)
        )
    )
    if user is not None:
        user.session_key = session_token
    return user


def _revoke_all_tokens(user: User) -> str:
    """Revoke every live API token of the account (the caller commits); says how many."""
    live = list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        )
    )
    for token in live:
        token.revoked = True
    return f"{len(live)} API token(s) revoked" if live else ""


def end_sessions(user: User) -> None:
    """Sign the account out everywhere: cookie sessions cannot be revoked one by one."""
    user.session_token = unusable_session()
    _event("sign-out", user=user, target=_user_target(user))
    db.session.commit()


def _storable_id(value: int | None) -> bool:
    """Whether an id fits the integer column (a huge one would be a database error)."""
    return value is not None and 0 < value < 2**31


def _grant_target(team_id: int | None, organisation_id: int | None) -> str:
    """Check that exactly one existing team or organisation is named; return its label."""
    if (team_id is None) == (organisation_id is None):
        raise AccountError("name exactly one of a team or an organisation")
    if team_id is not None:
        if not _storable_id(team_id) or db.session.get(Team, team_id) is None:
            raise AccountError(f"no team has the id {team_id}")
        return f"team:{team_id}"
    if not _storable_id(organisation_id) or db.session.get(Organisation, organisation_id) is None:
        raise AccountError(f"no organisation has the id {organisation_id}")
    return f"organisation:{organisation_id}"


def _find_grant(user: User, team_id: int | None, organisation_id: int | None) -> LeadGrant | None:
    query = select(LeadGrant).where(LeadGrant.user_id == user.id)
    if team_id is not None:
        query = query.where(LeadGrant.team_id == team_id)
    else:
        query = query.where(LeadGrant.organisation_id == organisation_id)
    return db.session.scalar(query)


def grant_lead(
    user: User,
    *,
    team_id: int | None = None,
    organisation_id: int | None = None,
    actor: User | None = None,
) -> LeadGrant:
    """Give a lead access to one team or one organisation (and so its teams); commits once."""
    target = _grant_target(team_id, organisation_id)
    if user.role != "lead":
        raise AccountError(f"{user.email} is not a lead (the core team already sees every team)")
    if _find_grant(user, team_id, organisation_id) is not None:
        raise AccountError(f"{user.email} already has lead access to {target}")
    grant = LeadGrant(user=user, team_id=team_id, organisation_id=organisation_id)
    db.session.add(grant)
    _event("lead access granted", user=actor, target=target, detail=_user_target(user))
    db.session.commit()
    return grant


def withdraw_lead(
    user: User,
    *,
    team_id: int | None = None,
    organisation_id: int | None = None,
    actor: User | None = None,
) -> None:
    """Take away a lead's access to one team or organisation; commits once."""
    target = _grant_target(team_id, organisation_id)
    grant = _find_grant(user, team_id, organisation_id)
    if grant is None:
        raise AccountError(f"{user.email} has no lead access to {target}")
    user.grants.remove(grant)
    _event("lead access withdrawn", user=actor, target=target, detail=_user_target(user))
    db.session.commit()


def token_digest(token: str) -> str:
    """What is stored of an API token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, label: str, *, actor: User | None = None) -> str:
    """Create an API token for the account and return it; it cannot be shown again."""
    name = label.strip()
    if not name or len(name) > 80:
        raise AccountError("the token label must have between 1 and 80 characters")
    if not user.active:
        raise AccountError(f"{user.email} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, digest=token_digest(token), label=name))
    _event("api token issued", user=actor, target=_user_target(user), detail=f"label {name}")
    db.session.commit()
    return token


def revoke_tokens(user: User, label: str, *, actor: User | None = None) -> int:
    """Revoke the account's live tokens with this label; commits once; returns how many."""
    tokens = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.label == label.strip(),
            ApiToken.revoked.is_(False),
        )
    ).all()
    if not tokens:
        raise AccountError(f"{user.email} has no live token labelled {label.strip()!r}")
    for token in tokens:
        token.revoked = True
    _event(
        "api token revoked",
        user=actor,
        target=_user_target(user),
        detail=f"label {label.strip()}",
    )
    db.session.commit()
    return len(tokens)


def user_for_token(token: str) -> User | None:
    """The active account a live API token belongs to, if any."""
    found = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == token_digest(token.strip()))
    )
    if found is None or found.revoked or not found.user.active:
        return None
    week = iso_week(date.today())
    if found.last_used_week != week:
        # One write a week at most: enough to tell a stale token, never when it was used.
        found.last_used_week = week
        db.session.commit()
    return found.user


def _is_staff(user: object) -> TypeGuard[User]:
    """An active, signed-in account (anonymous visitors and disabled accounts see nothing)."""
    return isinstance(user, User) and user.active


def visible_team_ids(user: object) -> frozenset[int]:
    """The teams whose results the user may see: all for the core team, else the granted ones."""
    if not _is_staff(user):
        return frozenset()
    if user.role == "core":
        return frozenset(db.session.scalars(select(Team.id)))
    direct = db.session.scalars(
        select(LeadGrant.team_id).where(
            LeadGrant.user_id == user.id, LeadGrant.team_id.is_not(None)
        )
    )
    via_organisation = db.session.scalars(
        select(Team.id)
        .join(LeadGrant, LeadGrant.organisation_id == Team.organisation_id)
        .where(LeadGrant.user_id == user.id)
    )
    return frozenset(team_id for team_id in direct if team_id is not None) | frozenset(
        via_organisation
    )


def visible_organisation_ids(user: object) -> frozenset[int]:
    """The organisations whose results the user may see: a lead needs an organisation grant."""
    if not _is_staff(user):
        return frozenset()
    if user.role == "core":
        return frozenset(db.session.scalars(select(Organisation.id)))
    return frozenset(
        organisation_id
        for organisation_id in db.session.scalars(
            select(LeadGrant.organisation_id).where(
                LeadGrant.user_id == user.id, LeadGrant.organisation_id.is_not(None)
            )
        )
        if organisation_id is not None
    )


def can_see_team(user: object, team_id: int) -> bool:
    """Whether the user may see this team's results (an organisation grant covers its teams)."""
    return team_id in visible_team_ids(user)


def can_see_organisation(user: object, organisation_id: int) -> bool:
    """Whether the user may see this organisation's results."""
    return organisation_id in visible_organisation_ids(user)
