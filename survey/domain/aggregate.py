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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey.domain.groups import NOT_ANSWERED, Cell
from survey.domain.questionnaire_model import Answers, Questionnaire, Scale
from survey.domain.scale_types import TOTAL, ScaleTemplate
from survey.domain.scoring import ScaleResult, score_questionnaire
from survey.domain.stats import ItemAccumulator, ScoreAccumulator, Summary, summarise

TOTAL_KEY = TOTAL


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


def headline_score(template: ScaleTemplate, result: ScaleResult) -> float | None:
    """The score the headline band applies to: the total, or the template's headline subscale."""
    if template.headline == TOTAL:
        return result.total
    return result.subscale(template.headline).score


def _complete_scores(
    template: ScaleTemplate, result: ScaleResult
) -> tuple[float, dict[str, float]] | None:
    """Headline, total and every subscale score, or None if any of them is not scored.

    Everyone in the release population has every figure, so each figure covers the same people.
    """
    headline = headline_score(template, result)
    parts = {sub.key: sub.score for sub in result.subscales}
    if template.has_total:
        parts[TOTAL_KEY] = result.total
    if headline is None or any(value is None for value in parts.values()):
        return None
    return headline, {key: value for key, value in parts.items() if value is not None}


def _item_values(scale: Scale, answers: Answers, result: ScaleResult) -> dict[str, int | None]:
    """Answered items as given; skipped items at the person's own subscale mean (rounded)."""
    values: dict[str, int | None] = {}
    by_number = {item.number: item for item in scale.items}
    for sub_def in scale.template.subscales:
        sub = result.subscale(sub_def.key)
        answered = [answers[by_number[n].id] for n in sub_def.items if by_number[n].id in answers]
        own_mean = round(sum(int(v) for v in answered) / len(answered)) if answered else None
        for number in sub_def.items:
            item_id = by_number[number].id
            raw = answers.get(item_id)
            values[item_id] = int(raw) if raw is not None else (own_mean if sub.scored else None)
    return values


class WaveAggregate:
    """Adds opened responses one at a time into cells (organisation, team, context answers)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.attributes = questionnaire.quasi_identifiers()
        self.cells: dict[Cell, dict[str, ScaleCell]] = {}
        self.excluded = 0

    def add(self, organisation_id: str, team_id: str, answers: Answers) -> bool:
        """Score one response and file it in its cell; False if it cannot be scored."""
        results = score_questionnaire(self.questionnaire, answers)
        scores: dict[str, tuple[float, dict[str, float]]] = {}
        for scale in self.questionnaire.scales:
            scored = _complete_scores(scale.template, results[scale.key])
            if scored is None:
                self.excluded += 1
                return False
            scores[scale.key] = scored
        attrs = tuple(
            sorted((q, str(answers.get(q, NOT_ANSWERED)) or NOT_ANSWERED) for q in self.attributes)
        )
        cell = self.cells.setdefault((organisation_id, team_id, attrs), {})
        for scale in self.questionnaire.scales:
            headline, parts = scores[scale.key]
            acc = cell.setdefault(scale.key, ScaleCell())
            acc.headline.add(headline)
            for key, value in parts.items():
                acc.subscales.setdefault(key, ScoreAccumulator()).add(value)
            acc.items.add(_item_values(scale, answers, results[scale.key]))
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


def scale_figures(scale: Scale, acc: ScaleCell) -> dict[str, Any]:
    """Headline and subscale summaries and item means of one visible group."""
    template = scale.template
    subscales = [
        {
            "key": sub.key,
            "label": sub.label,
            "summary": summary_json(summarise(acc.subscales[sub.key])),
        }
        for sub in template.subscales
        if sub.key in acc.subscales
    ]
    if TOTAL_KEY in acc.subscales:
        subscales.insert(
            0,
            {
                "key": TOTAL_KEY,
                "label": "Total",
                "summary": summary_json(summarise(acc.subscales[TOTAL_KEY])),
            },
        )
    means = acc.items.means()
    items = [
        {"id": item.id, "number": item.number, "mean": round(means[item.id], 2)}
        for item in scale.items
        if item.id in means
    ]
    return {
        "headline": summary_json(summarise(acc.headline)),
        "subscales": subscales,
        "items": items,
    }
