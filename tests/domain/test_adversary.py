"""A lead who sees everything any lead can see tries to single people out, and fails.

Counts: every released figure of every release is a 0/1 vector over atoms (people in one
cell who arrived in one release interval); the attacker solves for every small atom set
(see `adversary`). Bands: the attacker reads every coded breakdown and searches every world
consistent with them for a remainder that must all sit in one band. Each attack is also
shown to succeed when the rule that stops it is switched off, so these tests can fail.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.domain import audit as audit_module
from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.coding import code_bands
from survey.domain.disclosure import Plan, _plan, plan_release
from survey.domain.groups import NOT_ANSWERED, Cell, GroupKey
from tests.domain.adversary import (
    atoms,
    consistent_vectors,
    exact_display,
    forced_band,
    in_group,
    in_span,
    read_display,
    released_vectors,
    small_exposures,
)

Wave = tuple[list[dict[Cell, int]], int]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cell(o: str, t: str, **attrs: str) -> Cell:
    return (o, t, tuple(sorted(attrs.items())))


def run(
    releases: Sequence[Mapping[Cell, int]], k: int, *, interims: bool = False, **switches: bool
) -> list[Plan]:
    plans: list[Plan] = []
    for r, counts in enumerate(releases):
        final = not interims or r == len(releases) - 1
        plans.append(_plan(counts, k, [p.ledger for p in plans], final=final, **switches))
    return plans


@st.composite
def waves(draw: st.DrawFn) -> Wave:
    """1-3 organisations of 1-4 teams, 1-2 attributes, 1-3 releases of small arrivals."""
    teams = [
        (f"o{o}", f"t{o}{t}")
        for o in range(draw(st.integers(1, 3)))
        for t in range(draw(st.integers(1, 4)))
    ]
    attributes = [
        [(f"q{i}", v) for v in [*(f"v{j}" for j in range(draw(st.integers(2, 3)))), NOT_ANSWERED]]
        for i in range(draw(st.integers(1, 2)))
    ]
    cells = [(o, t, combo) for o, t in teams for combo in itertools.product(*attributes)]
    k = draw(st.sampled_from([3, 5]))
    total: Counter[Cell] = Counter()
    releases = []
    for r in range(draw(st.integers(1, 3))):
        arrivals = draw(
            st.lists(
                st.tuples(st.sampled_from(cells), st.sampled_from([1, 1, 1, 2, 2, 3, 4, 6, 9])),
                min_size=1 if r == 0 else 0,
                max_size=8,
            )
        )
        for c, n in arrivals:
            total[c] += n
        releases.append({c: total[c] for c in cells})
    return releases, k


# --- counts ----------------------------------------------------------------------------------


@SETTINGS
@given(waves(), st.booleans())
def test_no_reader_isolates_fewer_than_k_people_across_releases(wave: Wave, interims: bool) -> None:
    releases, k = wave
    plans = run(releases, k, interims=interims)
    assert small_exposures(plans, releases, k) == []
    for r, (plan, counts) in enumerate(zip(plans, releases, strict=True)):
        true = {g: sum(n for c, n in counts.items() if in_group(g, c)) for g in plan.groups}
        assert all(plan.counts[g] == true[g] >= k for g in plan.visible)  # rule 1, true figures
        for parent, children in plan.partitions:
            assert true[parent] == sum(true[c] for c in children)  # a real additive relation
            hidden = sum(true[c] for c in children if c not in plan.visible)
            if parent in plan.visible:
                assert hidden == 0 or hidden >= k  # rule 2
        for earlier, before in zip(plans[:r], releases[:r], strict=False):
            for g in plan.visible & earlier.visible:
                growth = true[g] - sum(n for c, n in before.items() if in_group(g, c))
                assert growth == 0 or growth >= k  # rule 3


def test_without_the_complement_rule_the_reader_finds_the_small_team() -> None:
    # Org 14 = 7 + 5 + 2: showing the 7 and the 5 gives the 2 away (14 - 7 - 5).
    counts = {cell("o", "a"): 7, cell("o", "b"): 5, cell("o", "c"): 2}
    weak = run([counts], 5, complement=False, exact=False)
    assert [[c for c, _ in s] for s in small_exposures(weak, [counts], 5)] == [[cell("o", "c")]]
    assert small_exposures(run([counts], 5), [counts], 5) == []


def test_without_the_time_rule_the_reader_finds_the_newcomer() -> None:
    # A team shown at 5 and then at 6: one newcomer, whose answers the difference exposes.
    releases = [{cell("o", "t"): 5}, {cell("o", "t"): 6}]
    weak = run(releases, 5, time=False, exact=False)
    assert small_exposures(weak, releases, 5) == [((cell("o", "t"), 1),)]
    assert small_exposures(run(releases, 5), releases, 5) == []


def test_without_the_audit_two_attributes_give_a_small_group_away() -> None:
    # Team of 12: (q0, q1) = (v0, v0): 3, (-, v0): 2, (-, -): 7, with "-" not answered.
    # Every partition on its own is fine at k = 3, but T[q1=v0] - T[q0=v0] = 5 - 3 = 2.
    na = NOT_ANSWERED
    counts = {
        cell("o", "t", q0="v0", q1="v0"): 3,
        cell("o", "t", q0=na, q1="v0"): 2,
        cell("o", "t", q0=na, q1=na): 7,
        cell("o", "t", q0="v0", q1=na): 0,
    }
    weak = run([counts], 3, exact=False)
    assert small_exposures(weak, [counts], 3) == [((cell("o", "t", q0=na, q1="v0"), 0),)]
    assert small_exposures(run([counts], 3), [counts], 3) == []


def test_without_the_audit_a_table_of_teams_by_role_gives_a_cell_away() -> None:
    # One org, 4 teams x roles a, b, c, "-". Per-partition complements all hold, but the
    # suppressed cells form two cycles joined by T1[c] = 1, which the margins then pin:
    # T1[c] = T1 - T1[-] - (O[a] - T3[a] - T4[a]) - (O[b] - T3[b] - T4[b]) + T2 - T2[-].
    na = NOT_ANSWERED
    table = {
        "t1": (1, 3, 1, 10),
        "t2": (3, 1, 0, 0),
        "t3": (10, 10, 1, 3),
        "t4": (10, 10, 3, 1),
    }
    counts = {
        cell("o", t, r=role): n
        for t, row in table.items()
        for role, n in zip(("a", "b", "c", na), row, strict=True)
    }
    weak = run([counts], 3, exact=False)
    assert small_exposures(weak, [counts], 3) == [((cell("o", "t1", r="c"), 0),)]
    assert small_exposures(run([counts], 3), [counts], 3) == []


def test_groups_holding_nobody_are_not_a_concern() -> None:
    # Everyone in the team answered role a: the empty cell (role b) is derivable as
    # T - T[a] = 0, but it holds nobody, so nothing is hidden on its account.
    counts = {cell("o", "t", role="a"): 10, cell("o", "t", role="b"): 0}
    plan = plan_release(counts, 5)
    assert plan.is_visible(GroupKey("team", "t", "role", "a"))
    order = [cell("o", "t", role="a"), cell("o", "t", role="b")]
    rows = np.array(
        [[1.0 if in_group(g, c) else 0.0 for c in order] for g in sorted(plan.visible, key=str)]
    )
    assert in_span(rows, np.array([[0.0, 1.0]]))[0]  # the empty set is known to be empty...
    assert small_exposures([plan], [counts], 5) == []  # ...and that is no exposure
    matrix, kept = released_vectors([plan], atoms([counts]))
    assert kept == [(order[0], 0)] and matrix.shape[1] == 1


# --- bands -----------------------------------------------------------------------------------

LABELS = ("low", "mild", "moderate", "high", "severe")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 20), min_size=2, max_size=5).filter(lambda v: sum(v) >= 3),
    st.booleans(),
)
def test_no_single_display_makes_anyone_s_band_certain(counts: list[int], merge: bool) -> None:
    m = len(counts)
    runs = [list(range(m // 2)), list(range(m // 2, m))] if merge and m > 2 else None
    coded = code_bands(counts, LABELS[:m], runs)
    display = read_display(coded)
    worlds = consistent_vectors(display, m)
    assert tuple(counts) in worlds
    for cell in coded.cells:
        assert cell.text not in ("0%", "100%")
        allowed = dict(display[1])[cell.bands]
        assert len(allowed) >= 2  # every shown cell fits at least one other count
    for band in range(m):
        assert any(world[band] < sum(counts) for world in worlds)
    # No shown category forces everyone into it either.
    for bands, _ in display[1]:
        assert any(sum(world[b] for b in bands) < sum(counts) for world in worlds)


def test_exact_percentages_let_the_reader_difference_a_band() -> None:
    # Team of 10: 7 low, 3 high (70 % / 30 %); subgroup of 5: 2 low, 3 high (40 % / 60 %).
    # The hidden other 5 hold 3 - 3 = 0 high: all five are certainly low.
    assert forced_band(exact_display([7, 3]), [exact_display([2, 3])], 2) == 0


def test_rounding_alone_does_not_stop_differencing() -> None:
    # Coded one group at a time: 3 of 10 high reads "20-40%" (2 or 3); 3 of 5 reads "50% or
    # more" (3 to 5). Together: exactly 3 and 3, so the other 5 are certainly low.
    team, part = code_bands([7, 3], LABELS[:2]), code_bands([2, 3], LABELS[:2])
    assert (team.cells[1].text, part.cells[1].text) == ("20\u201340%", "50% or more")
    assert forced_band(read_display(team), [read_display(part)], 2) == 0


def test_release_coding_closes_the_differencing_gap() -> None:
    # The same figures inside one release: team (7, 3), role a (2, 3) shown; role b (3, 0)
    # and role not answered (2, 0) hidden together (5 >= k).
    bands = {
        cell("o", "t", role="a"): (2, 3),
        cell("o", "t", role="b"): (3, 0),
        cell("o", "t", role=NOT_ANSWERED): (2, 0),
    }
    counts = {c: sum(v) for c, v in bands.items()}
    plan = plan_release(counts, 5)
    assert plan.visible == {
        GroupKey("alliance"),
        GroupKey("organisation", "o"),
        GroupKey("team", "t"),
        GroupKey("team", "t", "role", "a"),
    } | {
        GroupKey(level, i, "role", "a") for level, i in (("alliance", None), ("organisation", "o"))
    }
    per_group = {g: code_bands(v, LABELS[:2]) for g, v in group_bands(plan, bands, 2).items()}
    team, part = per_group[GroupKey("team", "t")], per_group[GroupKey("team", "t", "role", "a")]
    assert forced_band(read_display(team), [read_display(part)], 2) == 0
    coded = code_release_bands(plan, group_bands(plan, bands, 2), LABELS[:2])
    assert_no_forced_remainder(plan, coded, [], 2)
    # The subgroup of 5 is the one coarsened (two bands: coarser means withheld).
    assert coded.shown[GroupKey("team", "t", "role", "a")].withheld
    assert not coded.shown[GroupKey("team", "t")].withheld


def group_bands(
    plan: Plan, bands: Mapping[Cell, Sequence[int]], m: int
) -> dict[GroupKey, tuple[int, ...]]:
    return {
        g: tuple(sum(v[b] for c, v in bands.items() if in_group(g, c)) for b in range(m))
        for g in plan.groups
    }


def assert_no_forced_remainder(
    plan: Plan, coded: BandRelease, history: Sequence[BandRelease], m: int
) -> None:
    shown = {g: d for g, d in coded.shown.items() if not d.withheld}
    for parent, children in plan.partitions:
        if parent in shown:
            parts = [read_display(shown[c]) for c in children if c in shown]
            assert forced_band(read_display(shown[parent]), parts, m) is None, parent
    for earlier in history:
        for g, then in earlier.shown.items():
            if g in shown and not then.withheld:
                assert forced_band(read_display(shown[g]), [read_display(then)], m) is None


@st.composite
def banded_waves(draw: st.DrawFn) -> tuple[list[dict[Cell, tuple[int, ...]]], int, int]:
    """One org, 1-3 teams, one attribute; people arrive with a band, over 1-2 releases."""
    m = draw(st.integers(2, 3))
    cells = [
        cell("o", f"t{t}", role=v)
        for t in range(draw(st.integers(1, 3)))
        for v in ("a", "b", NOT_ANSWERED)
    ]
    total = {c: [0] * m for c in cells}
    releases = []
    for _ in range(draw(st.integers(1, 2))):
        for c, band, n in draw(
            st.lists(
                # Clumps of up to 6 people in one band: homogeneous remainders are the risk.
                st.tuples(st.sampled_from(cells), st.integers(0, m - 1), st.integers(1, 6)),
                min_size=1,
                max_size=8,
            )
        ):
            total[c][band] += n
        releases.append({c: tuple(v) for c, v in total.items()})
    return releases, m, draw(st.sampled_from([3, 5]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(banded_waves())
def test_no_family_of_band_displays_forces_a_remainder(
    case: tuple[list[dict[Cell, tuple[int, ...]]], int, int],
) -> None:
    releases, m, k = case
    plans: list[Plan] = []
    coded: list[BandRelease] = []
    for bands in releases:
        counts = {c: sum(v) for c, v in bands.items()}
        plan = plan_release(counts, k, [p.ledger for p in plans])
        release = code_release_bands(plan, group_bands(plan, bands, m), LABELS[:m], coded)
        assert_no_forced_remainder(plan, release, coded, m)
        plans.append(plan)
        coded.append(release)


def test_an_audit_that_runs_out_of_budget_hides_more_rather_than_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The table of teams by role again, with no search budget at all: undecided
    # components count as exposed, so the plan can only get safer (and smaller).
    table = {"t1": (1, 3, 1, 10), "t2": (3, 1, 0, 0), "t3": (10, 10, 1, 3), "t4": (10, 10, 3, 1)}
    counts = {
        cell("o", t, r=role): n
        for t, row in table.items()
        for role, n in zip(("a", "b", "c", NOT_ANSWERED), row, strict=True)
    }
    full = plan_release(counts, 3)
    monkeypatch.setattr(audit_module, "DEFAULT_BUDGET", 0)
    starved = plan_release(counts, 3)
    assert starved.visible < full.visible
    assert full.undecided == 0 and starved.undecided > 0  # and the plan says how often
    assert small_exposures([starved], [counts], 3) == []


def test_exposures_left_by_an_earlier_release_are_not_made_worse() -> None:
    # The wave's first release used k = 3; k is now 5. Groups of 3 and 4 shown back then
    # cannot be unshown; the new release must end, and add no exposure of its own.
    na = NOT_ANSWERED
    first = {cell("o", "a", r="x"): 3, cell("o", "a", r=na): 4, cell("o", "b", r="x"): 6}
    second = {**first, cell("o", "b", r=na): 5, cell("o", "c", r="x"): 9}
    early = plan_release(first, 3)
    later = plan_release(second, 5, [early.ledger])
    before = set(small_exposures([early], [first, second], 5))
    assert before  # the old release alone already shows groups of 3 and 4
    assert set(small_exposures([early, later], [first, second], 5)) <= before
    assert later.visible  # and it still shows something


def test_one_audit_round_reports_every_separate_exposure() -> None:
    # Two released vectors of 2 people each (k = 5) that share one person: one component
    # of the reduced basis, two exposures. Both come back from one call, so the plan can
    # hide for both in one round instead of rebuilding the basis once per exposure.
    counts = [1, 1, 1, 9]
    rows = [frozenset({0, 2}), frozenset({1, 2}), frozenset({0, 1, 2, 3})]
    everything = frozenset(range(len(rows)))
    findings = audit_module.audit(counts, rows, everything, 5, per_component=8)
    assert sorted(sorted(f.atoms or ()) for f in findings) == [[0, 2], [1, 2]]
    assert len(audit_module.audit(counts, rows, everything, 5)) == 1
