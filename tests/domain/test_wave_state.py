"""A wave's one state, and the actions each state allows, from the one pure function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from survey.domain.wave_state import State, dates_text, state_of, status_of

DAY = date(2027, 3, 10)


@dataclass
class Cal:
    opens_on: date
    closes_on: date
    closed_early_on: date | None = None
    archived: bool = False


def at(days: int) -> date:
    return DAY + timedelta(days=days)


@pytest.mark.parametrize(
    ("calendar", "today", "final", "expected"),
    [
        (Cal(at(1), at(20)), DAY, False, State.UPCOMING),
        (Cal(at(0), at(20)), DAY, False, State.OPEN),
        (Cal(at(-20), at(0)), DAY, False, State.OPEN),
        (Cal(at(-20), at(-1)), DAY, False, State.CLOSED),
        (Cal(at(-20), at(20), closed_early_on=at(-1)), DAY, False, State.CLOSED_EARLY),
        # Closed before it ever opened: closed early, not "upcoming" forever.
        (Cal(at(5), at(20), closed_early_on=at(-1)), DAY, False, State.CLOSED_EARLY),
        (Cal(at(-20), at(-1)), DAY, True, State.RELEASED),
        (Cal(at(-20), at(-1), archived=True), DAY, True, State.ARCHIVED),
        (Cal(at(1), at(20), archived=True), DAY, False, State.ARCHIVED),
    ],
)
def test_one_state_for_each_calendar(
    calendar: Cal, today: date, final: bool, expected: State
) -> None:
    assert state_of(calendar, today, final_released=final) is expected


def test_only_the_actions_that_make_sense_are_allowed() -> None:
    def allowed(calendar: Cal, final: bool = False, interim: bool = False) -> dict[str, object]:
        s = status_of(calendar, DAY, final_released=final, interim_mode=interim)
        return {
            "links": s.taking_responses,
            "close": s.can_close,
            "extend": s.can_extend,
            "archive": s.can_archive,
            "release": s.release_kind,
        }

    upcoming, open_, closed = Cal(at(1), at(9)), Cal(at(-1), at(9)), Cal(at(-9), at(-1))
    early = Cal(at(-9), at(9), closed_early_on=at(-1))
    row = dict.fromkeys(("links", "close", "extend", "archive"))
    assert allowed(upcoming) == row | {
        "links": True,
        "close": True,
        "extend": True,
        "archive": False,
        "release": None,
    }
    assert allowed(open_) == row | {
        "links": True,
        "close": True,
        "extend": True,
        "archive": False,
        "release": None,
    }
    assert allowed(open_, interim=True)["release"] == "interim"
    for ended in (closed, early):
        assert allowed(ended) == {
            "links": False,
            "close": False,
            "extend": True,
            "archive": True,
            "release": "final",
        }
    # After the final release: no link, no extension, and above all no second final release.
    assert allowed(closed, final=True) == {
        "links": False,
        "close": False,
        "extend": False,
        "archive": True,
        "release": None,
    }
    archived = Cal(at(-9), at(-1), archived=True)
    assert allowed(archived) == {
        "links": False,
        "close": False,
        "extend": False,
        "archive": False,
        "release": None,
    }


def test_closed_early_reads_as_such_never_as_an_impossible_range() -> None:
    early = Cal(date(2027, 3, 1), date(2027, 3, 31), closed_early_on=date(2027, 3, 11))
    status = status_of(early, DAY, final_released=False, interim_mode=False)
    assert status.closed_on == date(2027, 3, 12)
    assert (
        dates_text(early, status.closed_on) == "opened 1 March 2027; closed early on 12 March 2027"
    )
    never = Cal(date(2027, 3, 20), date(2027, 3, 31), closed_early_on=date(2027, 3, 9))
    text = dates_text(never, date(2027, 3, 10))
    assert text == "was to open 20 March 2027; closed early on 10 March 2027, before it opened"
    assert (
        dates_text(Cal(date(2027, 3, 1), date(2027, 3, 31)), None)
        == "1 March 2027 to 31 March 2027"
    )
