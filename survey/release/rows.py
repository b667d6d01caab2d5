"""Reading a wave's stored responses for the release step: checked, opened one at a time.

Shared by the screening release and the perspective release (and the core team's free-text
pools), so every figure comes from rows that passed the same integrity check.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from survey.domain.questionnaire_model import Answers
from survey.domain.sealing import OpenFailed, SealContext, SealingError, open_wave
from survey.extensions import db
from survey.models import Team, Wave
from survey.models.releases import Release
from survey.services.integrity import IntegrityReport, RowAudit, StoredRow, stored_rows_and_tally

STREAM_BATCH = 1000


class ReleaseError(ValueError):
    """This release cannot be made now; the message says why."""


class IntegrityRefusal(ReleaseError):
    """Some stored rows are not the ones Lantern stored; the release was refused."""

    def __init__(self, report: IntegrityReport) -> None:
        self.report = report
        failed = f"{report.failed} stored response(s) failed the integrity check"
        self.summary = f"nothing was released: {failed} ({'; '.join(report.findings())})"
        super().__init__(
            f"{self.summary}. Run `flask keys verify` for every wave's details; to release "
            "without the failing rows, confirm it (--exclude-failed, or the box on the "
            "release page)"
        )


def releases_of(wave_id: int) -> list[Release]:
    """A wave's releases, oldest first."""
    return list(
        db.session.scalars(
            select(Release).where(Release.wave_id == wave_id).order_by(Release.sequence)
        )
    )


def opened_responses(
    wave: Wave, kek: bytes, *, exclude_failed: bool = False
) -> Iterator[tuple[int, int, Answers]]:
    """(organisation id, team id, answers) of each response, opened one at a time.

    Every row is checked against its integrity tag and the wave's tally as it streams. A
    row that fails (forged, moved, copied, damaged) is never opened into a figure; if any
    failed, or rows are missing, the release is refused at the end (nothing is stored yet)
    unless the core team confirmed releasing without them (`exclude_failed`).
    """
    org_of = {team: org for team, org in db.session.execute(select(Team.id, Team.organisation_id))}
    try:
        opener = open_wave(wave.wrapped_private_key, kek, wave.id)
    except SealingError:
        raise ReleaseError(
            "the key-encryption key cannot unwrap this wave's key; nothing was released"
        ) from None
    audit, unopened = RowAudit(wave.id), 0
    rows = stored_rows_and_tally(wave.id)
    for row in db.session.execute(rows.execution_options(yield_per=STREAM_BATCH)):
        stored = StoredRow(*row)
        # Pending rows (arrived since the flush) count towards the tally, not this release.
        if not audit.admit(stored) or stored.kind != "response":
            continue
        context = SealContext(wave.id, stored.team_id, str(stored.id))
        try:
            answers = opener.open(context, stored.sealed)
        except OpenFailed:
            unopened += 1
            continue
        yield org_of[stored.team_id], stored.team_id, answers
    report = audit.report(unopened=unopened)
    if not report.ok and not exclude_failed:
        raise IntegrityRefusal(report)
