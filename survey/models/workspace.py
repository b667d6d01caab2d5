"""What the core team's workspace needs beyond membership: invitations and single-use codes.

A single-use code proves "one response per person" without identity: the server keeps a
peppered hash of each code and whether it was used, and never which response used it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
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
    """One printed code of a team in a wave: a peppered hash and whether it was spent."""

    __tablename__ = "single_use_code"
    # The primary key (wave, code hash) makes each code unique within its wave. Without a
    # rowid, SQLite keeps no hidden order in which codes were made or spent.
    __table_args__ = ({"sqlite_with_rowid": False},)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    used: Mapped[bool] = mapped_column(default=False)
    wave: Mapped[Wave] = relationship()
    team: Mapped[Team] = relationship()
