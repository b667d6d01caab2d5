"""Where a wave stands, and what may be done with it there: decided here and nowhere else.

Pure: it reads a wave's calendar (dates, archived) and whether its final release exists,
so every page, the CLI and every service refusal say the same thing about a wave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol


class State(StrEnum):
    """The one state of a wave."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED_EARLY = "closed early"
    CLOSED = "closed"
    RELEASED = "released"
    ARCHIVED = "archived"


class Calendar(Protocol):
    """What the state is derived from (the Wave model and its read models have it)."""

    opens_on: date
    closes_on: date
    closed_early_on: date | None
    archived: bool


@dataclass(frozen=True)
class WaveStatus:
    """A wave's state on a day, with the actions that make sense in it."""

    state: State
    interim_mode: bool
    # The day the core team closed it early (its links stopped that day), if they did.
    closed_on: date | None

    @property
    def label(self) -> str:
        """The state as one or two words."""
        return self.state.value

    @property
    def taking_responses(self) -> bool:
        """Whether links take (or will take) responses: posters, new links and codes."""
        return self.state in (State.UPCOMING, State.OPEN)

    @property
    def can_close(self) -> bool:
        """Closing early stops a wave that is open or has not opened yet."""
        return self.taking_responses

    @property
    def can_extend(self) -> bool:
        """A later closing date: any time before the final release and archiving."""
        return self.state not in (State.RELEASED, State.ARCHIVED)

    @property
    def can_archive(self) -> bool:
        """Only a wave that no longer takes responses is put away."""
        return self.state in (State.CLOSED_EARLY, State.CLOSED, State.RELEASED)

    @property
    def release_kind(self) -> str | None:
        """The release that can be made now: final once closed, interim while open, or none."""
        if self.state in (State.CLOSED_EARLY, State.CLOSED):
            return "final"
        if self.state is State.OPEN and self.interim_mode:
            return "interim"
        return None


def state_of(wave: Calendar, today: date, *, final_released: bool) -> State:
    """The state of a wave on `today`, given whether its final release has been made."""
    if wave.archived:
        return State.ARCHIVED
    if final_released:
        return State.RELEASED
    last_day = wave.closed_early_on or wave.closes_on
    if today > last_day:
        return State.CLOSED_EARLY if wave.closed_early_on is not None else State.CLOSED
    if today < wave.opens_on:
        return State.UPCOMING
    return State.OPEN


def status_of(
    wave: Calendar, today: date, *, final_released: bool, interim_mode: bool
) -> WaveStatus:
    """The wave's state with its allowed actions and, if closed early, the day it was."""
    closed_on = None if wave.closed_early_on is None else wave.closed_early_on + timedelta(days=1)
    return WaveStatus(state_of(wave, today, final_released=final_released), interim_mode, closed_on)


def dates_text(wave: Calendar, closed_on: date | None) -> str:
    """The wave's dates in words: never a range that ends before it starts."""
    opens = f"{wave.opens_on:%-d %B %Y}"
    if closed_on is None:
        return f"{opens} to {wave.closes_on:%-d %B %Y}"
    if closed_on < wave.opens_on:
        return f"was to open {opens}; closed early on {closed_on:%-d %B %Y}, before it opened"
    return f"opened {opens}; closed early on {closed_on:%-d %B %Y}"
