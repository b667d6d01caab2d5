"""Reading one released group: its summaries, parts, items and first words, from the payload.

Pure, like the presenter that uses it: every value comes from a release payload (and the
published facts of each scale); `PageContext` carries the earlier rounds (also releases)
and the item wording the wave's questionnaire version allows leads to read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.results.charts import BandSpan, Whisker, number, tints_for, whisker_chart
from survey.results.page import ItemRow, PartView, ScaleView, Summary
from survey.results.plain_words import (
    Released,
    change_words,
    majority_words,
    placement,
    scale_sentence,
)
from survey.results.scales import PartFacts, item_parts, parts_of, reverse_items, short_name
from survey.results.trend import RoundLike


def summary_of(data: Mapping[str, Any] | None) -> Summary:
    """Read a released summary; anything marked hidden stays hidden."""
    if not data or data.get("hidden"):
        return Summary(hidden=True)
    ranged = data.get("precision") == "ranges"
    return Summary(
        hidden=False,
        n=data.get("n"),
        mean=data.get("mean"),
        sd=data.get("sd"),
        ci_low=data.get("ci_low"),
        ci_high=data.get("ci_high"),
        low=data.get("low") if ranged else None,
        high=data.get("high") if ranged else None,
    )


def whisker_of(label: str, summary: Summary) -> Whisker | None:
    if summary.hidden:
        return None
    if summary.ranged and summary.low is not None and summary.high is not None:
        middle = (summary.low + summary.high) / 2
        return Whisker(label, middle, summary.low, summary.high, ranged=True)
    if summary.mean is None:
        return None
    return Whisker(label, summary.mean, summary.ci_low, summary.ci_high)


def band_spans(facts: PartFacts | None) -> list[BandSpan]:
    """The published bands of a part, tinted for drawing behind its means."""
    if facts is None:
        return []
    tints = tints_for(len(facts.bands), facts.higher_is_better)
    return [BandSpan(b.label, b.low, b.high, t) for b, t in zip(facts.bands, tints, strict=True)]


def released(summary: Summary) -> Released:
    """A page summary as plain words read it."""
    if summary.hidden:
        return Released(None, None, None)
    if summary.ranged:
        return Released(None, summary.low, summary.high)
    return Released(summary.mean, None, None)


def band_legend(facts: PartFacts | None) -> list[str]:
    """The published bands in words: 'Mild: 28 to 37'."""
    if facts is None:
        return []
    return [f"{b.label}: {number(b.low, 0)} to {number(b.high, 0)}" for b in facts.bands]


def part_view(
    facts: PartFacts, data: Mapping[str, Any] | None, label: str, scale_name: str
) -> PartView:
    summary = summary_of(data)
    chart = None
    whisker = whisker_of("Average score", summary)
    if whisker is not None and facts.bands:
        chart = whisker_chart(
            f"{scale_name}, {facts.label}, {label}",
            [whisker],
            (facts.low, facts.high),
            bands=band_spans(facts),
        )
    return PartView(
        key=facts.key,
        label=facts.label,
        direction=facts.direction,
        summary=summary,
        placement=placement(facts, released(summary)),
        chart=chart,
    )


def item_rows(
    figures: Mapping[str, Any],
    scale: Mapping[str, Any],
    wording: Mapping[int, str] | None,
    parts: Mapping[str, PartFacts],
) -> list[ItemRow]:
    reverse = reverse_items(scale)
    part_of = item_parts(scale)
    return [
        ItemRow(
            item["number"],
            number(item.get("mean")),
            wording=(wording or {}).get(int(item["number"]), ""),
            part=part_of.get(int(item["number"]), ""),
            reverse=int(item["number"]) in reverse,
        )
        for item in figures.get("items", [])
    ]


def section_words(
    group: Mapping[str, Any],
    views: Sequence[ScaleView],
    scales: Sequence[Mapping[str, Any]],
    context: PageContext,
) -> list[str]:
    words = []
    for view in views:
        scale = next(s for s in scales if s["key"] == view.key)
        parts = parts_of(scale)
        facts = parts.get(str(scale.get("headline")))
        if facts is None:
            continue
        name = short_name(view.name)
        if view.headline_label != "Total":
            name = f"{name} {view.headline_label.lower()}"
        words.append(scale_sentence(name, facts, released(view.headline)))
        figures = group["scales"][view.key]
        majority = majority_words((figures.get("bands") or {}).get("cells") or [])
        if majority:
            words.append(majority)
        others = [p for p in view.parts if p.key != scale.get("headline")]
        banded = [p for p in others if parts[p.key].bands]
        for part in banded:
            words.append(scale_sentence(part.label, parts[part.key], released(part.summary)))
        plain = [p for p in others if not parts[p.key].bands and not p.summary.hidden]
        if plain:
            listed = ", ".join(f"{p.label.lower()} {p.summary.mean_text}" for p in plain)
            words.append(
                f"Subscales (higher means more of each; they have no published bands): {listed}."
            )
        change = change_words(
            facts, figures.get("comparison"), context.previous_synthetic(str(group["key"]))
        )
        if change:
            words.append(change)
    return words


@dataclass(frozen=True)
class PageContext:
    """What a page reads besides the release: earlier rounds (releases) and item wording."""

    rounds: Sequence[RoundLike] = ()
    # Per scale key: item number to wording, where the version and licence allow it.
    wording: Mapping[str, Mapping[int, str]] = field(default_factory=dict)
    wording_notes: Mapping[str, str] = field(default_factory=dict)

    def previous_synthetic(self, group_key: str) -> bool:
        """Whether the last earlier round showing this group was synthetic while this one is not."""
        current = next((r for r in self.rounds if r.current), None)
        earlier = [
            r for r in self.rounds if not r.current and (r.groups.get(group_key) or {}).get("shown")
        ]
        if current is None or not earlier:
            return False
        return earlier[-1].synthetic != current.synthetic
