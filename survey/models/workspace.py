"""What the core team's workspace needs beyond membership: invitations and single-use codes.

A single-use code proves "one response per person" without identity: the server keeps a
peppered hash of each live code, deletes it when it is spent, and keeps only how many
codes each team was given, never which response spent one or when.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.accounts import User
from survey.models.core import Team, Wave, utcnow


class Invitation(db.Model):  # type: ignore[name-defined,misc]
    """A one-time set-password link for a new (or reset) staff account; only its hash is kept."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class SingleUseCode(db.Model):  # type: ignore[name-defined,misc]
    """One printed code of a team in a wave that is still unspent: its peppered hash.

    Spending deletes the row. An updated row would keep the spend's transaction id (on
    PostgreSQL, `xmin`) beside its team, which would date a team's response to the second.
    """

    __tablename__ = "single_use_code"
    # The primary key (wave, code hash) makes each code unique within its wave. Without a
    # rowid, SQLite keeps no hidden order in which codes were made or spent.
    __table_args__ = ({"sqlite_with_rowid": False},)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    wave: Mapped[Wave] = relationship()
    team: Mapped[Team] = relationship()


class CodeTally(db.Model):  # type: ignore[name-defined,misc]
    """How many single-use codes a team was given in a wave (spent or not, never which).

    Written only when the core team makes codes, never when a respondent spends one.
    """

    __tablename__ = "code_tally"
    __table_args__ = (
        CheckConstraint("made >= 0", name="made_non_negative"),
        {"sqlite_with_rowid": False},
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    made: Mapped[int] = mapped_column(Integer, default=0)


class CodeBatch(db.Model):  # type: ignore[name-defined,misc]
    """One printed sheet of a team's codes: its size and day, and the hash of its void key.

    No code row names its batch. The sheet's codes are derived from a void key printed on
    the sheet, which the server never keeps (only its peppered hash, to check it), so the
    server cannot tell which batch a live or spent code came from, nor show the sheet again;
    whoever holds the sheet can void it.
    """

    __tablename__ = "code_batch"
    __table_args__ = (CheckConstraint("size >= 1", name="size_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    made_on: Mapped[date] = mapped_column(Date)
    voided_on: Mapped[date | None] = mapped_column(Date)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    team: Mapped[Team] = relationship()
