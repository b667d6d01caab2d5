"""A lead who sees every figure of every release tries to pin anyone's band, and fails.

The release step runs as it does in production (count plan, band coding, magnitude audit)
on a small scale: four items 1-5, two subscales (one item reverse-keyed), a total with
three bands. The attacker (`magnitude_adversary`) uses every released count, mean, SD,
item mean and band range of every release jointly. Each hand-built case is also shown to
succeed when the guard that stops it is switched off, so these tests can fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from survey.domain import figures as figures_module
from survey.domain import joint_audit
from survey.domain.aggregate import WaveAggregate
from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.disclosure import Ledger, plan_release
from survey.domain.groups import NOT_ANSWERED, Cell, build_structure
from survey.domain.joint_audit import JointResult
from survey.domain.joint_truth import Truth, truth_of
from survey.domain.magnitude import FULL, RANGES, WITHHELD, natural_precision
from survey.domain.questionnaire_model import (
    ChoiceOption,
    ContextQuestion,
    Page,
    Questionnaire,
    Scale,
    ScaleItem,
)
from survey.domain.scale_types import TOTAL, Band, ResponseOption, ScaleTemplate, Subscale
from tests.domain.magnitude_adversary import Claim, Person, find_claims

MINI = ScaleTemplate(
    key="mini",
    name="Mini scale (tests only)",
    citation="",
    licence="",
    timeframe="",
    options=tuple(ResponseOption(v, str(v)) for v in range(1, 6)),
    n_items=4,
    subscales=(Subscale("a", "Part A", (1, 2), 0), Subscale("b", "Part B", (3, 4), 0)),
    has_total=True,
    total_bands=(
        Band("low", "Low", 4, 8, 0, concern=False),
        Band("mid", "Middle", 9, 14, 1, concern=False),
        Band("high", "High", 15, 20, 2, concern=True),
    ),
    headline=TOTAL,
    missing_rule="none may be missing",
    reverse_items=(4,),
    reverse_map=((1, 5), (2, 4), (3, 3), (4, 2), (5, 1)),
)
ITEMS = tuple(f"m{n}" for n in range(1, 5))
SCALE = Scale("mini", MINI, "", tuple(ScaleItem(i, "mini", n, "") for n, i in enumerate(ITEMS, 1)))


def questionnaire(attributes: int) -> Questionnaire:
    context = tuple(
        ContextQuestion(
            f"q{i}", "", "choice", (ChoiceOption("v0", "v0"), ChoiceOption("v1", "v1")), None, True
        )
        for i in range(attributes)
    )
    pages = (Page("", ITEMS + tuple(c.id for c in context)),)
    return Questionnaire("mini", 1, "", "", 1, "en", True, "", (SCALE,), context, pages)


def release_wave(
    q: Questionnaire, arrivals: Sequence[Sequence[Person]], k: int
) -> list[dict[str, Any]]:
    """Every release's `groups`, made as the release step makes them."""
    everyone: list[Person] = []
    ledgers: list[Ledger] = []
    band_history: list[BandRelease] = []
    payloads: list[dict[str, Any]] = []
    truths: list[dict[Cell, Truth]] = []
    for batch in arrivals:
        everyone += batch
        aggregate = WaveAggregate(q)
        for (org, team, attrs), _, answers in everyone:
            assert aggregate.add(org, team, {**answers, **dict(attrs)})
        plan = plan_release(aggregate.cell_counts(), k, ledgers)
        structure = build_structure(aggregate.cells)
        shown = {
            key: aggregate.merged(structure.cells[i] for i in structure.members[key])
            for key in plan.visible
        }
        bands = code_release_bands(
            plan,
            {key: shown[key]["mini"].headline.band_counts([4, 9, 15]) for key in shown},
            [b.label for b in MINI.total_bands],
            band_history,
        )
        figures, coded = figures_module.release_figures(
            q,
            shown,
            plan,
            ledgers,
            payloads,
            bands={"mini": [*band_history, bands]},
            whole_scores=figures_module.whole_scores(aggregate.merged(aggregate.cells)),
            truth=[*truths, truth_of(aggregate.cells)],
        )
        truths.append(truth_of(aggregate.cells))
        bands = coded["mini"]
        groups = {
            str(key): {
                "shown": True,
                "n": plan.counts[key],
                "scales": {"mini": {**figures[key]["mini"], "bands": bands.shown[key].to_json()}},
            }
            for key in shown
        }
        payloads.append(groups)
        ledgers.append(plan.ledger)
        band_history.append(bands)
    return payloads


def _unchecked(*_: Any, precision: Any, bands: Any, **__: Any) -> JointResult:
    """The joint check switched off: this release's figures as the other audits left them."""
    return JointResult(dict(precision), {scale: r[-1] for scale, r in bands.items()})


@contextmanager
def audit_off() -> Iterator[None]:
    """Release every group at its natural precision, as if there were no magnitude audit.

    Both audits go: the family-wise magnitude audit and the joint check of every figure.
    """
    real, joint = figures_module.audit_magnitudes, figures_module.audit_jointly

    def natural_only(*_: Any, natural: Any, bands: Any, **__: Any) -> Any:
        return dict(natural), {scale: releases[-1] for scale, releases in bands.items()}

    figures_module.audit_magnitudes = natural_only  # type: ignore[assignment]
    figures_module.audit_jointly = _unchecked  # type: ignore[assignment]
    try:
        yield
    finally:
        figures_module.audit_magnitudes, figures_module.audit_jointly = real, joint


def attack(q: Questionnaire, arrivals: Sequence[Sequence[Person]], k: int) -> list[Claim]:
    payloads = release_wave(q, arrivals, k)
    people = [person for batch in arrivals for person in batch]
    return find_claims(SCALE, payloads, people, max_people=len(people))


def person(org: str, team: str, values: Sequence[int], release: int = 0, **attrs: str) -> Person:
    cell: Cell = (org, team, tuple(sorted(attrs.items())))
    return (cell, release, dict(zip(ITEMS, values, strict=True)))


def same(n: int, org: str, team: str, values: Sequence[int], **attrs: str) -> list[Person]:
    return [person(org, team, values, **attrs) for _ in range(n)]


# --- hand-built attacks: each succeeds without the audit ----------------------------------------


def test_a_team_all_at_the_floor_is_pinned_by_its_ranges_without_the_audit() -> None:
    # Six people, every answer the lowest (part B's item 4 is reverse-keyed, so 5 there).
    q = questionnaire(0)
    wave = [same(6, "o", "t", (1, 1, 1, 5)) + same(6, "o", "u", (3, 4, 2, 3))]
    with audit_off():
        claims = attack(q, wave, 3)
    assert any(c.measure == "total" and c.atom[0][1] == "t" for c in claims)
    assert attack(q, wave, 3) == []


def test_org_minus_its_shown_team_pins_the_other_team_without_the_audit() -> None:
    # The organisation (12, full figures) less team u (ranges) is team t: all in the top band.
    q = questionnaire(0)
    wave = [
        same(6, "o", "t", (5, 5, 4, 1))
        + [person("o", "u", (v, 3, 3, 3)) for v in range(1, 6)]
        + [person("o", "u", (2, 2, 2, 2))]
    ]
    with audit_off():
        claims = attack(q, wave, 3)
    assert any(c.atom[0][1] == "t" for c in claims)
    assert attack(q, wave, 3) == []


def test_a_small_sd_pins_a_full_group_without_the_audit() -> None:
    # Ten people at 11 or 12 (middle band, 9-14): mean 11.5 and SD 0.5 put everyone
    # within 9 * 0.55 / sqrt(10) = 1.57 of the mean, inside the middle band.
    q = questionnaire(0)
    wave = [same(5, "o", "t", (3, 3, 3, 4)) + same(5, "o", "t", (3, 3, 3, 3))]
    with audit_off():
        claims = attack(q, wave, 5)
    assert {c.measure for c in claims} >= {"total"}
    assert attack(q, wave, 5) == []


def test_an_item_everyone_answered_at_the_floor_is_pinned_without_the_audit() -> None:
    # Ten people all answer item 1 with 1: a full item mean of 1.0 says so for certain.
    q = questionnaire(0)
    wave = [[person("o", "t", (1, v, 6 - v, v)) for v in (1, 2, 3, 4, 5) * 2]]
    with audit_off():
        claims = attack(q, wave, 5)
    assert Claim(((("o", "t", ())), 0), "m1", 1) in claims
    assert attack(q, wave, 5) == []


def test_a_newcomer_group_is_pinned_by_the_difference_of_releases_without_the_audit() -> None:
    # Ten mixed people, then five more all at the top: the growth of the team is pinned.
    q = questionnaire(0)
    first = [person("o", "t", (v, v, 6 - v, v)) for v in (1, 2, 3, 4, 5) * 2]
    later = [person("o", "t", (5, 5, 5, 1), release=1) for _ in range(5)]
    with audit_off():
        claims = attack(q, [first, later], 5)
    assert any(c.atom[1] == 1 for c in claims)
    assert attack(q, [first, later], 5) == []


def test_a_subgroup_and_its_team_pin_the_rest_of_the_team_without_the_audit() -> None:
    # Team of 12 = 6 answering q0 = v0 (mixed) + 6 with q0 not answered, all at the floor.
    q = questionnaire(1)
    mixed = [person("o", "t", (v, 3, 3, 3), q0="v0") for v in (1, 2, 3, 4, 5, 3)]
    floor = same(6, "o", "t", (1, 1, 1, 5), q0=NOT_ANSWERED)
    with audit_off():
        claims = attack(q, [mixed + floor], 3)
    assert any(dict(c.atom[0][2]).get("q0") == NOT_ANSWERED for c in claims)
    assert attack(q, [mixed + floor], 3) == []


def test_releases_and_partitions_read_together_are_checked_as_one_programme() -> None:
    # Found by bench/joint_attack.py (seed 3): the family-wise audits pass this wave, yet a
    # reader of both releases' counts, ranges and band breakdowns, across every partition at
    # once, proves that the first five of team t01 (at the floor) sit in the lowest band.
    # The joint check (`joint_audit`) is the guard; switched off alone, the attack succeeds.
    q = questionnaire(2)
    na, floor, low, mid, high = NOT_ANSWERED, (1, 1, 1, 5), (2, 3, 2, 4), (3, 2, 3, 3), (4, 4, 4, 2)
    first = [
        person("o0", "t01", (2, 2, 2, 4), q0=na, q1="v1"),
        person("o0", "t01", floor, q0="v0", q1="v0"),
        person("o0", "t01", floor, q0="v0", q1=na),
        person("o0", "t01", floor, q0=na, q1="v0"),
        person("o0", "t01", floor, q0=na, q1="v0"),
        person("o0", "t01", floor, q0="v0", q1="v0"),
        person("o1", "t10", high, q0="v1", q1="v1"),
        person("o1", "t10", high, q0="v1", q1=na),
        person("o1", "t10", high, q0="v0", q1="v1"),
    ]
    later = [
        person("o0", "t01", values, release=1, q0=a, q1=b)
        for values, a, b in [
            (low, "v1", na),
            (mid, "v0", na),
            (mid, "v0", "v0"),
            (low, "v1", na),
            (mid, na, na),
            (mid, na, na),
            (low, "v0", "v1"),
            (low, "v0", na),
            (low, "v0", na),
            (low, na, na),
        ]
    ] + [
        person("o1", "t10", values, release=1, q0=a, q1=b)
        for values, a, b in [
            (low, "v0", "v1"),
            (low, "v1", "v1"),
            (mid, "v0", "v0"),
            (low, "v0", "v1"),
            (mid, "v0", "v1"),
        ]
    ]
    real = figures_module.audit_jointly
    figures_module.audit_jointly = _unchecked  # type: ignore[assignment]
    try:
        claims = attack(q, [first, later], 5)
    finally:
        figures_module.audit_jointly = real
    assert any(c.atom[0][1] == "t01" and c.atom[1] == 0 for c in claims)
    assert attack(q, [first, later], 5) == []
    with checked_an_organisation_at_a_time():
        assert attack(q, [first, later], 5) == []


@contextmanager
def checked_an_organisation_at_a_time() -> Iterator[None]:
    """The joint check as it runs on large waves: one organisation at a time."""
    real = joint_audit.WHOLE_WAVE_ATOMS
    joint_audit.WHOLE_WAVE_ATOMS = 0
    try:
        yield
    finally:
        joint_audit.WHOLE_WAVE_ATOMS = real


def test_the_check_by_organisation_holds_everyone_else_at_the_truth() -> None:
    # Two organisations; the check of one may move only its own people, so the alliance's
    # figures bind it exactly as they bind the truth: it must still clear or coarsen.
    q = questionnaire(1)
    wave = [same(3, "o", "t0", (1, 1, 1, 5), q0="v0") + same(4, "p", "t1", (3, 3, 3, 3), q0="v1")]
    with checked_an_organisation_at_a_time():
        scoped = release_wave(q, wave, 3)
    whole = release_wave(q, wave, 3)
    assert attack(q, wave, 3) == []
    with checked_an_organisation_at_a_time():
        assert attack(q, wave, 3) == []
    # Holding others fixed can only hide more: never a figure the whole-wave check withheld.
    for mine, theirs in zip(scoped, whole, strict=True):
        for key, group in theirs.items():
            if group["scales"]["mini"]["precision"] == WITHHELD:
                assert mine[key]["scales"]["mini"]["precision"] == WITHHELD


def test_a_group_s_figures_are_one_family_at_one_precision() -> None:
    q = questionnaire(1)
    wave = [same(6, "o", "t", (1, 1, 1, 5)) + same(6, "o", "u", (3, 4, 2, 3))]
    for groups in release_wave(q, wave, 3):
        for group in groups.values():
            figures = group["scales"]["mini"]
            levels = {figures["precision"]}
            levels |= {s["summary"].get("precision", WITHHELD) for s in figures["subscales"]}
            levels |= {i["precision"] for i in figures["items"]}
            assert len(levels) == 1
            if figures["precision"] == WITHHELD:
                assert figures["headline"]["hidden"] and not figures["items"]
            assert "median" not in figures["headline"]
            if figures["precision"] == RANGES or group["n"] < 10:
                assert "sd" not in figures["headline"] and "mean" not in figures["headline"]


def test_natural_precision_follows_group_size() -> None:
    assert [natural_precision(n) for n in (3, 9, 10, 400)] == [RANGES, RANGES, FULL, FULL]


# --- hypothesis: alliances of small teams ---------------------------------------------------


@st.composite
def waves(draw: st.DrawFn) -> tuple[Questionnaire, list[list[Person]], int]:
    """1-2 organisations of 1-3 teams, 0-2 attributes, 1-3 releases; teams that answer alike."""
    attributes = draw(st.integers(0, 2))
    q = questionnaire(attributes)
    values = [["v0", "v1", NOT_ANSWERED]] * attributes
    teams = [
        (f"o{o}", f"t{o}{t}")
        for o in range(draw(st.integers(1, 2)))
        for t in range(draw(st.integers(1, 3)))
    ]
    styles = st.sampled_from([(1, 1, 1, 5), (5, 5, 5, 1), (3, 3, 3, 3), (2, 3, 2, 4)])
    arrivals: list[list[Person]] = []
    for r in range(draw(st.integers(1, 3))):
        batch = []
        for org, team in teams:
            style = draw(styles)
            for _ in range(draw(st.sampled_from([0, 0, 1, 3, 5, 6, 10]))):
                jitter = draw(st.sampled_from([0, 0, 0, 1]))
                answers = [min(5, max(1, v + jitter * (1 if v < 3 else -1))) for v in style]
                combo = dict(
                    zip(
                        [f"q{i}" for i in range(attributes)],
                        (draw(st.sampled_from(v)) for v in values),
                        strict=True,
                    )
                )
                batch.append(person(org, team, answers, release=r, **combo))
        arrivals.append(batch)
    if not any(arrivals):
        arrivals[0].append(person("o0", "t00", (3, 3, 3, 3)))
    return q, arrivals, draw(st.sampled_from([3, 5]))


def _case(name: str) -> list[list[Person]]:
    raw = json.loads((Path(__file__).parent / "cases" / name).read_text(encoding="utf-8"))
    return [
        [
            ((org, team, tuple(sorted(attrs.items()))), r, answers)
            for (org, team, attrs), r, answers in b
        ]
        for b in raw
    ]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 10, open: a release's counts (decided by the count plan, before any figure) "
        "can tighten what a reader knows of earlier arrivals enough that earlier releases' "
        "figures pin them; the joint check finds such a pin but no figure of this release "
        "binds it (JointResult.unresolved), so it cannot remove it. Found by hypothesis "
        "(seed 11); the count plan needs to read the earlier figures too."
    ),
)
def test_counts_of_a_later_release_with_earlier_figures() -> None:
    arrivals = _case("counts_with_earlier_means.json")
    assert attack(questionnaire(1), arrivals, 5) == []


@pytest.mark.xfail(
    strict=False,
    reason="issue 10, open: the class of test_counts_of_a_later_release_with_earlier_figures",
)
@pytest.mark.parametrize(
    "by_organisation", [False, True], ids=["whole wave", "an organisation at a time"]
)
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(waves())
def test_no_reader_pins_anyone_with_every_figure_of_every_release(
    by_organisation: bool, wave: tuple[Questionnaire, list[list[Person]], int]
) -> None:
    q, arrivals, k = wave
    if by_organisation:
        with checked_an_organisation_at_a_time():
            payloads = release_wave(q, arrivals, k)
    else:
        payloads = release_wave(q, arrivals, k)
    people = [person for batch in arrivals for person in batch]
    assert find_claims(SCALE, payloads, people, max_people=len(people)) == []
