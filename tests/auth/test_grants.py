"""Lead grants: a team grant shows one team, an organisation grant shows it and its teams."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.extensions import db
from survey.models import AuditEvent, LeadGrant, User
from survey.services import accounts
from survey.services.accounts import (
    AccountError,
    can_see_organisation,
    can_see_team,
    grant_lead,
    visible_organisation_ids,
    visible_team_ids,
    withdraw_lead,
)
from tests.auth.conftest import PASSWORD, Alliance, sign_in


def test_team_grant_shows_that_team_only(alliance: Alliance, lead: User) -> None:
    grant_lead(lead, team_id=alliance.a1.id)
    assert visible_team_ids(lead) == {alliance.a1.id}
    assert can_see_team(lead, alliance.a1.id)
    assert not can_see_team(lead, alliance.a2.id)  # a sibling team stays hidden
    assert not can_see_team(lead, alliance.b1.id)
    # Holding one team does not open its organisation's figures (they include other teams).
    assert visible_organisation_ids(lead) == frozenset()
    assert not can_see_organisation(lead, alliance.org_a.id)


def test_organisation_grant_implies_its_teams(alliance: Alliance, lead: User) -> None:
    grant_lead(lead, organisation_id=alliance.org_a.id)
    assert visible_team_ids(lead) == {alliance.a1.id, alliance.a2.id}
    assert visible_organisation_ids(lead) == {alliance.org_a.id}
    assert can_see_organisation(lead, alliance.org_a.id)
    assert not can_see_organisation(lead, alliance.org_b.id)
    assert not can_see_team(lead, alliance.b1.id)


def test_grants_combine(alliance: Alliance, lead: User) -> None:
    grant_lead(lead, organisation_id=alliance.org_a.id)
    grant_lead(lead, team_id=alliance.b1.id)
    grant_lead(lead, team_id=alliance.a1.id)  # already covered: no duplicate in the result
    assert visible_team_ids(lead) == {alliance.a1.id, alliance.a2.id, alliance.b1.id}
    assert visible_organisation_ids(lead) == {alliance.org_a.id}


def test_no_grant_sees_nothing(alliance: Alliance, lead: User) -> None:
    assert visible_team_ids(lead) == frozenset()
    assert not any(can_see_team(lead, team.id) for team in (alliance.a1, alliance.b1))


def test_another_leads_grant_is_not_mine(alliance: Alliance, lead: User) -> None:
    other = accounts.create_user("other@example.org", "Other", PASSWORD, "lead")
    grant_lead(other, organisation_id=alliance.org_b.id)
    assert visible_team_ids(lead) == frozenset()
    assert visible_team_ids(other) == {alliance.b1.id}


def test_core_sees_everything(alliance: Alliance, core: User) -> None:
    teams = {alliance.a1.id, alliance.a2.id, alliance.b1.id}
    assert visible_team_ids(core) == teams
    assert visible_organisation_ids(core) == {alliance.org_a.id, alliance.org_b.id}
    assert can_see_team(core, alliance.b1.id)
    assert not can_see_team(core, 10_000)  # but not teams that do not exist


def test_disabled_and_anonymous_see_nothing(alliance: Alliance, lead: User, core: User) -> None:
    grant_lead(lead, organisation_id=alliance.org_a.id)
    accounts.set_active(lead, False)
    accounts.set_active(core, False)
    for nobody in (lead, core, AnonymousUserMixin(), None):
        assert visible_team_ids(nobody) == frozenset()
        assert visible_organisation_ids(nobody) == frozenset()


def test_withdrawing_removes_access_and_is_audited(alliance: Alliance, lead: User) -> None:
    grant_lead(lead, team_id=alliance.a1.id)
    withdraw_lead(lead, team_id=alliance.a1.id)
    assert visible_team_ids(lead) == frozenset()
    assert db.session.scalars(select(LeadGrant)).all() == []
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("lead access%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.target, e.detail) for e in events] == [
        ("lead access granted", f"team:{alliance.a1.id}", f"user:{lead.id}"),
        ("lead access withdrawn", f"team:{alliance.a1.id}", f"user:{lead.id}"),
    ]


def test_grant_actor_is_recorded(alliance: Alliance, lead: User, core: User) -> None:
    grant_lead(lead, organisation_id=alliance.org_b.id, actor=core)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "lead access granted")
    ).one()
    assert event.user_id == core.id
    assert event.target == f"organisation:{alliance.org_b.id}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one"),
        ({"team_id": 1, "organisation_id": 1}, "exactly one"),
        ({"team_id": 999}, "no team has the id 999"),
        ({"organisation_id": 999}, "no organisation has the id 999"),
    ],
)
def test_bad_targets_are_refused(
    alliance: Alliance, lead: User, kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        grant_lead(lead, **kwargs)
    assert db.session.scalars(select(LeadGrant)).all() == []


def test_duplicate_grant_and_missing_withdrawal_are_refused(alliance: Alliance, lead: User) -> None:
    grant_lead(lead, team_id=alliance.a1.id)
    with pytest.raises(AccountError, match="already has lead access to team:"):
        grant_lead(lead, team_id=alliance.a1.id)
    with pytest.raises(AccountError, match="has no lead access to team:"):
        withdraw_lead(lead, team_id=alliance.a2.id)


def test_core_accounts_take_no_grants(alliance: Alliance, core: User) -> None:
    with pytest.raises(AccountError, match="not a lead"):
        grant_lead(core, team_id=alliance.a1.id)


def test_the_schema_holds_exactly_one_target(app: Flask, alliance: Alliance, lead: User) -> None:
    for team_id, organisation_id in ((None, None), (alliance.a1.id, alliance.org_a.id)):
        db.session.add(LeadGrant(user=lead, team_id=team_id, organisation_id=organisation_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_the_schema_refuses_duplicate_grants(app: Flask, alliance: Alliance, lead: User) -> None:
    db.session.add(LeadGrant(user=lead, team_id=alliance.a1.id))
    db.session.commit()
    db.session.add(LeadGrant(user_id=lead.id, team_id=alliance.a1.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_account_page_lists_what_a_lead_holds(
    client: FlaskClient, alliance: Alliance, lead: User
) -> None:
    grant_lead(lead, team_id=alliance.b1.id)
    grant_lead(lead, organisation_id=alliance.org_a.id)
    sign_in(client, "lead@example.org")
    html = client.get("/auth/account").get_data(as_text=True)
    assert "B one, Org B" in html
    assert "Org A (the whole organisation and all its teams)" in html
    assert "A two" not in html  # teams covered by the organisation are not listed one by one
