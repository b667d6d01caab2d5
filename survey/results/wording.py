"""Plain-language words for results: response status, comparisons and the notes on limits.

Kept apart from the presenter so the wording can be read, reviewed and tested on its own.
Words stay neutral about direction ("higher", "lower"): on some scales a higher score is
a concern, on others (such as compassion satisfaction) it is good news.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.charts import number

NOT_ENOUGH = "Not enough responses yet"
HIDDEN_STATUS = f"{NOT_ENOUGH}: results are {SUPPRESSED_TEXT}."

# Conventional thresholds for a standardised mean difference (Cohen 1988).
EFFECT_WORDS = ((0.2, "negligible"), (0.5, "small"), (0.8, "moderate"))


RANGES_NOTE = (
    "Shown as ranges because the group is small: each average is given as the range it lies "
    "in, without a confidence interval, standard deviation or answers per question."
)


def range_change_words(previous_wave: str, low: float | None, high: float | None) -> str:
    """The change since the previous round when either round is shown only as a range."""
    return (
        f"Compared with the previous round ({previous_wave}), the change lies between "
        f"{number(low)} and {number(high)} points. In a group this small we cannot tell "
        "whether it is more than chance."
    )


def shown_status(n: int) -> str:
    """The status line of a released group."""
    return f"{n} responses counted."


def effect_size_words(hedges_g: float | None) -> str | None:
    """How large a standardised change is, in a word (None when it could not be worked out)."""
    if hedges_g is None:
        return None
    size = abs(hedges_g)
    return next((word for limit, word in EFFECT_WORDS if size < limit), "large")


def comparison_words(
    previous_wave: str,
    diff: float,
    ci_low: float | None,
    ci_high: float | None,
    hedges_g: float | None,
) -> str:
    """One plain paragraph on how this round compares with the previous one."""
    if diff > 0:
        direction = f"Higher than in the previous round ({previous_wave})"
    elif diff < 0:
        direction = f"Lower than in the previous round ({previous_wave})"
    else:
        direction = f"The same as in the previous round ({previous_wave})"
    by = f", by {number(abs(diff))} points" if diff else ""
    if ci_low is None or ci_high is None:
        chance = "there is not enough information to say whether the change is more than chance"
    elif ci_low <= 0 <= ci_high:
        chance = "the change is within what chance alone could give"
    else:
        chance = "the change is larger than chance alone would usually give"
    sentence = f"{direction}{by}; {chance}."
    size = effect_size_words(hedges_g)
    if size is not None:
        sentence += f" The size of the change is {size} (effect size {number(hedges_g, 2)})."
    return sentence


def notes(
    *,
    k: int,
    synthetic: bool,
    interim: bool,
    scales: Sequence[tuple[str, Sequence[str]]],
) -> list[str]:
    """The notes every results page and export carries: what the figures can and cannot say."""
    lines = [
        "These results come from a screening questionnaire. They describe how a group is "
        "doing; they are not a diagnosis, and they cannot tell you how any one person is.",
    ]
    for name, bands in scales:
        lines.append(
            f"{name} places each score in a band, from lowest to highest: "
            f"{', '.join(bands)}. Band shares are shown as ranges (for example “20–40%”), "
            "never as exact counts, so nobody's band can be worked out."
        )
    lines += [
        "Responses with too many skipped questions cannot be scored, and are not counted.",
        f"A group's results are shown only when at least {k} people in it answered, and "
        "only when showing them would not let anyone work out a smaller group. Every "
        f"hidden result reads the same: “{SUPPRESSED_TEXT}”.",
        "The 95% confidence interval is the range the group's true average most plausibly "
        "lies in; the fewer people answered, the wider it is.",
    ]
    if interim:
        lines.append(
            "This is an interim release: the round is still open, and the final release may differ."
        )
    if synthetic:
        lines.append(
            "These results are made from synthetic (made-up) responses, for demonstration. "
            "They describe nobody."
        )
    return lines


def release_dates(day: date | str | None) -> str:
    """Every date on the results pages in one format: '1 December 2026'."""
    if day is None:
        return "–"
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return f"{day.day} {day:%B %Y}"


def round_dates(opens_on: date, closes_on: date, closed_early_on: date | None = None) -> str:
    """A round's dates: 'Ran from 1 to 30 December 2026' or 'Opened ..., closed early on ...'.

    A wave closed early never reads as running to its planned (or an earlier) last day.
    """
    if closed_early_on is not None:
        return f"Opened {release_dates(opens_on)}, closed early on {release_dates(closed_early_on)}"
    return f"Ran from {release_dates(opens_on)} to {release_dates(closes_on)}"
