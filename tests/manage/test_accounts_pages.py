"""Core-team accounts, your own password and API tokens, and the audit log, from the pages."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from flask import Flask

from survey.extensions import db
from survey.models import ApiToken, AuditEvent, User
from survey.services import accounts
from tests.auth.conftest import PASSWORD, sign_in
from tests.manage.conftest import Staff, audit, signed_in, text_of
from tests.manage.test_signposting import route

NEW_PASSWORD = "a different long passphrase"


def _link(page: str) -> str:
    found = re.search(r'id="link" type="text" readonly value="([^"]+)"', page)
    assert found, "no link on the page"
    return unescape(found.group(1))


def _accept(app: Flask, link: str, password: str) -> int:
    client = app.test_client()
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    page = client.get(path)
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    assert token
    return client.post(
        path, data={"csrf_token": token.group(1), "password": password, "confirm": password}
    ).status_code


def test_a_core_member_invites_another_who_sets_a_password_and_signs_in(
    app: Flask, as_core: Staff
) -> None:
    page = as_core.post(
        "/manage/accounts/invite", {"display_name": "Nia New", "email": "Nia@Example.org"}
    )
    assert page.status_code == 200
    link = _link(page.get_data(as_text=True))
    nia = accounts.get_user("nia@example.org")
    assert nia.role == "core" and accounts.authenticate("nia@example.org", PASSWORD) is None
    assert _accept(app, link, NEW_PASSWORD) == 303
    assert sign_in(app.test_client(), "nia@example.org", NEW_PASSWORD).status_code == 303
    created = audit("account created")[-1]
    assert created.user_id == as_core.user.id and created.detail == "role core, by invitation"
    listing = text_of(as_core.get("/manage/accounts"))
    assert "Nia New" in listing and "Password set" in listing


def test_a_taken_email_is_refused_beside_the_field(as_core: Staff, lead_user: User) -> None:
    page = as_core.post("/manage/accounts/invite", {"display_name": "X", "email": lead_user.email})
    assert page.status_code == 422
    assert "An account with this email already exists." in text_of(page)


def test_disable_ends_sessions_and_enable_restores_but_never_yourself_or_the_last(
    app: Flask, as_core: Staff
) -> None:
    other = accounts.create_user("omar@example.org", "Omar Other", PASSWORD, "core")
    as_other = signed_in(app, other)
    as_core.post(f"/manage/accounts/{other.id}/disable")
    db.session.refresh(other)
    assert not other.active
    assert as_other.get("/manage/").status_code == 302  # signed out, sent to sign in
    assert audit("account disabled")[-1].user_id == as_core.user.id
    as_core.post(f"/manage/accounts/{other.id}/enable")
    db.session.refresh(other)
    assert other.active
    own = as_core.post(f"/manage/accounts/{as_core.user.id}/disable", follow_redirects=True)
    assert "You cannot disable your own account." in text_of(own)
    db.session.refresh(as_core.user)
    assert as_core.user.active


def test_a_reset_link_replaces_earlier_links(app: Flask, as_core: Staff) -> None:
    other = accounts.create_user("omar@example.org", "Omar Other", PASSWORD, "core")
    first = _link(as_core.post(f"/manage/accounts/{other.id}/reset").get_data(as_text=True))
    second = _link(as_core.post(f"/manage/accounts/{other.id}/reset").get_data(as_text=True))
    assert first != second
    assert _accept(app, second, NEW_PASSWORD) == 303
    assert accounts.authenticate("omar@example.org", NEW_PASSWORD) is not None
    assert len(audit("invitation issued")) == 2


def test_leads_cannot_reach_core_account_pages(as_lead: Staff) -> None:
    assert as_lead.get("/manage/accounts").status_code == 403
    assert as_lead.post("/manage/accounts/invite", {"email": "a@b.org"}).status_code == 403
    assert as_lead.get("/manage/audit").status_code == 403


def test_everyone_changes_their_own_password_with_the_current_one(
    app: Flask, as_lead: Staff
) -> None:
    elsewhere = signed_in(app, as_lead.user)
    wrong = as_lead.post(
        "/auth/account/password",
        {"current": "not my password at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "That is not your current password." in text_of(wrong)
    assert audit("password change refused")
    done = as_lead.post(
        "/auth/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 303
    assert as_lead.get("/auth/account").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/auth/account").status_code == 302  # the other one is signed out
    assert accounts.authenticate(as_lead.user.email, NEW_PASSWORD) is not None
    assert audit("password set")[-1].user_id == as_lead.user.id


def test_a_lead_issues_lists_and_revokes_their_own_tokens(app: Flask, as_lead: Staff) -> None:
    made = as_lead.post("/auth/account/tokens", {"label": "monthly report"})
    token = re.search(
        r'id="new-token" type="text" readonly value="([^"]+)"', made.get_data(as_text=True)
    )
    assert made.status_code == 200 and token
    secret = unescape(token.group(1))
    api = app.test_client()
    assert (
        api.get("/api/v1/releases", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    row = db.session.query(ApiToken).one()
    db.session.refresh(row)
    assert row.last_used_week and re.fullmatch(r"\d{4}-W\d{2}", row.last_used_week)
    listing = text_of(as_lead.get("/auth/account"))
    assert "monthly report" in listing and f"week {row.last_used_week[-2:]}" in listing
    assert secret not in as_lead.get("/auth/account").get_data(as_text=True)  # shown once only
    again = as_lead.post("/auth/account/tokens", {"label": "monthly report"})
    assert again.status_code == 422 and "already have a working token" in text_of(again)
    as_lead.post("/auth/account/tokens/revoke", {"label": "monthly report"})
    assert (
        api.get("/api/v1/releases", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    assert [e.user_id for e in audit("api token revoked")] == [as_lead.user.id]


def _csv(staff: Staff, query: str = "") -> list[list[str]]:
    body = staff.get(f"/manage/audit.csv{query}").get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_the_audit_log_filters_by_person_action_and_date_and_exports_defused_csv(
    app: Flask, as_core: Staff, lead_user: User
) -> None:
    accounts.record_event(
        "team created", user=as_core.user, target="team:1", detail="=HYPERLINK(1)"
    )
    accounts.record_event("team created", user=lead_user, target="team:2")
    page = text_of(as_core.get("/manage/audit?action=team+created"))
    assert "Cora Core" in page and "Lee Lead" in page and "sign-in" not in page.split("Events")[-1]
    mine = text_of(as_core.get(f"/manage/audit?action=team+created&person={lead_user.id}"))
    assert "Lee Lead" in mine and "Cora Core" not in mine.split("Events")[-1]
    future = text_of(as_core.get("/manage/audit?since=2999-01-01"))
    assert "No events match these filters." in future
    rows = _csv(as_core, "?action=team+created")
    assert rows[0][0] == "when (UTC)" and len(rows) == 3
    assert rows[-1][5] == "'=HYPERLINK(1)"  # the results export's formula guard
    assert audit("audit log exported")[-1].detail == "filters: action=team created"


def test_the_audit_log_pages_through_older_events(as_core: Staff) -> None:
    for n in range(105):
        db.session.add(
            AuditEvent(action="signpost checked", user=as_core.user, target=f"signpost:{n}")
        )
    db.session.commit()
    first = as_core.get("/manage/audit?action=signpost+checked").get_data(as_text=True)
    older = re.search(r'href="([^"]*before=\d+[^"]*)">Older events', first)
    assert older and "signpost:104" in first and "signpost:4<" not in first
    second = as_core.get(unescape(older.group(1))).get_data(as_text=True)
    assert "signpost:4<" in second and "signpost:104" not in second


def test_the_delete_pages_promise_links_to_the_audit_log(as_core: Staff) -> None:
    resource = route("Old line")
    page = as_core.get(f"/manage/signposting/{resource.id}/delete").get_data(as_text=True)
    assert "/manage/audit?action=signpost+deleted" in page
