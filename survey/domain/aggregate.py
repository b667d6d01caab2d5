"""Aggregating a wave's opened responses into cells, and cells into released figures.

One count system only: the release population is the respondents whose every scale and
subscale could be scored. A response with too many skipped questions to score is left out
of the figures (and the page says so), because a second count ("responses" beside "scored
responses") would let a reader subtract one from the other and single out the few who skipped.
Within a scored scale, a skipped item counts at the person's own subscale mean (the same
assumption the prorating makes), so every item mean covers the same people as the scale.
Accumulators keep histograms and sums, never the responses, so memory stays bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.domain.groups import NOT_ANSWERED, Cell
from survey.domain.questionnaire_model import Answers, Questionnaire, Scale
from survey.domain.scale_types import TOTAL, Band, ScaleTemplate
from survey.domain.scoring import Exact, exact_scores, tenths
from survey.domain.stats import (
    ItemAccumulator,
    ScoreAccumulator,
    Summary,
    summarise,
    summary_pins_band,
)

TOTAL_KEY = TOTAL
_Tenths = tuple[int, dict[str, int]]


@dataclass
class ScaleCell:
    """One scale's accumulators for the people of one cell (or one group)."""

    headline: ScoreAccumulator = field(default_factory=ScoreAccumulator)
    subscales: dict[str, ScoreAccumulator] = field(default_factory=dict)
    items: ItemAccumulator = field(default_factory=ItemAccumulator)

    def merge(self, other: ScaleCell) -> None:
        """Fold another cell's accumulators into this one."""
        self.headline.merge(other.headline)
        for key, acc in other.subscales.items():
            self.subscales.setdefault(key, ScoreAccumulator()).merge(acc)
        self.items.merge(other.items)


def _complete_scores(template: ScaleTemplate, values: Mapping[int, int]) -> _Tenths | None:
    """Headline, total and every subscale score in tenths, or None if any is not scored.

    Everyone in the release population has every figure, so each figure covers the same people.
    """
    scores = exact_scores(template, values)
    headline = scores.headline(template)
    parts: dict[str, Exact | None] = dict(scores.subscales)
    if template.has_total:
        parts[TOTAL_KEY] = scores.total
    if headline is None or None in parts.values():
        return None
    return tenths(headline), {key: tenths(v) for key, v in parts.items() if v is not None}


def _subscale_item_ids(scale: Scale) -> tuple[tuple[str, ...], ...]:
    by_number = {item.number: item.id for item in scale.items}
    return tuple(tuple(by_number[n] for n in sub.items) for sub in scale.template.subscales)


def _item_values(subscales: tuple[tuple[str, ...], ...], answers: Answers) -> dict[str, int]:
    """Answered items as given; skipped items at the person's own subscale mean (half up).

    Only called for people in the release population, whose every subscale is scored.
    """
    values: dict[str, int] = {}
    for ids in subscales:
        answered = [int(answers[i]) for i in ids if i in answers]
        if len(answered) == len(ids):
            values.update(zip(ids, answered, strict=True))
            continue
        own_mean = math.floor(sum(answered) / len(answered) + 0.5)
        for item_id in ids:
            values[item_id] = int(answers.get(item_id, own_mean))
    return values


class WaveAggregate:
    """Adds opened responses one at a time into cells (organisation, team, context answers)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        # Sorted once: a cell's attributes are in name order (see groups.normalise_cell).
        self.attributes = tuple(sorted(questionnaire.quasi_identifiers()))
        self._item_ids = {s.key: _subscale_item_ids(s) for s in questionnaire.scales}
        self._numbers = {s: tuple((i.id, i.number) for i in s.items) for s in questionnaire.scales}
        self.cells: dict[Cell, dict[str, ScaleCell]] = {}
        self.excluded = 0

    def add(self, organisation_id: str, team_id: str, answers: Answers) -> bool:
        """Score one response and file it in its cell; False if it cannot be scored."""
        scores: dict[str, tuple[_Tenths, dict[str, int]]] = {}
        for scale, numbers in self._numbers.items():
            # Raw values, unconverted: exact_scores refuses anything but the scale's integers.
            by_number = {n: answers[item_id] for item_id, n in numbers if item_id in answers}
            scored = _complete_scores(scale.template, cast(dict[int, int], by_number))
            if scored is None:
                self.excluded += 1
                return False
            if len(by_number) == len(numbers):
                # Nothing skipped: the item values are the answers themselves.
                items = {item_id: cast(int, answers[item_id]) for item_id, _ in numbers}
            else:
                items = _item_values(self._item_ids[scale.key], answers)
            scores[scale.key] = (scored, items)
        attrs = tuple((q, str(answers.get(q) or NOT_ANSWERED)) for q in self.attributes)
        key = (organisation_id, team_id, attrs)
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = {s.key: ScaleCell() for s in self.questionnaire.scales}
        for scale in self.questionnaire.scales:
            (headline, parts), items = scores[scale.key]
            acc = cell[scale.key]
            acc.headline.add_tenths(headline)
            for part, value in parts.items():
                subscale = acc.subscales.get(part)
                if subscale is None:
                    subscale = acc.subscales[part] = ScoreAccumulator()
                subscale.add_tenths(value)
            acc.items.add_complete(items)
        return True

    def cell_counts(self) -> dict[Cell, int]:
        """How many people each cell holds (the count system the disclosure rules see)."""
        first = self.questionnaire.scales[0].key
        return {cell: scales[first].headline.n for cell, scales in self.cells.items()}

    def merged(self, cells: Iterable[Cell]) -> dict[str, ScaleCell]:
        """The accumulators of a group: its cells folded together."""
        group: dict[str, ScaleCell] = {s.key: ScaleCell() for s in self.questionnaire.scales}
        for cell in cells:
            for key, acc in self.cells.get(cell, {}).items():
                group[key].merge(acc)
        return group


def summary_json(summary: Summary) -> dict[str, Any]:
    """A summary as released JSON (rounded for display; exact enough for comparisons)."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 2)

    return {
        "n": summary.n,
        "mean": r(summary.mean),
        "sd": r(summary.sd),
        "ci_low": r(summary.ci_low),
        "ci_high": r(summary.ci_high),
        "median": r(summary.median),
    }


def summary_from_json(data: Mapping[str, Any]) -> Summary:
    """Rebuild a released summary, e.g. from the previous wave's release."""
    return Summary(
        n=int(data["n"]),
        mean=data["mean"],
        sd=data["sd"],
        ci_low=data["ci_low"],
        ci_high=data["ci_high"],
        median=data["median"],
    )


def _guarded(acc: ScoreAccumulator, bands: Sequence[Band]) -> dict[str, Any]:
    """A summary, unless n, mean and SD alone would tell a reader everyone's band (rule 4)."""
    summary = summarise(acc)
    if bands and summary_pins_band(summary, [b.low for b in bands], bands[0].low, bands[-1].high):
        return {"hidden": True, "text": SUPPRESSED_TEXT}
    return summary_json(summary)


def _item_mean(mean: float, low: int, high: int) -> dict[str, Any]:
    # A mean at the very end of the scale says how every member answered: code it instead.
    # One decimal place, so a mean times its group size does not give back an exact sum.
    if mean <= low:
        return {"mean": None, "text": f"{low} (everyone at the lowest answer is possible)"}
    if mean >= high:
        return {"mean": None, "text": f"{high} (everyone at the highest answer is possible)"}
    return {"mean": round(mean, 1), "text": f"{mean:.1f}"}


def scale_figures(scale: Scale, acc: ScaleCell) -> dict[str, Any]:
    """Headline and subscale summaries and item means of one visible group."""
    template = scale.template
    bands_of = {sub.key: sub.bands for sub in template.subscales}
    bands_of[TOTAL_KEY] = template.total_bands
    order = ([TOTAL_KEY] if TOTAL_KEY in acc.subscales else []) + [
        sub.key for sub in template.subscales if sub.key in acc.subscales
    ]
    labels = {sub.key: sub.label for sub in template.subscales} | {TOTAL_KEY: "Total"}
    subscales = [
        {"key": key, "label": labels[key], "summary": _guarded(acc.subscales[key], bands_of[key])}
        for key in order
    ]
    low, high = min(template.values), max(template.values)
    means = acc.items.means()
    items = [
        {"id": item.id, "number": item.number} | _item_mean(means[item.id], low, high)
        for item in scale.items
        if item.id in means
    ]
    return {
        "headline": _guarded(acc.headline, template.headline_bands()),
        "subscales": subscales,
        "items": items,
    }
