"""CSV export of exactly the released figures a person may see: one row per group and figure.

Pure: a payload and a scope in, text out. Hidden groups and hidden figures read the one
shared wording. Text cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from typing import Any

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.group_parts import summary_of
from survey.results.presenter import base_and_subgroups, subgroup_label
from survey.services.release_access import Scope, filter_payload
from survey.spreadsheet import FORMULA_STARTS, Cell, defuse

__all__ = ["FORMULA_STARTS", "comment_line", "defuse", "release_csv", "release_rows"]

HEADER = ("group", "level", "subgroup", "scale", "figure", "value")
Row = tuple[Cell, ...]


# Characters that could split the comment line into cells (',' or, in some locales, ';').
_COMMENT_UNSAFE = re.compile(r'[,;"\t\r\n]+')


def _summary_rows(prefix: str, data: Mapping[str, Any] | None) -> Iterator[tuple[str, Cell]]:
    summary = summary_of(data)
    if summary.hidden:
        yield prefix, SUPPRESSED_TEXT
        return
    for name, value in (
        ("mean", summary.mean),
        ("mean at least", summary.low),
        ("mean at most", summary.high),
        ("95% CI low", summary.ci_low),
        ("95% CI high", summary.ci_high),
        ("SD", summary.sd),
    ):
        if value is not None:
            yield f"{prefix} {name}", value


def _scale_rows(figures: Mapping[str, Any], headline: str) -> Iterator[tuple[str, Cell]]:
    yield from _summary_rows("score", figures.get("headline"))
    for sub in figures.get("subscales", []):
        if sub.get("key") != headline:
            yield from _summary_rows(f"{sub['label']} score", sub.get("summary"))
    cells = (figures.get("bands") or {}).get("cells") or []
    if not cells:
        yield "bands", SUPPRESSED_TEXT
    for cell in cells:
        yield f"band: {cell['label']}", cell["text"]
    comparison = figures.get("comparison")
    if comparison and comparison.get("precision") == "ranges":
        yield "previous round", comparison.get("previous_wave", "")
        yield "change since previous round at least", comparison["low"]
        yield "change since previous round at most", comparison["high"]
    if comparison and comparison.get("diff") is not None:
        yield "previous round", comparison.get("previous_wave", "")
        for name, key in (
            ("previous round mean", "previous_mean"),
            ("change since previous round", "diff"),
            ("change 95% CI low", "ci_low"),
            ("change 95% CI high", "ci_high"),
            ("change effect size (Hedges' g)", "hedges_g"),
        ):
            if comparison.get(key) is not None:
                yield name, comparison[key]
    for item in figures.get("items", []):
        yield f"item {item['number']} mean", item["mean"]


def _group_rows(
    group: Mapping[str, Any], base_label: str, scales: list[Mapping[str, Any]]
) -> Iterator[Row]:
    subgroup = ""
    if group.get("attribute") is not None:
        subgroup = f"{group['attribute']}: {subgroup_label(group, base_label)}"
    where = (base_label, str(group.get("level", "")), subgroup)
    if not group.get("shown"):
        yield (*where, "", "status", SUPPRESSED_TEXT)
        return
    yield (*where, "", "responses counted", int(group["n"]))
    for scale in scales:
        figures = group.get("scales", {}).get(scale["key"])
        if figures is not None:
            for figure, value in _scale_rows(figures, str(scale.get("headline", ""))):
                yield (*where, str(scale["name"]), figure, value)


def release_rows(payload: Mapping[str, Any], scope: Scope) -> Iterator[Row]:
    """The export's data rows, groups in display order, each followed by its subgroups."""
    visible = filter_payload(dict(payload), scope)
    scales = list(visible.get("scales", []))
    for base, subgroups in base_and_subgroups(visible):
        label = str(base.get("label", base["key"]))
        yield from _group_rows(base, label, scales)
        for sub in subgroups:
            yield from _group_rows(sub, label, scales)


def comment_line(payload: Mapping[str, Any]) -> str:
    """The first line: which wave and release the figures come from, and the wave's k.

    It holds no comma, semicolon, quote or line break, so a spreadsheet reads it as one
    cell starting with '#', which is never a formula.
    """
    # 'Follow-up, autumn' reads 'Follow-up autumn': one space where a comma stood.
    wave = " ".join(_COMMENT_UNSAFE.sub(" ", str(payload["wave"]["name"])).split())
    parts = [
        "# Lantern results",
        f"wave: {wave}",
        f"release number {payload['sequence']} of this wave ({payload['kind']})",
        f"made on {payload.get('made_on')}",
        f"k = {payload['k']} (the smallest group size shown)",
    ]
    if payload.get("synthetic"):
        parts.append("synthetic data")
    return " | ".join(_COMMENT_UNSAFE.sub(" ", part) for part in parts)


def release_csv(payload: Mapping[str, Any], scope: Scope) -> str:
    """The whole CSV text: a comment line naming the release, a header row, the figures."""
    out = io.StringIO()
    out.write(comment_line(payload) + "\r\n")
    # Text quoted, numbers bare: a ';' inside a label cannot split a cell in any locale.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(HEADER)
    for row in release_rows(payload, scope):
        writer.writerow([defuse(cell) for cell in row])
    return out.getvalue()
