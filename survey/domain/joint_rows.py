"""The joint check's programme, built from a wave: its unknowns and rows (see `joint_audit`).

Built for the whole wave, or anchored: only the atoms of one scope (an organisation)
vary and everyone else is held at the truth (`joint_truth`), so each row keeps only the
scope's unknowns and moves the rest of its value into its bounds. Every world of an
anchored programme is a world of the whole one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.domain.band_release import BandRelease
from survey.domain.derivable import Knowns, MeasureKey
from survey.domain.family_lp import Bucketed
from survey.domain.groups import GroupKey
from survey.domain.joint_lp import Programme, Tag
from survey.domain.joint_truth import Truth


@dataclass
class Wave:
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


@dataclass
class Anchor:
    """Only the atoms of `scope` vary; every other atom is held at its truth."""

    scope: Sequence[int]
    truths: Sequence[Truth]
    # Everyone in each shown group at each release: (release, group) -> truth.
    totals: Mapping[tuple[int, GroupKey], Truth]
    groups_of: Mapping[Any, Sequence[GroupKey]] = field(default_factory=dict)


def anchor_for(wave: Wave, truths: Sequence[Truth]) -> Anchor:
    """The anchor of the whole wave (its scope set later): group totals, groups per cell."""
    groups_of: dict[Any, list[GroupKey]] = {}
    for key, cells in wave.members.items():
        for cell in cells:
            groups_of.setdefault(cell, []).append(key)
    totals: dict[tuple[int, GroupKey], Truth] = {}
    for a, (cell, j) in enumerate(wave.atoms):
        for key in groups_of.get(cell, ()):
            for r in range(j, len(wave.counts)):
                if key in wave.counts[r]:
                    totals.setdefault((r, key), Truth()).add(truths[a])
    return Anchor((), truths, totals, groups_of)


def atoms_of(
    cells: Sequence[Any], cumulative: Sequence[Mapping[Any, int]]
) -> list[tuple[Any, int]]:
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


def build(wave: Wave, population: int, anchor: Anchor | None = None) -> Programme:
    """The programme of the whole wave, or of the anchor's scope with everyone else fixed."""
    measures = wave.measures
    lp = Programme()
    by_key = {m.key: m for m in measures}
    varying = range(len(wave.atoms)) if anchor is None else anchor.scope
    for a in varying:
        size = lp.var("n", a)
        lp.upper[size] = float(population)
        lp.row({size: 1.0}, 1.0, float(population), None)
        for measure in measures:
            _atom_measure(lp, a, measure, size)
        for measure in measures:
            if measure.parts:
                _relation(lp, a, measure, by_key)
    for (r, key), inside in _insides(wave, anchor).items():
        fixed = _fixed(anchor, r, key, inside)
        n = wave.counts[r][key]
        count: Tag = ("count", r, key, "")  # never coarsened; says which groups bind a proof
        lp.row({lp.var("n", a): 1.0 for a in inside}, n - fixed.n, n - fixed.n, count)
        for measure_key, known in wave.knowns[r].get(key, {}).items():
            tag: Tag = ("magnitude", r, key, "")
            _known(lp, inside, by_key[measure_key], known, tag, fixed)
        for scale, releases in wave.coded.items():
            display = releases[r].shown.get(key) if r < len(releases) else None
            if display is None or display.withheld:
                continue
            tag = ("bands", r, key, scale)
            head = wave.headlines[scale]
            held = fixed.in_buckets(by_key[head]) if fixed.n else None
            for cell in display.cells:
                low, high = cell.count_range(display.n)
                shift = sum(held[b] for b in cell.bands) if held else 0
                row = {lp.var("y", a, head, b): 1.0 for a in inside for b in cell.bands}
                lp.row(row, float(low - shift), float(high - shift), tag)
    return lp


def _insides(wave: Wave, anchor: Anchor | None) -> dict[tuple[int, GroupKey], list[int]]:
    """The varying atoms in each shown group at each release (groups with none left out)."""
    found: dict[tuple[int, GroupKey], list[int]] = {}
    if anchor is None:
        arrivals: dict[Any, list[tuple[int, int]]] = {}
        for a, (cell, j) in enumerate(wave.atoms):
            arrivals.setdefault(cell, []).append((a, j))
        for r, groups in enumerate(wave.counts):
            for key in groups:
                found[(r, key)] = [
                    a for cell in wave.members[key] for a, j in arrivals.get(cell, ()) if j <= r
                ]
        return found
    for a in anchor.scope:
        cell, j = wave.atoms[a]
        for key in anchor.groups_of.get(cell, ()):
            for r in range(j, len(wave.counts)):
                if key in wave.counts[r]:
                    found.setdefault((r, key), []).append(a)
    return dict(sorted(found.items(), key=lambda entry: (entry[0][0], str(entry[0][1]))))


def _fixed(anchor: Anchor | None, r: int, key: GroupKey, inside: Sequence[int]) -> Truth:
    """Everyone in a group at a release who does not vary: the group less the scope's atoms."""
    held = Truth()
    if anchor is None:
        return held
    held.add(anchor.totals[(r, key)])
    for a in inside:
        held.add(anchor.truths[a], -1)
    return held


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


def _known(  # noqa: PLR0917  (the row's parts, each needed)
    lp: Programme,
    inside: Sequence[int],
    measure: Bucketed,
    known: Any,
    tag: Tag,
    fixed: Truth,
) -> None:
    spans = range(len(measure.buckets))
    held_sum, held_squares = fixed.total(measure.key) if fixed.n else (0.0, 0.0)
    sums: dict[int, float] = {}
    for a in inside:
        for b in spans:
            _add(sums, _sum(lp, a, measure, b))
    lp.row(sums, float(known.s_low) - held_sum, float(known.s_high) - held_sum, tag)
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
        shift = held_squares - slope * held_sum
        row: dict[int, float] = {}
        for a in inside:
            for b in spans:
                _add(row, _sum(lp, a, measure, b, square=True))
                _add(row, _sum(lp, a, measure, b), -slope)
        lp.row(
            row, None if low is None else low - shift, None if high is None else high - shift, tag
        )
