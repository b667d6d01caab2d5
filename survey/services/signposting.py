"""Which support routes a respondent is shown: data edited by the core team, never templates."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.models import SignpostResource


def routes_for(
    organisation_id: int, level: int
) -> tuple[list[SignpostResource], list[SignpostResource]]:
    """The always-on routes, then the organisation's and alliance's own routes for a band level."""
    rows = db.session.scalars(
        select(SignpostResource)
        .where(
            or_(
                SignpostResource.organisation_id.is_(None),
                SignpostResource.organisation_id == organisation_id,
            )
        )
        .order_by(SignpostResource.position, SignpostResource.name)
    ).all()
    always = [r for r in rows if r.always]
    local = [r for r in rows if not r.always and r.min_level <= level]
    return always, local


def urgent_routes() -> list[SignpostResource]:
    """Alliance-wide always-on routes, for pages that know no organisation (errors).

    An error page must still render when the database is the thing that failed.
    """
    try:
        return list(
            db.session.scalars(
                select(SignpostResource)
                .where(SignpostResource.organisation_id.is_(None), SignpostResource.always)
                .order_by(SignpostResource.position)
            )
        )
    except SQLAlchemyError:
        db.session.rollback()
        return []
