"""`flask users ...` with good and bad input: clear one-line errors, nothing half-done."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from survey.extensions import db
from survey.models import User
from survey.services.accounts import (
    authenticate,
    find_user,
    issue_token,
    user_for_token,
    visible_team_ids,
)
from tests.auth.conftest import PASSWORD, Alliance


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def users(runner: FlaskCliRunner, *args: str, input: str | None = None) -> Result:
    """Run `flask users ...` with optional standard input."""
    return runner.invoke(args=["users", *args], input=input)


def test_create_core_prompts_twice(runner: FlaskCliRunner) -> None:
    result = users(
        runner, "create-core", "Ana@Example.org", "--name", "Ana", input=f"{PASSWORD}\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "created core account ana@example.org" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    user = authenticate("ana@example.org", PASSWORD)
    assert user is not None and user.role == "core" and user.display_name == "Ana"


def test_create_with_password_from_stdin(runner: FlaskCliRunner) -> None:
    args = ("create-lead", "lee@example.org", "--name", "Lee", "--password-stdin")
    result = users(runner, *args, input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user = authenticate("lee@example.org", PASSWORD)
    assert user is not None and user.role == "lead"


def test_mismatched_prompts_create_nothing(runner: FlaskCliRunner) -> None:
    result = users(
        runner, "create-core", "ana@example.org", "--name", "Ana", input=f"{PASSWORD}\nother\n"
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert find_user("ana@example.org") is None


def test_short_password_is_a_clear_error(runner: FlaskCliRunner) -> None:
    args = ("create-core", "ana@example.org", "--name", "Ana", "--password-stdin")
    result = users(runner, *args, input="short\n")
    assert result.exit_code == 1
    assert "Error: passwords need at least 12 characters" in result.output
    assert "Traceback" not in result.output
    assert find_user("ana@example.org") is None


def test_bad_email_and_duplicate_are_clear_errors(runner: FlaskCliRunner, core: User) -> None:
    bad = users(runner, "create-core", "nope", "--name", "N")
    assert bad.exit_code == 1 and "'nope' is not an email address" in bad.output
    assert "Password" not in bad.output  # refused before asking for a password
    again = users(runner, "create-lead", "CORE@example.org", "--name", "N")
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "Password" not in again.output  # refused before asking for a password


def test_missing_name_is_a_usage_error(runner: FlaskCliRunner) -> None:
    result = users(runner, "create-core", "ana@example.org")
    assert result.exit_code == 2
    assert "--name" in result.output


def test_grant_and_revoke(runner: FlaskCliRunner, alliance: Alliance, lead: User) -> None:
    granted = users(runner, "grant", "lead@example.org", "--team", str(alliance.a1.id))
    assert granted.exit_code == 0, granted.output
    assert f"lead@example.org can now see team {alliance.a1.id}" in granted.output
    org = users(runner, "grant", "LEAD@example.org", "--organisation", str(alliance.org_b.id))
    assert org.exit_code == 0, org.output
    assert visible_team_ids(lead) == {alliance.a1.id, alliance.b1.id}
    revoked = users(runner, "revoke", "lead@example.org", "--team", str(alliance.a1.id))
    assert revoked.exit_code == 0, revoked.output
    assert "can no longer see" in revoked.output
    assert visible_team_ids(lead) == {alliance.b1.id}


def test_grant_errors(runner: FlaskCliRunner, alliance: Alliance, lead: User) -> None:
    cases = [
        (
            ("grant", "who@example.org", "--team", "1"),
            1,
            "no account has the email who@example.org",
        ),
        (("grant", "lead@example.org", "--team", "999"), 1, "no team has the id 999"),
        (("grant", "lead@example.org", "--organisation", "999"), 1, "no organisation has the id"),
        (("grant", "lead@example.org"), 1, "exactly one of a team or an organisation"),
        (("grant", "lead@example.org", "--team", "1", "--organisation", "1"), 1, "exactly one"),
        (("grant", "lead@example.org", "--team", "abc"), 2, "'abc' is not a valid integer"),
        (("grant", "lead@example.org", "--team", str(10**20)), 1, "no team has the id"),
        (("grant", "lead@example.org", "--organisation", "-1"), 1, "no organisation has the id"),
        (("revoke", "lead@example.org", "--team", str(alliance.a2.id)), 1, "has no lead access"),
    ]
    for args, code, message in cases:
        result = users(runner, *args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert visible_team_ids(lead) == frozenset()


def test_token_is_printed_once_and_works(runner: FlaskCliRunner, lead: User) -> None:
    result = users(runner, "token", "lead@example.org", "--label", "reporting")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert user_for_token(token) is lead
    assert "cannot be shown again" in result.stderr
    revoked = users(runner, "revoke-token", "lead@example.org", "--label", "reporting")
    assert revoked.exit_code == 0 and "revoked 1 token" in revoked.output
    assert user_for_token(token) is None
    missing = users(runner, "token", "who@example.org", "--label", "x")
    assert missing.exit_code == 1 and "no account has the email" in missing.output


def test_set_password_disable_enable_and_list(
    runner: FlaskCliRunner, alliance: Alliance, lead: User
) -> None:
    new = "another long passphrase"
    result = users(runner, "set-password", "lead@example.org", "--password-stdin", input=new)
    assert result.exit_code == 0, result.output
    assert authenticate("lead@example.org", new) is lead
    token = issue_token(lead, "x")
    assert users(runner, "disable", "lead@example.org").exit_code == 0
    assert authenticate("lead@example.org", new) is None
    assert user_for_token(token) is None
    users(runner, "grant", "lead@example.org", "--team", str(alliance.a2.id))
    listing = users(runner, "list").output
    assert f"lead@example.org\tlead (disabled)\tLee Lead\tteam {alliance.a2.id}" in listing
    assert users(runner, "enable", "lead@example.org").exit_code == 0
    assert authenticate("lead@example.org", new) is lead
    assert db.session.scalars(select(User)).all() == [lead]
