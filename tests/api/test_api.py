"""The JSON API: bearer tokens only, JSON errors, and only the groups a person may see."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.extensions import db
from survey.models import AuditEvent, Release, User
from survey.services.accounts import issue_token, revoke_tokens
from tests.results.conftest import staff_client
from tests.results.world import World, address

HIDDEN_FIELDS = {"key", "level", "id", "attribute", "value", "label", "shown", "text"}
MARKER = "LEDGER-ONLY-api-51c2"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(client: FlaskClient, path: str, token: str, status: int = 200) -> Any:
    result = client.get(path, headers=bearer(token))
    assert result.status_code == status, (path, result.get_data(as_text=True))
    assert result.mimetype == "application/json"
    assert "Set-Cookie" not in result.headers  # a token request starts no session
    return result.get_json()


def test_no_token_no_answer(client: FlaskClient, world: World) -> None:
    for path in (
        "/api/v1/releases",
        f"/api/v1/releases/{address(world.this_year)}",
        "/api/v1/anything",
    ):
        result = client.get(path)
        assert result.status_code == 401, path
        assert result.get_json() == {"error": "authentication required"}
        assert result.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "lantern_x"):
        result = client.get("/api/v1/releases", headers={"Authorization": header})
        assert result.status_code == 401, header


def test_a_signed_in_browser_session_does_not_open_the_api(
    app: Flask, world: World, lead_a1: User
) -> None:
    browser = staff_client(app, "a1@example.org")
    assert browser.get("/results/").status_code == 200
    assert browser.get("/api/v1/releases").status_code == 401
    assert browser.get(f"/api/v1/releases/{address(world.this_year)}").status_code == 401


def test_revoked_tokens_stop_working(client: FlaskClient, world: World, lead_a1: User) -> None:
    token = issue_token(lead_a1, "script")
    get(client, "/api/v1/releases", token)
    revoke_tokens(lead_a1, "script")
    get(client, "/api/v1/releases", token, 401)


def test_the_list_holds_only_releases_of_waves_the_lead_took_part_in(
    client: FlaskClient, world: World, lead_a1: User
) -> None:
    listed = get(client, "/api/v1/releases", issue_token(lead_a1, "t"))["releases"]
    assert [r["url"] for r in listed] == [
        f"/api/v1/releases/{address(world.this_year)}",
        f"/api/v1/releases/{address(world.last_year)}",
    ]
    first = listed[0]
    assert first["wave"]["name"] == "This year" and first["kind"] == "final"
    assert first["sequence"] == 1
    assert first["url"] == f"/api/v1/releases/{address(world.this_year)}"
    assert set(first) == {"sequence", "kind", "made_on", "wave", "url"}
    assert first["made_on"] == world.this_year.made_on.isoformat()  # a day, never an instant


def test_a_team_lead_gets_only_their_team_and_its_subgroups(
    client: FlaskClient, world: World, lead_a1: User
) -> None:
    body = get(client, f"/api/v1/releases/{address(world.this_year)}", issue_token(lead_a1, "t"))
    groups = body["groups"]
    assert {g["level"] for g in groups.values()} == {"team"}
    assert {g["id"] for g in groups.values()} == {str(world.a1.id)}
    assert body["order"] == [key for key in body["order"] if key in groups]
    assert set(body["order"]) == set(groups)
    # A one this year: (34*3 + 51*3)/6 = 42.5.
    assert groups[f"team:{world.a1.id}"]["scales"]["stss"]["headline"]["mean"] == 42.5
    text = json.dumps(body)
    assert "B one" not in text and "A two" not in text and "All member" not in text
    assert body["sequence"] == 1 and body["k"] == 5
    assert "id" not in body and "made_at" not in body


def test_an_organisation_lead_gets_the_organisation_and_its_teams(
    client: FlaskClient, world: World, lead_org_a: User
) -> None:
    body = get(client, f"/api/v1/releases/{address(world.this_year)}", issue_token(lead_org_a, "t"))
    bases = {k for k, g in body["groups"].items() if g["attribute"] is None}
    assert bases == {
        f"organisation:{world.org_a.id}",
        f"team:{world.a1.id}",
        f"team:{world.a2.id}",
        f"team:{world.a3.id}",
    }


def test_the_core_team_gets_everything_including_the_alliance(
    client: FlaskClient, world: World, core_user: User
) -> None:
    token = issue_token(core_user, "t")
    body = get(client, f"/api/v1/releases/{address(world.this_year)}", token)
    stored = json.loads(world.this_year.payload)
    assert body["groups"] == stored["groups"] and body["order"] == stored["order"]
    assert "alliance" in body["groups"]
    assert [r["url"] for r in get(client, "/api/v1/releases", token)["releases"]] == [
        f"/api/v1/releases/{address(world.b_only)}",
        f"/api/v1/releases/{address(world.this_year)}",
        f"/api/v1/releases/{address(world.last_year)}",
    ]


def test_others_releases_read_exactly_like_missing_ones(
    client: FlaskClient, world: World, lead_a1: User
) -> None:
    token = issue_token(lead_a1, "t")
    missing = get(client, "/api/v1/releases/999999/1", token, 404)
    assert missing == {"error": "not found"}
    assert get(client, f"/api/v1/releases/{address(world.b_only)}", token, 404) == missing
    assert get(client, f"/api/v1/releases/{world.this_year.wave_id}/2", token, 404) == missing
    assert get(client, f"/api/v1/releases/{world.this_year.id}", token, 404) == missing
    assert get(client, f"/api/v1/releases/{2**40}/1", token, 404) == missing
    assert get(client, "/api/v1/releases/abc", token, 404) == missing
    assert get(client, "/api/v1/nothing/here", token, 404) == missing
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "release.viewed"))
    assert list(events) == []


def test_hidden_groups_hold_only_the_shared_wording(
    client: FlaskClient, world: World, core_user: User
) -> None:
    body = get(client, f"/api/v1/releases/{address(world.this_year)}", issue_token(core_user, "t"))
    hidden = [g for g in body["groups"].values() if not g["shown"]]
    # A three (nobody answered) and the two managers in B one are among them.
    assert f"team:{world.a3.id}" in {g["key"] for g in hidden}
    assert f"team:{world.b1.id}|role_group=management" in {g["key"] for g in hidden}
    for group in hidden:
        assert set(group) == HIDDEN_FIELDS and group["text"] == SUPPRESSED_TEXT


def test_the_ledger_never_leaves_the_database(
    client: FlaskClient, world: World, core_user: User
) -> None:
    ledger = json.loads(world.this_year.ledger)
    ledger["marker"] = MARKER
    marked = Release(
        wave_id=world.this_year.wave_id,
        sequence=2,
        kind="final",
        payload=world.this_year.payload,
        ledger=json.dumps(ledger),
    )
    db.session.add(marked)
    db.session.commit()
    token = issue_token(core_user, "t")
    listed = client.get("/api/v1/releases", headers=bearer(token)).get_data(as_text=True)
    detail = client.get(f"/api/v1/releases/{address(marked)}", headers=bearer(token))
    body = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert MARKER not in listed and MARKER not in body
    assert "ledger" not in body and "cells" not in json.loads(body)


def test_views_are_audited_with_the_api_as_the_route(
    client: FlaskClient, world: World, lead_a1: User
) -> None:
    token = issue_token(lead_a1, "t")
    get(client, "/api/v1/releases", token)  # listing is not audited
    get(client, f"/api/v1/releases/{address(world.this_year)}", token)
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "release.viewed"))
    assert event.user_id == lead_a1.id
    assert (event.target, event.detail) == (f"release:{world.this_year.id}", "api")


def test_posts_need_no_csrf_token_and_change_nothing(
    client: FlaskClient, world: World, lead_a1: User
) -> None:
    token = issue_token(lead_a1, "t")
    result = client.post("/api/v1/releases", headers=bearer(token), json={})
    # Not a CSRF failure (400): the API is exempt, and it has nothing to post to.
    assert result.status_code == 404 and result.get_json() == {"error": "not found"}
    assert client.post("/api/v1/releases").status_code == 401
