"""CSV export in a spreadsheet's shape: one row per group, one column per figure.

Pure: a payload and a scope in, text out. Number columns hold only numbers (or nothing,
when a figure is hidden or not released at that size); text stays in text columns. The
wave is a column, not a comment line, and headers are words, not internal keys.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.export import defuse
from survey.results.presenter import attribute_heading, base_and_subgroups, subgroup_label
from survey.results.scales import parts_of, short_name
from survey.services.release_access import Scope, filter_payload

Cell = str | int | float | None
_SUMMARY = (
    ("average", "mean"),
    ("average at least", "low"),
    ("average at most", "high"),
    ("95% CI low", "ci_low"),
    ("95% CI high", "ci_high"),
    ("SD", "sd"),
)
_CHANGE = (
    ("change since previous round", "diff"),
    ("change 95% CI low", "ci_low"),
    ("change 95% CI high", "ci_high"),
    ("change at least", "low"),
    ("change at most", "high"),
)


def slug(text: str) -> str:
    """A file-name part: 'Autumn 2026: District nursing' -> 'autumn-2026-district-nursing'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "results"


def _columns(scale: Mapping[str, Any], items: Sequence[int]) -> list[tuple[str, tuple[Any, ...]]]:
    """(header, how to read it) for every figure of one scale."""
    name = short_name(str(scale["name"]))
    columns: list[tuple[str, tuple[Any, ...]]] = []
    for key, facts in parts_of(scale).items():
        for words, field in _SUMMARY:
            columns.append((f"{name} {facts.label.lower()} {words}", ("part", key, field)))
    for index, band in enumerate(scale.get("bands", [])):
        for words, field in (("at least", "lower"), ("at most", "upper")):
            columns.append((f"{name} share in band {band} (%) {words}", ("band", index, field)))
    columns.append((f"{name} band shares as shown", ("bands text",)))
    columns.append((f"{name} previous round", ("previous",)))
    for words, field in _CHANGE:
        columns.append((f"{name} {words}", ("change", field)))
    for number in items:
        columns.append((f"{name} question {number} average", ("item", number)))
    return columns


def _summary(figures: Mapping[str, Any], part: str, headline: str) -> Mapping[str, Any]:
    for sub in figures.get("subscales", []):
        if sub.get("key") == part:
            found: Mapping[str, Any] = sub.get("summary") or {}
            return found
    return (figures.get("headline") or {}) if part == headline else {}


def _value(figures: Mapping[str, Any], how: tuple[Any, ...], headline: str) -> Cell:
    kind = how[0]
    if kind == "part":
        summary = _summary(figures, how[1], headline)
        return None if summary.get("hidden") else summary.get(how[2])
    cells = (figures.get("bands") or {}).get("cells") or []
    if kind == "band":
        cell = next((c for c in cells if list(c.get("bands", [])) == [how[1]]), None)
        return None if cell is None else cell[how[2]]
    if kind == "bands text":
        return "; ".join(f"{c['label']}: {c['text']}" for c in cells) or SUPPRESSED_TEXT
    comparison = figures.get("comparison") or {}
    if kind == "previous":
        return comparison.get("previous_wave")
    if kind == "change":
        return comparison.get(how[1])
    item = next((i for i in figures.get("items", []) if i["number"] == how[1]), None)
    return None if item is None else item.get("mean")


def _rate(group: Mapping[str, Any], field: str) -> Cell:
    participation = group.get("participation") or {}
    value: Cell = participation.get(field)
    return value


def wide_csv(payload: Mapping[str, Any], scope: Scope, group: str | None = None) -> str:
    """The whole CSV text: one header row, one row per visible group (or per `group`'s rows)."""
    visible = filter_payload(dict(payload), scope)
    scales = list(visible.get("scales", []))
    items = {
        s["key"]: sorted(
            {
                i["number"]
                for g in visible["groups"].values()
                for i in ((g.get("scales") or {}).get(s["key"], {}).get("items", []))
            }
        )
        for s in scales
    }
    per_scale = [(s, _columns(s, items[s["key"]])) for s in scales]
    header = [
        "Wave",
        "Release",
        "Release date",
        "Group",
        "Level",
        "Subgroup",
        "Status",
        "Responses",
        "Headcount",
        "Response rate (%)",
        "Response rate (%) at least",
        "Response rate (%) at most",
    ] + [title for _, columns in per_scale for title, _ in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([defuse(h) for h in header])
    release = f"{visible['sequence']} ({visible['kind']})"
    for base, subgroups in base_and_subgroups(visible):
        if group is not None and base["key"] != group:
            continue
        label = str(base.get("label", base["key"]))
        for entry in (base, *subgroups):
            subgroup = ""
            if entry.get("attribute") is not None:
                heading = attribute_heading(str(entry["attribute"]))
                subgroup = f"{heading}: {subgroup_label(entry, label)}"
            shown = bool(entry.get("shown"))
            row: list[Cell] = [
                visible["wave"]["name"],
                release,
                visible.get("made_on"),
                label,
                str(entry.get("level", "")).capitalize(),
                subgroup,
                "shown" if shown else SUPPRESSED_TEXT,
                entry.get("n") if shown else None,
                _rate(entry, "headcount") if shown else None,
                _rate(entry, "rate") if shown else None,
                _rate(entry, "rate_low") if shown else None,
                _rate(entry, "rate_high") if shown else None,
            ]
            for scale, columns in per_scale:
                figures = (entry.get("scales") or {}).get(scale["key"]) if shown else None
                headline = str(scale.get("headline"))
                row += [
                    _value(figures, how, headline) if figures is not None else None
                    for _, how in columns
                ]
            writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()


def file_name(
    payload: Mapping[str, Any], scope: Scope, group: str | None, *, long: bool = False
) -> str:
    """'lantern-autumn-2026-district-nursing.csv': the wave, then the group (or 'all-groups')."""
    visible = filter_payload(dict(payload), scope)
    bases = [b for b, _ in base_and_subgroups(visible) if group is None or b["key"] == group]
    part = "all-groups"
    if len(bases) == 1:
        label = str(bases[0].get("label"))
        # A team's file is named by the team: 'District nursing', not 'Org: District nursing'.
        part = slug(label.partition(": ")[2] if bases[0].get("level") == "team" else label)
    suffix = "-long" if long else ""
    return f"lantern-{slug(str(visible['wave']['name']))}-{part}{suffix}.csv"
