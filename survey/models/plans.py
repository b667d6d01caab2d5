"""An organisation's plan: the actions its teams agree after results or a review.

One plan per organisation holds both kinds: actions after a screening release (focused on
one of the Four R's) and actions after an organisational review (focused on a domain of
the framework). An action belongs to a team or to the whole organisation, never to a
respondent; it names an owner *role*, not a person's health.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.accounts import User
from survey.models.core import Organisation, Team, Wave

# The Four R's of a trauma-informed approach (SAMHSA, 2014), as action focuses.
FOUR_RS = {
    "realise": "Realise the impact of trauma",
    "recognise": "Recognise the signs",
    "respond": "Respond with policy and practice",
    "resist": "Resist re-traumatisation",
}
# A review domain is written "domain:<key>" (the key of a domain of the review framework).
DOMAIN_FOCUS_PREFIX = "domain:"
ACTION_STATUSES = ("planned", "in progress", "done", "dropped")


class Action(db.Model):  # type: ignore[name-defined,misc]
    """One thing a team (or the whole organisation) said it would do."""

    __tablename__ = "plan_action"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in progress', 'done', 'dropped')", name="status_known"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # None: an action of the whole organisation.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    # The wave whose results led to it (None for actions after a review or of no wave).
    wave_id: Mapped[int | None] = mapped_column(ForeignKey("wave.id"), index=True)
    focus: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    owner_role: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_on: Mapped[date] = mapped_column(Date)
    updated_on: Mapped[date] = mapped_column(Date)
    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship()
    wave: Mapped[Wave | None] = relationship()
    comments: Mapped[list[ActionComment]] = relationship(
        back_populates="action", order_by="ActionComment.id", cascade="all, delete-orphan"
    )


class ActionComment(db.Model):  # type: ignore[name-defined,misc]
    """A core-team comment on an action (dated to the day)."""

    __tablename__ = "plan_action_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(Date)
    action: Mapped[Action] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
