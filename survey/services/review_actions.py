"""Actions after a review, in the one plan per organisation (`survey.services.plans`).

The review pages call these with the organisation and team they hold; the rows, the
checks and the audit events are the plan service's, so actions after screening results
and after a review stay one plan. A plan refusal comes back as ActionError naming the
form field it is about.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import Action, Organisation, Team, User, Wave
from survey.services import plans


class ActionError(ValueError):
    """An action that cannot be saved; `field` names the form field the message is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# Which form field each of the plan service's refusals is about.
_FIELDS = {"what you will do": "title", "who leads it": "owner_role", "team": "team"}


def _field_of(message: str) -> str:
    return next((field for words, field in _FIELDS.items() if words in message), "")


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
    """Add an action to an organisation's plan; audited."""
    new = plans.NewAction(
        organisation_id=organisation.id,
        team_id=None if team is None else team.id,
        wave_id=None if wave is None else wave.id,
        focus=focus,
        title=title,
        owner_role=owner_role,
        due_on=due_on,
    )
    try:
        action = plans.create_action(actor, new, today=today)
    except plans.PlanError as error:
        raise ActionError(str(error).capitalize() + ".", _field_of(str(error))) from None
    db.session.commit()
    return action


def update_action_status(action: Action, status: str, *, today: date, actor: User) -> str:
    """Change an action's status; returns what changed ("" for nothing)."""
    before = action.status
    try:
        plans.update_action_status(actor, action.id, status, today=today)
    except plans.PlanError:
        raise ActionError("Choose a status from the list.", "status") from None
    db.session.commit()
    return "" if before == status else f"status: {before!r} -> {status!r}"


def actions_for_organisation(organisation_id: int) -> list[Action]:
    """An organisation's whole plan, by due date (undated last), then by when it was added."""
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.organisation_id == organisation_id)
            .order_by(Action.due_on.is_(None), Action.due_on, Action.id)
        )
    )
