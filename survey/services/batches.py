"""Moving sealed responses from `pending_response` into `response`, a batch at a time.

Finish stores a sealed response in `pending_response`, in the transaction that spends the
form nonce and the code. Here, in a transaction of its own, a wave's pending rows move to
`response` together, in random order: on PostgreSQL every row of a batch then carries the
batch's transaction id (`xmin`) and no nonce's or code's, and heap order (`ctid`) inside a
batch says nothing about arrival. A batch holds at least k responses: it is moved when k
are pending, and a smaller remainder moved before a release joins the latest batch of its
wave (both rewritten in one transaction), as does a latest batch that was the whole wave
while it held fewer than k; so every batch holds at least k unless the whole wave holds
fewer. SQLite has no transaction ids, and its
tables here have no rowid, so only the move itself happens there.

Rows are moved sealed, never opened: the respondent app runs this and holds no key.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.models import PendingResponse, Response, ResponseTally, Wave

_pending = PendingResponse.__table__
_responses = Response.__table__
_tally = ResponseTally.__table__
_COLUMNS = ("id", "wave_id", "team_id", "questionnaire_version_id", "iso_week", "sealed", "tag")
_PENDING_COUNT = (
    select(func.count()).select_from(_pending).where(_pending.c.wave_id == bindparam("wave_id"))
)
_TAKE_PENDING = (
    delete(_pending)
    .where(_pending.c.wave_id == bindparam("wave_id"))
    .returning(*(_pending.c[name] for name in _COLUMNS))
)
# The rows of the wave's latest batch: those written by the most recent transaction among
# the wave's rows (age() counts transactions back from now, wraparound included).
_LATEST_BATCH_SIZE = text(
    "SELECT count(*) FROM response WHERE wave_id = :wave_id AND xmin = ("
    " SELECT xmin FROM response WHERE wave_id = :wave_id ORDER BY age(xmin) LIMIT 1)"
)
_TAKE_LATEST_BATCH = text(
    "DELETE FROM response WHERE wave_id = :wave_id AND xmin = ("
    " SELECT xmin FROM response WHERE wave_id = :wave_id ORDER BY age(xmin) LIMIT 1)"
    " RETURNING id, wave_id, team_id, questionnaire_version_id, iso_week, sealed, tag"
)
# One lock per wave for the whole move; it marks no row (a FOR UPDATE would write the
# locker's transaction id into the wave row's xmax).
_LOCK = text("SELECT pg_advisory_xact_lock(:space, :wave_id)")
_LOCK_SPACE = 0x4C616E  # "Lan": keeps these locks apart from any other advisory lock


def pending_count(wave_id: int) -> int:
    """How many sealed responses of a wave wait for their batch."""
    return int(db.session.execute(_PENDING_COUNT, {"wave_id": wave_id}).scalar_one())


def _postgresql() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")


def _move(wave_id: int, minimum: int, k: int) -> int:
    """Move the wave's pending rows if there are at least `minimum`; commits; how many moved."""
    postgresql = _postgresql()
    if postgresql:
        db.session.execute(_LOCK, {"space": _LOCK_SPACE, "wave_id": wave_id})
    # A write first: on SQLite that takes the write lock at once, so a read snapshot never
    # has to be upgraded; on PostgreSQL the lock above already serialises movers.
    rows: list[dict[str, Any]] = [
        dict(row._mapping) for row in db.session.execute(_TAKE_PENDING, {"wave_id": wave_id})
    ]
    if not rows or len(rows) < minimum:
        db.session.rollback()  # another mover took them first, or too few yet
        return 0
    moved = len(rows)
    if postgresql:
        # Too few to stand alone, or the latest batch is (the whole wave, so far) too small:
        # rewrite the latest batch together with these. Every batch then holds at least k,
        # unless the whole wave holds fewer.
        latest = int(db.session.execute(_LATEST_BATCH_SIZE, {"wave_id": wave_id}).scalar_one())
        if latest and (moved < k or latest < k):
            taken = db.session.execute(_TAKE_LATEST_BATCH, {"wave_id": wave_id})
            rows += [dict(row._mapping) for row in taken]
    secrets.SystemRandom().shuffle(rows)
    db.session.execute(insert(_responses), rows)
    if postgresql:
        # Finish updates the wave's integrity tally; rewriting it here (unchanged) gives it
        # this batch's transaction id, so it shares none with a nonce once its rows moved.
        db.session.execute(
            update(_tally).where(_tally.c.wave_id == wave_id).values(stored=_tally.c.stored)
        )
    db.session.commit()
    return moved


def flush_pending(wave_id: int) -> int:
    """Move every pending response of a wave into `response` now (commits); how many.

    The release step calls this first, so a release counts every stored response. A
    remainder of fewer than k joins the wave's latest batch rather than forming its own.
    """
    k = db.session.scalar(select(Wave.k).where(Wave.id == wave_id))
    db.session.commit()
    if k is None:
        return 0
    return _move(wave_id, 1, int(k))


def flush_if_full(wave_id: int, k: int) -> int:
    """After a Finish has committed: move the wave's pending rows once k are waiting.

    A failure here loses nothing (the rows stay pending for the next Finish or release),
    so it is rolled back and never reaches the respondent.
    """
    try:
        if pending_count(wave_id) < k:
            db.session.rollback()
            return 0
        db.session.rollback()  # end the read, so SQLite's move starts with a write
        return _move(wave_id, k, k)
    except SQLAlchemyError:
        db.session.rollback()
        return 0
