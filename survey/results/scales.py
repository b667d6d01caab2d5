"""Public facts about each part of a released scale, for reading its figures.

A payload names each scale's template; the template holds the published facts (score
range, bands, which bands are a concern). Nothing here reads data: it says which way a
score points and where the published bands lie, so a page can place a released mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from survey.domain.scale_types import TOTAL, Band, ScaleTemplate
from survey.domain.templates import get_template

# What a higher score means, per template and part, in a lead's words.
_MORE_OF = {
    ("stss", TOTAL): "secondary traumatic stress",
    ("stss", "intrusion"): "intrusive thoughts and reminders (intrusion)",
    ("stss", "avoidance"): "avoidance and numbing",
    ("stss", "arousal"): "arousal: feeling on edge, poor sleep, poor focus",
    ("proqol5", "compassion_satisfaction"): "satisfaction from helping others",
    ("proqol5", "burnout"): "burnout",
    ("proqol5", "sts"): "secondary traumatic stress",
    ("pcl5", TOTAL): "PTSD symptoms",
}


@dataclass(frozen=True)
class BandFact:
    """A published band: its label, inclusive score bounds, and whether it is a concern."""

    label: str
    low: float
    high: float
    concern: bool


@dataclass(frozen=True)
class PartFacts:
    """One scored part of a scale (the total or a subscale): range, bands and direction."""

    key: str
    label: str
    low: float
    high: float
    bands: tuple[BandFact, ...]
    higher_is_better: bool
    more_of: str = ""

    @property
    def direction(self) -> str:
        """One sentence saying which way the score points."""
        what = self.label.lower()
        if self.higher_is_better:
            return f"Higher is better: a higher {what} score means more {self._more()}."
        return f"Higher means more {self._more()}."

    def _more(self) -> str:
        return self.more_of or self.label.lower()

    def band_of(self, value: float) -> BandFact | None:
        """The published band a score lies in (scores between two whole-number bands: the lower)."""
        for band in self.bands:
            if band.low <= value < band.high + 1:
                return band
        return None

    def bands_between(self, low: float, high: float) -> list[BandFact]:
        """Every band an interval [low, high] touches, in score order."""
        found = [b for b in self.bands if b.low < high and low < b.high + 1]
        return found or [b for b in (self.band_of(low),) if b is not None]


def _facts(band: Band) -> BandFact:
    return BandFact(band.label, float(band.low), float(band.high), band.concern)


def _part(template: ScaleTemplate, key: str, label: str, size: int) -> PartFacts:
    low, high = template.score_range(size)
    bands = template.total_bands if key == TOTAL else template.subscale(key).bands
    # Parts without published bands point the same way as the scale's headline.
    reference = bands or template.headline_bands()
    better = bool(reference) and reference[0].concern and not reference[-1].concern
    return PartFacts(
        key=key,
        label=label,
        low=float(low),
        high=float(high),
        bands=tuple(_facts(b) for b in bands),
        higher_is_better=better,
        more_of=_MORE_OF.get((template.key, key), ""),
    )


@lru_cache(maxsize=64)
def _template_parts(template_key: str) -> Mapping[str, PartFacts]:
    """Every scored part of a template: published facts only, so worked out once per template."""
    template = get_template(template_key)
    parts: dict[str, PartFacts] = {}
    if template.has_total:
        parts[TOTAL] = _part(template, TOTAL, "Total", template.n_items)
    for sub in template.subscales:
        parts[sub.key] = _part(template, sub.key, sub.label, sub.n_items)
    return MappingProxyType(parts)


def parts_of(scale: Mapping[str, Any]) -> dict[str, PartFacts]:
    """Every scored part of a released scale (its payload `scales` entry), total first."""
    try:
        return dict(_template_parts(str(scale.get("template"))))
    except KeyError:
        return {}


def headline_facts(scale: Mapping[str, Any]) -> PartFacts | None:
    """The part that carries a scale's headline result."""
    return parts_of(scale).get(str(scale.get("headline")))


def reverse_items(scale: Mapping[str, Any]) -> frozenset[int]:
    """The reverse-keyed item numbers of a scale (a high answer lowers its subscale)."""
    try:
        return frozenset(get_template(str(scale.get("template"))).reverse_items)
    except KeyError:
        return frozenset()


def short_name(name: str) -> str:
    """A scale's short name: 'Secondary Traumatic Stress Scale (STSS)' -> 'STSS'."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1 : -1]
    return name


@lru_cache(maxsize=64)
def _item_parts(template_key: str) -> Mapping[int, str]:
    template = get_template(template_key)
    return MappingProxyType(
        {number: sub.label for sub in template.subscales for number in sub.items}
    )


def item_parts(scale: Mapping[str, Any]) -> dict[int, str]:
    """Item number to the label of the subscale it counts towards."""
    try:
        return dict(_item_parts(str(scale.get("template"))))
    except KeyError:
        return {}
