"""Actions after a review, written against the plan service's names (issue 12).

Until survey/services/plans.py lands these construct `Action` rows themselves; at merge
they fold into plans.py (same names, same behaviour), so actions after STS results and
after a review stay one plan per organisation. Every change is audited.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import ACTION_STATUSES, Action, Organisation, Team, User, Wave
from survey.services.accounts import record_event

TITLE_MAX = 300
OWNER_MAX = 120


class ActionError(ValueError):
    """An action that cannot be saved; `field` names the form field the message is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _text(value: str, field: str, longest: int) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > longest:
        raise ActionError(f"Enter 1 to {longest} characters.", field)
    return cleaned


def create_action(
    organisation: Organisation,
    *,
    focus: str,
    title: str,
    owner_role: str,
    due_on: date | None,
    today: date,
    actor: User,
    team: Team | None = None,
    wave: Wave | None = None,
) -> Action:
    """Add an action to an organisation's plan; commits once."""
    if team is not None and team.organisation_id != organisation.id:
        raise ActionError("Choose one of this organisation's teams.", "team")
    action = Action(
        organisation=organisation,
        team=team,
        wave=wave,
        focus=focus,
        title=_text(title, "title", TITLE_MAX),
        owner_role=_text(owner_role, "owner_role", OWNER_MAX),
        due_on=due_on,
        status="planned",
        created_on=today,
        updated_on=today,
    )
    db.session.add(action)
    db.session.flush()
    detail = f"focus {focus!r}; title {action.title!r}; owner {action.owner_role!r}; due {due_on}"
    record_event("action created", user=actor, target=f"action:{action.id}", detail=detail)
    return action


def update_action_status(action: Action, status: str, *, today: date, actor: User) -> str:
    """Change an action's status; commits once; returns what changed ("" for nothing)."""
    if status not in ACTION_STATUSES:
        raise ActionError("Choose a status from the list.", "status")
    if status == action.status:
        return ""
    change = f"status: {action.status!r} -> {status!r}"
    action.status = status
    action.updated_on = today
    record_event("action status changed", user=actor, target=f"action:{action.id}", detail=change)
    return change


def actions_for_organisation(organisation_id: int) -> list[Action]:
    """An organisation's whole plan, by due date (undated last), then by when it was added."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.organisation_id == organisation_id)
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )
