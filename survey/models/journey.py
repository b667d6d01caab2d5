"""A member organisation's journey beside the screening: reviews and the engagement log.

A review applies one framework (a file under frameworks/, named by key and version) to one
organisation: a baseline first, then follow-ups about a year apart, each pointing at the
review before it. Per domain it keeps the rating agreed at the facilitated session and the
strengths and examples discussed, in the organisation's own words. Nothing here is about
a respondent: perspective surveys are ordinary waves, and only their releases are read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.core import Organisation, Wave

REVIEW_KINDS = ("baseline", "follow-up")
ENGAGEMENT_KINDS = ("training", "reflective practice", "consultation", "other")
PERSPECTIVE_KEY_MAX = 32


class Review(db.Model):  # type: ignore[name-defined,misc]
    """One organisational review of a member (baseline or follow-up)."""

    __tablename__ = "review"
    __table_args__ = (
        CheckConstraint("kind IN ('baseline', 'follow-up')", name="kind_known"),
        CheckConstraint(
            "(kind = 'baseline') = (previous_id IS NULL)", name="follow_up_has_previous"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    framework_key: Mapped[str] = mapped_column(String(40))
    framework_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    # The review this one follows up (None for a baseline).
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    # The day of the facilitated session whose agreed ratings are recorded (None: not yet).
    agreed_on: Mapped[date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(default=False)
    organisation: Mapped[Organisation] = relationship()
    previous: Mapped[Review | None] = relationship(remote_side="Review.id")
    ratings: Mapped[list[DomainRating]] = relationship(
        back_populates="review", order_by="DomainRating.id", cascade="all, delete-orphan"
    )
    perspectives: Mapped[list[ReviewWave]] = relationship(
        back_populates="review", order_by="ReviewWave.id"
    )


class DomainRating(db.Model):  # type: ignore[name-defined,misc]
    """The agreed rating of one domain in one review, with what was discussed."""

    __tablename__ = "review_domain"
    __table_args__ = (UniqueConstraint("review_id", "domain_key", name="review_domain_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    domain_key: Mapped[str] = mapped_column(String(40))
    # A rating key of the framework (red, amber, green) or "not-discussed".
    rating: Mapped[str] = mapped_column(String(20))
    strengths: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[str] = mapped_column(Text, default="")
    review: Mapped[Review] = relationship(back_populates="ratings")


class ReviewWave(db.Model):  # type: ignore[name-defined,misc]
    """A perspective survey of a review: a wave of a review questionnaire, one perspective."""

    __tablename__ = "review_wave"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), unique=True)
    perspective: Mapped[str] = mapped_column(String(PERSPECTIVE_KEY_MAX))
    review: Mapped[Review] = relationship(back_populates="perspectives")
    wave: Mapped[Wave] = relationship()


class EngagementSession(db.Model):  # type: ignore[name-defined,misc]
    """A training or reflective-practice session the alliance held with a member."""

    __tablename__ = "engagement_session"
    __table_args__ = (
        CheckConstraint("attended >= 0", name="attended_non_negative"),
        CheckConstraint(
            "kind IN ('training', 'reflective practice', 'consultation', 'other')",
            name="kind_known",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    attended: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[Organisation] = relationship()
