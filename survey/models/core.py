"""Membership, questionnaires, waves, links, responses and signposting.

Anonymity lives in the schema: `Response` has no column that could hold a
person, a precise time or an insertion order, and constraints say so.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db

SECTORS = (
    "health",
    "social care",
    "housing",
    "food",
    "hospice",
    "charity",
    "social enterprise",
    "emergency services",
    "other",
)


# How an organisation-wide link is named wherever a team's name would be.
WHOLE_ORGANISATION = "Whole organisation"


def utcnow() -> datetime:
    """Now, timezone-aware, evaluated per row (not once at import)."""
    return datetime.now(UTC)


def new_response_id() -> str:
    """A random response id: no order, no sequence."""
    return secrets.token_hex(16)


def new_link_token() -> str:
    """An unguessable survey-link token (128 bits)."""
    return secrets.token_urlsafe(16)


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    """A member organisation of the alliance."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(40), default="other")
    joined_on: Mapped[date | None] = mapped_column(Date)
    pledge_status: Mapped[str] = mapped_column(String(40), default="not started")
    teams: Mapped[list[Team]] = relationship(back_populates="organisation", order_by="Team.name")


class Team(db.Model):  # type: ignore[name-defined,misc]
    """A team inside an organisation; survey links are issued per team."""

    __tablename__ = "team"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="org_team_name"),
        CheckConstraint("headcount >= 0", name="headcount_non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # How many staff the team usually has: copied into each new wave's link (`SurveyLink`).
    headcount: Mapped[int | None] = mapped_column(Integer)
    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class QuestionnaireVersion(db.Model):  # type: ignore[name-defined,misc]
    """One immutable version of a questionnaire definition (its YAML source)."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("key", "version", name="key_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WaveCalendar:
    """When a wave takes responses: shared by the Wave model and the respondent's read model."""

    opens_on: date
    closes_on: date
    closed_early_on: date | None
    archived: bool

    @property
    def last_day(self) -> date:
        """The last day the wave accepts responses (earlier than closes_on if closed early)."""
        return self.closed_early_on or self.closes_on

    def is_open(self, today: date) -> bool:
        """Whether the wave accepts responses on this day."""
        return not self.archived and self.opens_on <= today <= self.last_day


class Wave(WaveCalendar, db.Model):  # type: ignore[name-defined,misc]
    """A survey round: one questionnaire version, some teams, dates, and its own key pair."""

    __tablename__ = "wave"
    __table_args__ = (
        CheckConstraint("k >= 3", name="k_at_least_3"),
        CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
        CheckConstraint("release_mode IN ('at_close', 'interim')", name="release_mode_known"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    closed_early_on: Mapped[date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(default=False)
    k: Mapped[int] = mapped_column(Integer, default=5)
    release_mode: Mapped[str] = mapped_column(String(20), default="at_close")
    synthetic: Mapped[bool] = mapped_column(default=False)
    # Codes mode: besides the team link, each person needs one printed single-use code.
    uses_codes: Mapped[bool] = mapped_column(default=False)
    # The public half seals answers; the private half is stored only wrapped by the KEK.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(32))
    # HMAC of the public key under the integrity secret (not in the database): the
    # respondent path refuses to seal to a key without a matching tag.
    public_key_tag: Mapped[bytes | None] = mapped_column(LargeBinary)
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    links: Mapped[list[SurveyLink]] = relationship(back_populates="wave")


class SurveyLink(db.Model):  # type: ignore[name-defined,misc]
    """The anonymous link of one team in one wave."""

    __tablename__ = "survey_link"
    __table_args__ = (CheckConstraint("headcount >= 0", name="headcount_non_negative"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    revoked: Mapped[bool] = mapped_column(default=False)
    # How many staff the team has in this wave (the core team records it; treated as public).
    # It is the denominator of the response rate a release may show.
    headcount: Mapped[int | None] = mapped_column(Integer)
    # One link (and poster) for the whole organisation, as a perspective survey may have: its
    # responses are reported for the organisation only, never for a team. `team_id` is then
    # the organisation's team that holds the link (every stored response needs one), and
    # the release step lists no team group for it.
    organisation_wide: Mapped[bool] = mapped_column(default=False)
    wave: Mapped[Wave] = relationship(back_populates="links")
    team: Mapped[Team] = relationship()

    @property
    def label(self) -> str:
        """Whose link this is, in words: the team's name, or "Whole organisation"."""
        return WHOLE_ORGANISATION if self.organisation_wide else self.team.name


class _SealedRow:
    """The columns of a stored response: a random id, where it came from, and the sealed answers.

    Nothing else: no person, no time finer than the ISO week, no order.
    """

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    iso_week: Mapped[str] = mapped_column(String(8))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # HMAC over the row's facts and sealed bytes (survey/domain/integrity.py): a row without
    # a matching tag was not written by Lantern, or was altered or moved.
    tag: Mapped[bytes | None] = mapped_column(LargeBinary)


def _sealed_row_checks() -> tuple[Any, ...]:
    # Without a rowid, SQLite keeps no hidden insertion order either.
    return (
        CheckConstraint("length(id) = 32", name="random_id"),
        CheckConstraint("length(iso_week) = 8", name="iso_week_only"),
        {"sqlite_with_rowid": False},
    )


class Response(_SealedRow, db.Model):  # type: ignore[name-defined,misc]
    """One sealed response. Deliberately nothing else: no person, no time, no order."""

    __tablename__ = "response"
    __table_args__ = _sealed_row_checks()


class PendingResponse(_SealedRow, db.Model):  # type: ignore[name-defined,misc]
    """A sealed response waiting for its batch: the same columns as `Response`.

    Finish stores here, in the transaction that spends the form nonce (and the code), so
    exactly-once holds. A later transaction of its own moves a wave's pending rows into
    `response` together once there are at least k of them (and before any release), so
    no stored response shares a transaction with a nonce or a code.
    """

    __tablename__ = "pending_response"
    __table_args__ = _sealed_row_checks()


class ResponseTally(db.Model):  # type: ignore[name-defined,misc]
    """How many responses Lantern stored for a wave, and the XOR of their tags, tagged.

    Updated in the transaction that stores each response, so a deleted row leaves the
    tally ahead of the rows. It names no response and orders none.
    """

    __tablename__ = "response_tally"
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[bytes] = mapped_column(LargeBinary)
    tag: Mapped[bytes] = mapped_column(LargeBinary)


class UsedForm(db.Model):  # type: ignore[name-defined,misc]
    """A finished survey form's one-time nonce (hashed), so a replayed post is refused.

    It holds no link to the response it produced.
    """

    __tablename__ = "used_form"
    __table_args__ = ({"sqlite_with_rowid": False},)
    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8), index=True)


class SignpostResource(db.Model):  # type: ignore[name-defined,misc]
    """A place to get support, alliance-wide (no organisation) or one organisation's own."""

    __tablename__ = "signpost_resource"
    __table_args__ = (CheckConstraint("min_level >= 0", name="min_level_non_negative"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300))
    hours: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))
    # Dialable numbers, so a phone can call or text with one tap (digits only).
    phone: Mapped[str | None] = mapped_column(String(20))
    sms: Mapped[str | None] = mapped_column(String(20))
    # 24/7 routes are always shown; others from a band level upwards (0 = every band).
    always: Mapped[bool] = mapped_column(default=False)
    min_level: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=100)
    last_checked: Mapped[date] = mapped_column(Date, server_default=func.current_date())
    organisation: Mapped[Organisation | None] = relationship()
