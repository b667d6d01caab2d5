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
from dataclasses import dataclass
from typing import Any

from survey.domain.band_release import BandRelease, coarsened
from survey.domain.derivable import Knowns, MeasureKey
from survey.domain.family_lp import Bucketed
from survey.domain.groups import GroupKey, build_structure, sort_key
from survey.domain.joint_lp import CLEAR, Programme, Tag
from survey.domain.magnitude import WITHHELD, coarser
from survey.domain.magnitude_audit import show_knowns

# Worlds tried before each remaining atom gets a programme of its own.
SCREENS = 4

Candidate = tuple[int, MeasureKey, int]  # atom, measure, bucket


@dataclass(frozen=True)
class JointResult:
    """What the joint check settled: precisions, this release's breakdowns, and leftovers."""

    precision: dict[GroupKey, str]
    bands: dict[str, BandRelease]
    # Pins that no figure of this release binds (earlier releases and counts alone).
    unresolved: int = 0


@dataclass
class _Wave:
    """What the check reads: the atoms, groups and every release's figures (this one open)."""

    measures: Sequence[Bucketed]
    atoms: list[tuple[Any, int]]
    members: dict[GroupKey, set[Any]]
    counts: Sequence[Mapping[GroupKey, int]]
    knowns: list[dict[GroupKey, Knowns]]
    coded: dict[str, list[BandRelease]]
    headlines: Mapping[str, MeasureKey]

    @property
    def current(self) -> int:
        return len(self.counts) - 1


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
) -> JointResult:
    """Coarsen this release's figures until no atom is pinned by all figures jointly.

    `cumulative[r]` are the cell counts at release r (this one last); `counts[r]` the
    released counts of the groups shown then; `shown[r]` what each release showed of each
    group's measures (this release's at `precision`); `bands[scale]` the coded breakdowns
    of every release, this one last, each showing the measure `headlines[scale]`;
    `figures(key, precision)` what a reader would know of a group at a precision.
    """
    structure = build_structure(set().union(*cumulative))
    wave = _Wave(
        measures,
        _atoms(structure.cells, cumulative),
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
    unresolved = 0
    while wave.atoms:
        lp = _build(wave, population)
        pinned = _pinned(lp, measures, wave.atoms, cleared)
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


def _atoms(cells: Sequence[Any], cumulative: Sequence[Mapping[Any, int]]) -> list[tuple[Any, int]]:
    """(cell, release it arrived by) for every non-empty arrival, in a fixed order."""
    found = []
    for cell in cells:
        previous = 0
        for r, totals in enumerate(cumulative):
            n = totals.get(cell, 0)
            if n > previous:
                found.append((cell, r))
            previous = n
    return found


def _build(wave: _Wave, population: int) -> Programme:
    measures, atoms, members = wave.measures, wave.atoms, wave.members
    lp = Programme()
    by_key = {m.key: m for m in measures}
    arrivals: dict[Any, list[tuple[int, int]]] = {}
    for a, (cell, j) in enumerate(atoms):
        arrivals.setdefault(cell, []).append((a, j))
    for a in range(len(atoms)):
        size = lp.var("n", a)
        lp.upper[size] = float(population)
        lp.row({size: 1.0}, 1.0, float(population), None)
        for measure in measures:
            _atom_measure(lp, a, measure, size)
        for measure in measures:
            if measure.parts:
                _relation(lp, a, measure, by_key)
    for r, groups in enumerate(wave.counts):
        for key, n in groups.items():
            inside = [a for cell in members[key] for a, j in arrivals.get(cell, ()) if j <= r]
            lp.row({lp.var("n", a): 1.0 for a in inside}, float(n), float(n), None)
            for measure_key, known in wave.knowns[r].get(key, {}).items():
                _known(lp, inside, by_key[measure_key], known, ("magnitude", r, key, ""))
            for scale, releases in wave.coded.items():
                display = releases[r].shown.get(key) if r < len(releases) else None
                if display is None or display.withheld:
                    continue
                tag: Tag = ("bands", r, key, scale)
                head = wave.headlines[scale]
                for cell in display.cells:
                    low, high = cell.count_range(display.n)
                    row = {lp.var("y", a, head, b): 1.0 for a in inside for b in cell.bands}
                    lp.row(row, float(low), float(high), tag)
    return lp


def _atom_measure(lp: Programme, a: int, measure: Bucketed, size: int) -> None:
    key = measure.key
    row = {lp.var("y", a, key, b): 1.0 for b in range(len(measure.buckets))}
    row[size] = -1.0
    lp.row(row, 0.0, 0.0, None)
    for b, (lo, hi) in enumerate(measure.buckets):
        if lo == hi:
            continue  # an answer: its sum and square are lo and lo^2 per person (`_sum`)
        y, z, w = lp.var("y", a, key, b), lp.var("z", a, key, b), lp.var("w", a, key, b)
        lp.row({z: 1.0, y: -lo}, 0.0, None, None)
        lp.row({z: 1.0, y: -hi}, None, 0.0, None)
        lp.row({w: 1.0, z: -(lo + hi), y: lo * hi}, None, 0.0, None)  # chord
        for point in (lo, (lo + hi) / 2, hi):
            lp.row({w: 1.0, z: -2 * point, y: point * point}, 0.0, None, None)  # tangents


def _sum(
    lp: Programme, a: int, measure: Bucketed, b: int, square: bool = False
) -> tuple[int, float]:
    """The variable holding the sum (or sum of squares) of an atom's scores in a bucket."""
    lo, hi = measure.buckets[b]
    if lo == hi:
        return lp.var("y", a, measure.key, b), lo * lo if square else lo
    return lp.var("w" if square else "z", a, measure.key, b), 1.0


def _add(row: dict[int, float], term: tuple[int, float], scale: float = 1.0) -> None:
    j, c = term
    row[j] = row.get(j, 0.0) + c * scale


def _relation(lp: Programme, a: int, measure: Bucketed, by_key: Mapping[Any, Bucketed]) -> None:
    """A whole is the sum of its parts (a reversed part counts as low + high - value)."""
    if not all(part in by_key for part, _ in measure.parts):
        return
    row: dict[int, float] = {}
    for b in range(len(measure.buckets)):
        _add(row, _sum(lp, a, measure, b))
    for part, reverse in measure.parts:
        source = by_key[part]
        for b in range(len(source.buckets)):
            _add(row, _sum(lp, a, source, b), 1.0 if reverse else -1.0)
            if reverse:
                _add(row, (lp.var("y", a, part, b), 1.0), -source.mirror)
    lp.row(row, 0.0, 0.0, None)


def _known(lp: Programme, inside: Sequence[int], measure: Bucketed, known: Any, tag: Tag) -> None:
    spans = range(len(measure.buckets))
    sums: dict[int, float] = {}
    for a in inside:
        for b in spans:
            _add(sums, _sum(lp, a, measure, b))
    lp.row(sums, float(known.s_low), float(known.s_high), tag)
    if known.ssd_low is None or known.ssd_high is None or known.n <= 0:
        return
    n, s_low, s_high = known.n, known.s_low, known.s_high
    middle = (s_low + s_high) / 2
    # SSD = Q - S^2 / n, with S^2 bounded by its secant (above) and its tangent at the
    # middle (below) over the interval S lies in.
    secant, tangent = float((s_low + s_high) / n), float(2 * middle / n)
    for slope, low, high in (
        (secant, None, float(known.ssd_high - s_low * s_high / n) + 1e-6),
        (tangent, float(known.ssd_low - middle * middle / n) - 1e-6, None),
    ):
        row: dict[int, float] = {}
        for a in inside:
            for b in spans:
                _add(row, _sum(lp, a, measure, b, square=True))
                _add(row, _sum(lp, a, measure, b), -slope)
        lp.row(row, low, high, tag)


def _outside(lp: Programme, candidate: Candidate, measure: Bucketed) -> dict[int, float]:
    atom, key, bucket = candidate
    return {lp.var("y", atom, key, b): 1.0 for b in range(len(measure.buckets)) if b != bucket}


def _pinned(
    lp: Programme,
    measures: Sequence[Bucketed],
    atoms: Sequence[Any],
    cleared: set[Candidate],
) -> list[tuple[Candidate, list[Tag]]] | None:
    """Every (atom, measure, bucket) the programme proves, with the rows that bind it.

    None if the programme has no solution at all (it always has one: the truth).
    """
    by_key = {m.key: m for m in measures}
    _, world, _ = lp.solve({})
    if not world:
        return None
    open_ = _suspects(lp, world, measures, atoms, cleared)
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
    atoms: Sequence[Any],
    cleared: set[Candidate],
) -> set[Candidate]:
    """The buckets that hold all but less than one of an atom's people in `world`."""
    suspects = set()
    for a in range(len(atoms)):
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


def _victim(wave: _Wave, binding: Iterable[Tag], cell: Any) -> tuple[str, GroupKey, str] | None:
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
        if r == current and open_now(kind, key, scale)
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
