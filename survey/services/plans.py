"""Action plans: what a team (or organisation) said it would do, and the core team's comments.

One module for every write to `plan_action` and `plan_action_comment`, used by the results
pages (actions after a screening release, focused on one of the Four R's) and by the
organisational review (actions focused on a review domain, `domain:<key>`). Each change
and its audit entry are committed together. Actions belong to a team or an organisation,
never to a respondent: an owner is a role, and no respondent's words are ever stored here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import Team, User
from survey.models.plans import ACTION_STATUSES, DOMAIN_FOCUS_PREFIX, FOUR_RS, Action, ActionComment
from survey.services.accounts import record_event, visible_organisation_ids, visible_team_ids
from survey.services.frameworks import available_frameworks
from survey.services.release_access import Scope

MAX_TITLE = 300
MAX_OWNER = 120
MAX_COMMENT = 2000


class PlanError(ValueError):
    """An action or comment that cannot be stored as given; the message says why."""


@dataclass(frozen=True)
class NewAction:
    """What a person asks to record: the team (or organisation), the focus and the rest."""

    organisation_id: int
    team_id: int | None
    wave_id: int | None
    focus: str
    title: str
    owner_role: str
    due_on: date | None


def focus_label(focus: str) -> str:
    """A focus in words: one of the Four R's, or a review domain."""
    if focus in FOUR_RS:
        return FOUR_RS[focus]
    if focus.startswith(DOMAIN_FOCUS_PREFIX):
        key = focus[len(DOMAIN_FOCUS_PREFIX) :]
        # The domain's own name ('Trauma-specific Interventions'), not its key.
        names = {d.key: d.name for f in available_frameworks() for d in f.domains}
        return "Review domain: " + names.get(key, key.replace("_", " ").replace("-", " "))
    return focus


def _check_focus(focus: str) -> None:
    if focus in FOUR_RS:
        return
    if focus.startswith(DOMAIN_FOCUS_PREFIX) and len(focus) > len(DOMAIN_FOCUS_PREFIX):
        return
    raise PlanError("choose one of the Four R's (or a review domain) as the focus")


def _text(value: str, limit: int, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise PlanError(f"{what} is needed")
    if len(text) > limit:
        raise PlanError(f"{what} may have at most {limit} characters")
    return text


def may_plan_for(user: User, organisation_id: int, team_id: int | None) -> bool:
    """Whether a person may record actions for this team (or, with None, the organisation)."""
    if user.role == "core":
        return True
    if team_id is None:
        return organisation_id in visible_organisation_ids(user)
    return team_id in visible_team_ids(user)


def may_plan_in(scope: Scope, organisation_id: int | None, team_id: int | None) -> bool:
    """`may_plan_for`, answered from the scope this request already read (no query per group).

    The same rule: the core team plans for anyone; a lead for the teams and organisations
    they can see (a scope holds exactly `visible_team_ids` and `visible_organisation_ids`).
    """
    if team_id is None and organisation_id is None:
        return False
    if scope.core:
        return True
    if team_id is None:
        return organisation_id in scope.organisation_ids
    return team_id in scope.team_ids


def create_action(actor: User, new: NewAction, *, today: date) -> Action:
    """Record one action for a team or organisation the actor may plan for; audited."""
    _check_focus(new.focus)
    if new.team_id is not None:
        team = db.session.get(Team, new.team_id)
        if team is None or team.organisation_id != new.organisation_id:
            raise PlanError("that team is not part of that organisation")
    if not may_plan_for(actor, new.organisation_id, new.team_id):
        raise PermissionError("not a team or organisation this person holds")
    action = Action(
        organisation_id=new.organisation_id,
        team_id=new.team_id,
        wave_id=new.wave_id,
        focus=new.focus,
        title=_text(new.title, MAX_TITLE, "what you will do"),
        owner_role=_text(new.owner_role, MAX_OWNER, "who leads it (a role)"),
        due_on=new.due_on,
        status="planned",
        created_on=today,
        updated_on=today,
    )
    db.session.add(action)
    db.session.flush()
    owner = (
        f"team:{new.team_id}" if new.team_id is not None else f"organisation:{new.organisation_id}"
    )
    record_event(
        "action created",
        user=actor,
        target=f"action:{action.id}",
        detail=f"{owner}; focus {new.focus}; wave {new.wave_id}; due {new.due_on}",
    )
    return action


def _action_for(actor: User, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or not may_plan_for(actor, action.organisation_id, action.team_id):
        raise LookupError("no such action for this person")
    return action


def update_action_status(actor: User, action_id: int, status: str, *, today: date) -> Action:
    """Move an action to another status (planned, in progress, done, dropped); audited."""
    if status not in ACTION_STATUSES:
        raise PlanError(f"status must be one of {', '.join(ACTION_STATUSES)}")
    action = _action_for(actor, action_id)
    if action.status == status:
        return action
    before = action.status
    action.status = status
    action.updated_on = today
    record_event(
        "action status changed",
        user=actor,
        target=f"action:{action.id}",
        detail=f"{before} -> {status}",
    )
    return action


def comment_on_action(actor: User, action_id: int, body: str, *, today: date) -> ActionComment:
    """A core-team comment on any action of the alliance; audited (never the comment's text)."""
    if actor.role != "core":
        raise PermissionError("only the core team comments on actions")
    action = _action_for(actor, action_id)
    comment = ActionComment(
        action=action,
        author_id=actor.id,
        body=_text(body, MAX_COMMENT, "a comment"),
        created_on=today,
    )
    db.session.add(comment)
    db.session.flush()
    record_event(
        "action commented", user=actor, target=f"action:{action.id}", detail=f"comment:{comment.id}"
    )
    return comment


def _actions(*conditions: object) -> list[Action]:
    query = (
        select(Action)
        .options(
            selectinload(Action.comments),
            selectinload(Action.team),
            selectinload(Action.organisation),
        )
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(Action.created_on, Action.id)
    )
    return list(db.session.scalars(query))


def actions_for_team(team_id: int) -> list[Action]:
    """Every action of one team, oldest first."""
    return _actions(Action.team_id == team_id)


def actions_for_organisation(organisation_id: int, *, whole_only: bool = False) -> list[Action]:
    """An organisation's actions (its teams' too, unless `whole_only`), oldest first."""
    if whole_only:
        return _actions(Action.organisation_id == organisation_id, Action.team_id.is_(None))
    return _actions(Action.organisation_id == organisation_id)


def actions_visible_to(user: User) -> list[Action]:
    """Every action a person may read: all for the core team; a lead's teams and organisations."""
    if user.role == "core":
        return _actions()
    teams = sorted(visible_team_ids(user))
    organisations = sorted(visible_organisation_ids(user))
    return _actions(
        or_(
            Action.team_id.in_(teams),
            and_(Action.team_id.is_(None), Action.organisation_id.in_(organisations)),
        )
    )


def actions_by_group(
    team_ids: Iterable[int], organisation_ids: Iterable[int]
) -> dict[str, list[Action]]:
    """Actions keyed by release group ('team:3', 'organisation:1': its whole-organisation ones)."""
    teams, organisations = sorted(set(team_ids)), sorted(set(organisation_ids))
    found: dict[str, list[Action]] = {}
    for action in _actions(
        or_(
            Action.team_id.in_(teams),
            and_(Action.team_id.is_(None), Action.organisation_id.in_(organisations)),
        )
    ):
        key = (
            f"team:{action.team_id}"
            if action.team_id is not None
            else f"organisation:{action.organisation_id}"
        )
        found.setdefault(key, []).append(action)
    return found


def organisation_of_team(team_id: int) -> int:
    """The organisation a team belongs to (LookupError for an unknown team)."""
    team = db.session.get(Team, team_id)
    if team is None:
        raise LookupError("no such team")
    return team.organisation_id


def grouped(actions: Iterable[Action]) -> list[tuple[str, list[tuple[str, list[Action]]]]]:
    """Actions by organisation, then by team ('The whole organisation' first), for listing."""
    by_org: dict[str, dict[str, list[Action]]] = {}
    for action in actions:
        team = action.team.name if action.team is not None else "The whole organisation"
        by_org.setdefault(action.organisation.name, {}).setdefault(team, []).append(action)
    return [
        (org, sorted(teams.items(), key=lambda kv: (kv[0] != "The whole organisation", kv[0])))
        for org, teams in sorted(by_org.items())
    ]
