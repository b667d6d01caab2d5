"""Recording a finished survey: seal, store, and spend the form's one-time nonce, in one commit.

In code mode the person's single-use code is spent in that same commit, and nothing ties
the spent code to the response it allowed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey.domain.questionnaire import Answers
from survey.domain.sealing import SealContext, seal_answers
from survey.extensions import db
from survey.models import (
    QuestionnaireVersion,
    Response,
    SurveyLink,
    Team,
    UsedForm,
    Wave,
    new_response_id,
)
from survey.models.core import WaveCalendar
from survey.services.codes import CodeRejected, spend_code

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


_LINK = (
    select(
        SurveyLink.id,
        SurveyLink.token,
        SurveyLink.team_id,
        Team.organisation_id,
        Wave.id,
        Wave.k,
        Wave.opens_on,
        Wave.closes_on,
        Wave.closed_early_on,
        Wave.archived,
        Wave.uses_codes,
        Wave.public_key,
        Wave.questionnaire_version_id,
        QuestionnaireVersion.fingerprint,
    )
    .join(Team, Team.id == SurveyLink.team_id)
    .join(Wave, Wave.id == SurveyLink.wave_id)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Wave.questionnaire_version_id)
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
    row = db.session.execute(
        _LINK.where(SurveyLink.token == token, SurveyLink.revoked.is_(False))
    ).one_or_none()
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
    a single-use code and `code` is not a live one; either way nothing is stored.
    """
    digest = nonce_digest(nonce)
    if db.session.get(UsedForm, digest) is not None:
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
    db.session.add(UsedForm(nonce_hash=digest, iso_week=week))
    db.session.add(
        Response(
            id=response_id,
            wave_id=wave.id,
            team_id=link.team_id,
            questionnaire_version_id=wave.questionnaire_version_id,
            iso_week=week,
            sealed=sealed,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # Two copies of the same form raced; the first one won.
        db.session.rollback()
        raise ReplayedForm from None
