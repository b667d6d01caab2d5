"""Team leads: who they are, what they may see, and their one-time set-password links.

Split from `membership` (organisations and teams), whose helpers and errors it shares.
Only a hash of an invitation token is ever stored; the link itself exists only in the
return value of the function that made it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from survey.extensions import db
from survey.models import Invitation, LeadGrant, Organisation, Team, User
from survey.services import accounts
from survey.services.accounts import AccountError, record_event
from survey.services.membership import (
    ACCEPT_ENDPOINT,
    INVITATION_LIFETIME,
    PERSON_NAME_MAX,
    InvitationUnusable,
    IssuedInvitation,
    MembershipError,
    _clean_name,
    _note,
    _unique,
    as_utc,
    now_utc,
    organisations,
)


def leads() -> list[User]:
    """Every team-lead account, by name."""
    return list(
        db.session.scalars(select(User).where(User.role == "lead").order_by(User.display_name))
    )


def get_lead(user_id: int) -> User | None:
    """The lead account with this id (core-team accounts are not managed here)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.role == "lead" else None


def access_choices() -> list[tuple[str, str]]:
    """Every grantable target as (value, label): each organisation, then each of its teams."""
    choices: list[tuple[str, str]] = []
    for organisation in organisations():
        choices.append((f"organisation:{organisation.id}", f"{organisation.name} (all teams)"))
        choices += [(f"team:{t.id}", f"{organisation.name}: {t.name}") for t in organisation.teams]
    return choices


def parse_access(value: str) -> tuple[int | None, int | None]:
    """(team id, organisation id) from a choice such as "team:3"; exactly one is set."""
    kind, _, number = value.partition(":")
    if kind in ("team", "organisation") and number.isdigit() and len(number) < 10:
        return (int(number), None) if kind == "team" else (None, int(number))
    raise MembershipError("Choose a team or an organisation from the list.", "access")


def change_access(user: User, access: str, *, grant: bool, actor: User) -> None:
    """Grant or withdraw a lead's access to one team or organisation; commits once.

    The accounts service writes the change and its audit event.
    """
    team_id, organisation_id = parse_access(access)
    held = any((g.team_id, g.organisation_id) == (team_id, organisation_id) for g in user.grants)
    if grant and held:
        raise MembershipError(f"{user.display_name} already has this access.", "access")
    if not grant and not held:
        raise MembershipError(f"{user.display_name} does not have this access.", "access")
    change = accounts.grant_lead if grant else accounts.withdraw_lead
    try:
        change(user, team_id=team_id, organisation_id=organisation_id, actor=actor)
    except AccountError:
        db.session.rollback()
        raise MembershipError("Choose a team or an organisation from the list.", "access") from None


def _link(token: str) -> str:
    """The public set-password address for a token, on the configured base URL."""
    path = current_app.url_map.bind("localhost").build(ACCEPT_ENDPOINT, {"token": token})
    return str(current_app.config["SERVER_NAME_FOR_LINKS"]).rstrip("/") + path


def _issue(user: User, moment: datetime, actor: User) -> IssuedInvitation:
    """Add a 7-day invitation for the account, audit it and commit; the token leaves only here."""
    token = secrets.token_urlsafe(32)
    expires_at = moment + INVITATION_LIFETIME
    invitation = Invitation(
        user=user, token_hash=accounts.token_digest(token), created_at=moment, expires_at=expires_at
    )
    db.session.add(invitation)
    db.session.flush()
    detail = f"expires {expires_at:%Y-%m-%d %H:%M} UTC"
    record_event("invitation issued", user=actor, target=f"user:{user.id}", detail=detail)
    return IssuedInvitation(user=user, link=_link(token), expires_at=expires_at)


def invite_lead(
    email: str,
    display_name: str,
    access: str | Sequence[str],
    *,
    actor: User,
    now: datetime | None = None,
) -> IssuedInvitation:
    """Create a lead account with its access (one grant or several) and a 7-day set-password
    link; commits once."""
    moment = now or now_utc()
    name = _clean_name(display_name, "display_name", PERSON_NAME_MAX)
    if accounts.find_user(email) is not None:
        raise MembershipError("An account with this email already exists.", "email")
    try:
        address = accounts.check_account_details(email, name, "lead")
    except AccountError:
        raise MembershipError("Enter an email address such as name@example.org.", "email") from None
    wanted = list(dict.fromkeys([access] if isinstance(access, str) else access))
    targets = [_grant_target(value) for value in wanted]
    if not targets:
        raise MembershipError("Choose a team or an organisation from the list.", "access")
    # No password matches until the lead sets one; a real hash keeps sign-in timing uniform.
    unusable = accounts._hasher().hash(secrets.token_urlsafe(32))
    user = User(email=address, display_name=name, role="lead", password_hash=unusable)
    with _unique(MembershipError("An account with this email already exists.", "email")):
        db.session.add(user)
        for team, organisation in targets:
            db.session.add(LeadGrant(user=user, team=team, organisation=organisation))
        db.session.flush()
        _note("account created", actor, f"user:{user.id}", "role lead, by invitation")
        for value in wanted:
            _note("lead access granted", actor, value, f"user:{user.id}")
        return _issue(user, moment, actor)


def _grant_target(value: str) -> tuple[Team | None, Organisation | None]:
    """The team or organisation a choice names; refused when it names neither."""
    team_id, organisation_id = parse_access(value)
    team = db.session.get(Team, team_id) if team_id else None
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if team is None and organisation is None:
        raise MembershipError("Choose a team or an organisation from the list.", "access")
    return team, organisation


def new_invitation_link(
    user: User, *, actor: User, now: datetime | None = None
) -> IssuedInvitation:
    """End the lead's open invitations and issue a fresh link (also a password reset)."""
    moment = now or now_utc()
    if not user.active:
        raise MembershipError("This account is disabled: enable it before sending a new link.")
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > moment,
        )
        .values(expires_at=moment)
        .execution_options(synchronize_session=False)  # the commit expires loaded rows anyway
    )
    return _issue(user, moment, actor)


def invitation_states(users: list[User], now: datetime | None = None) -> dict[int, str]:
    """Each lead's newest invitation in words: waiting (until when), expired, or accepted."""
    moment = now or now_utc()
    states: dict[int, str] = {}
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.user_id.in_([user.id for user in users]))
        .order_by(Invitation.created_at, Invitation.id)
    )
    newest = {invitation.user_id: invitation for invitation in rows}
    for user in users:
        invitation = newest.get(user.id)
        if invitation is None:
            states[user.id] = "No link issued"
        elif invitation.used_at is not None:
            states[user.id] = "Password set"
        elif as_utc(invitation.expires_at) <= moment:
            states[user.id] = "Link expired"
        else:
            states[user.id] = f"Link waiting until {as_utc(invitation.expires_at):%d %b %Y}"
    return states


def live_invitation(token: str, now: datetime | None = None) -> Invitation | None:
    """The unused, unexpired invitation of an active account that this token opens."""
    moment = now or now_utc()
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.token_hash == accounts.token_digest(token),
            Invitation.used_at.is_(None),
            Invitation.expires_at > moment,
        )
    )
    if invitation is None or not invitation.user.active:
        return None
    return invitation


def accept_invitation(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set the invited account's password and spend the invitation; commits once."""
    moment = now or now_utc()
    invitation = live_invitation(token, moment)
    if invitation is None:
        raise InvitationUnusable
    try:
        accounts.check_password(password)
    except AccountError as error:
        raise MembershipError(f"{str(error).capitalize()}.", "password") from None
    # A conditional update, so two tabs posting at once cannot both spend one invitation.
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.used_at.is_(None),
                Invitation.expires_at > moment,
            )
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise InvitationUnusable
    user = invitation.user
    _note("invitation accepted", user, f"user:{user.id}")
    accounts.set_password(user, password, actor=user)
    return user
