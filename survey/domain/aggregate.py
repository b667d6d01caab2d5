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
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import add, itemgetter
from typing import cast

from survey.domain.groups import NOT_ANSWERED, Cell
from survey.domain.questionnaire_model import Answers, Questionnaire, Scale
from survey.domain.scale_types import TOTAL, ScaleTemplate
from survey.domain.scoring import Exact, exact_scores, tenths
from survey.domain.stats import ItemAccumulator, ScoreAccumulator

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
    This is the reference the compiled `ScaleScorer` must agree with (tests check it).
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


def _own_mean(answered: Sequence[int]) -> int:
    """The mean of a person's answered items in a subscale, rounded half up (exactly)."""
    return (2 * sum(answered) + len(answered)) // (2 * len(answered))


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
        own_mean = _own_mean(answered)
        for item_id in ids:
            values[item_id] = int(answers.get(item_id, own_mean))
    return values


# One response's figures for one scale: scores in tenths (headline first, then each part in
# `ScaleScorer.parts` order) and item values in `ScaleScorer.ids` order.
_Scored = tuple[list[int], list[int]]


def _picker(positions: tuple[int, ...]) -> Callable[[Sequence[int | None]], tuple[int | None, ...]]:
    """A fast getter of several positions that always returns a tuple."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    return cast(Callable[[Sequence[int | None]], tuple[int | None, ...]], itemgetter(*positions))


class ScaleScorer:
    """One scale's published scoring rules, compiled for the release's hot path.

    It gives exactly what `_complete_scores` and `_item_values` give (a property test
    compares them on arbitrary answers), in whole-number arithmetic: a prorated score
    sum * n / answered is rounded to tenths as floor((20 sum n + answered) / (2 answered)),
    and a total of prorated parts is summed over their least common denominator. Anything
    but the scale's own whole-number values goes to the reference path, which checks and
    raises as a person's own scoring does. Templates' subscales partition their items
    (`validate_template`), so every item position belongs to exactly one subscale.
    """

    def __init__(self, scale: Scale) -> None:
        template = scale.template
        self.key = scale.key
        self.template = template
        self.ids = tuple(item.id for item in scale.items)  # every template item, in order
        self.numbers = tuple(item.number for item in scale.items)
        position = {item.number: p for p, item in enumerate(scale.items)}
        self._subscale_ids = _subscale_item_ids(scale)
        self._subscales = tuple(
            (_picker(where), where, sub.max_missing)
            for sub in template.subscales
            for where in [tuple(position[n] for n in sub.items)]
        )
        self._reverse = tuple(position[n] for n in template.reverse_items)
        self._reverse_map = dict(template.reverse_map)
        self._values = template.value_set
        self._has_total = template.has_total
        keys = [sub.key for sub in template.subscales]
        self._headline = len(keys) if template.headline == TOTAL else keys.index(template.headline)
        self.parts = (*keys, TOTAL_KEY) if template.has_total else tuple(keys)

    def score(self, answers: Answers) -> _Scored | None:
        """This scale's figures for one response, or None if it cannot be scored whole."""
        raw = list(map(answers.get, self.ids))
        given = [value for value in raw if value is not None]
        if not (self._values.issuperset(given) and set(map(type, given)) <= _INT):
            return self.reference(answers)
        values = cast(list[int | None], raw)
        keyed = values
        if self._reverse:
            keyed = list(values)
            for p in self._reverse:
                value = keyed[p]
                if value is not None:
                    keyed[p] = self._reverse_map[value]
        scores: list[int] = []
        fractions: list[tuple[int, int]] = []
        items = values
        for pick, where, max_missing in self._subscales:
            part = pick(keyed)
            if None not in part:
                whole = sum(cast(tuple[int, ...], part))
                scores.append(whole * 10)
                fractions.append((whole, 1))
                continue
            answered = [value for value in part if value is not None]
            if not answered or len(where) - len(answered) > max_missing:
                return None
            numerator, denominator = sum(answered) * len(where), len(answered)
            scores.append((20 * numerator + denominator) // (2 * denominator))
            fractions.append((numerator, denominator))
            if items is values:
                items = list(values)  # filled below; `values` stays as answered
            # Item means are of raw answers, so the own mean is too (not reverse-keyed).
            own = _own_mean([v for v in (values[p] for p in where) if v is not None])
            for p in where:
                if items[p] is None:
                    items[p] = own
        if self._has_total:
            common = math.lcm(*(d for _, d in fractions))
            total = sum(n * (common // d) for n, d in fractions)
            scores.append((20 * total + common) // (2 * common))
        return [scores[self._headline], *scores], cast(list[int], items)

    def reference(self, answers: Answers) -> _Scored | None:
        """The same figures through `exact_scores` (which raises on a value out of the scale)."""
        by_number = {
            n: answers[item_id]
            for item_id, n in zip(self.ids, self.numbers, strict=True)
            if item_id in answers
        }
        scored = _complete_scores(self.template, cast(dict[int, int], by_number))
        if scored is None:
            return None
        headline, parts = scored
        if len(by_number) == len(self.ids):
            values = {item_id: cast(int, answers[item_id]) for item_id in self.ids}
        else:
            values = _item_values(self._subscale_ids, answers)
        return [headline, *(parts[key] for key in self.parts)], [values[i] for i in self.ids]


_INT = frozenset({int})


class _Tally:
    """One cell's running figures for one scale: a histogram per score, and item sums."""

    __slots__ = ("histograms", "item_squares", "item_sums", "n")

    def __init__(self, scorer: ScaleScorer) -> None:
        self.n = 0
        self.histograms: list[Counter[int]] = [Counter() for _ in range(len(scorer.parts) + 1)]
        self.item_sums = [0] * len(scorer.ids)
        self.item_squares = [0] * len(scorer.ids)

    def add(self, scores: list[int], items: list[int]) -> None:
        self.n += 1
        for histogram, value in zip(self.histograms, scores, strict=True):
            histogram[value] += 1
        self.item_sums = list(map(add, self.item_sums, items))
        self.item_squares = [s + v * v for s, v in zip(self.item_squares, items, strict=True)]

    def scale_cell(self, scorer: ScaleScorer) -> ScaleCell:
        """The same figures as accumulators (every item counts everyone in the cell)."""
        headline, *parts = self.histograms
        return ScaleCell(
            headline=ScoreAccumulator(Counter(headline)),
            subscales={
                key: ScoreAccumulator(Counter(histogram))
                for key, histogram in zip(scorer.parts, parts, strict=True)
            },
            items=ItemAccumulator(
                counts=Counter(dict.fromkeys(scorer.ids, self.n)),
                sums=Counter(dict(zip(scorer.ids, self.item_sums, strict=True))),
                squares=Counter(dict(zip(scorer.ids, self.item_squares, strict=True))),
            ),
        )


class WaveAggregate:
    """Adds opened responses one at a time into cells (organisation, team, context answers)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        # Sorted once: a cell's attributes are in name order (see groups.normalise_cell).
        self.attributes = tuple(sorted(questionnaire.quasi_identifiers()))
        self._scorers = tuple(ScaleScorer(scale) for scale in questionnaire.scales)
        self._tallies: dict[Cell, list[_Tally]] = {}
        self._cells: dict[Cell, dict[str, ScaleCell]] | None = None
        self.excluded = 0

    def add(self, organisation_id: str, team_id: str, answers: Answers) -> bool:
        """Score one response and file it in its cell; False if it cannot be scored."""
        scored: list[_Scored] = []
        for scorer in self._scorers:
            figures = scorer.score(answers)
            if figures is None:
                self.excluded += 1
                return False
            scored.append(figures)
        attrs = tuple((q, str(answers.get(q) or NOT_ANSWERED)) for q in self.attributes)
        key = (organisation_id, team_id, attrs)
        tallies = self._tallies.get(key)
        if tallies is None:
            tallies = self._tallies[key] = [_Tally(scorer) for scorer in self._scorers]
        for tally, (scores, items) in zip(tallies, scored, strict=True):
            tally.add(scores, items)
        self._cells = None
        return True

    @property
    def cells(self) -> dict[Cell, dict[str, ScaleCell]]:
        """Each cell's accumulators per scale key (built once, after the last response)."""
        if self._cells is None:
            self._cells = {
                cell: {
                    scorer.key: tally.scale_cell(scorer)
                    for scorer, tally in zip(self._scorers, tallies, strict=True)
                }
                for cell, tallies in self._tallies.items()
            }
        return self._cells

    def cell_counts(self) -> dict[Cell, int]:
        """How many people each cell holds (the count system the disclosure rules see)."""
        return {cell: tallies[0].n for cell, tallies in self._tallies.items()}

    def merged(self, cells: Iterable[Cell]) -> dict[str, ScaleCell]:
        """The accumulators of a group: its cells folded together."""
        group: dict[str, ScaleCell] = {s.key: ScaleCell() for s in self.questionnaire.scales}
        own = self.cells
        for cell in cells:
            for key, acc in own.get(cell, {}).items():
                group[key].merge(acc)
        return group
