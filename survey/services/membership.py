"""Membership: organisations, teams, and team leads invited by a one-time set-password link.

Every write is one function that commits once and leaves an audit event naming the
core-team member who made it. Messages in `MembershipError` are for the core team and
name the form field they belong to. Only a hash of an invitation token is ever stored;
the link itself exists only in the return value of the function that made it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import (
    SECTORS,
    AuditEvent,
    LeadGrant,
    Organisation,
    PendingResponse,
    Response,
    SingleUseCode,
    SurveyLink,
    Team,
    User,
)
from survey.services.accounts import record_event

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
    answered = db.session.scalar(select(exists().where(Response.team_id == team.id))) or (
        db.session.scalar(select(exists().where(PendingResponse.team_id == team.id)))
    )
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
