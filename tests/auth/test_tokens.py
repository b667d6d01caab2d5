"""API tokens: bearer tokens work on /api/ only; revoked or disabled fail; digests only."""

from __future__ import annotations

import hashlib

import pytest
from flask import Blueprint, Flask
from flask_login import current_user
from sqlalchemy import select

from survey.access import lead_or_core, role_required
from survey.extensions import db
from survey.models import ApiToken, User
from survey.services import accounts
from survey.services.accounts import AccountError, issue_token, revoke_tokens, user_for_token
from tests.auth.conftest import sign_in


def _whoami() -> dict[str, str]:
    return {"email": current_user.email}


def _core_whoami() -> dict[str, str]:
    return {"email": current_user.email}


def _page_whoami() -> str:
    return str(current_user.email)


@pytest.fixture
def api(app: Flask) -> Flask:
    """The app with a small /api/ probe (the real API lives in its own blueprint)."""
    probe = Blueprint("token_probe", __name__)
    probe.add_url_rule("/api/probe/me", "me", lead_or_core(_whoami))
    probe.add_url_rule("/api/probe/core", "core", role_required("core")(_core_whoami))
    probe.add_url_rule("/probe/me", "page", lead_or_core(_page_whoami))
    app.register_blueprint(probe)
    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_authenticates_on_api_paths(api: Flask, lead: User) -> None:
    token = issue_token(lead, "reporting script")
    result = api.test_client().get("/api/probe/me", headers=bearer(token))
    assert result.status_code == 200
    assert result.get_json() == {"email": "lead@example.org"}
    assert "Set-Cookie" not in result.headers  # a token request starts no session


def test_token_does_nothing_outside_api(api: Flask, lead: User) -> None:
    token = issue_token(lead, "reporting script")
    result = api.test_client().get("/probe/me", headers=bearer(token))
    assert result.status_code == 302
    assert result.headers["Location"].startswith("/auth/sign-in")


def test_the_api_ignores_session_cookies(api: Flask, lead: User) -> None:
    client = api.test_client()
    sign_in(client, "lead@example.org")
    assert client.get("/probe/me").status_code == 200
    # No ambient cookie credential on the API, so a cross-site page cannot use it.
    assert client.get("/api/probe/me").status_code == 401


def test_token_roles_still_apply(api: Flask, lead: User, core: User) -> None:
    client = api.test_client()
    lead_token, core_token = issue_token(lead, "l"), issue_token(core, "c")
    refused = client.get("/api/probe/core", headers=bearer(lead_token))
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "forbidden"}
    assert client.get("/api/probe/core", headers=bearer(core_token)).status_code == 200


def test_revoked_token_fails(api: Flask, lead: User) -> None:
    client = api.test_client()
    token = issue_token(lead, "laptop")
    kept = issue_token(lead, "server")
    assert revoke_tokens(lead, "laptop") == 1
    assert client.get("/api/probe/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/probe/me", headers=bearer(kept)).status_code == 200
    with pytest.raises(AccountError, match="no live token labelled 'laptop'"):
        revoke_tokens(lead, "laptop")


def test_disabled_accounts_token_fails(api: Flask, lead: User) -> None:
    token = issue_token(lead, "laptop")
    accounts.set_active(lead, False)
    assert api.test_client().get("/api/probe/me", headers=bearer(token)).status_code == 401
    with pytest.raises(AccountError, match="is disabled"):
        issue_token(lead, "another")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic bGVhZDpwYXNz", "Bearer lantern_made-up", "Token {token}"],
)
def test_malformed_or_unknown_credentials_fail(api: Flask, lead: User, header: str) -> None:
    token = issue_token(lead, "real")
    headers = {"Authorization": header.format(token=token)}
    result = api.test_client().get("/api/probe/me", headers=headers)
    assert result.status_code == 401


def test_only_the_digest_is_stored(app: Flask, lead: User) -> None:
    token = issue_token(lead, "  laptop  ")
    assert token.startswith("lantern_") and len(token) > 40
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert stored.label == "laptop"
    assert token not in (stored.digest, stored.label)
    assert user_for_token(token) is lead
    assert user_for_token(token[:-1]) is None


def test_two_tokens_are_never_equal(app: Flask, lead: User) -> None:
    assert issue_token(lead, "a") != issue_token(lead, "a")


def test_empty_label_is_refused(app: Flask, lead: User) -> None:
    with pytest.raises(AccountError, match="label"):
        issue_token(lead, "   ")


def test_a_password_reset_revokes_api_tokens(api: Flask, lead: User) -> None:
    token = issue_token(lead, "laptop")
    assert api.test_client().get("/api/probe/me", headers=bearer(token)).status_code == 200
    accounts.set_password(lead, "a brand new passphrase")
    assert user_for_token(token) is None
    assert api.test_client().get("/api/probe/me", headers=bearer(token)).status_code == 401
    assert all(row.revoked for row in db.session.scalars(select(ApiToken)))


def test_disabling_revokes_api_tokens_and_enabling_revives_none(api: Flask, lead: User) -> None:
    token = issue_token(lead, "laptop")
    accounts.set_active(lead, False)
    accounts.set_active(lead, True)
    assert user_for_token(token) is None  # the old token stays dead after re-enabling
    assert api.test_client().get("/api/probe/me", headers=bearer(token)).status_code == 401
    fresh = issue_token(lead, "new laptop")
    assert api.test_client().get("/api/probe/me", headers=bearer(fresh)).status_code == 200
