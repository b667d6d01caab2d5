"""Stored responses as tests see them: moved into their batch (`response`) or still pending."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import PendingResponse, Response

Stored = Response | PendingResponse


def stored_rows(wave_id: int | None = None) -> list[Stored]:
    """Every stored response (of one wave, if given), batched or pending alike."""
    rows: list[Stored] = []
    for model in (Response, PendingResponse):
        query = select(model)
        if wave_id is not None:
            query = query.where(model.wave_id == wave_id)
        rows += db.session.scalars(query)
    return rows


def stored_count() -> int:
    """How many responses are stored, batched or pending."""
    return sum(
        int(db.session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Response, PendingResponse)
    )
