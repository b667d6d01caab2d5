"""Value types for scale templates: response options, subscales, bands and criteria rules.

The facts themselves live in `templates.py`; this module only says what shape they take
and how to check that a template is internally consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

# A headline that refers to the whole-scale total rather than to one subscale.
TOTAL = "total"


class TemplateError(ValueError):
    """A scale template contradicts itself (a programming error, caught at import)."""


@dataclass(frozen=True)
class ResponseOption:
    """One point on a response scale, with its plain default anchor label."""

    value: int
    label: str


@dataclass(frozen=True)
class Band:
    """A score band with inclusive integer bounds.

    `level` orders bands by score (0 = lowest scores), not by severity; `concern` marks
    the bands where a result page should lead with next steps.
    """

    key: str
    label: str
    low: int
    high: int
    level: int
    concern: bool


@dataclass(frozen=True)
class Subscale:
    """A named group of items, how many may be skipped, and its own bands if published."""

    key: str
    label: str
    items: tuple[int, ...]
    max_missing: int
    bands: tuple[Band, ...] = ()

    @property
    def n_items(self) -> int:
        """Number of items in the subscale."""
        return len(self.items)


@dataclass(frozen=True)
class CriteriaRule:
    """A symptom-pattern rule: items rated at or above `threshold` count towards each group.

    The rule is met when every group in `minimum` has at least that many counting items.
    It yields a flag on the result, never a diagnosis.
    """

    flag: str
    label: str
    threshold: int
    minimum: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ScaleTemplate:
    """Published scoring facts of one instrument (no item wording)."""

    key: str
    name: str
    citation: str
    licence: str
    timeframe: str
    options: tuple[ResponseOption, ...]
    n_items: int
    subscales: tuple[Subscale, ...]
    has_total: bool
    total_bands: tuple[Band, ...]
    headline: str
    missing_rule: str
    reverse_items: tuple[int, ...] = ()
    reverse_map: tuple[tuple[int, int], ...] = ()
    criteria: CriteriaRule | None = None
    notes: str = ""

    @cached_property
    def values(self) -> tuple[int, ...]:
        """The allowed raw response values, lowest first."""
        return tuple(option.value for option in self.options)

    @cached_property
    def item_set(self) -> frozenset[int]:
        """Item numbers as a set, for fast membership checks of many responses."""
        return frozenset(self.item_numbers)

    @cached_property
    def value_set(self) -> frozenset[int]:
        """Allowed response values as a set."""
        return frozenset(self.values)

    @cached_property
    def item_numbers(self) -> range:
        """Item numbers 1..n_items."""
        return range(1, self.n_items + 1)

    def subscale(self, key: str) -> Subscale:
        """Return the subscale with this key, or raise KeyError."""
        for subscale in self.subscales:
            if subscale.key == key:
                return subscale
        raise KeyError(key)

    def keyed_value(self, item: int, value: int) -> int:
        """Return the value to sum for `item`, reversed if the item is reverse-keyed."""
        if item in self.reverse_items:
            return dict(self.reverse_map)[value]
        return value

    def score_range(self, n_items: int) -> tuple[int, int]:
        """Lowest and highest possible sum over `n_items` items."""
        return n_items * min(self.values), n_items * max(self.values)

    def headline_bands(self) -> tuple[Band, ...]:
        """The bands of the score that carries the headline result."""
        if self.headline == TOTAL:
            return self.total_bands
        return self.subscale(self.headline).bands


def band_for(bands: tuple[Band, ...], score: float) -> Band | None:
    """Return the band with the highest lower bound at or below `score` (None if no bands).

    Bands have integer bounds but prorated scores may fall between them, so 37.5 on the
    STSS lands in the band starting at 28 (mild), not the one starting at 38.
    """
    chosen: Band | None = None
    for band in bands:
        if band.low <= score and (chosen is None or band.low > chosen.low):
            chosen = band
    return chosen


def validate_template(template: ScaleTemplate) -> None:
    """Raise TemplateError if the template is not internally consistent."""
    where = f"template {template.key!r}"
    values = template.values
    if not values or list(values) != list(range(values[0], values[0] + len(values))):
        raise TemplateError(f"{where}: response values must be contiguous and increasing")
    if len({o.label for o in template.options}) != len(values) or not all(
        o.label.strip() for o in template.options
    ):
        raise TemplateError(f"{where}: response labels must be non-empty and distinct")
    _check_partition(template, where)
    _check_reverse(template, where)
    if len({s.key for s in template.subscales}) != len(template.subscales):
        raise TemplateError(f"{where}: subscale keys must be unique")
    for subscale in template.subscales:
        if not 0 <= subscale.max_missing < subscale.n_items:
            raise TemplateError(f"{where}: subscale {subscale.key!r} max_missing out of range")
        if subscale.bands:
            low, high = template.score_range(subscale.n_items)
            _check_bands(subscale.bands, low, high, f"{where} subscale {subscale.key!r}")
    if template.has_total:
        low, high = template.score_range(template.n_items)
        _check_bands(template.total_bands, low, high, f"{where} total")
    elif template.total_bands:
        raise TemplateError(f"{where}: total bands given but no total is scored")
    if template.headline == TOTAL and not template.has_total:
        raise TemplateError(f"{where}: headline is the total but no total is scored")
    if template.headline != TOTAL:
        keys = {s.key for s in template.subscales}
        if template.headline not in keys or not template.subscale(template.headline).bands:
            raise TemplateError(f"{where}: headline must be 'total' or a subscale with bands")
    if not template.missing_rule.strip():
        raise TemplateError(f"{where}: missing_rule must state the rule")
    if template.criteria is not None:
        _check_criteria(template, template.criteria, where)


def _check_partition(template: ScaleTemplate, where: str) -> None:
    # Every item must belong to exactly one subscale, or scores would double-count or drop it.
    seen: list[int] = [item for s in template.subscales for item in s.items]
    if sorted(seen) != list(template.item_numbers):
        raise TemplateError(f"{where}: subscales must partition items 1..{template.n_items}")


def _check_reverse(template: ScaleTemplate, where: str) -> None:
    if not set(template.reverse_items) <= set(template.item_numbers):
        raise TemplateError(f"{where}: reverse-keyed item out of range")
    if template.reverse_items:
        mapping = dict(template.reverse_map)
        if len(mapping) != len(template.reverse_map) or sorted(mapping) != list(template.values):
            raise TemplateError(f"{where}: reverse_map must cover each response value once")
        if sorted(mapping.values()) != list(template.values):
            raise TemplateError(f"{where}: reverse_map must be a permutation of the values")
    elif template.reverse_map:
        raise TemplateError(f"{where}: reverse_map given but no item is reverse-keyed")


def _check_bands(bands: tuple[Band, ...], low: int, high: int, where: str) -> None:
    # Ordered, contiguous and covering [low, high], so every possible score has one band.
    if not bands:
        raise TemplateError(f"{where}: needs at least one band")
    if [b.level for b in bands] != list(range(len(bands))):
        raise TemplateError(f"{where}: band levels must be 0, 1, 2, ... in order")
    if len({b.key for b in bands}) != len(bands):
        raise TemplateError(f"{where}: band keys must be unique")
    if bands[0].low != low or bands[-1].high != high:
        raise TemplateError(f"{where}: bands must cover {low}-{high}")
    if any(band.low > band.high for band in bands):
        raise TemplateError(f"{where}: a band's low bound is above its high bound")
    for band, following in pairwise(bands):
        if following.low != band.high + 1:
            raise TemplateError(f"{where}: bands must be contiguous after {band.key!r}")


def _check_criteria(template: ScaleTemplate, rule: CriteriaRule, where: str) -> None:
    keys = [key for key, _ in rule.minimum]
    if not keys or len(set(keys)) != len(keys):
        raise TemplateError(f"{where}: criteria groups must be distinct and non-empty")
    for key, needed in rule.minimum:
        if key not in {s.key for s in template.subscales}:
            raise TemplateError(f"{where}: criteria refers to unknown subscale {key!r}")
        if not 1 <= needed <= template.subscale(key).n_items:
            raise TemplateError(f"{where}: criteria minimum for {key!r} out of range")
    if rule.threshold not in template.values:
        raise TemplateError(f"{where}: criteria threshold is not a response value")
