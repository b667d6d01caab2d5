"""A shown group's figures for one questionnaire: built at a precision, and read back.

`scale_figures` builds the released figures of one scale from a group's accumulators at the
precision the audit chose (see `magnitude`); `knowns_of` reads any released group back as
a reader would, for the audit of this release and of the wave's later ones. The audit only
ever sees figures through `knowns_of`, so it judges exactly what was published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from survey.domain.aggregate import TOTAL_KEY, ScaleCell
from survey.domain.band_release import BandRelease
from survey.domain.derivable import ITEM, MeasureKey
from survey.domain.disclosure import SUPPRESSED_TEXT, Ledger, Plan
from survey.domain.groups import Cell, GroupKey
from survey.domain.joint_audit import audit_jointly
from survey.domain.joint_truth import Truth
from survey.domain.magnitude import (
    FULL,
    WITHHELD,
    Known,
    item_figure,
    known_from_json,
    natural_precision,
    summary_figures,
)
from survey.domain.magnitude_audit import Measure, Relation, audit_magnitudes, bucketed
from survey.domain.questionnaire_model import Questionnaire, Scale
from survey.domain.scale_types import Band

# The released figures of every shown group, per scale key.
Figures = dict[GroupKey, dict[str, dict[str, Any]]]


def _parts(scale: Scale) -> list[tuple[str, str, tuple[Band, ...], int]]:
    """(key, label, bands, number of items) of every scored part, the total first."""
    template = scale.template
    parts = []
    if template.has_total:
        parts.append((TOTAL_KEY, "Total", template.total_bands, template.n_items))
    parts += [(s.key, s.label, s.bands, s.n_items) for s in template.subscales]
    return parts


def scale_figures(scale: Scale, acc: ScaleCell, precision: str) -> dict[str, Any]:
    """Headline, subscale and item figures of one shown group, all at one precision."""
    template = scale.template
    low, high = min(template.values), max(template.values)
    if precision == WITHHELD:
        hidden = {"hidden": True, "text": SUPPRESSED_TEXT}
        return {"precision": WITHHELD, "headline": hidden, "subscales": [], "items": []}
    bands = template.headline_bands()
    subscales = [
        {
            "key": key,
            "label": label,
            "summary": summary_figures(acc.subscales[key], precision, low * size, high * size),
        }
        for key, label, _, size in _parts(scale)
        if key in acc.subscales
    ]
    n = acc.headline.n
    # Item means need a full group: in a small one, exact item sums pin answers and totals.
    items = [
        {"id": item.id, "number": item.number}
        | item_figure(acc.items.sums[item.id], n, precision, low, high)
        for item in scale.items
        if precision == FULL and n and acc.items.counts[item.id]
    ]
    return {
        "precision": precision,
        "headline": summary_figures(acc.headline, precision, bands[0].low, bands[-1].high),
        "subscales": subscales,
        "items": items,
    }


def measures_of(questionnaire: Questionnaire) -> list[Measure]:
    """Every measure a release shows, with its range and bands (the audit's vocabulary)."""
    measures = []
    for scale in questionnaire.scales:
        template = scale.template
        low, high = min(template.values), max(template.values)
        for key, _, bands, size in _parts(scale):
            band_lows = tuple(float(b.low) for b in bands)
            displays = scale.key if key == template.headline else None
            measure = Measure((scale.key, key), low * size, high * size, band_lows, False, displays)
            measures.append(measure)
        measures += [
            Measure((scale.key, ITEM + item.id), low, high, whole=True) for item in scale.items
        ]
    return measures


def relations_of(questionnaire: Questionnaire) -> list[Relation]:
    """The sums a reader can use: a total of its subscales, a subscale of its keyed items."""
    relations = []
    for scale in questionnaire.scales:
        template = scale.template
        by_number = {item.number: item.id for item in scale.items}
        reverse = set(template.reverse_items)
        if template.has_total:
            parts = tuple(((scale.key, s.key), False) for s in template.subscales)
            relations.append(Relation((scale.key, TOTAL_KEY), parts))
        for sub in template.subscales:
            items = tuple(
                ((scale.key, ITEM + by_number[number]), number in reverse) for number in sub.items
            )
            relations.append(Relation((scale.key, sub.key), items))
    return relations


def knowns_of(scales: Mapping[str, Any], n: int) -> dict[MeasureKey, Known]:
    """What a reader knows of every measure of one released group (its `scales` entry)."""
    knowns: dict[MeasureKey, Known] = {}
    for scale_key, figures in scales.items():
        for sub in figures.get("subscales", []):
            known = known_from_json(sub["summary"], sub["summary"].get("n", n))
            if known is not None:
                knowns[(scale_key, sub["key"])] = known
        # An item's mean is over the people its scale's headline covers.
        scored = figures.get("headline", {}).get("n", n)
        for item in figures.get("items", []):
            known = known_from_json(item, scored)
            if known is not None:
                knowns[(scale_key, ITEM + item["id"])] = known
    return knowns


def release_figures(
    questionnaire: Questionnaire,
    shown: Mapping[GroupKey, Mapping[str, ScaleCell]],
    plan: Plan,
    history: Sequence[Ledger],
    earlier: Sequence[Mapping[str, Any]],
    *,
    bands: Mapping[str, Sequence[BandRelease]] | None = None,
    whole_scores: bool = False,
    truth: Sequence[Mapping[Cell, Truth]] | None = None,
) -> tuple[Figures, dict[str, BandRelease]]:
    """Every shown group's figures, at the precision the joint magnitude audit allows.

    `history` holds the wave's earlier ledgers and `earlier` the `groups` of the wave's
    earlier payloads, oldest first: what a reader has already seen. `bands[scale]` are
    the coded breakdowns of every release of the wave, this one last; the breakdowns
    of this release come back, coarsened where bands and earlier means pin a group.
    `whole_scores`: nobody in the wave has a prorated score (see `whole_scores`).
    `truth`: each cell's truth at every release (see `joint_truth`), where it is known.
    """
    built: dict[tuple[GroupKey, str], dict[str, dict[str, Any]]] = {}

    def build(key: GroupKey, precision: str) -> dict[str, dict[str, Any]]:
        found = built.get((key, precision))
        if found is None:
            found = built[(key, precision)] = {
                scale.key: scale_figures(scale, shown[key][scale.key], precision)
                for scale in questionnaire.scales
            }
        return found

    def figures(key: GroupKey, precision: str) -> dict[MeasureKey, Known]:
        return knowns_of(build(key, precision), plan.counts[key])

    released = [
        {
            GroupKey.from_str(key): knowns_of(group["scales"], group["n"])
            for key, group in groups.items()
            if group["shown"]
        }
        for groups in earlier
    ]
    measures, relations = measures_of(questionnaire), relations_of(questionnaire)
    cumulative = [*(ledger.cells for ledger in history), plan.ledger.cells]
    precision, coded = audit_magnitudes(
        measures,
        relations,
        cumulative=cumulative,
        counts=[*(ledger.counts for ledger in history), plan.counts],
        earlier=released,
        natural={key: natural_precision(plan.counts[key]) for key in shown},
        figures=figures,
        bands=bands,
        whole_scores=whole_scores,
    )
    # Last, every figure of every release read at once (see `joint_audit`).
    now = {key: found for key, level in precision.items() if (found := figures(key, level))}
    joint = audit_jointly(
        [bucketed(m, relations, whole_scores) for m in measures],
        cumulative=cumulative,
        counts=[
            *({k: ledger.counts[k] for k in ledger.shown} for ledger in history),
            {k: plan.counts[k] for k in plan.visible},
        ],
        shown=[*released, now],
        bands={s: [*(bands or {})[s][:-1], coded[s]] for s in coded},
        headlines={m.displays: m.key for m in measures if m.displays is not None},
        precision=precision,
        figures=figures,
        truth=truth,
    )
    return {key: build(key, level) for key, level in joint.precision.items()}, joint.bands


def whole_scores(everyone: Mapping[str, ScaleCell]) -> bool:
    """Whether every score of every scale (headline and parts) is a whole number."""
    return all(
        tenths % 10 == 0
        for cell in everyone.values()
        for acc in (cell.headline, *cell.subscales.values())
        for tenths in acc.histogram
    )
