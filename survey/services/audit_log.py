"""Reading the audit log of staff actions: filtered by person, action and date; CSV export.

The log holds staff actions only (no table of it can hold a respondent), so nothing here
needs hiding. Newest first; a page is a slice by id, so paging never skips or repeats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from survey.extensions import db
from survey.models import AuditEvent, User
from survey.spreadsheet import defuse

PAGE_SIZE = 100
# The export is all matching events; a year of three people's work is a few thousand rows.
MAX_EXPORT_ROWS = 100_000
NOBODY = "nobody"
CSV_HEADER = ("when (UTC)", "who", "email", "action", "about", "detail")


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show: one person (or NOBODY: command line, unknown sign-ins), etc."""

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


def _query(chosen: AuditFilter) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if chosen.person == NOBODY:
        query = query.where(AuditEvent.user_id.is_(None))
    elif chosen.person.isdigit() and len(chosen.person) < 10:
        query = query.where(AuditEvent.user_id == int(chosen.person))
    if chosen.action:
        query = query.where(AuditEvent.action == chosen.action)
    if chosen.since is not None:
        query = query.where(AuditEvent.at >= datetime.combine(chosen.since, time.min, UTC))
    if chosen.until is not None:
        end = datetime.combine(chosen.until + timedelta(days=1), time.min, UTC)
        query = query.where(AuditEvent.at < end)
    return query


def events(chosen: AuditFilter, before: int | None = None) -> tuple[list[AuditEvent], int | None]:
    """One page of matching events, newest first, and the id to page on from (None: last)."""
    query = _query(chosen)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)))
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], more


def actions() -> list[str]:
    """Every action the log holds, for the filter."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def people() -> list[User]:
    """Every staff account, for the filter."""
    return list(db.session.scalars(select(User).order_by(User.display_name, User.id)))


def target_names(rows: list[AuditEvent]) -> dict[str, str]:
    """Readable names for the accounts events are about ("user:3" -> "Cora Core")."""
    ids = {
        int(r.target[5:]) for r in rows if r.target.startswith("user:") and r.target[5:].isdigit()
    }
    ids |= {
        int(r.detail[5:]) for r in rows if r.detail.startswith("user:") and r.detail[5:].isdigit()
    }
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {f"user:{user.id}": user.display_name for user in users}


def who(event: AuditEvent) -> str:
    """The person who acted, or how the action came about."""
    if event.user is not None:
        return str(event.user.display_name)
    return "nobody signed in" if event.action.startswith("sign-in") else "command line"


def _rows(chosen: AuditFilter) -> Iterator[tuple[str, ...]]:
    query = _query(chosen).order_by(AuditEvent.id.desc()).limit(MAX_EXPORT_ROWS)
    for event in db.session.scalars(query):
        email = event.user.email if event.user is not None else ""
        when = event.at.astimezone(UTC) if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        yield (
            when.strftime("%Y-%m-%d %H:%M"),
            who(event),
            email,
            event.action,
            event.target,
            event.detail,
        )


def audit_csv(chosen: AuditFilter) -> str:
    """The matching events as CSV, newest first, every text cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_HEADER)
    for row in _rows(chosen):
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()
