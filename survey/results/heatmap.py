"""Across groups at a glance: groups × scales and subscales, each cell tinted by its band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.results.charts import BAND_TINTS, tints_for
from survey.results.plain_words import Released, value_text
from survey.results.scales import PartFacts, parts_of, short_name

NO_TINT = "tint-none"


@dataclass(frozen=True)
class HeatColumn:
    """One measure: a scale's total or one of its subscales."""

    scale_key: str
    part_key: str
    heading: str
    direction: str


@dataclass(frozen=True)
class HeatCell:
    """One group's released mean on one measure, or a hidden cell."""

    hidden: bool
    text: str = ""
    band: str = ""
    # A class naming the band's tint (inline styles are refused by the page's CSP).
    tint: str = NO_TINT


@dataclass(frozen=True)
class HeatRow:
    """One group, linked to its section of the page."""

    label: str
    level: str
    anchor: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class Heatmap:
    """The table of every shown group on every measure."""

    columns: list[HeatColumn]
    rows: list[HeatRow]


def _summary(figures: Mapping[str, Any], part: str, headline: str) -> Mapping[str, Any] | None:
    for sub in figures.get("subscales", []):
        if sub.get("key") == part:
            return sub.get("summary")  # type: ignore[no-any-return]
    return figures.get("headline") if part == headline else None


def _cell(facts: PartFacts, data: Mapping[str, Any] | None) -> HeatCell:
    if not data or data.get("hidden"):
        return HeatCell(hidden=True)
    if data.get("precision") == "ranges":
        value = Released(None, data.get("low"), data.get("high"))
        touched = facts.bands_between(float(data["low"]), float(data["high"]))
    else:
        value = Released(data.get("mean"), None, None)
        found = facts.band_of(float(data["mean"])) if data.get("mean") is not None else None
        touched = [found] if found else []
    tints = tints_for(len(facts.bands), facts.higher_is_better)
    if len(touched) == 1 and tints:
        tint = f"tint-{BAND_TINTS.index(tints[facts.bands.index(touched[0])])}"
        return HeatCell(False, value_text(value), touched[0].label, tint)
    band = " to ".join(b.label for b in touched[:: max(len(touched) - 1, 1)]) if touched else ""
    return HeatCell(False, value_text(value), band)


def heatmap(
    groups: Sequence[tuple[str, str, str, Mapping[str, Any]]],
    scales: Sequence[Mapping[str, Any]],
) -> Heatmap:
    """Rows of (label, level, anchor, payload group); columns from each scale's parts."""
    columns: list[tuple[HeatColumn, PartFacts]] = []
    for scale in scales:
        for key, facts in parts_of(scale).items():
            heading = short_name(str(scale["name"])) + ": " + facts.label
            columns.append((HeatColumn(str(scale["key"]), key, heading, facts.direction), facts))
    rows = []
    for label, level, anchor, group in groups:
        cells = []
        for column, facts in columns:
            figures = (
                (group.get("scales") or {}).get(column.scale_key) if group.get("shown") else None
            )
            headline = next(
                (str(s.get("headline")) for s in scales if s["key"] == column.scale_key), ""
            )
            data = _summary(figures, column.part_key, headline) if figures else None
            cells.append(_cell(facts, data))
        rows.append(HeatRow(label, level, anchor, cells))
    return Heatmap([c for c, _ in columns], rows)
