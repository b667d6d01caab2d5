"""Scoring answers against scale templates: subscale sums, prorating, bands and flags.

Rules, as the templates state them:
- reverse-keyed items are reversed before anything is summed;
- a subscale with more missing items than its template allows is not scored; below that
  it is prorated as the mean of its answered items times its number of items;
- a total is scored only when every subscale is scored, and is then the sum of the exact
  (unrounded) subscale scores;
- reported scores are rounded to 1 decimal place, halves upwards (16.25 -> 16.3);
- a band is the one with the highest lower bound at or below the score, so a prorated
  37.5 on the STSS is "mild" (28-37), not "moderate" (38-43);
- `scored` means the headline score (the total, or the ProQOL STS subscale) exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from survey.domain.questionnaire_model import Answers, Questionnaire
from survey.domain.scale_types import TOTAL, Band, ScaleTemplate, Subscale, band_for


@dataclass(frozen=True)
class SubscaleResult:
    """One subscale's score (None when too many items are missing) and its band if any."""

    key: str
    label: str
    score: float | None
    answered: int
    n_items: int
    prorated: bool
    band: Band | None

    @property
    def scored(self) -> bool:
        """Whether enough items were answered to score this subscale."""
        return self.score is not None


@dataclass(frozen=True)
class ScaleResult:
    """The result of one scale: headline band, total, subscales and any flags."""

    scale_key: str
    template_key: str
    scored: bool
    total: float | None
    band: Band | None
    subscales: tuple[SubscaleResult, ...]
    answered: int
    missing: int
    flags: tuple[str, ...]

    def subscale(self, key: str) -> SubscaleResult:
        """Return the result of the subscale with this key, or raise KeyError."""
        for result in self.subscales:
            if result.key == key:
                return result
        raise KeyError(key)


Exact = Fraction | int


class ExactScores(NamedTuple):
    """Unrounded scores: per subscale (None if not scored) and the total (None if not scored).

    A named tuple rather than a dataclass: the release builds one per response.
    """

    subscales: dict[str, Exact | None]
    total: Exact | None

    def headline(self, template: ScaleTemplate) -> Exact | None:
        """The score the template's headline band applies to."""
        return self.total if template.headline == TOTAL else self.subscales[template.headline]


def exact_scores(template: ScaleTemplate, values: Mapping[int, int]) -> ExactScores:
    """Check raw values and score every subscale exactly (reverse keys, prorating, limits).

    The core shared by a person's own result (`score_scale`) and the release step, which
    needs only the numbers, not the bands and labels, for each of many responses.
    """
    numbers, allowed = template.item_numbers, template.values
    # Set checks first (C speed); bool is an int subclass that equals 1, so check the types too.
    fine = (
        template.item_set.issuperset(values)
        and template.value_set.issuperset(values.values())
        and all(type(value) is int for value in values.values())
    )
    for item, value in () if fine else values.items():
        if item not in numbers:
            raise ValueError(f"template {template.key!r} has no item {item}")
        if isinstance(value, bool) or value not in allowed:
            raise ValueError(f"item {item}: {value!r} is not a response value of {template.key!r}")
    keyed = (
        {item: template.keyed_value(item, value) for item, value in values.items()}
        if template.reverse_items
        else values
    )
    exact = {subscale.key: _exact_subscale(subscale, keyed) for subscale in template.subscales}
    total: Exact | None = None
    if template.has_total and None not in exact.values():
        total = sum(score for score in exact.values() if score is not None)
    return ExactScores(exact, total)


def score_scale(
    template: ScaleTemplate, values: Mapping[int, int], scale_key: str | None = None
) -> ScaleResult:
    """Score raw response values keyed by item number (skipped items are simply absent)."""
    scores = exact_scores(template, values)
    headline = _rounded(scores.headline(template))
    return ScaleResult(
        scale_key=scale_key or template.key,
        template_key=template.key,
        scored=headline is not None,
        total=_rounded(scores.total),
        band=None if headline is None else band_for(template.headline_bands(), headline),
        subscales=tuple(
            _subscale_result(subscale, values, scores.subscales[subscale.key])
            for subscale in template.subscales
        ),
        answered=len(values),
        missing=template.n_items - len(values),
        # An unscored scale shows no result, so it raises no flag either.
        flags=_flags(template, values) if headline is not None else (),
    )


def score_questionnaire(questionnaire: Questionnaire, answers: Answers) -> dict[str, ScaleResult]:
    """Score every scale of a questionnaire from typed answers, keyed by scale key."""
    results: dict[str, ScaleResult] = {}
    for scale in questionnaire.scales:
        values: dict[int, int] = {}
        for item in scale.items:
            value = answers.get(item.id)
            if value is None:
                continue
            if not isinstance(value, int):
                raise ValueError(f"{item.id}: expected a whole-number answer, got {value!r}")
            values[item.number] = value
        results[scale.key] = score_scale(scale.template, values, scale.key)
    return results


def _exact_subscale(subscale: Subscale, keyed: Mapping[int, int]) -> Exact | None:
    """The exact score of one subscale, or None beyond its missing-item limit."""
    answered = [keyed[item] for item in subscale.items if item in keyed]
    missing = subscale.n_items - len(answered)
    if answered and missing == 0:
        return sum(answered)  # the common case: a whole number, no fractions needed
    if answered and missing <= subscale.max_missing:
        # Exact arithmetic so prorated halves round the same way on every platform.
        return Fraction(sum(answered) * subscale.n_items, len(answered))
    return None


def _subscale_result(
    subscale: Subscale, values: Mapping[int, int], exact: Exact | None
) -> SubscaleResult:
    answered = sum(1 for item in subscale.items if item in values)
    rounded = _rounded(exact)
    return SubscaleResult(
        key=subscale.key,
        label=subscale.label,
        score=rounded,
        answered=answered,
        n_items=subscale.n_items,
        prorated=exact is not None and answered < subscale.n_items,
        band=None if rounded is None else band_for(subscale.bands, rounded),
    )


def tenths(score: Exact) -> int:
    """A score in whole tenths, halves rounded upwards (as every reported score is)."""
    if isinstance(score, int):
        return score * 10
    # floor(10 n/d + 1/2) in integers: the same exact rounding, without building Fractions.
    return (score.numerator * 20 + score.denominator) // (2 * score.denominator)


def _rounded(score: Exact | None) -> float | None:
    return None if score is None else tenths(score) / 10


def _flags(template: ScaleTemplate, values: Mapping[int, int]) -> tuple[str, ...]:
    # Counted on raw answers only: a skipped item never counts towards the pattern.
    rule = template.criteria
    if rule is None:
        return ()
    for key, needed in rule.minimum:
        rated = [values[item] for item in template.subscale(key).items if item in values]
        if sum(1 for value in rated if value >= rule.threshold) < needed:
            return ()
    return (rule.flag,)
