"""`flask users ...`: staff accounts, lead access and API tokens from the command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from survey.services import accounts
from survey.services.accounts import AccountError

users_cli = AppGroup("users", help="Staff accounts, lead access and API tokens.")


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Show an account error as a one-line command error, not a traceback."""
    try:
        yield
    except AccountError as error:
        raise click.ClickException(str(error)) from None


def _read_password(from_stdin: bool) -> str:
    """One line from standard input, or a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _password_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from the first line of standard input instead of prompting.",
    )(function)


def _target_options(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option("--organisation", type=int, help="Organisation id.")(function)
    return click.option("--team", type=int, help="Team id.")(function)


def _target(team: int | None, organisation: int | None) -> str:
    return f"team {team}" if team is not None else f"organisation {organisation}"


def _create(email: str, name: str, role: str, password_stdin: bool) -> None:
    with _clear_errors():
        # Refuse bad details before asking for a password that would be thrown away.
        accounts.check_account_details(email, name, role)
        user = accounts.create_user(email, name, _read_password(password_stdin), role)
    click.echo(f"created {user.role} account {user.email}")


@users_cli.command("create-core")
@click.argument("email")
@click.option("--name", required=True, help="The name shown when signed in.")
@_password_option
def create_core(email: str, name: str, password_stdin: bool) -> None:
    """Create a core-team account (sees everything)."""
    _create(email, name, "core", password_stdin)


@users_cli.command("create-lead")
@click.argument("email")
@click.option("--name", required=True, help="The name shown when signed in.")
@_password_option
def create_lead(email: str, name: str, password_stdin: bool) -> None:
    """Create a team-lead account (sees only what it is granted)."""
    _create(email, name, "lead", password_stdin)


@users_cli.command("set-password")
@click.argument("email")
@_password_option
def set_password(email: str, password_stdin: bool) -> None:
    """Set a new password; the account is signed out everywhere."""
    with _clear_errors():
        user = accounts.get_user(email)
        accounts.set_password(user, _read_password(password_stdin))
    click.echo(f"password set for {user.email}")


@users_cli.command("grant")
@click.argument("email")
@_target_options
def grant(email: str, team: int | None, organisation: int | None) -> None:
    """Give a lead access to one team, or to an organisation and all its teams."""
    with _clear_errors():
        user = accounts.get_user(email)
        accounts.grant_lead(user, team_id=team, organisation_id=organisation)
    click.echo(f"{user.email} can now see {_target(team, organisation)}")


@users_cli.command("revoke")
@click.argument("email")
@_target_options
def revoke(email: str, team: int | None, organisation: int | None) -> None:
    """Take away a lead's access to one team or organisation."""
    with _clear_errors():
        user = accounts.get_user(email)
        accounts.withdraw_lead(user, team_id=team, organisation_id=organisation)
    click.echo(f"{user.email} can no longer see {_target(team, organisation)}")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", required=True, help="What the token is for, e.g. 'reporting script'.")
def token(email: str, label: str) -> None:
    """Issue an API token and print it once: only its digest is stored."""
    with _clear_errors():
        user = accounts.get_user(email)
        secret = accounts.issue_token(user, label)
    click.echo(secret)
    click.echo("Store this token now: it cannot be shown again.", err=True)


@users_cli.command("revoke-token")
@click.argument("email")
@click.option("--label", required=True, help="The label the token was issued with.")
def revoke_token(email: str, label: str) -> None:
    """Revoke an account's live API tokens with this label."""
    with _clear_errors():
        count = accounts.revoke_tokens(accounts.get_user(email), label)
    click.echo(f"revoked {count} token{'s' if count != 1 else ''}")


@users_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    with _clear_errors():
        user = accounts.get_user(email)
        accounts.set_active(user, False)
    click.echo(f"disabled {user.email}")


@users_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable a disabled account again."""
    with _clear_errors():
        user = accounts.get_user(email)
        accounts.set_active(user, True)
    click.echo(f"enabled {user.email}")


@users_cli.command("list")
def list_users() -> None:
    """List every account with its role, state and lead access."""
    for user in accounts.all_users():
        state = "" if user.active else " (disabled)"
        access = ", ".join(
            f"team {grant.team_id}"
            if grant.team_id is not None
            else f"organisation {grant.organisation_id}"
            for grant in user.grants
        )
        click.echo(f"{user.email}\t{user.role}{state}\t{user.display_name}\t{access}")
