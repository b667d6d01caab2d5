"""Organisations, teams and team leads in the core team's workspace: pages, checks, audit."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey.access import ACCESS_ATTR, PUBLIC, allowed_roles
from survey.extensions import db
from survey.models import (
    Invitation,
    LeadGrant,
    Organisation,
    Response,
    SurveyLink,
    Team,
    User,
)
from survey.services import lead_access, membership
from tests.auth.conftest import csrf_of, sign_in
from tests.manage.conftest import (
    Members,
    Staff,
    audit,
    count,
    field_error,
    input_value,
    my_routes,
    selected,
    text_of,
)

MY_VIEWS = ("survey.manage.membership", "survey.manage.signposting")


# Access


def test_every_page_is_for_the_core_team_only(app: Flask) -> None:
    views = [v for v in app.view_functions.values() if v.__module__ in MY_VIEWS]
    assert len(views) >= 20
    assert all(allowed_roles(getattr(v, ACCESS_ATTR)) == {"core"} for v in views)


def test_a_lead_gets_nothing(app: Flask, as_lead: Staff, members: Members) -> None:
    routes = my_routes(app, MY_VIEWS)
    assert ("GET", "/manage/organisations") in routes
    for method, url in routes:
        result = as_lead.client.open(url, method=method, data={"csrf_token": as_lead.csrf()})
        assert result.status_code == 403, f"{method} {url}"
    assert count(Organisation) == 2 and count(Team) == 3  # nothing changed either


def test_an_anonymous_visitor_is_sent_to_sign_in(
    app: Flask, client: FlaskClient, members: Members
) -> None:
    # A valid CSRF token, so it is the access check (not CSRF) that refuses each post.
    token = csrf_of(client.get("/auth/sign-in").get_data(as_text=True))
    for method, url in my_routes(app, MY_VIEWS):
        result = client.open(url, method=method, data={"csrf_token": token})
        assert result.status_code == 302, f"{method} {url}"
        assert result.headers["Location"].startswith("/auth/sign-in?next="), f"{method} {url}"


# Organisations


def test_the_list_shows_every_organisation(as_core: Staff, members: Members) -> None:
    page = text_of(as_core.get("/manage/organisations"))
    assert "North Hospice Hospice Not known Pledge signed 2" in page
    assert "South Food Bank Food Not known Not started 1" in page


def test_adding_an_organisation_saves_it_and_audits_it(as_core: Staff) -> None:
    data = {"name": "  Eastside Housing ", "sector": "housing", "joined_on": "2026-03-01"}
    result = as_core.post("/manage/organisations/new", data | {"pledge_status": "pledge signed"})
    made = db.session.scalars(select(Organisation)).one()
    assert result.status_code == 303
    assert result.headers["Location"] == f"/manage/organisations/{made.id}"
    assert (made.name, made.sector, str(made.joined_on)) == (
        "Eastside Housing",
        "housing",
        "2026-03-01",
    )
    [event] = audit("organisation created")
    assert event.user_id == as_core.user.id
    assert event.target == f"organisation:{made.id}"
    assert "'Eastside Housing'" in event.detail and "'pledge signed'" in event.detail
    assert "Eastside Housing has been added" in text_of(as_core.get(result.headers["Location"]))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the name."),
        ({"name": "x" * 201}, "name", "Use at most 200 characters."),
        ({"name": "North Hospice"}, "name", "An organisation called North Hospice already exists."),
        ({"sector": "banking"}, "sector", "Not a valid choice."),
        ({"joined_on": "31/02/2026"}, "joined_on", "Not a valid date value."),
        ({"pledge_status": "maybe"}, "pledge_status", "Not a valid choice."),
    ],
)
def test_a_bad_organisation_is_refused_beside_the_field(
    as_core: Staff, members: Members, change: dict[str, str], field: str, message: str
) -> None:
    typed = {"name": "Westgate Trust", "sector": "charity", "joined_on": "2026-01-05"}
    typed |= {"pledge_status": "memorandum signed"} | change
    result = as_core.post("/manage/organisations/new", typed)
    assert result.status_code == 422
    assert field_error(result, field) == message
    assert count(Organisation) == 2  # nothing saved
    assert audit("organisation created") == []
    # The page keeps what was typed.
    if field != "name":
        assert input_value(result, "name") == "Westgate Trust"
    if field != "joined_on":
        assert input_value(result, "joined_on") == "2026-01-05"
    if field != "pledge_status":
        assert selected(result, "pledge_status") == "memorandum signed"


def test_editing_an_organisation_records_what_changed(as_core: Staff, members: Members) -> None:
    page = as_core.get(f"/manage/organisations/{members.north.id}/edit")
    assert input_value(page, "name") == "North Hospice"
    assert selected(page, "sector") == "hospice"
    data = {"name": "North Hospice", "sector": "hospice", "joined_on": "2025-11-30"}
    result = as_core.post(
        f"/manage/organisations/{members.north.id}/edit", data | {"pledge_status": "left"}
    )
    assert result.status_code == 303
    assert (members.north.pledge_status, str(members.north.joined_on)) == ("left", "2025-11-30")
    [event] = audit("organisation changed")
    assert event.user_id == as_core.user.id
    joined = "joined_on: None -> datetime.date(2025, 11, 30)"
    assert event.detail == f"{joined}; pledge_status: 'pledge signed' -> 'left'"
    # Saving again unchanged writes nothing.
    again = as_core.post(
        f"/manage/organisations/{members.north.id}/edit", data | {"pledge_status": "left"}
    )
    assert "Nothing was changed" in text_of(as_core.get(again.headers["Location"]))
    assert len(audit("organisation changed")) == 1


def test_an_edit_error_keeps_the_typing_and_the_old_row(as_core: Staff, members: Members) -> None:
    data = {"name": "South Food Bank", "sector": "charity", "pledge_status": "left"}
    result = as_core.post(f"/manage/organisations/{members.north.id}/edit", data)
    assert result.status_code == 422
    assert field_error(result, "name") == "An organisation called South Food Bank already exists."
    assert selected(result, "sector") == "charity"
    db.session.refresh(members.north)
    assert (members.north.name, members.north.sector) == ("North Hospice", "hospice")


def test_unknown_ids_are_not_found(as_core: Staff) -> None:
    for path in ("/manage/organisations/99", "/manage/teams/99/rename", "/manage/leads/99"):
        assert as_core.get(path).status_code == 404


# Teams


def test_adding_a_team(as_core: Staff, members: Members) -> None:
    result = as_core.post(f"/manage/organisations/{members.south.id}/teams", {"name": "Warehouse"})
    assert result.status_code == 303
    assert [t.name for t in members.south.teams] == ["Outreach", "Warehouse"]
    [event] = audit("team created")
    assert (event.user_id, event.detail) == (
        as_core.user.id,
        f"name 'Warehouse' in organisation:{members.south.id}",
    )
    # The same name in another organisation is fine; twice in one is not.
    assert (
        as_core.post(
            f"/manage/organisations/{members.north.id}/teams", {"name": "Warehouse"}
        ).status_code
        == 303
    )
    clash = as_core.post(f"/manage/organisations/{members.south.id}/teams", {"name": "Warehouse"})
    assert clash.status_code == 422
    assert field_error(clash, "name") == "This organisation already has a team called Warehouse."


def test_an_empty_team_name_is_refused_on_the_organisation_page(
    as_core: Staff, members: Members
) -> None:
    result = as_core.post(f"/manage/organisations/{members.south.id}/teams", {"name": " "})
    assert result.status_code == 422
    assert field_error(result, "name") == "Enter the team name."
    assert "South Food Bank" in text_of(result) and count(Team) == 3


def test_renaming_a_team(as_core: Staff, members: Members) -> None:
    assert input_value(as_core.get(f"/manage/teams/{members.day.id}/rename"), "name") == "Day unit"
    too_long = as_core.post(f"/manage/teams/{members.day.id}/rename", {"name": "d" * 201})
    assert too_long.status_code == 422
    assert field_error(too_long, "name") == "Use at most 200 characters."
    assert input_value(too_long, "name") == "d" * 201
    taken = as_core.post(f"/manage/teams/{members.day.id}/rename", {"name": "Night unit"})
    assert field_error(taken, "name") == "This organisation already has a team called Night unit."
    assert audit("team renamed") == []
    result = as_core.post(f"/manage/teams/{members.day.id}/rename", {"name": "Day hospice"})
    assert result.status_code == 303 and members.day.name == "Day hospice"
    [event] = audit("team renamed")
    assert event.detail == "name: 'Day unit' -> 'Day hospice'"


def test_a_new_team_can_be_deleted_with_its_lead_access(
    as_core: Staff, members: Members, lead_user: User
) -> None:
    db.session.add(LeadGrant(user=lead_user, team=members.night))
    db.session.commit()
    night_id = members.night.id
    page = text_of(as_core.get(f"/manage/teams/{night_id}/delete"))
    assert "can be deleted" in page and "Its 1 lead grant will be withdrawn" in page
    result = as_core.post(f"/manage/teams/{night_id}/delete")
    assert result.status_code == 303
    assert db.session.get(Team, night_id) is None and count(LeadGrant) == 0
    [deleted] = audit("team deleted")
    [withdrawn] = audit("lead access withdrawn")
    assert deleted.user_id == withdrawn.user_id == as_core.user.id
    assert (withdrawn.target, withdrawn.detail) == (f"team:{night_id}", f"user:{lead_user.id}")


def test_a_team_with_links_cannot_be_deleted(as_core: Staff, link: SurveyLink) -> None:
    team = link.team
    listing = text_of(as_core.get(f"/manage/organisations/{team.organisation_id}"))
    assert "Cannot be deleted: it has survey links or responses" in listing
    assert f"/manage/teams/{team.id}/delete" not in as_core.get(
        f"/manage/organisations/{team.organisation_id}"
    ).get_data(as_text=True)
    assert "cannot be deleted" in text_of(as_core.get(f"/manage/teams/{team.id}/delete"))
    refused = as_core.post(f"/manage/teams/{team.id}/delete")
    assert refused.status_code == 409
    assert "past rounds keep their shape" in text_of(refused)
    assert db.session.get(Team, team.id) is not None and audit("team deleted") == []


def test_responses_alone_keep_a_team(as_core: Staff, link: SurveyLink) -> None:
    other = Team(name="Answered, no link", organisation=link.team.organisation)
    db.session.add(other)
    db.session.flush()
    db.session.add(
        Response(
            wave_id=link.wave_id,
            team_id=other.id,
            iso_week="2026-W01",
            sealed=b"x",
            questionnaire_version_id=link.wave.questionnaire_version_id,
        )
    )
    db.session.commit()
    usage = membership.team_usage(other)
    assert (usage.links, usage.has_responses, usage.deletable) == (0, True, False)
    assert as_core.post(f"/manage/teams/{other.id}/delete").status_code == 409


# Leads


def test_inviting_a_lead_makes_the_account_its_access_and_a_link(
    as_core: Staff, members: Members
) -> None:
    data = {
        "display_name": "Ann Example",
        "email": " Ann@Example.org ",
        "access": f"organisation:{members.north.id}",
    }
    result = as_core.post("/manage/leads/invite", data)
    ann = db.session.scalars(select(User).where(User.email == "ann@example.org")).one()
    assert result.status_code == 200  # the link is shown in this response, and only here
    assert (ann.role, ann.display_name, ann.active) == ("lead", "Ann Example", True)
    assert [(g.organisation_id, g.team_id) for g in ann.grants] == [(members.north.id, None)]
    actions = [(e.action, e.user_id, e.target) for e in audit()[-3:]]
    assert actions == [
        ("account created", as_core.user.id, f"user:{ann.id}"),
        ("lead access granted", as_core.user.id, f"organisation:{members.north.id}"),
        ("invitation issued", as_core.user.id, f"user:{ann.id}"),
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "Enter the name."),
        ({"email": "ann.example.org"}, "email", "Enter an email address such as name@example.org."),
        ({"email": "LEE@example.org"}, "email", "An account with this email already exists."),
        ({"access": ""}, "access", "Choose a team or an organisation."),
        ({"access": "team:999"}, "access", "Not a valid choice."),
    ],
)
@pytest.mark.usefixtures("lead_user")
def test_a_bad_invitation_is_refused_beside_the_field(
    as_core: Staff,
    members: Members,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    typed = {
        "display_name": "Ann Example",
        "email": "ann@example.org",
        "access": f"team:{members.day.id}",
    }
    result = as_core.post("/manage/leads/invite", typed | change)
    assert result.status_code == 422
    assert field_error(result, field) == message
    assert count(User) == 2 and audit("invitation issued") == []  # core and lee only
    if field != "email":
        assert input_value(result, "email") == "ann@example.org"
    if field != "display_name":
        assert input_value(result, "display_name") == "Ann Example"


def test_the_leads_list_shows_access_and_link_state(
    as_core: Staff, members: Members, lead_user: User
) -> None:
    db.session.add(LeadGrant(user=lead_user, team=members.outreach))
    db.session.commit()
    as_core.post(
        "/manage/leads/invite",
        {"display_name": "Ann", "email": "ann@example.org", "access": f"team:{members.day.id}"},
    )
    page = text_of(as_core.get("/manage/leads"))
    assert "Ann ann@example.org North Hospice: Day unit Active Link waiting until" in page
    assert "Lee Lead lee@example.org South Food Bank: Outreach Active No link issued" in page


def test_granting_and_withdrawing_access(as_core: Staff, members: Members, lead_user: User) -> None:
    page = as_core.get(f"/manage/leads/{lead_user.id}")
    assert "cannot see any results yet" in text_of(page)
    granted = as_core.post(
        f"/manage/leads/{lead_user.id}/grants", {"access": f"team:{members.day.id}"}
    )
    assert granted.status_code == 303
    assert [g.team_id for g in lead_user.grants] == [members.day.id]
    twice = as_core.post(
        f"/manage/leads/{lead_user.id}/grants", {"access": f"team:{members.day.id}"}
    )
    assert twice.status_code == 422
    assert field_error(twice, "access") == "Lee Lead already has this access."
    assert len(lead_user.grants) == 1
    withdrawn = as_core.post(
        f"/manage/leads/{lead_user.id}/grants/withdraw", {"access": f"team:{members.day.id}"}
    )
    assert withdrawn.status_code == 303
    db.session.refresh(lead_user)
    assert lead_user.grants == []
    events = [(e.action, e.user_id, e.target) for e in audit() if "lead access" in e.action]
    assert events == [
        ("lead access granted", as_core.user.id, f"team:{members.day.id}"),
        ("lead access withdrawn", as_core.user.id, f"team:{members.day.id}"),
    ]


def test_disabling_a_lead_ends_their_session(as_core: Staff, as_lead: Staff) -> None:
    assert as_lead.get("/auth/account").status_code == 200
    result = as_core.post(f"/manage/leads/{as_lead.user.id}/disable")
    assert result.status_code == 303 and not as_lead.user.active
    assert as_lead.get("/auth/account").status_code == 302  # signed out at once
    assert "Disabled: cannot sign in" in text_of(as_core.get(f"/manage/leads/{as_lead.user.id}"))
    as_core.post(f"/manage/leads/{as_lead.user.id}/enable")
    assert as_lead.user.active
    assert [(e.action, e.user_id) for e in audit() if e.action.startswith("account ")][-2:] == [
        ("account disabled", as_core.user.id),
        ("account enabled", as_core.user.id),
    ]


def test_core_accounts_are_not_managed_as_leads(as_core: Staff) -> None:
    assert as_core.get(f"/manage/leads/{as_core.user.id}").status_code == 404
    assert as_core.post(f"/manage/leads/{as_core.user.id}/disable").status_code == 404
    assert as_core.user.active


def test_a_change_without_a_csrf_token_is_refused(as_core: Staff, members: Members) -> None:
    data = {"csrf_token": "", "name": "Sneaky", "sector": "other", "pledge_status": "left"}
    assert as_core.post("/manage/organisations/new", data).status_code == 400
    assert count(Organisation) == 2
    forged = as_core.post(f"/manage/teams/{members.day.id}/delete", {"csrf_token": "forged"})
    assert forged.status_code == 400
    assert db.session.get(Team, members.day.id) is not None
    assert audit("team deleted") == [] and audit("organisation created") == []


# The one-time set-password link

BASE = "http://127.0.0.1:5000"


def _invite(as_core: Staff, members: Members) -> tuple[User, str]:
    """Invite Ann through the page; return her account and the link path the page showed."""
    data = {"display_name": "Ann", "email": "ann@example.org", "access": f"team:{members.day.id}"}
    shown = as_core.post("/manage/leads/invite", data)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    link = input_value(shown, "link") or ""
    assert link.startswith(f"{BASE}/auth/invitation/")
    ann = db.session.scalars(select(User).where(User.email == "ann@example.org")).one()
    return ann, link.removeprefix(BASE)


def _set_password(client: FlaskClient, path: str, password: str, confirm: str = "") -> TestResponse:
    token = csrf_of(client.get("/auth/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "password": password, "confirm": confirm or password}
    return client.post(path, data=data)


def _fresh(client: FlaskClient) -> FlaskClient:
    """Another browser on the same app."""
    return client.application.test_client()


def test_the_link_is_shown_once_and_only_its_hash_is_stored(
    as_core: Staff, members: Members
) -> None:
    ann, path = _invite(as_core, members)
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for table in db.metadata.sorted_tables:  # the token itself is in no column of any table
        for row in db.session.execute(table.select()):
            assert not any(token in str(value) for value in row), table.name
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    # Nor in any cookie: the response that made it set none holding it (the session cookie
    # is signed, not encrypted, so anything in it can be read by whoever holds it).
    with as_core.client.session_transaction() as cookie:
        assert not any(token in str(value) for value in cookie.values())

    again = as_core.get(f"/manage/leads/{ann.id}/link")
    assert input_value(again, "link") is None and token not in again.get_data(as_text=True)
    assert "already been shown" in text_of(again)


def test_the_link_never_travels_in_the_session_cookie(
    app: Flask, as_core: Staff, members: Members
) -> None:
    data = {"display_name": "Ann", "email": "ann@example.org", "access": f"team:{members.day.id}"}
    made = as_core.post("/manage/leads/invite", data)
    link = input_value(made, "link") or ""
    token = link.rsplit("/", 1)[1]
    assert token
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for header in made.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == app.config["SESSION_COOKIE_NAME"]:
            # Signed, not encrypted: whoever holds the cookie can read everything in it.
            assert token not in str(serializer.loads(rest.split(";", 1)[0]))


def test_the_link_works_once(as_core: Staff, members: Members, client: FlaskClient) -> None:
    ann, path = _invite(as_core, members)
    assert sign_in(_fresh(client), "ann@example.org", "any password at all").status_code == 422
    page = client.get(path)
    assert page.status_code == 200 and "Choose a password for ann@example.org" in text_of(page)
    result = _set_password(client, path, "a long new passphrase")
    assert result.status_code == 303 and result.headers["Location"] == "/auth/sign-in"
    assert sign_in(_fresh(client), "ann@example.org", "a long new passphrase").status_code == 303
    assert db.session.scalars(select(Invitation)).one().used_at is not None
    used = client.get(path)
    assert used.status_code == 404 and "This link does not work" in text_of(used)
    assert _set_password(_fresh(client), path, "another long passphrase").status_code == 404
    accepted = [(e.action, e.user_id, e.target) for e in audit() if e.target == f"user:{ann.id}"]
    assert accepted[-3:-1] == [
        ("invitation accepted", ann.id, f"user:{ann.id}"),
        ("password set", ann.id, f"user:{ann.id}"),
    ]
    assert "Password set" in text_of(as_core.get("/manage/leads"))


def test_bad_used_and_expired_links_all_read_the_same(
    as_core: Staff, members: Members, client: FlaskClient
) -> None:
    long_ago = membership.now_utc() - timedelta(days=7, seconds=1)
    old = lead_access.invite_lead(
        "bob@example.org", "Bob", f"team:{members.day.id}", actor=as_core.user, now=long_ago
    )
    expired = old.link.removeprefix(BASE)
    _, used = _invite(as_core, members)
    assert _set_password(client, used, "a long new passphrase").status_code == 303
    # Fresh browsers, so no message flashed to this one on the way is in any page.
    pages = [_fresh(client).get(path) for path in (expired, used, "/auth/invitation/made-up")]
    assert [page.status_code for page in pages] == [404, 404, 404]
    assert len({page.get_data() for page in pages}) == 1  # never says which
    assert _set_password(_fresh(client), expired, "a long new passphrase").status_code == 404
    assert "Link expired" in text_of(as_core.get("/manage/leads"))


@pytest.mark.parametrize(
    "case",
    [
        ("short", "short", "Use between 12 and 256 characters."),
        ("a long new passphrase", "a long new passfrase", "The two passwords are not the same."),
    ],
)
def test_a_bad_password_is_refused_and_the_link_still_works(
    as_core: Staff, members: Members, client: FlaskClient, case: tuple[str, str, str]
) -> None:
    password, confirm, message = case
    ann, path = _invite(as_core, members)
    before = ann.password_hash
    result = _set_password(client, path, password, confirm)
    assert result.status_code == 422
    assert message in (field_error(result, "password") + field_error(result, "confirm"))
    db.session.refresh(ann)
    assert ann.password_hash == before
    assert db.session.scalars(select(Invitation)).one().used_at is None
    assert _set_password(client, path, "a long new passphrase").status_code == 303


def test_a_new_link_replaces_the_old_one(as_core: Staff, members: Members) -> None:
    ann, first = _invite(as_core, members)
    shown = as_core.post(f"/manage/leads/{ann.id}/link")
    second = (input_value(shown, "link") or "").removeprefix(BASE)
    assert second.startswith("/auth/invitation/") and second != first
    browser = _fresh(as_core.client)
    assert browser.get(first).status_code == 404
    assert browser.get(second).status_code == 200
    assert [e.user_id for e in audit("invitation issued")] == [as_core.user.id] * 2


def test_a_disabled_account_cannot_use_its_link(as_core: Staff, members: Members) -> None:
    ann, path = _invite(as_core, members)
    as_core.post(f"/manage/leads/{ann.id}/disable")
    assert _fresh(as_core.client).get(path).status_code == 404
    refused = as_core.post(f"/manage/leads/{ann.id}/link")
    assert "enable it before sending a new link" in text_of(
        as_core.get(refused.headers["Location"])
    )


def test_the_set_password_page_is_public_and_rate_limited(
    app: Flask, as_core: Staff, members: Members, client: FlaskClient
) -> None:
    assert getattr(app.view_functions["auth.accept_invitation"], ACCESS_ATTR) == PUBLIC
    app.config["INVITATION_RATE_LIMIT"] = "3 per minute"
    _, path = _invite(as_core, members)
    codes = [client.get(path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_two_tabs_racing_spend_the_invitation_once(
    as_core: Staff, members: Members, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = lead_access.invite_lead(
        "cy@example.org", "Cy", f"team:{members.day.id}", actor=as_core.user
    )
    token = issued.link.rsplit("/", 1)[1]
    seen = lead_access.live_invitation(token)  # both tabs found it live...
    lead_access.accept_invitation(token, "first long passphrase")
    # ...so the second gets past the first check, and only the conditional update stops it.
    monkeypatch.setattr(lead_access, "live_invitation", lambda *args, **kwargs: seen)
    with pytest.raises(membership.InvitationUnusable):
        lead_access.accept_invitation(token, "second long passphrase")
    assert sign_in(client, "cy@example.org", "first long passphrase").status_code == 303


def test_an_invitation_can_carry_several_grants_at_once(as_core: Staff, members: Members) -> None:
    data = {
        "display_name": "Bo Example",
        "email": "bo@example.org",
        "access": [f"organisation:{members.north.id}", f"team:{members.outreach.id}"],
    }
    page = as_core.get("/manage/leads/invite").get_data(as_text=True)
    assert re.search(r'<select[^>]*id="access"[^>]*multiple', page)
    assert as_core.post("/manage/leads/invite", data).status_code == 303
    bo = db.session.scalars(select(User).where(User.email == "bo@example.org")).one()
    assert sorted((g.organisation_id or 0, g.team_id or 0) for g in bo.grants) == [
        (0, members.outreach.id),
        (members.north.id, 0),
    ]
    granted = [e.target for e in audit("lead access granted")]
    assert granted == [f"organisation:{members.north.id}", f"team:{members.outreach.id}"]
    # One unknown choice among good ones refuses the whole invitation.
    refused = as_core.post(
        "/manage/leads/invite",
        data | {"email": "cy@example.org", "access": [f"team:{members.day.id}", "team:999"]},
    )
    assert refused.status_code == 422 and field_error(refused, "access") == "Not a valid choice."
    assert db.session.scalars(select(User).where(User.email == "cy@example.org")).first() is None
