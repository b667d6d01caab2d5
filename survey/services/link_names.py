"""The names a respondent sees on the welcome page: whose survey link this is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from survey.extensions import db
from survey.models import Organisation, Team


@dataclass(frozen=True)
class LinkNames:
    """The team and organisation a survey link belongs to."""

    team: str
    organisation: str


def names_for_team(team_id: int) -> LinkNames | None:
    """The team's and its organisation's names, in one query (None if the team is gone)."""
    row = db.session.execute(
        select(Team.name, Organisation.name)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(Team.id == team_id)
    ).one_or_none()
    return None if row is None else LinkNames(row[0], row[1])
