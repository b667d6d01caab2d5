"""Release access: scopes from grants, visible releases, and the ledger never read or shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from survey.extensions import db
from survey.models import Release, User
from survey.services import accounts
from survey.services.release_access import (
    NOBODY,
    find_visible_release,
    open_release,
    scope_for,
    visible_releases,
    waves_with_releases,
)
from tests.results.conftest import staff_client
from tests.results.world import World, address

MARKER = "LEDGER-ONLY-7f3a9c"


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement the app runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def marked_release(world: World) -> Release:
    """A later release of "This year" whose internal ledger carries a marker."""
    ledger = json.loads(world.this_year.ledger)
    ledger["marker"] = MARKER
    release = Release(
        wave_id=world.this_year.wave_id,
        sequence=2,
        kind="final",
        payload=world.this_year.payload,
        ledger=json.dumps(ledger),
    )
    db.session.add(release)
    db.session.commit()
    return release


def test_scopes_follow_grants(
    world: World, lead_a1: User, lead_org_a: User, core_user: User
) -> None:
    team = scope_for(lead_a1)
    assert not team.core and team.team_ids == {world.a1.id} and team.organisation_ids == set()
    organisation = scope_for(lead_org_a)
    assert organisation.team_ids == {world.a1.id, world.a2.id, world.a3.id}
    assert organisation.organisation_ids == {world.org_a.id}
    assert scope_for(core_user).core
    assert scope_for(None) == NOBODY
    accounts.set_active(lead_a1, False)
    assert scope_for(lead_a1) == NOBODY


def test_visible_releases_follow_participation(
    world: World, lead_a1: User, core_user: User
) -> None:
    mine = [info.id for info, _ in visible_releases(scope_for(lead_a1))]
    assert mine == [world.this_year.id, world.last_year.id]
    every = [info.id for info, _ in visible_releases(scope_for(core_user))]
    assert every == [world.b_only.id, world.this_year.id, world.last_year.id]
    assert visible_releases(NOBODY) == []
    (wave,) = [w for w in waves_with_releases(scope_for(lead_a1)) if w.name == "This year"]
    assert wave.latest.id == world.this_year.id


def test_a_newer_release_of_a_wave_is_its_latest(world: World, core_user: User) -> None:
    newer = marked_release(world)
    (wave,) = [w for w in waves_with_releases(scope_for(core_user)) if w.name == "This year"]
    assert [r.id for r in wave.releases] == [newer.id, world.this_year.id]
    assert wave.latest.id == newer.id


def test_a_foreign_or_missing_release_is_none(world: World, lead_a1: User) -> None:
    scope = scope_for(lead_a1)
    b_only, mine = world.b_only, world.this_year
    assert find_visible_release(scope, b_only.wave_id, b_only.sequence) is None
    assert find_visible_release(scope, mine.wave_id, 2) is None
    assert find_visible_release(scope, 10**12, 1) is None
    assert find_visible_release(scope, mine.wave_id, -1) is None
    found = find_visible_release(scope, mine.wave_id, mine.sequence)
    assert found is not None
    assert {g["level"] for g in found.payload["groups"].values()} == {"team"}
    assert {g["id"] for g in found.payload["groups"].values()} == {str(world.a1.id)}


def test_open_release_audits_only_what_it_finds(world: World, lead_a1: User) -> None:
    mine = (world.this_year.wave_id, world.this_year.sequence)
    assert open_release(lead_a1, world.b_only.wave_id, world.b_only.sequence) is None
    with pytest.raises(ValueError, match="unknown release action"):
        open_release(lead_a1, *mine, action="release.deleted")
    assert open_release(lead_a1, *mine, via="page") is not None
    events = db.session.scalars(db.select(accounts.AuditEvent)).all()
    viewed = [e for e in events if e.action == "release.viewed"]
    assert [(e.target, e.detail) for e in viewed] == [(f"release:{world.this_year.id}", "page")]


def test_pages_and_exports_never_load_or_show_the_ledger(
    app: Flask, world: World, core_user: User
) -> None:
    marked = address(marked_release(world))  # read here: refreshing the test's own object loads all
    client = staff_client(app, "core@example.org")
    paths = ("/results/", f"/results/release/{marked}", f"/results/release/{marked}.csv")
    with statements() as seen:
        bodies = [client.get(path).get_data(as_text=True) for path in paths]
    assert all(MARKER not in body for body in bodies)
    assert "/results/release/" in bodies[0] and "Org B: B one" in bodies[1]
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert any("release.payload" in s for s in selects)  # the listener does see release reads
    assert not [s for s in selects if "ledger" in s]
