"""Scale templates: the published facts (INSTRUMENTS.md) and the self-consistency checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from survey.domain.scale_types import band_for
from survey.domain.templates import (
    TEMPLATES,
    TOTAL,
    Band,
    CriteriaRule,
    ScaleTemplate,
    Subscale,
    TemplateError,
    get_template,
    validate_template,
    validate_templates,
)


def test_shipped_templates_pass_validation() -> None:
    validate_templates(TEMPLATES)
    assert sorted(TEMPLATES) == ["pcl5", "proqol5", "stss"]


def test_get_template_returns_by_key_and_rejects_unknown() -> None:
    assert get_template("stss") is TEMPLATES["stss"]
    with pytest.raises(KeyError):
        get_template("ies-r")


def _items(template: ScaleTemplate) -> dict[str, tuple[int, ...]]:
    return {s.key: s.items for s in template.subscales}


def test_stss_facts() -> None:
    t = get_template("stss")
    assert (t.n_items, t.timeframe, t.values) == (17, "the past 7 days", (1, 2, 3, 4, 5))
    assert [o.label for o in t.options] == [
        "Never",
        "Rarely",
        "Occasionally",
        "Often",
        "Very often",
    ]
    assert _items(t) == {
        "intrusion": (2, 3, 6, 10, 13),
        "avoidance": (1, 5, 7, 9, 12, 14, 17),
        "arousal": (4, 8, 11, 15, 16),
    }
    assert t.reverse_items == ()
    assert t.score_range(17) == (17, 85)
    assert [t.score_range(s.n_items) for s in t.subscales] == [(5, 25), (7, 35), (5, 25)]
    assert [(b.key, b.low, b.high) for b in t.total_bands] == [
        ("little", 17, 27),
        ("mild", 28, 37),
        ("moderate", 38, 43),
        ("high", 44, 48),
        ("severe", 49, 85),
    ]
    assert [b.key for b in t.total_bands if b.concern] == ["high", "severe"]
    assert t.has_total and t.headline == TOTAL
    assert "permission" in t.licence


def test_proqol_facts() -> None:
    t = get_template("proqol5")
    assert (t.n_items, t.timeframe, t.values) == (30, "the past 30 days", (1, 2, 3, 4, 5))
    assert _items(t) == {
        "compassion_satisfaction": (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
        "burnout": (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
        "sts": (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
    }
    assert t.reverse_items == (1, 4, 15, 17, 29)
    assert not t.has_total and t.headline == "sts"
    for subscale in t.subscales:
        assert t.score_range(subscale.n_items) == (10, 50)
        assert [(b.key, b.low, b.high) for b in subscale.bands] == [
            ("low", 10, 22),
            ("moderate", 23, 41),
            ("high", 42, 50),
        ]
    assert "proqol.org" in t.licence


def test_proqol_reverse_mapping_only_on_reverse_items() -> None:
    t = get_template("proqol5")
    # 1<->5, 2<->4, 3 stays 3 on items 1, 4, 15, 17, 29.
    assert [t.keyed_value(1, v) for v in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert [t.keyed_value(29, v) for v in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert [t.keyed_value(8, v) for v in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]


def test_pcl5_facts() -> None:
    t = get_template("pcl5")
    assert (t.n_items, t.timeframe, t.values) == (20, "the past month", (0, 1, 2, 3, 4))
    assert _items(t) == {
        "b": (1, 2, 3, 4, 5),
        "c": (6, 7),
        "d": (8, 9, 10, 11, 12, 13, 14),
        "e": (15, 16, 17, 18, 19, 20),
    }
    assert t.score_range(20) == (0, 80)
    assert [(b.low, b.high, b.concern) for b in t.total_bands] == [(0, 32, False), (33, 80, True)]
    assert "31-33" in t.notes
    assert t.criteria is not None
    assert t.criteria.threshold == 2
    assert dict(t.criteria.minimum) == {"b": 1, "c": 1, "d": 2, "e": 2}
    assert "not a diagnosis" in t.criteria.label
    assert "public domain" in t.licence


@pytest.mark.parametrize(
    ("key", "limits"),
    [
        ("stss", {"intrusion": 1, "avoidance": 1, "arousal": 1}),
        ("proqol5", {"compassion_satisfaction": 2, "burnout": 2, "sts": 2}),
        ("pcl5", {"b": 1, "c": 0, "d": 1, "e": 1}),
    ],
)
def test_missing_item_limits_are_the_stated_project_rule(key: str, limits: dict[str, int]) -> None:
    t = TEMPLATES[key]
    assert t.missing_rule.startswith("Project rule (no published rule found)")
    assert {s.key: s.max_missing for s in t.subscales} == limits


def test_band_for_uses_highest_lower_bound_at_or_below_score() -> None:
    bands = get_template("stss").total_bands
    # 37.5 is above mild's upper bound 37 but below moderate's lower bound 38: mild.
    assert band_for(bands, 37.5).key == "mild"  # type: ignore[union-attr]
    assert band_for(bands, 38.0).key == "moderate"  # type: ignore[union-attr]
    assert band_for(bands, 27.9).key == "little"  # type: ignore[union-attr]
    assert band_for((), 40.0) is None


STSS = TEMPLATES["stss"]
PROQOL = TEMPLATES["proqol5"]
PCL5 = TEMPLATES["pcl5"]


def _with_bands(*bands: Band) -> ScaleTemplate:
    return dataclasses.replace(STSS, total_bands=bands)


def _band(key: str, low: int, high: int, level: int) -> Band:
    return Band(key, key.title(), low, high, level, concern=False)


def _with_subscales(*subscales: Subscale) -> ScaleTemplate:
    return dataclasses.replace(STSS, subscales=subscales)


BROKEN: dict[str, tuple[Callable[[], ScaleTemplate], str]] = {
    "values not contiguous": (
        lambda: dataclasses.replace(STSS, options=STSS.options[:2] + STSS.options[3:]),
        "contiguous and increasing",
    ),
    "duplicate labels": (
        lambda: dataclasses.replace(
            STSS, options=(*STSS.options[:4], dataclasses.replace(STSS.options[4], label="Often"))
        ),
        "labels",
    ),
    "item in two subscales": (
        lambda: _with_subscales(
            dataclasses.replace(STSS.subscales[0], items=(1, 2, 3, 6, 10, 13)), *STSS.subscales[1:]
        ),
        "partition",
    ),
    "item in no subscale": (
        lambda: _with_subscales(
            dataclasses.replace(STSS.subscales[0], items=(2, 3, 6, 10)), *STSS.subscales[1:]
        ),
        "partition",
    ),
    "duplicate subscale key": (
        lambda: _with_subscales(
            STSS.subscales[0],
            dataclasses.replace(STSS.subscales[1], key="intrusion"),
            STSS.subscales[2],
        ),
        "unique",
    ),
    "max_missing equals items": (
        lambda: _with_subscales(
            dataclasses.replace(STSS.subscales[0], max_missing=5), *STSS.subscales[1:]
        ),
        "max_missing",
    ),
    "band gap": (
        lambda: _with_bands(_band("a", 17, 30, 0), _band("b", 32, 85, 1)),
        "contiguous",
    ),
    "band overlap": (
        lambda: _with_bands(_band("a", 17, 30, 0), _band("b", 30, 85, 1)),
        "contiguous",
    ),
    "bands short of the top": (
        lambda: _with_bands(_band("a", 17, 30, 0), _band("b", 31, 84, 1)),
        "cover 17-85",
    ),
    "bands from the wrong bottom": (
        lambda: _with_bands(_band("a", 0, 30, 0), _band("b", 31, 85, 1)),
        "cover 17-85",
    ),
    "inverted band": (
        lambda: _with_bands(_band("a", 17, 40, 0), _band("b", 41, 40, 1), _band("c", 41, 85, 2)),
        "above its high bound",
    ),
    "levels out of order": (
        lambda: _with_bands(_band("a", 17, 30, 1), _band("b", 31, 85, 0)),
        "levels",
    ),
    "duplicate band keys": (
        lambda: _with_bands(_band("a", 17, 30, 0), _band("a", 31, 85, 1)),
        "band keys",
    ),
    "no bands for a total": (_with_bands, "at least one band"),
    "total bands without a total": (
        lambda: dataclasses.replace(STSS, has_total=False, headline="intrusion"),
        "no total",
    ),
    "headline subscale has no bands": (
        lambda: dataclasses.replace(PROQOL, headline="nope"),
        "headline",
    ),
    "headline total without a total": (
        lambda: dataclasses.replace(PROQOL, headline=TOTAL),
        "headline",
    ),
    "reverse item out of range": (
        lambda: dataclasses.replace(PROQOL, reverse_items=(1, 31)),
        "out of range",
    ),
    "reverse map misses a value": (
        lambda: dataclasses.replace(PROQOL, reverse_map=PROQOL.reverse_map[:4]),
        "reverse_map",
    ),
    "reverse map not a permutation": (
        lambda: dataclasses.replace(PROQOL, reverse_map=((1, 5), (2, 4), (3, 3), (4, 4), (5, 1))),
        "permutation",
    ),
    "reverse map without reverse items": (
        lambda: dataclasses.replace(STSS, reverse_map=PROQOL.reverse_map),
        "no item is reverse-keyed",
    ),
    "empty missing rule": (lambda: dataclasses.replace(STSS, missing_rule=" "), "missing_rule"),
    "criteria on unknown cluster": (
        lambda: dataclasses.replace(PCL5, criteria=CriteriaRule("f", "l", 2, (("b", 1), ("x", 1)))),
        "unknown subscale",
    ),
    "criteria needs more items than the cluster has": (
        lambda: dataclasses.replace(PCL5, criteria=CriteriaRule("f", "l", 2, (("c", 3),))),
        "out of range",
    ),
    "criteria threshold not a value": (
        lambda: dataclasses.replace(PCL5, criteria=CriteriaRule("f", "l", 7, (("b", 1),))),
        "threshold",
    ),
    "criteria repeats a cluster": (
        lambda: dataclasses.replace(PCL5, criteria=CriteriaRule("f", "l", 2, (("b", 1), ("b", 1)))),
        "distinct",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_template_rejects_inconsistent_templates(case: str) -> None:
    build, message = BROKEN[case]
    with pytest.raises(TemplateError, match=message):
        validate_template(build())


def test_validate_templates_rejects_a_template_filed_under_another_key() -> None:
    with pytest.raises(TemplateError, match="filed under"):
        validate_templates({"proqol5": STSS})
