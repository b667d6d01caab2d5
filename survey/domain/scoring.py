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

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

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


def score_scale(
    template: ScaleTemplate, values: Mapping[int, int], scale_key: str | None = None
) -> ScaleResult:
    """Score raw response values keyed by item number (skipped items are simply absent)."""
    for item, value in values.items():
        if item not in template.item_numbers:
            raise ValueError(f"template {template.key!r} has no item {item}")
        if isinstance(value, bool) or value not in template.values:
            raise ValueError(f"item {item}: {value!r} is not a response value of {template.key!r}")
    keyed = {item: template.keyed_value(item, value) for item, value in values.items()}
    scored = [_score_subscale(subscale, keyed) for subscale in template.subscales]
    exact = {result.key: score for score, result in scored}
    total: Fraction | int | None = None
    if template.has_total and None not in exact.values():
        total = sum(score for score in exact.values() if score is not None)
    headline = total if template.headline == TOTAL else exact[template.headline]
    return ScaleResult(
        scale_key=scale_key or template.key,
        template_key=template.key,
        scored=headline is not None,
        total=_rounded(total),
        band=_band(template.headline_bands(), headline),
        subscales=tuple(result for _, result in scored),
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


def _score_subscale(
    subscale: Subscale, keyed: Mapping[int, int]
) -> tuple[Fraction | int | None, SubscaleResult]:
    """The exact score (for the total) and the reported result of one subscale."""
    answered = [keyed[item] for item in subscale.items if item in keyed]
    missing = subscale.n_items - len(answered)
    exact: Fraction | int | None = None
    if answered and missing == 0:
        exact = sum(answered)  # the common case: a whole number, no fractions needed
    elif answered and missing <= subscale.max_missing:
        # Exact arithmetic so prorated halves round the same way on every platform.
        exact = Fraction(sum(answered) * subscale.n_items, len(answered))
    result = SubscaleResult(
        key=subscale.key,
        label=subscale.label,
        score=_rounded(exact),
        answered=len(answered),
        n_items=subscale.n_items,
        prorated=exact is not None and missing > 0,
        band=_band(subscale.bands, exact),
    )
    return exact, result


def _rounded(score: Fraction | int | None) -> float | None:
    if score is None:
        return None
    if isinstance(score, int):
        return float(score)
    return math.floor(score * 10 + Fraction(1, 2)) / 10


def _band(bands: tuple[Band, ...], score: Fraction | int | None) -> Band | None:
    # Band on the reported (rounded) score, so the band always matches the number shown.
    rounded = _rounded(score)
    return None if rounded is None else band_for(bands, rounded)


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
