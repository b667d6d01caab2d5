"""Action plans from the results pages: recorded after a release, shown at the next round."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEvent, Response, User
from survey.models.plans import Action
from survey.services import plans
from tests.results.conftest import staff_client
from tests.results.world import World, address

TODAY = date(2026, 12, 2)


def _token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _record(client: FlaskClient, release: str, group: str, title: str) -> int:
    token = _token(client, f"/results/release/{release}")
    result = client.post(
        f"/results/release/{release}/actions",
        data={
            "csrf_token": token,
            "group": group,
            "title": title,
            "focus": "respond",
            "owner_role": "team manager",
            "due_on": "2027-01-31",
        },
    )
    return result.status_code


def test_a_lead_records_an_action_and_sees_it_at_the_next_round(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    group = f"team:{world.a1.id}"
    # After last year's round, the lead says what the team will do.
    assert (
        _record(client, address(world.last_year), group, "Start monthly reflective practice") == 302
    )
    (action,) = db.session.scalars(select(Action)).all()
    assert (action.team_id, action.organisation_id, action.wave_id) == (
        world.a1.id,
        world.org_a.id,
        world.last_year.wave_id,
    )
    assert (action.focus, action.owner_role, action.status) == (
        "respond",
        "team manager",
        "planned",
    )
    assert action.due_on == date(2027, 1, 31)
    # This year's page shows it under "what we said we would do", beside the new results.
    html = client.get(f"/results/release/{address(world.this_year)}").get_data(as_text=True)
    block = html[html.index(f'id="actions-team-{world.a1.id}"') :]
    said = block[block.index("What we said we would do") : block.index("What we will do after")]
    assert "Start monthly reflective practice" in said
    assert "Respond with policy and practice" in said and "31 January 2027" in said
    # The change is audited like every staff change.
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "action created"))
    assert event.user_id == lead_a1.id and event.target == f"action:{action.id}"


def test_a_lead_cannot_plan_for_a_team_they_do_not_hold(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    # Team A two is in the release but not the lead's: to them it does not exist.
    assert _record(client, address(world.this_year), f"team:{world.a2.id}", "Anything") == 404
    assert _record(client, address(world.this_year), "alliance", "Anything") == 404
    assert db.session.scalars(select(Action)).all() == []


def test_an_action_needs_words_and_a_role(app: Flask, world: World, lead_a1: User) -> None:
    client = staff_client(app, "a1@example.org")
    assert _record(client, address(world.this_year), f"team:{world.a1.id}", "") == 422
    assert db.session.scalars(select(Action)).all() == []


def _action(world: World, user: User) -> Action:
    new = plans.NewAction(
        world.org_a.id, world.a1.id, world.this_year.wave_id, "realise", "Training", "manager", None
    )
    return plans.create_action(user, new, today=TODAY)


def test_status_changes_and_comments_are_audited(
    app: Flask, world: World, lead_a1: User, core_user: User
) -> None:
    action = _action(world, lead_a1)
    plans.update_action_status(lead_a1, action.id, "in progress", today=TODAY + timedelta(days=3))
    assert (action.status, action.updated_on) == ("in progress", TODAY + timedelta(days=3))
    with pytest.raises(plans.PlanError):
        plans.update_action_status(lead_a1, action.id, "finished-ish", today=TODAY)
    with pytest.raises(PermissionError):
        plans.comment_on_action(lead_a1, action.id, "Well done", today=TODAY)
    comment = plans.comment_on_action(core_user, action.id, "Well done", today=TODAY)
    assert comment.body == "Well done" and comment.author_id == core_user.id
    audited = [
        (e.action, e.detail)
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.target == f"action:{action.id}")
        )
    ]
    assert audited == [
        (
            "action created",
            f"team:{world.a1.id}; focus realise; wave {world.this_year.wave_id}; due None",
        ),
        ("action status changed", "planned -> in progress"),
        ("action commented", f"comment:{comment.id}"),
    ]


def test_review_domains_are_a_focus_too_for_the_organisational_review(
    app: Flask, world: World, core_user: User
) -> None:
    new = plans.NewAction(
        world.org_a.id, None, None, "domain:safety", "Safe spaces", "director", None
    )
    action = plans.create_action(core_user, new, today=TODAY)
    assert plans.focus_label(action.focus) == "Review domain: Safety"
    # The domain's name from its framework, not its key.
    spoken = plans.focus_label("domain:trauma-specific-interventions")
    assert spoken == "Review domain: Trauma-specific Interventions"
    assert plans.focus_label("domain:no-such-domain") == "Review domain: no such domain"
    assert plans.actions_for_organisation(world.org_a.id, whole_only=True) == [action]
    with pytest.raises(plans.PlanError):
        plans.create_action(
            core_user,
            plans.NewAction(world.org_a.id, None, None, "domain:", "x", "y", None),
            today=TODAY,
        )
    with pytest.raises(plans.PlanError):
        plans.create_action(
            core_user,
            plans.NewAction(world.org_b.id, world.a1.id, None, "realise", "x", "y", None),
            today=TODAY,
        )


def test_the_core_team_sees_every_teams_actions_and_comments(
    app: Flask, world: World, lead_a1: User, core_user: User
) -> None:
    action = _action(world, lead_a1)
    other = plans.create_action(
        core_user,
        plans.NewAction(
            world.org_b.id,
            world.b1.id,
            None,
            "resist",
            "Debriefs after hard calls",
            "shift lead",
            None,
        ),
        today=TODAY,
    )
    core = staff_client(app, "core@example.org")
    html = core.get("/results/actions").get_data(as_text=True)
    assert "Training" in html and "Debriefs after hard calls" in html
    token = _token(core, "/results/actions")
    result = core.post(
        f"/results/actions/{other.id}/comments", data={"csrf_token": token, "body": "Shared with B"}
    )
    assert result.status_code == 302
    assert [c.body for c in db.session.get(Action, other.id).comments] == ["Shared with B"]  # type: ignore[union-attr]
    # A lead sees only their own team's actions, and cannot comment.
    lead = staff_client(app, "a1@example.org")
    mine = lead.get("/results/actions").get_data(as_text=True)
    assert "Training" in mine and "Debriefs after hard calls" not in mine
    token = _token(lead, "/results/actions")
    assert (
        lead.post(
            f"/results/actions/{action.id}/comments", data={"csrf_token": token, "body": "x"}
        ).status_code
        == 403
    )
    assert (
        lead.post(
            f"/results/actions/{other.id}/status", data={"csrf_token": token, "status": "done"}
        ).status_code
        == 404
    )
    assert db.session.get(Action, other.id).status == "planned"  # type: ignore[union-attr]


def test_the_page_reads_releases_only_not_responses(
    app: Flask, world: World, lead_org_a: User
) -> None:
    """Plain words, rates, trend and heatmap are the same with every response deleted."""
    client = staff_client(app, "orga@example.org")
    path = f"/results/release/{address(world.this_year)}"
    before = client.get(path).get_data(as_text=True)
    assert "Your groups at a glance" in before and "Across rounds" in before
    for response in db.session.scalars(select(Response)).all():
        db.session.delete(response)
    db.session.commit()
    after = client.get(path).get_data(as_text=True)
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", after) == token.sub("", before)
