"""The review cycle of one member: open a review, record agreed ratings, plan actions, log sessions.

Every write is one function that commits once and leaves an audit event naming the
core-team member who made it. What the organisation said (strengths, examples) is kept in
its own words; the audit log records that it changed, never the text itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from survey.domain.frameworks import NOT_DISCUSSED
from survey.extensions import db
from survey.models import (
    ENGAGEMENT_KINDS,
    Action,
    DomainRating,
    EngagementSession,
    Organisation,
    Review,
    User,
)
from survey.models.plans import DOMAIN_FOCUS_PREFIX
from survey.services.accounts import record_event
from survey.services.frameworks import framework_for
from survey.services.review_actions import create_action

WORDS_MAX = 4000
NOTE_MAX = 300
ATTENDED_MAX = 10_000


class ReviewError(ValueError):
    """A change that cannot be made; `field` names the form field the message is about."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DomainEntry:
    """What the core team records for one domain after the facilitated session."""

    rating: str
    strengths: str = ""
    examples: str = ""


def reviews_of(organisation_id: int) -> list[Review]:
    """An organisation's reviews, oldest first."""
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.organisation_id == organisation_id)
            .order_by(Review.opened_on, Review.id)
        )
    )


def get_review(review_id: int) -> Review | None:
    """The review with this id, if any."""
    return db.session.get(Review, review_id)


def open_review(
    organisation: Organisation,
    *,
    framework_key: str,
    opened_on: date,
    actor: User,
    synthetic: bool = False,
) -> Review:
    """Open the next review: a baseline first, then follow-ups of the latest; commits once."""
    try:
        framework = framework_for(framework_key)
    except LookupError:
        raise ReviewError("Choose a framework from the list.", "framework") from None
    earlier = reviews_of(organisation.id)
    previous = earlier[-1] if earlier else None
    if previous is not None and previous.agreed_on is None:
        raise ReviewError("Record the agreed ratings of the open review before opening another.")
    if previous is not None and opened_on < previous.opened_on:
        raise ReviewError("A follow-up opens after the review it follows.", "opened_on")
    review = Review(
        organisation=organisation,
        framework_key=framework.key,
        framework_version=framework.version,
        kind="baseline" if previous is None else "follow-up",
        previous=previous,
        opened_on=opened_on,
        synthetic=synthetic,
        ratings=[DomainRating(domain_key=d.key, rating=NOT_DISCUSSED) for d in framework.domains],
    )
    db.session.add(review)
    db.session.flush()
    used = f"{framework.key} v{framework.version}"
    detail = f"{review.kind} with {used} for organisation:{organisation.id}"
    record_event("review opened", user=actor, target=f"review:{review.id}", detail=detail)
    return review


def _words(value: str, field: str) -> str:
    cleaned = value.strip().replace("\r\n", "\n")
    if len(cleaned) > WORDS_MAX:
        raise ReviewError(f"Please keep this to {WORDS_MAX} characters or fewer.", field)
    return cleaned


def record_ratings(
    review: Review, entries: Mapping[str, DomainEntry], *, agreed_on: date, actor: User
) -> str:
    """Record the agreed rating, strengths and examples of each domain; commits once.

    Returns what changed ("" for nothing). Domains not in `entries` keep what they had.
    """
    framework = framework_for(review.framework_key)
    if agreed_on < review.opened_on:
        raise ReviewError("The session cannot be before the review opened.", "agreed_on")
    by_key = {row.domain_key: row for row in review.ratings}
    # Check every entry before changing any, so a refused form leaves nothing half-applied.
    checked: list[tuple[DomainRating, str, str, str]] = []
    for key, entry in entries.items():
        if key not in by_key:
            raise ReviewError("This domain is not part of the review.", key)
        if entry.rating not in framework.agreed_choices:
            raise ReviewError("Choose a rating from the list.", f"{key}-rating")
        strengths = _words(entry.strengths, f"{key}-strengths")
        examples = _words(entry.examples, f"{key}-examples")
        checked.append((by_key[key], entry.rating, strengths, examples))
    changes: list[str] = []
    for row, rating, strengths, examples in checked:
        if row.rating != rating:
            changes.append(f"{row.domain_key}: {row.rating!r} -> {rating!r}")
            row.rating = rating
        for name, value in (("strengths", strengths), ("examples", examples)):
            if getattr(row, name) != value:
                changes.append(f"{row.domain_key} {name} changed")
                setattr(row, name, value)
    if review.agreed_on != agreed_on:
        changes.append(f"agreed on: {review.agreed_on} -> {agreed_on}")
        review.agreed_on = agreed_on
    if not changes:
        return ""
    detail = "; ".join(changes)
    record_event("review ratings recorded", user=actor, target=f"review:{review.id}", detail=detail)
    return detail


def add_domain_action(
    review: Review,
    domain_key: str,
    *,
    title: str,
    owner_role: str,
    due_on: date | None,
    today: date,
    actor: User,
) -> Action:
    """Add an action for one domain of a review to the organisation's plan; commits once."""
    framework = framework_for(review.framework_key)
    if domain_key not in {d.key for d in framework.domains}:
        raise ReviewError("Choose a domain from the list.", "domain")
    return create_action(
        review.organisation,
        focus=DOMAIN_FOCUS_PREFIX + domain_key,
        title=title,
        owner_role=owner_role,
        due_on=due_on,
        today=today,
        actor=actor,
    )


def log_session(
    organisation: Organisation,
    *,
    held_on: date,
    kind: str,
    attended: int,
    note: str,
    actor: User,
) -> EngagementSession:
    """Add a training or reflective-practice session to the engagement log; commits once."""
    if kind not in ENGAGEMENT_KINDS:
        raise ReviewError("Choose a kind of session from the list.", "kind")
    if not 0 <= attended <= ATTENDED_MAX:
        raise ReviewError(f"Enter a number from 0 to {ATTENDED_MAX}.", "attended")
    cleaned = note.strip()
    if len(cleaned) > NOTE_MAX:
        raise ReviewError(f"Please keep the note to {NOTE_MAX} characters or fewer.", "note")
    entry = EngagementSession(
        organisation=organisation, held_on=held_on, kind=kind, attended=attended, note=cleaned
    )
    db.session.add(entry)
    db.session.flush()
    detail = f"{kind} on {held_on}, {attended} attending, organisation:{organisation.id}"
    record_event(
        "engagement session logged", user=actor, target=f"session:{entry.id}", detail=detail
    )
    return entry


def sessions_of(organisation_id: int) -> list[EngagementSession]:
    """An organisation's engagement log, newest first."""
    return list(
        db.session.scalars(
            select(EngagementSession)
            .where(EngagementSession.organisation_id == organisation_id)
            .order_by(EngagementSession.held_on.desc(), EngagementSession.id.desc())
        )
    )
