"""`flask demo seed`: the local demo behind `make run` (refused in production)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey import keyring
from survey.domain.questionnaire import QuestionnaireError
from survey.keys import KeyConfigError
from survey.services import demo
from survey.services.demo_history import DemoAccount

demo_cli = AppGroup("demo", help="Demo data for a local run.")
ACCOUNTS_FILE = "demo-accounts.txt"


def _accounts_file() -> Path:
    # Beside the key file, under instance/ (git-ignored), readable by this user only.
    key_file = current_app.config.get("KEK_FILE")
    folder = Path(key_file).parent if key_file else Path(current_app.instance_path)
    return folder / ACCOUNTS_FILE


def _remember(accounts: list[DemoAccount]) -> None:
    path = _accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        for account in accounts:
            handle.write(f"{account.role}\t{account.email}\t{account.password}\n")


@demo_cli.command("seed")
@click.option("--base-url", default=None, help="Where the links point (default from config).")
def demo_seed(base_url: str | None) -> None:
    """Seed the demo on an empty database, then print survey links and demo sign-ins."""
    if current_app.config.get("LANTERN_ENV") == "production":
        raise click.ClickException("the demo is never created in production")
    try:
        kek = keyring.configured_kek(current_app.config)
    except KeyConfigError as error:
        raise click.ClickException(str(error)) from None
    questionnaire = Path(current_app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    try:
        created = demo.seed_demo(kek, questionnaire, datetime.now(UTC).date())
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    if created is not None:
        _remember(created)
        click.echo("demo data created (earlier rounds are synthetic and labelled so)")
    else:
        click.echo("database already has data: reusing it")
    root = (base_url or current_app.config["SERVER_NAME_FOR_LINKS"]).rstrip("/")
    click.echo("Survey links:")
    for label, token in demo.demo_links():
        click.echo(f"  {label}:")
        click.echo(f"{root}/s/{token}")
    # The journey is a staff page: on the staff service, not the survey service.
    staff = (base_url or current_app.config["STAFF_NAME_FOR_LINKS"]).rstrip("/")
    for organisation_id in demo.journey_ids():
        page = f"{staff}/journey/organisations/{organisation_id}"
        click.echo(f"The demo member's journey (sign in as core or lead): {page}")
    path = _accounts_file()
    if path.exists():
        click.echo(f"Demo sign-in at {staff}/auth/sign-in (demo only):")
        for line in path.read_text().splitlines():
            role, email, password = line.split("\t")
            click.echo(f"  {role:<4}  {email}  password: {password}")
