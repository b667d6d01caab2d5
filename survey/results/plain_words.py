"""The first words of a group's results: a few plain sentences, from released figures only.

Every sentence is made from what the release shows (means or ranges, coded band shares,
the comparison with the previous round, the response rate) and the published facts of the
scale (its bands and which way it points). Nothing here reads data a page does not show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.results.charts import number
from survey.results.scales import PartFacts

# Below this share of a team answering, a result may say more about who answered than
# about the team (a common rule of thumb in staff surveys; not a published cut-off).
LOW_RATE = 50


@dataclass(frozen=True)
class Released:
    """A released mean as a reader sees it: a value, or the interval it lies in."""

    mean: float | None
    low: float | None
    high: float | None

    @property
    def known(self) -> bool:
        """Whether anything is shown."""
        return self.mean is not None or (self.low is not None and self.high is not None)


def placement(facts: PartFacts, value: Released) -> str:
    """Where a released mean sits against the published bands ('' if there are none)."""
    if not facts.bands or not value.known:
        return ""
    if value.mean is not None:
        band = facts.band_of(value.mean)
        return f"in the {band.label} band" if band else ""
    if value.low is None or value.high is None:
        return ""
    touched = facts.bands_between(value.low, value.high)
    if len(touched) == 1:
        return f"in the {touched[0].label} band"
    return "across the " + " and ".join(b.label for b in touched) + " bands"


def value_text(value: Released) -> str:
    """A released mean in words: '41.3', or 'between 40 and 45'."""
    if value.mean is not None:
        return number(value.mean)
    return f"between {number(value.low, 0)} and {number(value.high, 0)}"


def majority_words(cells: Sequence[Mapping[str, Any]]) -> str:
    """'Most answers sit in the Mild band.' when a coded share proves a majority; else ''."""
    for cell in cells:
        lower = cell.get("lower", 0)
        if lower > 50 or (lower == 50 and cell.get("lower_open")):
            return f"Most answers sit in the {cell['label']} band."
        if lower == 50:
            return f"At least half of the answers sit in the {cell['label']} band."
    return ""


def change_words(
    facts: PartFacts, comparison: Mapping[str, Any] | None, previous_synthetic: bool
) -> str:
    """The change since the previous round, its direction judged by which way the scale points."""
    if not comparison:
        return ""
    previous = str(comparison.get("previous_wave", "the previous round"))
    what = facts.more_of or facts.label.lower()
    warning = (
        f" ({previous} was a synthetic demonstration round: do not read this as a change.)"
        if previous_synthetic
        else ""
    )
    if comparison.get("precision") == "ranges" or comparison.get("diff") is None:
        return (
            f"Compared with {previous}, we cannot tell whether {what} has changed: the group "
            f"is too small for a precise comparison.{warning}"
        )
    diff = float(comparison["diff"])
    low, high = comparison.get("ci_low"), comparison.get("ci_high")
    if diff == 0 or low is None or high is None or low <= 0 <= high:
        return (
            f"Compared with {previous}, {what} is about the same: the change is within what "
            f"chance alone could give.{warning}"
        )
    better = (diff > 0) == facts.higher_is_better
    direction = "higher" if diff > 0 else "lower"
    judged = "better" if better else "worse"
    return (
        f"{what[0].upper() + what[1:]} is {direction} than in {previous} ({judged}); "
        f"the change is probably real.{warning}"
    )


def participation_words(n: int, participation: Mapping[str, Any] | None) -> str:
    """'12 of 16 people answered (75%).' or, without a headcount, '12 people answered.'"""
    if not participation:
        return f"{n} people answered (no headcount was recorded, so no response rate)."
    if "rate" in participation:
        rate = f"{participation['rate']}%"
    else:
        rate = f"between {participation['rate_low']}% and {participation['rate_high']}%"
    return f"{n} of {participation['headcount']} people answered ({rate})."


def rate_guidance(participation: Mapping[str, Any] | None, whom: str = "the team") -> str:
    """What a response rate means for reading the results (`whom`: 'the team', ...)."""
    if not participation:
        return (
            f"Without a headcount we cannot say what share of {whom} answered. Ask the core "
            "team to record each team's headcount for the next round."
        )
    rate = participation.get("rate", participation.get("rate_high", 0))
    if rate < LOW_RATE:
        return (
            f"Fewer than half of {whom} answered. The results describe the people who "
            f"answered, who may not be typical of {whom}: people under most strain are "
            "sometimes the least able to take part. Read them as a starting point for a "
            "conversation, not a verdict, and ask people how to make the next round easier."
        )
    return (
        f"Most of {whom} answered, so the results are a fair picture of {whom} at the time "
        "of the round. They still cannot tell you how any one person is."
    )


def scale_sentence(name: str, facts: PartFacts, value: Released) -> str:
    """'STSS: the average is 41.3, in the Moderate band. Higher means more ...'"""
    if not value.known:
        return f"{name}: the average is hidden to protect anonymity. {facts.direction}"
    where = placement(facts, value)
    where = f", {where}" if where else ""
    return f"{name}: the average is {value_text(value)}{where}. {facts.direction}"
