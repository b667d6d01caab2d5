"""`flask waves ...`: list, close and release survey rounds from the shell or a scheduler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from survey import keyring
from survey.extensions import db
from survey.keys import KeyConfigError
from survey.models import Wave
from survey.release import ReleaseError, count_responses, make_release
from survey.services import wave_admin
from survey.services.waves import WaveError, close_wave

waves_cli = AppGroup("waves", help="Survey rounds: list, close, release.")

# The release progress bar moves in steps of this many responses and shows no figures.
# Releases count only scorable responses; an exact count of stored ones printed beside
# them would tell how many people skipped too much to be scored (often 1 to k-1).
PROGRESS_STEP = 1000


class _CoarseProgress:
    """A progress callback that passes on only whole steps of PROGRESS_STEP responses."""

    def __init__(self, update: Callable[[int], None]) -> None:
        self._update = update
        self._pending = 0

    def __call__(self, done: int) -> None:
        self._pending += done
        if self._pending >= PROGRESS_STEP:
            self._update(self._pending)
            self._pending = 0


def _today() -> datetime:
    return datetime.now(UTC)


def _wave(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise click.ClickException(f"there is no wave with id {wave_id}")
    return wave


@waves_cli.command("list")
def waves_list() -> None:
    """List waves with their dates and release mode (no response counts)."""
    rows = db.session.scalars(select(Wave).order_by(Wave.opens_on)).all()
    statuses = wave_admin.statuses(rows, _today().date())
    for wave in rows:
        if wave.last_day < wave.opens_on:  # closed on or before its opening day
            dates = f"{wave.opens_on}, cancelled before it opened"
        else:
            dates = f"{wave.opens_on} to {wave.last_day}"
        state = statuses[wave.id].label
        click.echo(f"{wave.id}\t{wave.name}\t{dates}\t{wave.release_mode}\t{state}")


@waves_cli.command("close")
@click.argument("wave_id", type=int)
def waves_close(wave_id: int) -> None:
    """Close a wave now: it accepts no more responses from today."""
    try:
        wave = close_wave(_wave(wave_id), _today().date())
    except WaveError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"closed wave {wave.id} ({wave.name}); last day was {wave.closed_early_on}")


@waves_cli.command("release")
@click.argument("wave_id", type=int)
@click.option(
    "--interim", is_flag=True, help="An interim release (only for waves in interim mode)."
)
@click.option(
    "--exclude-failed",
    is_flag=True,
    help="Release without the stored responses that failed the integrity check "
    "(after `flask keys verify` has shown what happened to them).",
)
def waves_release(wave_id: int, interim: bool, exclude_failed: bool) -> None:
    """Open, score and aggregate a wave's responses, and store a k-anonymous release."""
    wave = _wave(wave_id)
    try:
        kek = keyring.configured_kek(current_app.config)
    except KeyConfigError as error:
        raise click.ClickException(str(error)) from None
    kind = "interim" if interim else "final"
    total = count_responses(wave.id)  # sizes the bar only; never printed
    label = "Opening and scoring the responses (no count is shown)"
    bar_widget = click.progressbar(
        length=max(total, 1), label=label, show_percent=False, show_pos=False, show_eta=False
    )
    try:
        with bar_widget as bar:
            progress = _CoarseProgress(bar.update)
            release = make_release(
                wave,
                kek,
                kind=kind,
                today=_today().date(),
                progress=progress,
                exclude_failed=exclude_failed,
            )
    except ReleaseError as error:
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = getattr(error, "orig", None) or type(error).__name__
        raise click.ClickException(f"the database refused the release ({reason})") from None
    click.echo(f"made {kind} release {release.sequence} of wave {wave.id} ({wave.name})")
