"""Each disclosure rule on small hand-built examples (the adversary lives in test_adversary)."""

from __future__ import annotations

import json

import pytest

from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.coding import code_bands
from survey.domain.disclosure import (
    SUPPRESSED_TEXT,
    Ledger,
    Plan,
    _plan,
    free_text_allowed,
    plan_release,
)
from survey.domain.groups import NOT_ANSWERED, Cell, GroupKey, build_structure
from tests.domain.adversary import small_exposures

ALLIANCE = GroupKey("alliance")


def org(o: str) -> GroupKey:
    return GroupKey("organisation", o)


def team(t: str) -> GroupKey:
    return GroupKey("team", t)


def cell(o: str, t: str, **attrs: str) -> Cell:
    return (o, t, tuple(sorted(attrs.items())))


def shown_teams(plan: Plan) -> set[str]:
    return {g.id or "" for g in plan.visible if g.level == "team" and not g.is_subgroup}


# --- k and rule 1 -------------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 1, 0, -5, True])
def test_k_below_three_is_rejected(k: int) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        plan_release({cell("o", "t"): 10}, k)


def test_k_must_be_a_whole_number() -> None:
    with pytest.raises(ValueError):
        plan_release({cell("o", "t"): 10}, 5.0)  # type: ignore[arg-type]


def test_rule_1_needs_k_responses() -> None:
    # One team per wave, so no other rule is in play.
    assert plan_release({cell("o", "t"): 4}, 5).visible == frozenset()
    plan = plan_release({cell("o", "t"): 5}, 5)
    assert plan.visible == {ALLIANCE, org("o"), team("t")}
    assert plan.counts[team("t")] == 5
    assert plan_release({cell("o", "t"): 4}, 4).is_visible(team("t"))


def test_nothing_is_shown_when_the_whole_wave_is_below_k() -> None:
    plan = plan_release({cell("o", "a"): 2, cell("o", "b"): 2}, 5)
    assert plan.visible == frozenset()
    assert plan.counts == {}


# --- rule 2: complement ---------------------------------------------------------------------


def test_complement_hides_the_next_smallest_team() -> None:
    # Org of 14 = 7 + 5 + 2. The 2 is hidden (rule 1); 2 < k = 5, so the next smallest (5)
    # is hidden too; hidden together: 2 + 5 = 7 >= 5.
    counts = {cell("o", "a"): 7, cell("o", "b"): 5, cell("o", "c"): 2}
    plan = plan_release(counts, 5)
    assert plan.is_visible(org("o")) and plan.counts[org("o")] == 14
    assert shown_teams(plan) == {"a"}


def test_complement_ties_are_broken_by_key() -> None:
    # Two teams of 5 could complete the complement; the first by key ("team:a") goes.
    counts = {cell("o", "b"): 5, cell("o", "a"): 5, cell("o", "c"): 1, cell("o", "d"): 9}
    assert shown_teams(plan_release(counts, 5)) == {"b", "d"}


def test_complement_within_a_team_covers_the_part_outside_a_subgroup() -> None:
    # Team of 10: role a = 8, role b = 2. T[b] is hidden; T minus T[a] would give it back,
    # so T[a] is hidden too (hidden: 2 + 8 = 10).
    counts = {cell("o", "t", role="a"): 8, cell("o", "t", role="b"): 2}
    plan = plan_release(counts, 5)
    assert plan.is_visible(team("t"))
    assert not plan.is_visible(team("t").subgroup("role", "a"))
    assert not plan.is_visible(team("t").subgroup("role", "b"))


def test_a_hidden_parent_is_not_left_as_the_sum_of_shown_children() -> None:
    # O1 = 2 (hidden); complement at the alliance hides the next smallest org, O2 = 5 + 6.
    # Both O2 teams are shown, so O2 = 5 + 6 and O1 = 43 - 30 - 11 = 2: the smaller O2 team
    # (5) is hidden too. The reader is left with O1 + team b = 43 - 30 - 6 = 7 >= 5.
    counts = {cell("o1", "a"): 2, cell("o2", "b"): 5, cell("o2", "c"): 6, cell("o3", "d"): 30}
    plan = _plan(counts, 5, (), exact=False)
    assert plan.visible == {ALLIANCE, org("o3"), team("c"), team("d")}
    assert small_exposures([plan], [counts], 5) == []


def test_empty_groups_are_not_a_reason_to_hide() -> None:
    # Everyone answered role a: T[b] = 0 can be worked out, but it isolates nobody.
    counts = {cell("o", "t", role="a"): 10, cell("o", "t", role="b"): 0}
    plan = plan_release(counts, 5)
    assert plan.is_visible(team("t").subgroup("role", "a"))
    assert plan.counts[team("t").subgroup("role", "a")] == 10


# --- rule 3: time ----------------------------------------------------------------------------


def releases(*steps: dict[Cell, int], k: int = 5) -> list[Plan]:
    plans: list[Plan] = []
    for counts in steps:
        plans.append(plan_release(counts, k, [p.ledger for p in plans]))
    return plans


def test_a_group_that_grew_by_fewer_than_k_is_hidden() -> None:
    # Shown at 5; at 6 the difference (1 person) would show, so hidden; at 10 the growth
    # since the release that showed it is 10 - 5 = 5 >= k, so shown again.
    first, second, third = releases({cell("o", "t"): 5}, {cell("o", "t"): 6}, {cell("o", "t"): 10})
    assert first.is_visible(team("t"))
    assert not second.is_visible(team("t")) and not second.is_visible(ALLIANCE)
    assert third.is_visible(team("t")) and third.counts[team("t")] == 10


def test_a_group_that_did_not_grow_stays_visible() -> None:
    first, second = releases({cell("o", "t"): 7}, {cell("o", "t"): 7, cell("o", "u"): 5})
    assert first.is_visible(team("t")) and second.is_visible(team("t"))
    # The org grew by exactly 5 = k: fine.
    assert second.is_visible(org("o"))


def test_growth_complement_hides_a_child_shown_both_times() -> None:
    # r0: A = 5, B = 5. r1: A = 6 (growth 1: hidden), B = 10 (growth 5), org growth 6.
    # Org growth minus B growth = 1 would give A's one newcomer away, so B is hidden too.
    r0 = {cell("o", "a"): 5, cell("o", "b"): 5}
    r1 = {cell("o", "a"): 6, cell("o", "b"): 10}
    _, second = releases(r0, r1)
    assert second.is_visible(org("o")) and second.counts[org("o")] == 16
    assert shown_teams(second) == set()


def test_an_interim_release_keeps_back_a_slow_group_so_the_final_can_show_it() -> None:
    # Team t has 6 at the interim and 8 at the close. Shown at the interim, the final would
    # have to hide it (growth 2 < k). An interim shows only groups that gained 2k since the
    # previous release, so t waits, and the final shows it.
    interim_counts = {cell("o", "t"): 6}
    final_counts = {cell("o", "t"): 8}
    interim = plan_release(interim_counts, 5, final=False)
    final = plan_release(final_counts, 5, [interim.ledger])
    assert not interim.visible
    assert final.is_visible(team("t")) and final.counts[team("t")] == 8
    # Planned as if it were the final, the same interim shows t and blocks it at the close.
    eager = plan_release(interim_counts, 5)
    assert eager.is_visible(team("t"))
    assert not plan_release(final_counts, 5, [eager.ledger]).is_visible(team("t"))


def test_a_later_interim_needs_2k_growth_since_the_previous_release() -> None:
    first = plan_release({cell("o", "t"): 12}, 5, final=False)
    slow = plan_release({cell("o", "t"): 19}, 5, [first.ledger], final=False)
    fast = plan_release({cell("o", "t"): 22}, 5, [first.ledger], final=False)
    assert first.is_visible(team("t"))
    assert not slow.is_visible(team("t")) and fast.is_visible(team("t"))


def test_counts_may_not_shrink_between_releases() -> None:
    first = plan_release({cell("o", "t"): 6}, 5)
    with pytest.raises(ValueError, match="fewer responses"):
        plan_release({cell("o", "t"): 5}, 5, [first.ledger])


# --- inputs, keys, ledger ----------------------------------------------------------------


def test_a_team_under_two_organisations_is_rejected() -> None:
    with pytest.raises(ValueError, match="two organisations"):
        plan_release({cell("o1", "t"): 5, cell("o2", "t"): 5}, 5)


def test_cells_must_share_their_attributes() -> None:
    with pytest.raises(ValueError, match="same quasi-identifier"):
        plan_release({cell("o", "t", role="a"): 5, cell("o", "t", years="1"): 5}, 5)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3"])
def test_counts_must_be_non_negative_whole_numbers(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative whole number"):
        plan_release({cell("o", "t"): bad}, 5)  # type: ignore[dict-item]


def test_attribute_order_does_not_matter() -> None:
    a = plan_release({("o", "t", (("role", "x"), ("years", "1"))): 6}, 5)
    b = plan_release({("o", "t", (("years", "1"), ("role", "x"))): 6}, 5)
    assert a.visible == b.visible and a.ledger == b.ledger


@pytest.mark.parametrize(
    "key",
    [
        GroupKey("alliance"),
        GroupKey("organisation", "NHS: North|East"),
        GroupKey("team", "a=b%c"),
        GroupKey("team", "t", "role", NOT_ANSWERED),
        GroupKey("alliance", None, "years|x", "1=2:3"),
        GroupKey("organisation", "Caf\u00e9", "r\u00f4le", "cl\u00ednico"),
    ],
)
def test_group_keys_round_trip_through_their_string_form(key: GroupKey) -> None:
    assert GroupKey.from_str(str(key)) == key


@pytest.mark.parametrize("text", ["", "alliance:x", "team", "team:a|role", "club:a"])
def test_malformed_group_keys_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        GroupKey.from_str(text)


def test_subgroup_keys_need_attribute_and_value() -> None:
    with pytest.raises(ValueError):
        GroupKey("team", "t", "role", None)


def test_ledger_round_trips_through_json() -> None:
    counts = {
        cell("org:1", "team|a", role="x=y"): 6,
        cell("org:1", "team|a", role=NOT_ANSWERED): 2,
        cell("org:1", "b%", role="x=y"): 5,
    }
    plans = releases(counts, {**counts, cell("org:1", "b%", role="x=y"): 11})
    for plan in plans:
        text = json.dumps(plan.ledger.to_json())
        assert Ledger.from_json(text) == plan.ledger
        assert Ledger.from_json(json.loads(text)) == plan.ledger
    # A ledger rebuilt from JSON drives the next release exactly as the original does.
    again = plan_release(
        {**counts, cell("org:1", "b%", role="x=y"): 11},
        5,
        [Ledger.from_json(json.dumps(plans[0].ledger.to_json()))],
    )
    assert again.visible == plans[1].visible


def test_a_tampered_ledger_is_rejected() -> None:
    data = plan_release({cell("o", "t"): 6}, 5).ledger.to_json()
    data["groups"][0][1] += 1
    with pytest.raises(ValueError, match="does not match"):
        Ledger.from_json(data)


def test_partitions_are_the_documented_additive_relations() -> None:
    # 2 orgs (teams: 2 and 1), one attribute with 2 values:
    # alliance->orgs (1) + org->teams (2) + base->values (1 + 2 + 3 = 6)
    # + alliance[v]->orgs[v] (2) + org[v]->teams[v] (2 x 2 = 4) = 15 partitions.
    cells = [cell("o1", "a", r="x"), cell("o1", "b", r="y"), cell("o2", "c", r="x")]
    structure = build_structure(cells)
    assert len(structure.partitions) == 15
    counts = dict(zip(cells, [3, 4, 5], strict=True))
    for parent, children in structure.partitions:
        assert structure.count(parent, counts) == sum(structure.count(c, counts) for c in children)


# --- rules 5 and 6 ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 9, 10, 500])
def test_free_text_is_never_shown_to_leads(n: int) -> None:
    assert free_text_allowed(n, "lead") is False


def test_core_team_sees_free_text_from_ten() -> None:
    assert free_text_allowed(9, "core") is False
    assert free_text_allowed(10, "core") is True


def test_unknown_audience_is_rejected() -> None:
    with pytest.raises(ValueError):
        free_text_allowed(50, "public")


def test_every_hidden_group_reads_the_same_whatever_the_reason() -> None:
    # Hidden by rule 1 (team c: 2), by complement (team b: 5), by time (team t: 5 -> 6),
    # and a group that does not exist at all.
    first = plan_release({cell("o", "a"): 7, cell("o", "b"): 5, cell("o", "c"): 2}, 5)
    later = releases({cell("x", "t"): 5}, {cell("x", "t"): 6})[1]
    texts = {
        first.display_count(team("c")),
        first.display_count(team("b")),
        later.display_count(team("t")),
        first.display_count(team("nowhere")),
    }
    assert texts == {SUPPRESSED_TEXT}
    assert SUPPRESSED_TEXT == "hidden to protect anonymity"
    assert first.display_count(team("a")) == "7"


def test_the_plan_says_nothing_about_hidden_groups_but_that_they_are_hidden() -> None:
    plan = plan_release({cell("o", "a"): 7, cell("o", "b"): 5, cell("o", "c"): 2}, 5)
    assert set(plan.counts) == plan.visible
    public = {name for name in dir(plan) if not name.startswith("_")}
    assert public == {
        "k",
        "visible",
        "counts",
        "groups",
        "partitions",
        "undecided",  # how many audit components ran out of budget: about the audit, no group
        "ledger",
        "is_visible",
        "display_count",
    }
    assert set(plan.groups) >= plan.visible | {team("b"), team("c")}


# --- rule 4: band coding ---------------------------------------------------------------------

BANDS = ("low", "mild", "moderate", "high", "severe")


def test_hand_worked_band_coding() -> None:
    # n = 10 uses 20 % steps (5 % and 10 % buckets could hold a single count).
    # 7 of 10 = 70 % lies in [60, 80] -> "60-80%", counts 6 to 8;
    # 3 of 10 = 30 % lies in [20, 40) -> "20-40%", counts 2 to 3.
    coded = code_bands([7, 3], BANDS[:2])
    texts = [(c.label, c.text, c.count_range(10)) for c in coded.cells]
    assert texts == [("low", "60\u201380%", (6, 8)), ("mild", "20\u201340%", (2, 3))]


@pytest.mark.parametrize(
    ("n", "top"),
    [
        (3, "50% or more"),
        (6, "50% or more"),
        (7, "more than 75%"),
        (10, "more than 80%"),
        (19, "more than 90%"),
        (40, "more than 95%"),
        (500, "more than 95%"),
    ],
)
def test_everyone_in_one_band_is_top_coded_and_nobody_is_bottom_coded(n: int, top: str) -> None:
    # 12 of 12 would be 100 %: shown as a range that also holds 11 of 12, never as 100 %.
    coded = code_bands([n, 0, 0], BANDS[:3])
    assert coded.cells[0].text == top
    assert {c.text for c in coded.cells[1:]} <= {"fewer than 50%"} | {
        f"fewer than {s}%" for s in (5, 10, 20, 25)
    }
    low, high = coded.cells[0].count_range(n)
    assert high == n and low <= n - 1
    assert coded.cells[1].count_range(n)[0] == 0 and coded.cells[1].count_range(n)[1] >= 1


def test_top_bucket_bounds_are_worked_out_exactly() -> None:
    # 12 of 12 -> (80, 100]: counts above 9.6, i.e. 10 to 12; 0 of 12 -> [0, 20): below
    # 2.4, i.e. 0 to 2.
    coded = code_bands([12, 0], BANDS[:2])
    assert [c.count_range(12) for c in coded.cells] == [(10, 12), (0, 2)]


def test_merged_bands_are_labelled_as_runs() -> None:
    coded = code_bands([1, 2, 3, 4, 5], BANDS, [[0, 1], [2, 3, 4]])
    assert [c.label for c in coded.cells] == ["low or mild", "moderate to severe"]
    assert [c.bands for c in coded.cells] == [(0, 1), (2, 3, 4)]


def test_breakdowns_that_cannot_be_hidden_are_withheld() -> None:
    assert code_bands([1, 1], BANDS[:2]).withheld  # n = 2: no bucket can hold two counts
    one_category = code_bands([4, 4], BANDS[:2], [[0, 1]])
    assert one_category.withheld and one_category.text == SUPPRESSED_TEXT
    assert code_bands([4, 4], BANDS[:2]).text == ""


@pytest.mark.parametrize(
    ("counts", "labels", "merge"),
    [
        ([1, 2], BANDS[:3], None),
        ([5], BANDS[:1], None),
        ([-1, 5], BANDS[:2], None),
        ([1, 2, 3], BANDS[:3], [[0, 2], [1]]),
        ([1, 2, 3], BANDS[:3], [[0], [1]]),
    ],
)
def test_malformed_band_input_is_rejected(
    counts: list[int], labels: tuple[str, ...], merge: list[list[int]] | None
) -> None:
    with pytest.raises(ValueError):
        code_bands(counts, labels, merge)


def test_band_release_round_trips_and_checks_its_totals() -> None:
    counts = {cell("o", "t", role="a"): 6, cell("o", "t", role="b"): 6}
    plan = plan_release(counts, 5)
    bands = {g: (plan.counts[g] - 1, 1) for g in plan.visible}
    coded = code_release_bands(plan, bands, BANDS[:2])
    assert BandRelease.from_json(json.dumps(coded.to_json())) == coded
    with pytest.raises(ValueError, match="do not add up"):
        code_release_bands(plan, {g: (0, 1) for g in plan.visible}, BANDS[:2])


def test_a_later_release_does_not_difference_a_band_over_time() -> None:
    # r0: team of 5 with (2 low, 3 high) -> "fewer than 50%" / "50% or more".
    # r1: 5 newcomers, all low: (7, 3), 3 of 10 high -> "20-40%" (2 or 3). Then the high
    # count was 3 at both releases and the 5 newcomers would all certainly be low, so the
    # later breakdown is coarsened (with two bands: withheld).
    first = plan_release({cell("o", "t"): 5}, 5)
    before = code_release_bands(first, {g: (2, 3) for g in first.visible}, BANDS[:2])
    second = plan_release({cell("o", "t"): 10}, 5, [first.ledger])
    after = code_release_bands(second, {g: (7, 3) for g in second.visible}, BANDS[:2], [before])
    assert not before.shown[team("t")].withheld
    assert after.shown[team("t")].withheld
    # Without the earlier release the same figures are shown.
    alone = code_release_bands(second, {g: (7, 3) for g in second.visible}, BANDS[:2])
    assert not alone.shown[team("t")].withheld
