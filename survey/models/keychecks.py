"""When the core team last checked that every stored response still opens, and what it found.

Kept so the key health page can say when the check last ran. It holds no response count of
any wave (those would be finer than releases show): only how many waves were checked and,
per wave, whether everything opened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.accounts import User
from survey.models.core import utcnow


class KeyCheck(db.Model):  # type: ignore[name-defined,misc]
    """One run of the key check (`flask keys verify` or the key health page)."""

    __tablename__ = "key_check"
    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # Who ran it from the page; empty when it ran on the command line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(String(20))
    waves: Mapped[int] = mapped_column(Integer)
    waves_failed: Mapped[int] = mapped_column(Integer)
    waves_on_previous: Mapped[int] = mapped_column(Integer)
    # Per wave, as JSON: id, name, whether all opened, the problem in words, previous KEK.
    detail: Mapped[str] = mapped_column(Text, default="[]")
    user: Mapped[User | None] = relationship()

    @property
    def ok(self) -> bool:
        """Whether every wave's key unwrapped and every stored response opened."""
        return self.waves_failed == 0
