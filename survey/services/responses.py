"""Recording a finished survey: seal, store, and spend the form's one-time nonce, in one commit.

In code mode the person's single-use code is spent (deleted) in that same commit. The
sealed response is stored as pending; a later transaction of its own moves it into
`response` with at least k others (survey/services/batches.py), so nothing stored ties
a response to the nonce or the code it spent, or dates it finer than its batch.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from survey.domain.questionnaire import Answers
from survey.domain.sealing import SealContext, seal_answers
from survey.extensions import db
from survey.models import (
    PendingResponse,
    QuestionnaireVersion,
    SurveyLink,
    Team,
    UsedForm,
    Wave,
    new_response_id,
)
from survey.models.core import WaveCalendar
from survey.services.batches import flush_if_full
from survey.services.codes import CodeRejected, spend_code
from survey.services.integrity import (
    WaveKeyRefused,
    add_to_tally,
    check_wave_key,
    configured_keys,
    tag_row,
)

log = logging.getLogger(__name__)
# Link tokens are urlsafe base64 (secrets.token_urlsafe); anything else is not looked up.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class ReplayedForm(Exception):
    """This finished form was already recorded once."""


def iso_week(day: date) -> str:
    """The coarse submission time we keep: ISO year and week, e.g. 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def nonce_digest(nonce: str) -> str:
    """Store only a digest of the form nonce."""
    return hashlib.sha256(nonce.encode()).hexdigest()


@dataclass(frozen=True)
class LiveWave(WaveCalendar):
    """What the respondent pages need of a wave; never its private key."""

    id: int
    k: int
    opens_on: date
    closes_on: date
    closed_early_on: date | None
    archived: bool
    uses_codes: bool
    public_key: bytes
    public_key_tag: bytes | None
    questionnaire_version_id: int
    questionnaire_fingerprint: str


@dataclass(frozen=True)
class LiveLink:
    """A survey link as the respondent pages see it: plain values read in one query."""

    id: int
    token: str
    team_id: int
    organisation_id: int
    wave: LiveWave

    @property
    def wave_id(self) -> int:
        """The link's wave (as SurveyLink.wave_id)."""
        return self.wave.id


_links, _teams, _waves, _versions, _used_forms, _pending = (
    model.__table__
    for model in (SurveyLink, Team, Wave, QuestionnaireVersion, UsedForm, PendingResponse)
)
_SPENT = select(_used_forms.c.nonce_hash).where(_used_forms.c.nonce_hash == bindparam("digest"))
# Built once, as a Core statement with a bound parameter: SQLAlchemy then reuses its
# compiled form and cache key instead of rebuilding them for every respondent request.
_LINK = (
    select(
        _links.c.id,
        _links.c.token,
        _links.c.team_id,
        _teams.c.organisation_id,
        _waves.c.id,
        _waves.c.k,
        _waves.c.opens_on,
        _waves.c.closes_on,
        _waves.c.closed_early_on,
        _waves.c.archived,
        _waves.c.uses_codes,
        _waves.c.public_key,
        _waves.c.public_key_tag,
        _waves.c.questionnaire_version_id,
        _versions.c.fingerprint,
    )
    .select_from(
        _links.join(_teams, _teams.c.id == _links.c.team_id)
        .join(_waves, _waves.c.id == _links.c.wave_id)
        .join(_versions, _versions.c.id == _waves.c.questionnaire_version_id)
    )
    .where(_links.c.token == bindparam("token"), _links.c.revoked.is_(False))
)


def find_link(token: str) -> LiveLink | None:
    """The live link for a token, with its wave, in one query of plain columns.

    Unknown and revoked tokens both give None, through the same query, so they cost the
    same; a string that cannot be a token (wrong length or characters) is not looked up.
    Plain columns rather than ORM objects: this runs on every respondent request, and
    building the objects cost four times the query itself.
    """
    if not _TOKEN.fullmatch(token):
        return None
    row = db.session.connection().execute(_LINK, {"token": token}).one_or_none()
    if row is None:
        return None
    link_id, link_token, team_id, organisation_id, *wave = row
    return LiveLink(link_id, link_token, team_id, organisation_id, LiveWave(*wave))


def record_response(
    link: LiveLink | SurveyLink,
    answers: Answers,
    nonce: str,
    today: date,
    *,
    code: str | None = None,
) -> None:
    """Seal the answers to the wave's public key and store them with the spent nonce.

    Raises ReplayedForm if the nonce was spent already, and CodeRejected if the wave needs
    a single-use code and `code` is not a live one; either way nothing is stored. Once
    committed, the wave's pending responses move into `response` if k are waiting. Raises
    WaveKeyRefused, storing nothing, if the wave's public key or tally is not Lantern's.
    """
    keys = configured_keys()
    try:
        check_wave_key(keys, link.wave.id, link.wave.public_key, link.wave.public_key_tag)
    except WaveKeyRefused as refused:
        log.error("refused to seal a response: %s", refused)  # names the wave, not the person
        raise
    digest = nonce_digest(nonce)
    # Core statements on the session's connection: this is the hottest write path, and the
    # unit of work cost more than the two inserts themselves. One transaction all the same.
    connection = db.session.connection()
    if connection.execute(_SPENT, {"digest": digest}).first() is not None:
        raise ReplayedForm
    wave = link.wave
    if wave.uses_codes:
        try:
            spend_code(link, code or "")
        except CodeRejected:
            db.session.rollback()
            raise
    response_id = new_response_id()
    sealed = seal_answers(wave.public_key, SealContext(wave.id, link.team_id, response_id), answers)
    week = iso_week(today)
    row: dict[str, object] = {
        "id": response_id,
        "wave_id": wave.id,
        "team_id": link.team_id,
        "questionnaire_version_id": wave.questionnaire_version_id,
        "iso_week": week,
        "sealed": sealed,
    }
    tag = row["tag"] = tag_row(keys, row)
    try:
        connection.execute(insert(_used_forms), {"nonce_hash": digest, "iso_week": week})
        connection.execute(insert(_pending), row)
        add_to_tally(connection, keys, wave.id, [tag])
        db.session.commit()
    except WaveKeyRefused as refused:
        db.session.rollback()
        log.error("refused to store a response: %s", refused)
        raise
    except IntegrityError:
        # Two copies of the same form raced; the first one won.
        db.session.rollback()
        raise ReplayedForm from None
    flush_if_full(wave.id, wave.k)
