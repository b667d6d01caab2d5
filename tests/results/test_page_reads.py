"""A release page reads the database a fixed number of times, whatever it shows.

The number of statements must not grow with the earlier rounds of the trend (each round's
wave comes with its release) or with the groups a lead holds (whether they may plan for a
group is read from the scope the page already holds, not asked again per group).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from survey.extensions import db
from survey.models import User
from survey.services import accounts, plans
from survey.services.release_access import scope_for
from tests.auth.conftest import PASSWORD
from tests.results.conftest import staff_client
from tests.results.world import World, address


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _reads(app: Flask, client: FlaskClient, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: the same work as any later view
    with _statements(app) as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_earlier_rounds_add_no_reads(app: Flask, world: World, core_user: User) -> None:
    client = staff_client(app, core_user.email)
    # The same questionnaire: no earlier round, one earlier round, two earlier rounds.
    reads = [
        _reads(app, client, f"/results/release/{address(release)}")
        for release in (world.last_year, world.this_year, world.b_only)
    ]
    assert reads[0] == reads[1] == reads[2], reads


def test_more_groups_add_no_reads(app: Flask, world: World, lead_a1: User) -> None:
    # Grants on teams only (an organisation grant adds a journey link to the navigation).
    three = accounts.create_user("a123@example.org", "Tri Teams", PASSWORD, "lead")
    for team in (world.a1, world.a2, world.b1):
        accounts.grant_lead(three, team_id=team.id)
    path = f"/results/release/{address(world.this_year)}"
    one_team = _reads(app, staff_client(app, lead_a1.email), path)
    three_teams = _reads(app, staff_client(app, three.email), path)
    assert one_team == three_teams


def test_planning_from_the_scope_follows_the_grants(
    world: World, lead_a1: User, lead_org_a: User, core_user: User
) -> None:
    groups = [(world.org_a.id, None), (world.org_b.id, None)] + [
        (team.organisation_id, team.id) for team in (world.a1, world.a2, world.a3, world.b1)
    ]
    for user in (lead_a1, lead_org_a, core_user):
        scope = scope_for(user)
        for organisation_id, team_id in groups:
            expected = plans.may_plan_for(user, organisation_id, team_id)
            assert plans.may_plan_in(scope, organisation_id, team_id) == expected, (
                user.email,
                organisation_id,
                team_id,
            )
    assert not plans.may_plan_in(scope_for(core_user), None, None)  # the alliance: no plans
