"""Where a member is in its review cycle (map, plan, act, review), and when the next is due.

Pure date arithmetic over what the services read from the database, so the rule lives in
one place: the workspace's "members due for their review" and the journey pages both ask
`next_review_due`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

# A new member's baseline review is due this many months after it joined.
BASELINE_WITHIN_MONTHS = 3
STAGES = ("not started", "mapping", "planning", "action", "review due")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due(
    joined_on: date | None, last_review_on: date | None, cycle_months: int
) -> date | None:
    """When the next review is due: a cycle after the last, or soon after joining.

    `last_review_on` is the day the latest review's ratings were agreed (or it opened).
    With neither date, nothing is due yet.
    """
    if last_review_on is not None:
        return add_months(last_review_on, cycle_months)
    if joined_on is not None:
        return add_months(joined_on, BASELINE_WITHIN_MONTHS)
    return None


def cycle_stage(
    *,
    has_review: bool,
    agreed: bool,
    action_statuses: Sequence[str],
    due_on: date | None,
    today: date,
) -> str:
    """The stage of the latest review: mapping until its ratings are agreed, planning until
    it has actions, action while any are open, and review due once the next review is."""
    if not has_review:
        return "not started"
    if due_on is not None and today >= due_on:
        return "review due"
    if not agreed:
        return "mapping"
    if not action_statuses:
        return "planning"
    return "action"


def movement(before: str | None, after: str | None, order: Sequence[str]) -> str:
    """How a domain moved between two reviews: up, down, same, or "" when not comparable."""
    levels = list(order)
    if before is None or after is None or before not in levels or after not in levels:
        return ""
    step = levels.index(after) - levels.index(before)
    return "up" if step > 0 else "down" if step < 0 else "same"
