"""The last check of a release: every figure of every release of the wave, read at once.

The count audit, the band coding and the magnitude audit each reason about one family of
groups at a time (a parent less its children, a group now less the same group before),
which keeps them fast. A reader is not bound to families: they can combine every count,
band range, mean, SD and item mean of every group of every release in one argument. This
module is that reader, written as one linear programme over the wave.

Unknowns, per atom (the people of one cell who arrived in one release interval) and per
measure (the headline, every subscale, every item): how many of its people fall in each
bucket (a band; a subscale's whole range; an answer) and, for scores, the sum and sum of
squares of their scores there; and the atom's size (at least one: a reader may know that a
cell holds someone). Constraints: every released count exactly; every sum of scores within
the interval its released mean allows; every sum of squared deviations within what its
released SD allows (secant and tangent bounds over the sum's interval, chord and tangents
per bucket); every coded band range; and, per atom, a total equals the sum of its
subscales and a subscale the sum of its keyed items. The truth is one feasible point, so
whatever the programme proves, a reader can prove; it relaxes the integer problem, so
whatever it cannot prove, a reader reasoning linearly cannot either.

The check: no atom may be *pinned*, that is, have all its people provably in one bucket of
one measure (the most it can hold outside that bucket below one). That covers a person's
band or answer (an atom of one), and a group's common band (a group is pinned only when
all its atoms are). Most atoms are cleared by a few worlds the programme finds on its own;
the few left get a programme each. When one is pinned, the figure of this release that
binds the proof (the smallest group among the constraints with a non-zero dual value) is
coarsened one step, a magnitude (full, ranges, withheld) or a breakdown (bands, halves,
withheld), and the check runs again. Coarsening only removes constraints, so every world
found before stays feasible and what was cleared stays cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from survey.domain.band_release import BandRelease, coarsened
from survey.domain.derivable import Knowns, MeasureKey
from survey.domain.family_lp import Bucketed
from survey.domain.groups import GroupKey, build_structure, sort_key
from survey.domain.joint_lp import CLEAR, Programme, Tag
from survey.domain.joint_rows import Anchor, Wave, anchor_for, atoms_of, build
from survey.domain.joint_truth import Truth, atom_truths
from survey.domain.magnitude import WITHHELD, coarser
from survey.domain.magnitude_audit import show_knowns

# Worlds tried before each remaining atom gets a programme of its own.
SCREENS = 4
# Waves with more atoms than this are checked an organisation at a time, with everyone
# else held at the truth (when the truth of every release is known).
WHOLE_WAVE_ATOMS = 48

Candidate = tuple[int, MeasureKey, int]  # atom, measure, bucket


@dataclass(frozen=True)
class JointResult:
    """What the joint check settled: precisions, this release's breakdowns, and leftovers."""

    precision: dict[GroupKey, str]
    bands: dict[str, BandRelease]
    # Pins that no figure of this release binds (earlier releases and counts alone).
    unresolved: int = 0


def audit_jointly(
    measures: Sequence[Bucketed],
    *,
    cumulative: Sequence[Mapping[Any, int]],
    counts: Sequence[Mapping[GroupKey, int]],
    shown: Sequence[Mapping[GroupKey, Knowns]],
    bands: Mapping[str, Sequence[BandRelease]],
    headlines: Mapping[str, MeasureKey],
    precision: Mapping[GroupKey, str],
    figures: Callable[[GroupKey, str], Knowns],
    truth: Sequence[Mapping[Any, Truth]] | None = None,
) -> JointResult:
    """Coarsen this release's figures until no atom is pinned by all figures jointly.

    `cumulative[r]` are the cell counts at release r (this one last); `counts[r]` the
    released counts of the groups shown then; `shown[r]` what each release showed of each
    group's measures (this release's at `precision`); `bands[scale]` the coded breakdowns
    of every release, this one last, each showing the measure `headlines[scale]`;
    `figures(key, precision)` what a reader would know of a group at a precision;
    `truth[r]` each cell's truth at release r, where every release's is known.
    """
    structure = build_structure(set().union(*cumulative))
    wave = Wave(
        measures,
        atoms_of(structure.cells, cumulative),
        {key: {structure.cells[i] for i in cells} for key, cells in structure.members.items()},
        counts,
        [dict(release) for release in shown],
        {scale: list(releases) for scale, releases in bands.items()},
        headlines,
    )
    current, coded = wave.current, wave.coded
    precision = dict(precision)
    population = sum(cumulative[current].values())
    cleared: set[Candidate] = set()
    anchor = None
    if truth is not None and len(wave.atoms) > WHOLE_WAVE_ATOMS:
        anchor = anchor_for(wave, atom_truths(wave.atoms, list(truth)))
    settled: set[Any] = set()
    unresolved = 0
    while wave.atoms:
        if anchor is None:
            lp = build(wave, population)
            pinned = _pinned(lp, measures, range(len(wave.atoms)), cleared)
        else:
            pinned = _scoped_pins(wave, population, anchor, cleared, settled)
        if pinned is None:
            # The truth is feasible, so only solver trouble gets here: show nothing more.
            for key in precision:
                precision[key] = WITHHELD
            for releases in coded.values():
                for key in releases[current].shown:
                    while not releases[current].shown[key].withheld:
                        releases[current] = coarsened(releases[current], key)
            return JointResult(precision, {s: r[current] for s, r in coded.items()}, unresolved)
        if not pinned:
            return JointResult(precision, {s: r[current] for s, r in coded.items()}, unresolved)
        changed = False
        for (atom, _, _), binding in pinned:
            victim = _victim(wave, binding, wave.atoms[atom][0])
            if victim is None:
                unresolved += 1
                cleared.update(c for c, _ in pinned if c[0] == atom)  # nothing left to try
                continue
            kind, key, scale = victim
            if kind == "magnitude":
                precision[key] = coarser(precision[key])
                show_knowns(wave.knowns[current], key, figures(key, precision[key]))
            else:
                coded[scale][current] = coarsened(coded[scale][current], key)
            changed = True
        if not changed:
            break
    return JointResult(precision, {s: r[current] for s, r in coded.items()}, unresolved)


def _outside(lp: Programme, candidate: Candidate, measure: Bucketed) -> dict[int, float]:
    atom, key, bucket = candidate
    return {lp.var("y", atom, key, b): 1.0 for b in range(len(measure.buckets)) if b != bucket}


def _scoped_pins(
    wave: Wave, population: int, anchor: Anchor, cleared: set[Candidate], settled: set[Any]
) -> list[tuple[Candidate, list[Tag]]] | None:
    """Pins found one organisation at a time, with everyone else held at the truth.

    Every world of such a programme is a world of the whole wave, so what it clears is
    cleared; what it cannot clear is taken as pinned, which can only hide more (a reader
    who could move people in other organisations too might not be able to pin it). An
    organisation found clear stays clear (`settled`): coarsening only removes rows. One
    team at a time is too narrow: where teams are hidden, an organisation's subgroup
    figures pin any one team's people once every other team is held still.
    """
    organisations: dict[Any, list[int]] = {}
    for a, (cell, _) in enumerate(wave.atoms):
        organisations.setdefault(cell[0], []).append(a)
    proven: list[tuple[Candidate, list[Tag]]] = []
    for organisation in sorted(organisations, key=repr):
        if organisation in settled:
            continue
        scope = organisations[organisation]
        lp = build(wave, population, replace(anchor, scope=scope))
        found = _pinned(lp, wave.measures, scope, cleared)
        if found is None:
            return None
        if found:
            proven += found
        else:
            settled.add(organisation)
    return proven


def _pinned(
    lp: Programme,
    measures: Sequence[Bucketed],
    scope: Sequence[int],
    cleared: set[Candidate],
) -> list[tuple[Candidate, list[Tag]]] | None:
    """Every (atom, measure, bucket) the programme proves, with the rows that bind it.

    None if the programme has no solution at all (it always has one: the truth).
    """
    by_key = {m.key: m for m in measures}
    _, world, _ = lp.solve({})
    if not world:
        return None
    open_ = _suspects(lp, world, measures, scope, cleared)
    for _ in range(SCREENS):
        if not open_:
            return []
        order = sorted(open_, key=repr)
        world = lp.spread([_outside(lp, c, by_key[c[1]]) for c in order])
        before = len(open_)
        _clear(lp, world, open_, by_key, cleared)
        if len(open_) == before:
            break
    proven = []
    for candidate in sorted(open_, key=repr):
        if candidate not in open_:
            continue  # cleared by a world found for another
        most, world, binding = lp.solve(_outside(lp, candidate, by_key[candidate[1]]))
        open_.discard(candidate)
        if most >= CLEAR:
            cleared.add(candidate)
            _clear(lp, world, open_, by_key, cleared)
        else:
            proven.append((candidate, binding))
    return proven


def _suspects(
    lp: Programme,
    world: Sequence[float],
    measures: Sequence[Bucketed],
    scope: Sequence[int],
    cleared: set[Candidate],
) -> set[Candidate]:
    """The buckets that hold all but less than one of an atom's people in `world`."""
    suspects = set()
    for a in scope:
        size = world[lp.var("n", a)]
        for measure in measures:
            if len(measure.buckets) < 2:
                continue  # everyone is always in a measure's only bucket: nothing to learn
            for b in range(len(measure.buckets)):
                if world[lp.var("y", a, measure.key, b)] > size - CLEAR:
                    candidate = (a, measure.key, b)
                    if candidate not in cleared:
                        suspects.add(candidate)
    return suspects


def _clear(
    lp: Programme,
    world: Sequence[float],
    open_: set[Candidate],
    by_key: Mapping[MeasureKey, Bucketed],
    cleared: set[Candidate],
) -> None:
    if not world:
        return
    for candidate in list(open_):
        outside = sum(world[j] for j in _outside(lp, candidate, by_key[candidate[1]]))
        if outside >= CLEAR:
            open_.discard(candidate)
            cleared.add(candidate)


def _victim(wave: Wave, binding: Iterable[Tag], cell: Any) -> tuple[str, GroupKey, str] | None:
    """The figure of this release to coarsen: the smallest binding group, else the atom's."""
    current, members, knowns, coded = wave.current, wave.members, wave.knowns, wave.coded
    sizes = wave.counts[current]

    def open_now(kind: str, key: GroupKey, scale: str) -> bool:
        if kind == "magnitude":
            return bool(knowns[current].get(key))
        return not coded[scale][current].shown[key].withheld

    options = {
        (kind, key, scale)
        for kind, r, key, scale in binding
        if kind != "count" and r == current and open_now(kind, key, scale)
    }
    if not options:
        options = {
            ("magnitude", key, "")
            for key in sizes
            if cell in members[key] and open_now("magnitude", key, "")
        } | {
            ("bands", key, scale)
            for scale, releases in coded.items()
            for key in releases[current].shown
            if cell in members[key] and open_now("bands", key, scale)
        }
    if not options:
        return None
    # The smallest group first; of one group, its magnitudes before its breakdown.
    return min(options, key=lambda o: (sizes[o[1]], sort_key(o[1]), o[0] != "magnitude", o[2]))


__all__ = ["WITHHELD", "JointResult", "audit_jointly"]
