"""Recording a finished survey: seal, store, and spend the form's one-time nonce, in one commit.

In code mode the person's single-use code is spent in that same commit, and nothing ties
the spent code to the response it allowed.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from survey.domain.questionnaire import Answers
from survey.domain.sealing import SealContext, seal_answers
from survey.extensions import db
from survey.models import Response, SurveyLink, UsedForm, Wave, new_response_id
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


def find_link(token: str) -> SurveyLink | None:
    """The live link for a token, with its wave and questionnaire, in one query.

    Unknown and revoked tokens both give None, through the same query, so they cost the
    same; a string that cannot be a token (wrong length or characters) is not looked up.
    """
    if not _TOKEN.fullmatch(token):
        return None
    return db.session.scalar(
        select(SurveyLink)
        .options(
            joinedload(SurveyLink.wave).joinedload(Wave.questionnaire_version),
            joinedload(SurveyLink.team),
        )
        .where(SurveyLink.token == token, SurveyLink.revoked.is_(False))
    )


def record_response(
    link: SurveyLink, answers: Answers, nonce: str, today: date, *, code: str | None = None
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
