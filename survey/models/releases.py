"""Releases: immutable, k-anonymous snapshots of a wave's results. Leads read nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.core import Wave, utcnow


def utc_today() -> date:
    """Today's date in UTC: the only time a release keeps."""
    return utcnow().date()


class ReleaseImmutable(Exception):
    """A stored release was about to be changed; releases are append-only."""


class Release(db.Model):  # type: ignore[name-defined,misc]
    """One release of a wave: the released figures (payload) and the internal ledger.

    The ledger holds counts the time rule needs at the next release (including for
    suppressed groups); it is never shown to anyone. Outside the workspace a release is
    addressed by its wave and its number in the wave (`sequence`), never by `id`, and
    only the day it was made is kept, so no one learns from ids or instants how many
    releases other waves had, or when.
    """

    __tablename__ = "release"
    __table_args__ = (
        UniqueConstraint("wave_id", "sequence", name="wave_sequence"),
        CheckConstraint("kind IN ('interim', 'final')", name="kind_known"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    made_on: Mapped[date] = mapped_column(Date, default=utc_today)
    payload: Mapped[str] = mapped_column(Text)
    ledger: Mapped[str] = mapped_column(Text)
    # Each cell's truth at this release, sealed to the wave key (`joint_truth`): what the
    # joint check of later releases holds everyone outside a team or organisation at.
    sealed_truth: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    wave: Mapped[Wave] = relationship()


@event.listens_for(Release, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, _target: Release) -> None:
    raise ReleaseImmutable("releases are immutable; make a new release instead")


@event.listens_for(Release, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, _target: Release) -> None:
    raise ReleaseImmutable("releases are immutable and are never deleted")
