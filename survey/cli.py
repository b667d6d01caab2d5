"""`flask` commands for set-up and operations."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey import keyring
from survey.auth.commands import users_cli
from survey.demo_cli import demo_cli
from survey.domain.questionnaire import QuestionnaireError
from survey.domain.sealing import kek_id
from survey.extensions import db
from survey.keys import KeyConfigError, create_key_file
from survey.models import Wave
from survey.services import key_health, keyops
from survey.services.questionnaires import store_questionnaire_file
from survey.waves_cli import waves_cli

keys_cli = AppGroup("keys", help="Key-encryption key set-up and checks.")
questionnaire_cli = AppGroup("questionnaire", help="Questionnaire definitions.")


@keys_cli.command("init")
@click.option(
    "--force",
    is_flag=True,
    help="Create a new key even though stored waves need a key that is not configured.",
)
def keys_init(force: bool) -> None:
    """Create the local key file if it does not exist (development only)."""
    path = current_app.config.get("KEK_FILE")
    if not path:
        raise click.ClickException(
            "no key file is configured (production keys come from the environment)"
        )
    if not Path(path).exists() and not force:
        # A lost key file must not be silently replaced: the waves it wraps would stay sealed.
        try:
            keyops.check_new_kek_is_safe(keyring.configured_previous_kek(current_app.config))
        except (KeyConfigError, keyops.KeyOpsError) as error:
            raise click.ClickException(str(error)) from None
    created = create_key_file(Path(path))
    click.echo(f"{'created' if created else 'kept existing'} key file {path}")


def _configured_keks() -> tuple[bytes, bytes | None]:
    """The current and (during a rotation) previous KEK, or one clear error."""
    try:
        current = keyring.configured_kek(current_app.config)
        return current, keyring.configured_previous_kek(current_app.config)
    except KeyConfigError as error:
        raise click.ClickException(str(error)) from None


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-wrap every wave key from the previous KEK to the current one (safe to re-run)."""
    current, previous = _configured_keks()
    try:
        plan = keyops.plan_rotation(current, previous)
        if not plan.to_rewrap or previous is None:
            click.echo(f"nothing to rotate: {plan.already_current} wave(s) use the current key")
            return
        rewrapped = 0
        with click.progressbar(plan.to_rewrap, label="Re-wrapping wave keys") as wave_ids:
            for wave_id in wave_ids:
                rewrapped += keyops.rotate_wave(wave_id, previous, current)
    except keyops.KeyOpsError as error:
        raise click.ClickException(str(error)) from None
    kept = plan.already_current + len(plan.to_rewrap) - rewrapped
    click.echo(f"re-wrapped {rewrapped} wave key(s); {kept} already used the current key")
    click.echo("next: `flask keys verify`; keep the previous key as long as older backups")


@keys_cli.command("verify")
def keys_verify() -> None:
    """Open every stored response of every wave; print counts only, fail on any failure."""
    current, previous = _configured_keks()
    waves = opened = failed = 0
    all_ok = True
    checks: list[keyops.WaveCheck] = []
    try:
        for check in keyops.verify_waves(current, previous):
            checks.append(check)
            note = f" ({check.problem})" if check.problem else ""
            if check.on_previous_kek and not check.problem:
                note = " (still on the previous key: run `flask keys rotate`)"
            click.echo(f"wave {check.wave_id}: {check.opened} opened, {check.failed} failed{note}")
            for finding in check.findings():
                click.echo(f"  {finding}")
            waves, opened, failed = waves + 1, opened + check.opened, failed + check.failed
            all_ok = all_ok and check.ok
    except keyops.KeyOpsError as error:
        raise click.ClickException(str(error)) from None
    # The key health page says when this last ran and what it found (without the counts).
    key_health.record_check(checks, source=key_health.COMMAND_LINE)
    click.echo(f"{waves} wave(s): {opened} response(s) opened, {failed} failed")
    if not all_ok:
        raise click.ClickException(
            "some wave keys or responses could not be opened or are not the ones Lantern stored"
        )


@keys_cli.command("adopt")
def keys_adopt() -> None:
    """Vouch once for waves stored before integrity tags (their key, rows and tally)."""
    current, _ = _configured_keks()
    adopted = 0
    try:
        for wave in list(db.session.scalars(select(Wave).order_by(Wave.id))):
            done = keyops.adopt_wave(wave, current) if wave.kek_id == kek_id(current) else None
            if done is None:
                continue
            adopted += 1
            note = f", {done.left_untagged} did not open and stay untagged" * bool(
                done.left_untagged
            )
            click.echo(f"wave {done.wave_id}: key vouched for, {done.tagged} row(s) tagged{note}")
    except keyops.KeyOpsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"adopted {adopted} wave(s); waves already vouched for were left as they were")
    if adopted:
        click.echo(
            "rows stored before now cannot be told from rows forged before now with the "
            "wave's real public key; from now on every new or changed row is caught"
        )


@questionnaire_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def questionnaire_load(path: Path) -> None:
    """Validate a questionnaire file and store it as a new version if it changed."""
    try:
        version = store_questionnaire_file(path)
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = getattr(error, "orig", None) or type(error).__name__
        raise click.ClickException(f"the database could not be written ({reason})") from None
    click.echo(f"stored {version.key} version {version.version}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for group in (keys_cli, demo_cli, questionnaire_cli, users_cli, waves_cli):
        app.cli.add_command(group)
