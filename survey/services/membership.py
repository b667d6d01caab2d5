"""Membership: organisations, teams, and team leads invited by a one-time set-password link.

Every write is one function that commits once and leaves an audit event naming the
core-team member who made it. Messages in `MembershipError` are for the core team and
name the form field they belong to. Only a hash of an invitation token is ever stored;
the link itself exists only in the return value of the function that made it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import (
    SECTORS,
    AuditEvent,
    Invitation,
    LeadGrant,
    Organisation,
    Response,
    SingleUseCode,
    SurveyLink,
    Team,
    User,
)
from survey.services import accounts
from survey.services.accounts import AccountError, record_event

PLEDGE_STATUSES = ("not started", "pledge signed", "memorandum signed", "left")
INVITATION_LIFETIME = timedelta(days=7)
ACCEPT_ENDPOINT = "auth.accept_invitation"
NAME_MAX = 200
PERSON_NAME_MAX = 120


class MembershipError(Exception):
    """A change that cannot be made; `field` names the form field the message is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvitationUnusable(Exception):
    """The token is unknown, used, expired or belongs to a disabled account (never says which)."""


@dataclass(frozen=True)
class OrganisationDetails:
    """What the core team enters about an organisation."""

    name: str
    sector: str
    joined_on: date | None
    pledge_status: str


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation: the link is the only copy of its token, to be shown once."""

    user: User
    link: str
    expires_at: datetime


@dataclass(frozen=True)
class TeamUsage:
    """Whether a team can still be deleted, and what it would take with it."""

    links: int
    has_responses: bool
    grants: int

    @property
    def deletable(self) -> bool:
        """A team with links or responses stays, so past rounds keep their shape."""
        return self.links == 0 and not self.has_responses


def now_utc() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back naive datetimes)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """An audit detail listing each changed field as `field: old -> new`."""
    return "; ".join(
        f"{key}: {before[key]!r} -> {after[key]!r}" for key in after if before[key] != after[key]
    )


def _note(action: str, actor: User | None, target: str, detail: str = "") -> None:
    """Add an audit event to the transaction that `record_event` will commit."""
    db.session.add(AuditEvent(action=action, user=actor, target=target, detail=detail))


# Organisations and teams


def organisations() -> list[Organisation]:
    """Every organisation, by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def get_organisation(organisation_id: int) -> Organisation | None:
    """The organisation with this id, if any."""
    return db.session.get(Organisation, organisation_id)


def get_team(team_id: int) -> Team | None:
    """The team with this id, if any."""
    return db.session.get(Team, team_id)


def _clean_name(name: str, field: str = "name", longest: int = NAME_MAX) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > longest:
        raise MembershipError(f"Enter a name of 1 to {longest} characters.", field)
    return cleaned


def _organisation_clash(name: str) -> MembershipError:
    return MembershipError(f"An organisation called {name} already exists.", "name")


def _checked(details: OrganisationDetails, current: Organisation | None) -> dict[str, Any]:
    """The organisation's fields after checking each one."""
    name = _clean_name(details.name)
    if details.sector not in SECTORS:
        raise MembershipError("Choose a sector from the list.", "sector")
    if details.pledge_status not in PLEDGE_STATUSES:
        raise MembershipError("Choose a status from the list.", "pledge_status")
    clash = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if clash is not None and clash is not current:
        raise _organisation_clash(name)
    return asdict(details) | {"name": name}


@contextmanager
def _unique(clash: MembershipError) -> Iterator[None]:
    """Turn a unique-constraint clash (a concurrent change beat the check) into `clash`."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise clash from None


def create_organisation(details: OrganisationDetails, *, actor: User) -> Organisation:
    """Add a member organisation; commits once."""
    fields = _checked(details, None)
    organisation = Organisation(**fields)
    detail = describe_changes(dict.fromkeys(fields), fields)
    with _unique(_organisation_clash(fields["name"])):
        db.session.add(organisation)
        db.session.flush()
        target = f"organisation:{organisation.id}"
        record_event("organisation created", user=actor, target=target, detail=detail)
    return organisation


def update_organisation(
    organisation: Organisation, details: OrganisationDetails, *, actor: User
) -> str:
    """Change an organisation's details; commits once; returns what changed ("" for nothing)."""
    fields = _checked(details, organisation)
    changes = describe_changes({key: getattr(organisation, key) for key in fields}, fields)
    if not changes:
        return ""
    target = f"organisation:{organisation.id}"
    with _unique(_organisation_clash(fields["name"])):
        for key, value in fields.items():
            setattr(organisation, key, value)
        record_event("organisation changed", user=actor, target=target, detail=changes)
    return changes


def _team_clash(name: str) -> MembershipError:
    return MembershipError(f"This organisation already has a team called {name}.", "name")


def _check_team_name(organisation_id: int, name: str, current: Team | None) -> None:
    clash = db.session.scalar(
        select(Team).where(Team.organisation_id == organisation_id, Team.name == name)
    )
    if clash is not None and clash is not current:
        raise _team_clash(name)


def create_team(organisation: Organisation, name: str, *, actor: User) -> Team:
    """Add a team to an organisation; commits once."""
    cleaned = _clean_name(name)
    _check_team_name(organisation.id, cleaned, None)
    team = Team(organisation=organisation, name=cleaned)
    detail = f"name {cleaned!r} in organisation:{organisation.id}"
    with _unique(_team_clash(cleaned)):
        db.session.add(team)
        db.session.flush()
        record_event("team created", user=actor, target=f"team:{team.id}", detail=detail)
    return team


def rename_team(team: Team, name: str, *, actor: User) -> str:
    """Rename a team; commits once; returns what changed ("" for nothing)."""
    cleaned = _clean_name(name)
    if cleaned == team.name:
        return ""
    _check_team_name(team.organisation_id, cleaned, team)
    changes = describe_changes({"name": team.name}, {"name": cleaned})
    with _unique(_team_clash(cleaned)):
        team.name = cleaned
        record_event("team renamed", user=actor, target=f"team:{team.id}", detail=changes)
    return changes


def team_usage(team: Team) -> TeamUsage:
    """What refers to the team. Responses are only ever "some or none": no counts here."""
    links = db.session.scalar(
        select(func.count()).select_from(SurveyLink).where(SurveyLink.team_id == team.id)
    )
    grants = db.session.scalar(
        select(func.count()).select_from(LeadGrant).where(LeadGrant.team_id == team.id)
    )
    answered = db.session.scalar(select(exists().where(Response.team_id == team.id)))
    # Printed codes belong to a wave's link, so they count as one more reason to keep the team.
    coded = db.session.scalar(select(exists().where(SingleUseCode.team_id == team.id)))
    return TeamUsage(
        links=(links or 0) + int(bool(coded)), has_responses=bool(answered), grants=grants or 0
    )


def delete_team(team: Team, *, actor: User) -> None:
    """Delete a team that never had links or responses, with any lead access to it; commits once."""
    usage = team_usage(team)
    if not usage.deletable:
        raise MembershipError(
            "This team has survey links or responses, so it stays: past rounds keep their shape."
        )
    withdrawn = db.session.scalars(select(LeadGrant).where(LeadGrant.team_id == team.id)).all()
    for grant in withdrawn:
        _note("lead access withdrawn", actor, f"team:{team.id}", f"user:{grant.user_id}")
        db.session.delete(grant)
    detail = f"name {team.name!r} in organisation:{team.organisation_id}"
    db.session.delete(team)
    record_event("team deleted", user=actor, target=f"team:{team.id}", detail=detail)


# Leads, their access, and invitations


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
    email: str, display_name: str, access: str, *, actor: User, now: datetime | None = None
) -> IssuedInvitation:
    """Create a lead account with its first access and a 7-day set-password link; commits once."""
    moment = now or now_utc()
    name = _clean_name(display_name, "display_name", PERSON_NAME_MAX)
    if accounts.find_user(email) is not None:
        raise MembershipError("An account with this email already exists.", "email")
    try:
        address = accounts.check_account_details(email, name, "lead")
    except AccountError:
        raise MembershipError("Enter an email address such as name@example.org.", "email") from None
    team_id, organisation_id = parse_access(access)
    team = db.session.get(Team, team_id) if team_id else None
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if team is None and organisation is None:
        raise MembershipError("Choose a team or an organisation from the list.", "access")
    # No password matches until the lead sets one; a real hash keeps sign-in timing uniform.
    unusable = accounts._hasher().hash(secrets.token_urlsafe(32))
    user = User(email=address, display_name=name, role="lead", password_hash=unusable)
    with _unique(MembershipError("An account with this email already exists.", "email")):
        db.session.add(user)
        db.session.add(LeadGrant(user=user, team=team, organisation=organisation))
        db.session.flush()
        _note("account created", actor, f"user:{user.id}", "role lead, by invitation")
        _note("lead access granted", actor, access, f"user:{user.id}")
        return _issue(user, moment, actor)


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
