"""Groups a reader can derive from a wave's releases, and the people in them.

Atoms are people of one cell who arrived in one release interval. A *family* is a signed
sum of released groups with the atoms it covers and its size: what a reader can work out
by adding and subtracting released figures. `derivable` closes the released groups under
the additive relations a reader knows (see its docstring); `families` lists every group
and remainder the magnitude audit bounds; `band_families` the remainders of shown counts
that the joint band check tries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from survey.domain.groups import Cell, GroupKey, Partition, sort_key
from survey.domain.magnitude import Known

MeasureKey = tuple[str, str]  # (scale key, part key or ITEM + item id)
ITEM = "item:"  # the part key of an item measure, before its id
Knowns = Mapping[MeasureKey, Known]


@dataclass
class Family:
    """A signed sum of released groups: its terms, the atoms it covers and its size."""

    terms: list[tuple[int, int, GroupKey]]  # coefficient, release, group
    atoms: frozenset[int]
    n: int


def atom_index(
    cells: Sequence[Cell],
    members: Mapping[GroupKey, tuple[int, ...]],
    cumulative: Sequence[Mapping[Cell, int]],
) -> Callable[[GroupKey, int, int], frozenset[int]]:
    atom_of: dict[tuple[int, int], int] = {}
    for c, cell in enumerate(cells):
        previous = 0
        for j, totals in enumerate(cumulative):
            n = totals.get(cell, 0)
            if n > previous:
                atom_of[(c, j)] = len(atom_of)
            previous = n

    def atoms(key: GroupKey, after: int, upto: int) -> frozenset[int]:
        """Atoms of `key` that arrived after release `after` and by release `upto`."""
        return frozenset(
            atom_of[(c, j)]
            for c in members[key]
            for j in range(after + 1, upto + 1)
            if (c, j) in atom_of
        )

    return atoms


Coefficients = dict[tuple[int, GroupKey], int]  # (release, group) -> multiple of its figures


def families(
    partitions: Sequence[Partition],
    atoms: Callable[[GroupKey, int, int], frozenset[int]],
    counts: Sequence[Mapping[GroupKey, int]],
    shown: Sequence[Mapping[GroupKey, Knowns]],
) -> list[Family]:
    known = derivable(partitions, counts, shown)
    families: list[Family] = []

    def add(coefficients: Coefficients, support: frozenset[int], n: int) -> None:
        terms = [(c, r, key) for (r, key), c in sorted(coefficients.items(), key=_order) if c]
        if n > 0 and terms:
            families.append(Family(terms, support, n))

    for (r, key), coefficients in sorted(known.items(), key=_order):
        add(coefficients, atoms(key, -1, r), counts[r][key])
        for before in range(r):
            if (before, key) in known:
                growth = _combine(coefficients, known[(before, key)], -1)
                add(growth, atoms(key, before, r), counts[r][key] - counts[before][key])
    for r in range(len(shown)):
        for parent, children in partitions:
            kids = [c for c in children if (r, c) in known]
            if (r, parent) not in known or not kids:
                continue
            rest = dict(known[(r, parent)])
            for kid in kids:
                rest = _combine(rest, known[(r, kid)], -1)
            support = atoms(parent, -1, r).difference(*(atoms(c, -1, r) for c in kids))
            add(rest, support, counts[r][parent] - sum(counts[r][c] for c in kids))
    return families


def _order(item: tuple[tuple[int, GroupKey], object]) -> tuple[int, str]:
    (r, key), _ = item
    return r, sort_key(key)


def _combine(a: Coefficients, b: Coefficients, factor: int) -> Coefficients:
    out = dict(a)
    for term, c in b.items():
        out[term] = out.get(term, 0) + factor * c
    return {term: c for term, c in out.items() if c}


def derivable(
    partitions: Sequence[Partition],
    counts: Sequence[Mapping[GroupKey, int]],
    shown: Sequence[Mapping[GroupKey, Knowns]],
) -> dict[tuple[int, GroupKey], Coefficients]:
    """Every group whose figures a reader can work out, as a sum of released figures.

    A released group is its own figures; a group whose count did not change since another
    release is the same people as then; a parent whose shown children account for its whole
    count is their sum; the one child a shown parent's other children leave over is the
    difference. Repeated until nothing new follows.
    """
    known: dict[tuple[int, GroupKey], Coefficients] = {
        (r, key): {(r, key): 1} for r, release in enumerate(shown) for key in release
    }
    changed = True
    while changed:
        changed = False
        for r, sizes in enumerate(counts):
            for before in range(r):
                # A group whose count did not change holds the same people at both releases.
                for key in sizes.keys() & counts[before].keys():
                    if sizes[key] != counts[before][key]:
                        continue
                    for a, b in (((r, key), (before, key)), ((before, key), (r, key))):
                        if a in known and b not in known:
                            known[b] = known[a]
                            changed = True
            for parent, children in partitions:
                if parent not in sizes:
                    continue
                kids = [c for c in children if (r, c) in known]
                rest = sizes[parent] - sum(sizes[c] for c in kids)
                if (r, parent) not in known and rest == 0 and kids:
                    total: Coefficients = {}
                    for kid in kids:
                        total = _combine(total, known[(r, kid)], 1)
                    known[(r, parent)] = total
                    changed = True
                missing = [c for c in children if (r, c) not in known and sizes.get(c, 0) > 0]
                if (r, parent) in known and len(missing) == 1 and sizes[missing[0]] == rest:
                    left = dict(known[(r, parent)])
                    for kid in kids:
                        left = _combine(left, known[(r, kid)], -1)
                    known[(r, missing[0])] = left
                    changed = True
    return known


def band_families(
    partitions: Sequence[Partition], counts: Sequence[Mapping[GroupKey, int]]
) -> list[Family]:
    """Remainders of shown counts (whatever their magnitudes), for the joint band check."""
    families: list[Family] = []
    for r, sizes in enumerate(counts):
        for key in sorted(sizes, key=sort_key):
            for before in range(r):
                growth = sizes[key] - counts[before].get(key, sizes[key])
                if growth > 0:
                    families.append(Family([(1, r, key), (-1, before, key)], frozenset(), growth))
        for parent, children in partitions:
            kids = [c for c in children if c in sizes]
            if parent not in sizes or not kids:
                continue
            # The parent less all its shown children, and less all but each one of them.
            for left in [None, *kids]:
                others = [c for c in kids if c != left]
                n = sizes[parent] - sum(sizes[c] for c in others)
                if n > 0:
                    terms = [(1, r, parent)] + [(-1, r, c) for c in others]
                    families.append(Family(terms, frozenset(), n))
    return families
