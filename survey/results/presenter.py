"""From a release payload and what a person may see, to what a results page shows.

Pure: no database, no request. Every figure comes from the payload of a Release; the
payload is cut down to the viewer's groups here again (it already was, when loaded), so
a page can only ever show a group the viewer holds. Hidden groups carry nothing but the
one shared wording, so the page cannot say anything else about them either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from survey.results.charts import (
    BandBar,
    Whisker,
    band_chart,
    number,
    whisker_chart,
)
from survey.results.group_parts import (
    PageContext,
    band_legend,
    band_spans,
    item_rows,
    part_view,
    released,
    section_words,
    summary_of,
    whisker_of,
)
from survey.results.heatmap import Heatmap, heatmap
from survey.results.page import (
    BandRow,
    Comparison,
    LabelledSummary,
    Overview,
    ReleasePage,
    ScaleView,
    Section,
    SubgroupBlock,
    Summary,
)
from survey.results.plain_words import (
    participation_words,
    placement,
    rate_guidance,
)
from survey.results.scales import parts_of
from survey.results.trend import group_trend
from survey.results.wording import (
    HIDDEN_STATUS,
    RANGES_NOTE,
    comparison_words,
    effect_size_words,
    notes,
    range_change_words,
    shown_status,
)
from survey.services.release_access import Scope, filter_payload

LEVEL_WORDS = {"alliance": "Alliance", "organisation": "Organisation", "team": "Team"}
WHOM = {
    "alliance": "the alliance's staff",
    "organisation": "the organisation's staff",
    "team": "the team",
}


def anchor_for(key: str) -> str:
    """A page anchor for a group key ('team:3' -> 'group-team-3')."""
    return "group-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def attribute_heading(attribute: str) -> str:
    """A readable heading for a subgroup attribute ('role_group' -> 'By role group')."""
    return "By " + attribute.replace("_", " ").strip()


def subgroup_label(group: Mapping[str, Any], base_label: str) -> str:
    """A subgroup's own part of its label ('Team, Clinical role' -> 'Clinical role')."""
    label = str(group.get("label", ""))
    prefix = base_label + ", "
    return label[len(prefix) :] if label.startswith(prefix) else label


def _axis(scale: Mapping[str, Any]) -> tuple[float, float]:
    low, high = scale.get("range") or (0, 1)
    return float(low), float(high)


def _bands(figures: Mapping[str, Any]) -> list[BandRow]:
    cells = (figures.get("bands") or {}).get("cells") or []
    return [
        BandRow(c["label"], c["text"], c["lower"], c["upper"], bool(c.get("lower_open")))
        for c in cells
    ]


def _comparison(
    data: Mapping[str, Any] | None, current: Summary, label: str, scale: Mapping[str, Any]
) -> Comparison | None:
    if not data:
        return None
    previous_wave = str(data.get("previous_wave", "the previous round"))
    if data.get("precision") == "ranges":
        return Comparison(
            previous_wave=previous_wave,
            previous_mean=None,
            current_mean=None,
            diff=None,
            ci_low=data.get("low"),
            ci_high=data.get("high"),
            hedges_g=None,
            size_word=None,
            words=range_change_words(previous_wave, data.get("low"), data.get("high")),
            chart=None,
        )
    if data.get("diff") is None:
        return None
    rows = []
    if data.get("previous_mean") is not None:
        rows.append(Whisker(f"Previous round ({previous_wave})", data["previous_mean"]))
    this_round = whisker_of("This round", current)
    if this_round is not None:
        rows.append(this_round)
    chart = (
        whisker_chart(
            f"{scale['name']}, {label}: this round beside the previous one", rows, _axis(scale)
        )
        if rows
        else None
    )
    return Comparison(
        previous_wave=previous_wave,
        previous_mean=data.get("previous_mean"),
        current_mean=current.mean,
        diff=data["diff"],
        ci_low=data.get("ci_low"),
        ci_high=data.get("ci_high"),
        hedges_g=data.get("hedges_g"),
        size_word=effect_size_words(data.get("hedges_g")),
        words=comparison_words(
            previous_wave,
            data["diff"],
            data.get("ci_low"),
            data.get("ci_high"),
            data.get("hedges_g"),
        ),
        chart=chart,
    )


def _subgroups(
    subgroups: Sequence[Mapping[str, Any]], base_label: str, scale: Mapping[str, Any]
) -> list[SubgroupBlock]:
    by_attribute: dict[str, list[LabelledSummary]] = {}
    for group in subgroups:
        label = subgroup_label(group, base_label)
        summary = None
        if group.get("shown"):
            figures = group.get("scales", {}).get(scale["key"], {})
            summary = summary_of(figures.get("headline"))
        row = LabelledSummary(label, bool(group.get("shown")), summary)
        by_attribute.setdefault(str(group.get("attribute")), []).append(row)
    blocks = []
    for attribute, rows in by_attribute.items():
        heading = attribute_heading(attribute)
        whiskers = [w for r in rows if r.summary and (w := whisker_of(r.label, r.summary))]
        title = f"{scale['name']} {heading.lower()}, {base_label}"
        chart = whisker_chart(title, whiskers, _axis(scale)) if whiskers else None
        blocks.append(SubgroupBlock(heading, rows, chart))
    return blocks


def _scale_view(
    group: Mapping[str, Any],
    scale: Mapping[str, Any],
    subgroups: Sequence[Mapping[str, Any]],
    context: PageContext,
) -> ScaleView | None:
    figures = group.get("scales", {}).get(scale["key"])
    if figures is None:
        return None
    label = str(group.get("label", ""))
    parts = parts_of(scale)
    headline_key = str(scale.get("headline"))
    facts = parts.get(headline_key)
    headline = summary_of(figures.get("headline"))
    whisker = whisker_of("Average score", headline)
    headline_chart = (
        whisker_chart(f"{scale['name']}, {label}", [whisker], _axis(scale), bands=band_spans(facts))
        if whisker
        else None
    )
    bands = _bands(figures)
    chart_bars = [BandBar(b.label, b.text, b.lower, b.upper) for b in bands]
    subscales = [
        LabelledSummary(sub["label"], True, summary_of(sub.get("summary")))
        for sub in figures.get("subscales", [])
        if sub.get("key") != scale.get("headline")
    ]
    by_key = {sub.get("key"): sub.get("summary") for sub in figures.get("subscales", [])}
    part_views = [
        part_view(part, by_key.get(key), label, str(scale["name"]))
        for key, part in parts.items()
        if key != "total" and key in by_key
    ]
    wording = context.wording.get(str(scale["key"]))
    return ScaleView(
        key=scale["key"],
        name=scale["name"],
        score_range="{} to {}".format(*(number(x, 0) for x in _axis(scale))),
        headline=headline,
        headline_chart=headline_chart,
        bands=bands,
        band_chart=band_chart(f"{scale['name']} bands, {label}", chart_bars) if bands else None,
        comparison=_comparison(figures.get("comparison"), headline, label, scale),
        subscales=subscales,
        items=item_rows(figures, scale, wording, parts),
        subgroups=_subgroups(subgroups, label, scale),
        direction=facts.direction if facts else "",
        placement=placement(facts, released(headline)) if facts else "",
        headline_label=facts.label if facts else "Total",
        parts=part_views,
        band_legend=band_legend(facts),
        items_note=context.wording_notes.get(str(scale["key"]), ""),
        trend=group_trend(
            context.rounds, str(group["key"]), str(scale["key"]), facts, band_spans(facts)
        ),
    )


def _section(
    group: Mapping[str, Any],
    scales: Sequence[Mapping[str, Any]],
    subs: list[Mapping[str, Any]],
    context: PageContext,
) -> Section:
    key = str(group["key"])
    shown = bool(group.get("shown"))
    views = [_scale_view(group, scale, subs, context) for scale in scales] if shown else []
    scale_views = [view for view in views if view is not None]
    participation = group.get("participation")
    orphans = []
    if not shown and any(sub.get("shown") for sub in subs):
        label = str(group.get("label", key))
        orphans = [(str(scale["name"]), _subgroups(subs, label, scale)) for scale in scales]
    return Section(
        key=key,
        anchor=anchor_for(key),
        level=LEVEL_WORDS.get(str(group.get("level")), "Group"),
        heading=str(group.get("label", key)),
        shown=shown,
        status=shown_status(int(group["n"])) if shown else HIDDEN_STATUS,
        scales=scale_views,
        precision_note=RANGES_NOTE if shown and group.get("precision") == "ranges" else "",
        hidden_group_subgroups=orphans,
        plain_words=section_words(group, scale_views, scales, context) if shown else [],
        participation=participation_words(int(group["n"]), participation) if shown else "",
        rate_guidance=rate_guidance(participation, WHOM.get(str(group.get("level")), "the group"))
        if shown
        else "",
        team_id=int(group["id"]) if group.get("level") == "team" else None,
        organisation_id=int(group["id"]) if group.get("level") == "organisation" else None,
    )


def chart_label(label: str, others: set[str]) -> str:
    """A team's label without its organisation's name when that organisation is charted too."""
    organisation, sep, team = label.partition(": ")
    return team if sep and organisation in others else label


def _overviews(sections: list[Section], scales: Sequence[Mapping[str, Any]]) -> list[Overview]:
    if len(sections) < 2:
        return []
    labels = {section.heading for section in sections}
    overviews = []
    for scale in scales:
        rows = []
        for section in sections:
            view = next((v for v in section.scales if v.key == scale["key"]), None)
            rows.append(
                LabelledSummary(section.heading, section.shown, view.headline if view else None)
            )
        whiskers = [
            replace(w, label=chart_label(r.label, labels), spoken=r.label)
            for r in rows
            if r.summary and (w := whisker_of(r.label, r.summary))
        ]
        title = f"{scale['name']}, your groups side by side"
        bands = band_spans(parts_of(scale).get(str(scale.get("headline"))))
        chart = whisker_chart(title, whiskers, _axis(scale), bands=bands) if whiskers else None
        overviews.append(Overview(scale["name"], rows, chart))
    return overviews


def base_and_subgroups(
    payload: Mapping[str, Any],
) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """The payload's base groups in display order, each with its subgroups."""
    groups = payload.get("groups", {})
    ordered = [groups[key] for key in payload.get("order", []) if key in groups]
    bases: dict[tuple[str, Any], tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = {}
    for group in ordered:
        if group.get("attribute") is None:
            bases[(group["level"], group.get("id"))] = (group, [])
    for group in ordered:
        if group.get("attribute") is not None:
            base = bases.get((group["level"], group.get("id")))
            if base is not None:
                base[1].append(group)
    return list(bases.values())


def _heatmap(sections: Sequence[Section], visible: Mapping[str, Any]) -> Heatmap | None:
    if len(sections) < 2:
        return None
    groups = visible.get("groups", {})
    labels = {s.heading for s in sections}
    rows = [
        (chart_label(s.heading, labels), s.level, s.anchor, groups[s.key])
        for s in sections
        if s.key in groups
    ]
    return heatmap(rows, list(visible.get("scales", [])))


def present_release(
    payload: Mapping[str, Any], scope: Scope, context: PageContext | None = None
) -> ReleasePage:
    """Build the results page of a release for one viewer."""
    context = context or PageContext()
    visible = filter_payload(dict(payload), scope)
    scales = list(visible.get("scales", []))
    sections = [
        _section(group, scales, subs, context) for group, subs in base_and_subgroups(visible)
    ]
    return ReleasePage(
        wave_name=str(visible["wave"]["name"]),
        questionnaire=str(visible.get("questionnaire", {}).get("title", "")),
        sequence=int(visible["sequence"]),
        kind=str(visible["kind"]),
        made_on=str(visible.get("made_on", "")),
        k=int(visible["k"]),
        synthetic=bool(visible.get("synthetic")),
        sections=sections,
        overviews=_overviews(sections, scales),
        notes=notes(
            k=int(visible["k"]),
            synthetic=bool(visible.get("synthetic")),
            interim=visible["kind"] == "interim",
            scales=[(s["name"], s.get("bands", [])) for s in scales],
        ),
        citations=[str(s["citation"]) for s in scales if s.get("citation")],
        heatmap=_heatmap(sections, visible),
    )
