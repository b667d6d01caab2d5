"""What the core team should not forget: yearly reviews, waves closing soon, releases to make.

When a review falls due is the journey's one rule (`journey.review_due_on`): a cycle after
the latest review, or, for a member not yet reviewed, its baseline soon after joining.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from survey.domain.wave_state import State
from survey.extensions import db
from survey.models import Organisation, Wave
from survey.services import wave_admin
from survey.services.journey import review_due_on

REVIEW_SOON = timedelta(days=30)
CLOSING_SOON = timedelta(days=7)
LEFT = "left"


@dataclass(frozen=True)
class ReviewDue:
    """An organisation whose yearly review is due (or falls due soon)."""

    organisation: Organisation
    due_on: date


@dataclass(frozen=True)
class Reminders:
    """Everything the home page reminds the core team of."""

    reviews: list[ReviewDue]
    closing: list[Wave]
    to_release: list[Wave]

    @property
    def empty(self) -> bool:
        """Nothing to remind anyone of."""
        return not (self.reviews or self.closing or self.to_release)


def reminders(today: date) -> Reminders:
    """Reviews due within a month (or overdue), waves closing within a week, releases to make."""
    reviews = []
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.name)):
        due = review_due_on(organisation)
        if organisation.pledge_status != LEFT and due is not None and due <= today + REVIEW_SOON:
            reviews.append(ReviewDue(organisation, due))
    waves = db.session.scalars(select(Wave).where(Wave.archived.is_(False))).all()
    statuses = wave_admin.statuses(waves, today)
    closing = [
        wave
        for wave in waves
        if statuses[wave.id].state is State.OPEN and wave.last_day <= today + CLOSING_SOON
    ]
    to_release = [wave for wave in waves if statuses[wave.id].release_kind == "final"]
    return Reminders(
        sorted(reviews, key=lambda item: item.due_on),
        sorted(closing, key=lambda wave: wave.last_day),
        sorted(to_release, key=lambda wave: wave.last_day),
    )
