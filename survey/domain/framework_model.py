"""A review framework as the rest of Lantern sees it: immutable, validated data.

Loading and checking a framework file lives in `frameworks.py`; this module holds what the
loader produces (as `questionnaire_model.py` does for questionnaires).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# The agreed rating of a domain before the facilitated session has discussed it.
NOT_DISCUSSED = "not-discussed"
NOT_DISCUSSED_LABEL = "Not yet discussed"
# What a plain perspective may give in easy-read words, besides each domain's question.
EASY_READ_TEXTS = ("title", "intro", "why", "free_text", "thanks")


@dataclass(frozen=True)
class RatingLevel:
    """One rating level (for Roots: red, amber or green), worst first."""

    key: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Rating:
    """How a domain (or an item) is rated: named levels, or a numbered scale."""

    kind: Literal["levels", "scale"]
    levels: tuple[RatingLevel, ...] = ()
    low: int = 0
    high: int = 0
    not_applicable: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """The answer values, as text (level keys, or the scale's numbers)."""
        if self.kind == "levels":
            return tuple(level.key for level in self.levels)
        return tuple(str(value) for value in range(self.low, self.high + 1))

    def label(self, key: str) -> str:
        """The label of a level key (the number itself on a scale)."""
        if key == NOT_DISCUSSED:
            return NOT_DISCUSSED_LABEL
        return next((lv.label for lv in self.levels if lv.key == key), key)


@dataclass(frozen=True)
class Perspective:
    """Who can be asked anonymously (staff, service users), with what they are told."""

    key: str
    label: str
    title: str
    intro: str
    why: str
    plain: bool
    # How each rating level is offered as an answer (level key -> words), e.g. "Sometimes".
    answers: Mapping[str, str]
    free_text: str
    thanks: str
    # Plain perspectives only: the easy-read words of the title, intro, why, free text
    # question and thanks (any left out keep their usual words).
    easy_read: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Domain:
    """One domain of the framework."""

    key: str
    name: str
    items: int
    prompts: Mapping[str, str]
    easy_read: Mapping[str, str]
    descriptors: Mapping[str, str]


@dataclass(frozen=True)
class Framework:
    """A validated, immutable review framework."""

    key: str
    version: int
    name: str
    citation: str
    licence: str
    own_wording: bool
    wording_note: str
    method: str
    cycle_months: int
    summary: str
    rating: Rating
    perspectives: tuple[Perspective, ...]
    domains: tuple[Domain, ...]

    def domain(self, key: str) -> Domain:
        """The domain with this key, or KeyError."""
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(key)

    def perspective(self, key: str) -> Perspective:
        """The perspective with this key, or KeyError."""
        for perspective in self.perspectives:
            if perspective.key == key:
                return perspective
        raise KeyError(key)

    @property
    def agreed_choices(self) -> tuple[str, ...]:
        """What the core team may record as a domain's agreed rating."""
        return (*self.rating.keys, NOT_DISCUSSED)


def domain_mean(framework: Framework, answers: Mapping[int, int | None]) -> float | None:
    """The mean of a domain's answered items on a numbered scale (None: not applicable).

    `answers` maps item number to value; None (or a missing item) is "not applicable" or
    skipped and leaves the mean. No answered item: no mean.
    """
    if framework.rating.kind != "scale":
        raise ValueError(f"{framework.key} rates domains by level, not by a numbered scale")
    values = [v for v in answers.values() if v is not None]
    for value in values:
        if not framework.rating.low <= value <= framework.rating.high:
            raise ValueError(f"{value} is outside {framework.rating.low}-{framework.rating.high}")
    return sum(values) / len(values) if values else None
