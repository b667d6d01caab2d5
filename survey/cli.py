"""`flask` commands for set-up and operations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from survey import keyring
from survey.domain.questionnaire import QuestionnaireError
from survey.keys import KeyConfigError, create_key_file
from survey.services import demo
from survey.services.questionnaires import store_questionnaire_file

keys_cli = AppGroup("keys", help="Key-encryption key set-up and checks.")
demo_cli = AppGroup("demo", help="Demo data for a local run.")
questionnaire_cli = AppGroup("questionnaire", help="Questionnaire definitions.")


@keys_cli.command("init")
def keys_init() -> None:
    """Create the local key file if it does not exist (development only)."""
    path = current_app.config.get("KEK_FILE")
    if not path:
        raise click.ClickException(
            "no key file is configured (production keys come from the environment)"
        )
    created = create_key_file(Path(path))
    click.echo(f"{'created' if created else 'kept existing'} key file {path}")


@demo_cli.command("seed")
@click.option("--base-url", default=None, help="Where the links point (default from config).")
def demo_seed(base_url: str | None) -> None:
    """Seed the demo on an empty database, then print every survey link."""
    try:
        kek = keyring.configured_kek(current_app.config)
    except KeyConfigError as error:
        raise click.ClickException(str(error)) from None
    questionnaire = Path(current_app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml"
    today = datetime.now(UTC).date()
    try:
        created = demo.seed_demo(kek, questionnaire, today)
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    click.echo("demo data created" if created else "database already has data: reusing it")
    root = (base_url or current_app.config["SERVER_NAME_FOR_LINKS"]).rstrip("/")
    click.echo("Survey links:")
    for label, token in demo.demo_links():
        click.echo(f"  {label}:")
        click.echo(f"{root}/s/{token}")


@questionnaire_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def questionnaire_load(path: Path) -> None:
    """Validate a questionnaire file and store it as a new version if it changed."""
    try:
        version = store_questionnaire_file(path)
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"stored {version.key} version {version.version}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (keys_cli, demo_cli, questionnaire_cli):
        app.cli.add_command(group)
