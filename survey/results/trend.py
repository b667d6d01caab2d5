"""A group's results across every round of one questionnaire, from released figures only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from markupsafe import Markup

from survey.results.charts import BandSpan, Whisker, number, whisker_chart
from survey.results.plain_words import Released, placement, value_text
from survey.results.scales import PartFacts

SYNTHETIC_WARNING = (
    "Some rounds here are synthetic (made-up demonstration data). Do not compare them with "
    "real rounds: a difference between them describes nobody."
)


class RoundLike(Protocol):
    """What a trend needs of a round (`release_access.Round`)."""

    @property
    def wave_name(self) -> str: ...
    @property
    def synthetic(self) -> bool: ...
    @property
    def current(self) -> bool: ...
    @property
    def groups(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TrendPoint:
    """One round's released headline for one group."""

    round_name: str
    synthetic: bool
    current: bool
    n: int | None
    average: str
    interval: str
    band: str


@dataclass(frozen=True)
class Trend:
    """A group's headline on one scale in every round it was shown (or hidden)."""

    points: list[TrendPoint]
    chart: Markup | None
    warning: str


def _released(data: Mapping[str, Any] | None) -> tuple[Released, float | None, float | None]:
    if not data or data.get("hidden"):
        return Released(None, None, None), None, None
    if data.get("precision") == "ranges":
        return Released(None, data.get("low"), data.get("high")), None, None
    return Released(data.get("mean"), None, None), data.get("ci_low"), data.get("ci_high")


def _name(round_: RoundLike) -> str:
    marked = round_.synthetic and "synthetic" not in round_.wave_name.lower()
    suffix = " (synthetic)" if marked else ""
    return f"{round_.wave_name}{suffix}{' – this round' if round_.current else ''}"


def group_trend(
    rounds: Sequence[RoundLike],
    group_key: str,
    scale_key: str,
    facts: PartFacts | None,
    bands: Sequence[BandSpan],
) -> Trend | None:
    """The trend of one group's headline on one scale; None with fewer than two rounds."""
    points, rows = [], []
    for round_ in rounds:
        group = round_.groups.get(group_key)
        if group is None:
            continue  # the group did not take part in that round
        figures = (group.get("scales") or {}).get(scale_key) if group.get("shown") else None
        value, ci_low, ci_high = _released((figures or {}).get("headline"))
        name = _name(round_)
        if value.mean is not None and ci_low is not None and ci_high is not None:
            interval = f"{number(ci_low)} to {number(ci_high)}"
        elif value.low is not None:
            interval = "a range: the group was small"
        else:
            interval = "–"
        points.append(
            TrendPoint(
                round_name=name,
                synthetic=round_.synthetic,
                current=round_.current,
                n=group.get("n") if group.get("shown") else None,
                average=value_text(value) if value.known else "",
                interval=interval,
                band=placement(facts, value) if facts is not None else "",
            )
        )
        if value.mean is not None:
            rows.append(Whisker(name, value.mean, ci_low, ci_high))
        elif value.low is not None and value.high is not None:
            middle = (value.low + value.high) / 2
            rows.append(Whisker(name, middle, value.low, value.high, ranged=True))
    if len(points) < 2:
        return None
    chart = None
    if rows and facts is not None:
        chart = whisker_chart(
            "Average score in each round", rows, (facts.low, facts.high), bands=bands
        )
    mixed = len({p.synthetic for p in points}) > 1
    return Trend(points, chart, SYNTHETIC_WARNING if mixed else "")
