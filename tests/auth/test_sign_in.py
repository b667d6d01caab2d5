"""Sign-in and sign-out through the pages: generic failures, fresh sessions, local redirects."""

from __future__ import annotations

import hashlib

import argon2
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.auth.views import SIGN_IN_FAILED, safe_next
from survey.extensions import db
from survey.models import AuditEvent, User
from survey.services import accounts
from tests.auth.conftest import PASSWORD, csrf_of, page_csrf, sign_in
from tests.formtools import forms_in


def carried_next(html: str) -> str:
    """The `next` value the sign-in form carries."""
    return forms_in(html)[0].fields["next"]


def test_sign_in_page_is_a_plain_form_with_csrf(client: FlaskClient) -> None:
    page = client.get("/auth/sign-in")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert csrf_of(html)
    assert 'autocomplete="current-password"' in html
    assert '<main id="main">' in html
    assert "Sign out" not in html  # nobody is signed in yet


def test_right_password_signs_in_and_lands_on_the_role_home(
    client: FlaskClient, lead: User, core: User, app: Flask
) -> None:
    result = sign_in(client, "  LEAD@example.ORG ", PASSWORD)  # email matched without case
    assert result.status_code == 303
    assert result.headers["Location"] == "/results/"  # leads land on their results
    assert sign_in(app.test_client(), "core@example.org").headers["Location"] == "/manage/"
    page = client.get("/auth/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Signed in as" in html and "Lee Lead" in html
    assert "not been given access to any team" in html


def test_every_failure_reads_and_answers_the_same(client: FlaskClient, lead: User) -> None:
    other = accounts.create_user("gone@example.org", "Gone", PASSWORD, "lead")
    accounts.set_active(other, False)
    wrong_password = sign_in(client, "lead@example.org", "not the password at all")
    unknown_email = sign_in(client, "nobody@example.org", PASSWORD)
    disabled = sign_in(client, "gone@example.org", PASSWORD)  # right password, disabled
    for result in (wrong_password, unknown_email, disabled):
        html = result.get_data(as_text=True)
        assert result.status_code == 422
        assert SIGN_IN_FAILED in html
        assert "Signed in as" not in html
        assert PASSWORD not in html  # the password is never echoed back
    assert client.get("/auth/account").status_code == 302


def test_unknown_email_costs_the_same_hashing_work(
    client: FlaskClient, lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_verify = argon2.PasswordHasher.verify

    def spy(self: argon2.PasswordHasher, stored: str, password: str) -> bool:
        checked.append(stored)
        return real_verify(self, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    sign_in(client, "lead@example.org", "wrong password here")
    sign_in(client, "nobody@example.org", "wrong password here")
    assert len(checked) == 2  # one argon2 verification each
    known, unknown = (stored.rsplit("$", 2)[0] for stored in checked)
    assert known == unknown  # same algorithm, version and cost parameters


def test_sign_in_starts_a_fresh_session(client: FlaskClient, lead: User) -> None:
    client.get("/auth/sign-in")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
        old_csrf = before.get("csrf_token")
    assert sign_in(client, "lead@example.org").status_code == 303
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != old_csrf
        cookie_key = after["_user_id"]  # not the guessable row id
    db.session.refresh(lead)
    # Only its hash is stored: a copy of the database holds no session a cookie could carry.
    assert lead.session_token == hashlib.sha256(cookie_key.encode()).hexdigest()
    assert cookie_key != lead.session_token


def test_session_cookie_holds_no_address_and_is_http_only(app: Flask, lead: User) -> None:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Probe/1"})
    result = sign_in(client, "lead@example.org")
    cookie_header = result.headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header
    cookie = client.get_cookie("lantern_session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(cookie.value)
    # Flask-Login's own fingerprint would hash "203.0.113.9|Probe/1"; ours uses the agent only.
    assert data["_id"] == hashlib.sha256(b"Probe/1").hexdigest()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nLocation: https://evil.example",
        "http:/evil.example",
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, lead: User, target: str) -> None:
    result = sign_in(client, "lead@example.org", next_=target)
    assert result.status_code == 303
    assert result.headers["Location"] == "/results/"


def test_next_to_a_local_path_is_followed(client: FlaskClient, lead: User) -> None:
    refused = client.get("/auth/account?tab=grants")
    assert refused.status_code == 302
    assert refused.headers["Location"] == "/auth/sign-in?next=/auth/account?tab%3Dgrants"
    form_page = client.get(refused.headers["Location"]).get_data(as_text=True)
    carried = carried_next(form_page)
    assert carried == "/auth/account?tab=grants"
    result = sign_in(client, "lead@example.org", next_=carried)
    assert result.headers["Location"] == "/auth/account?tab=grants"


def test_a_foreign_next_is_not_even_carried(client: FlaskClient) -> None:
    html = client.get("/auth/sign-in?next=https://evil.example/").get_data(as_text=True)
    assert carried_next(html) == ""
    assert "evil.example" not in html
    failed = sign_in(client, "nobody@example.org", next_="https://evil.example/")
    assert failed.status_code == 422
    assert "evil.example" not in failed.get_data(as_text=True)


def test_safe_next_accepts_only_local_paths() -> None:
    assert safe_next("/results/3?wave=2") == "/results/3?wave=2"
    assert safe_next("") is None
    assert safe_next(None) is None
    assert safe_next("results") is None  # relative paths are refused too
    assert safe_next("/tab\tx") is None


def test_rate_limit_per_address(app: Flask, client: FlaskClient, lead: User) -> None:
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        assert sign_in(client, f"guess{number}@example.org").status_code == 422
    blocked = sign_in(client, "lead@example.org")  # even the right password waits
    assert blocked.status_code == 429
    assert "too many sign-in attempts" in blocked.get_data(as_text=True)
    assert client.get("/auth/account").status_code == 302
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert sign_in(elsewhere, "lead@example.org").status_code == 303


def test_rate_limit_per_account_across_addresses(app: Flask, lead: User, core: User) -> None:
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number + 1}"
        assert sign_in(client, "lead@example.org", "wrong password guess").status_code == 422
    fresh = app.test_client()
    fresh.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert sign_in(fresh, "LEAD@example.org").status_code == 429  # same account, any case
    assert sign_in(fresh, "core@example.org").status_code == 303  # other accounts unaffected


def test_expired_sign_in_form_is_explained_on_the_form(client: FlaskClient, lead: User) -> None:
    data = {"csrf_token": "stale", "email": "lead@example.org", "password": PASSWORD}
    result = client.post("/auth/sign-in", data=data)
    html = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "had expired" in html
    assert csrf_of(html) != "stale"
    assert client.get("/auth/account").status_code == 302


def test_sign_out_needs_post_and_csrf(client: FlaskClient, lead: User) -> None:
    sign_in(client, "lead@example.org")
    assert client.get("/auth/sign-out").status_code == 405
    assert client.post("/auth/sign-out").status_code == 400  # no CSRF token
    assert client.post("/auth/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/auth/account").status_code == 200  # still signed in
    result = client.post("/auth/sign-out", data={"csrf_token": page_csrf(client)})
    assert result.status_code == 303
    assert result.headers["Location"] == "/auth/sign-in"
    assert "You have signed out." in client.get("/auth/sign-in").get_data(as_text=True)
    assert client.get("/auth/account").status_code == 302


def test_sign_out_ends_a_copied_session_too(app: Flask, client: FlaskClient, lead: User) -> None:
    sign_in(client, "lead@example.org")
    cookie = client.get_cookie("lantern_session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("lantern_session", cookie.value)
    assert thief.get("/auth/account").status_code == 200
    client.post("/auth/sign-out", data={"csrf_token": page_csrf(client)})
    assert thief.get("/auth/account").status_code == 302


def test_a_new_password_ends_existing_sessions(client: FlaskClient, lead: User) -> None:
    sign_in(client, "lead@example.org")
    accounts.set_password(lead, "a brand new passphrase")
    assert client.get("/auth/account").status_code == 302
    assert sign_in(client, "lead@example.org").status_code == 422
    assert sign_in(client, "lead@example.org", "a brand new passphrase").status_code == 303


def test_sign_in_and_failures_are_audited_without_addresses(app: Flask, lead: User) -> None:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Probe/1"})
    sign_in(client, "lead@example.org", "wrong password here")
    sign_in(client, "nobody@example.org")
    sign_in(client, "lead@example.org")
    client.post("/auth/sign-out", data={"csrf_token": page_csrf(client)})
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action != "account created").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.user_id, e.target, e.detail) for e in events] == [
        ("sign-in failed", None, f"user:{lead.id}", "wrong password"),
        ("sign-in failed", None, "", "unknown email"),
        ("sign-in", lead.id, f"user:{lead.id}", ""),
        ("sign-out", lead.id, f"user:{lead.id}", ""),
    ]
    for event in events:
        text = f"{event.action} {event.target} {event.detail}"
        assert "203.0.113.9" not in text and "Probe/1" not in text
        assert "nobody@example.org" not in text  # what was typed is not kept either
