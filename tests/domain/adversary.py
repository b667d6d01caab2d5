"""A worst-case lead, written independently of the code it attacks.

It sees every figure any lead can see: every released group count of every release of a
wave. It does its own bookkeeping (group membership straight from the cell tuple, floating
point linear algebra with numpy) so it shares no code with `survey.domain.audit`; for band
displays it reads only the shown percentage bounds and searches every consistent world.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

from survey.domain.coding import CodedBands
from survey.domain.disclosure import Plan
from survey.domain.groups import Cell, GroupKey

Atom = tuple[Cell, int]


def in_group(key: GroupKey, cell: Cell) -> bool:
    """Whether a cell belongs to a group, from first principles."""
    org, team, attrs = cell
    if key.level == "organisation" and key.id != org:
        return False
    if key.level == "team" and key.id != team:
        return False
    return key.attribute is None or dict(attrs).get(key.attribute) == key.value


def atoms(releases: Sequence[Mapping[Cell, int]]) -> dict[Atom, int]:
    """People per (cell, release interval), keeping only non-empty atoms."""
    found: dict[Atom, int] = {}
    cells = sorted({cell for counts in releases for cell in counts})
    for cell in cells:
        previous = 0
        for j, counts in enumerate(releases):
            n = counts.get(cell, 0)
            if n > previous:
                found[(cell, j)] = n - previous
            previous = n
    return found


def released_vectors(
    plans: Sequence[Plan], atom_counts: Mapping[Atom, int]
) -> tuple[np.ndarray, list[Atom]]:
    """One 0/1 row per figure shown at any release, over the non-empty atoms."""
    order = sorted(atom_counts)
    rows = []
    for r, plan in enumerate(plans):
        for key in sorted(plan.visible, key=str):
            rows.append([1.0 if j <= r and in_group(key, cell) else 0.0 for cell, j in order])
    matrix = np.array(rows, dtype=float).reshape(len(rows), len(order))
    return matrix, order


def _row_space(matrix: np.ndarray) -> np.ndarray:
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1]))
    _, sigma, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((sigma > 1e-9 * max(1.0, sigma[0])).sum())
    return vt[:rank]


def in_span(matrix: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """For each row of `vectors`, whether it lies in the row space of `matrix`."""
    basis = _row_space(matrix)
    residual = vectors - (vectors @ basis.T) @ basis
    hits: np.ndarray = np.linalg.norm(residual, axis=1) < 1e-7
    return hits


def small_exposures(
    plans: Sequence[Plan], releases: Sequence[Mapping[Cell, int]], k: int
) -> list[tuple[Atom, ...]]:
    """Every set of non-empty atoms holding 1..k-1 people whose count a reader can derive."""
    counts = atoms(releases)
    matrix, order = released_vectors(plans, counts)
    small = [i for i, atom in enumerate(order) if counts[atom] < k]
    candidates: list[tuple[int, ...]] = []
    for size in range(1, k):
        for combo in itertools.combinations(small, size):
            if sum(counts[order[i]] for i in combo) < k:
                candidates.append(combo)
    if not candidates:
        return []
    vectors = np.zeros((len(candidates), len(order)))
    for row, combo in enumerate(candidates):
        vectors[row, list(combo)] = 1.0
    hits = in_span(matrix, vectors)
    found = zip(candidates, hits, strict=True)
    return [tuple(order[i] for i in combo) for combo, hit in found if hit]


# --- homogeneity: what the coded band displays allow ----------------------------------------

# A display as the attacker reads it: n, and for each shown category its bands and the set of
# counts out of n the shown text allows.
Display = tuple[int, list[tuple[tuple[int, ...], frozenset[int]]]]


def read_display(coded: CodedBands) -> Display:
    """Turn a coded breakdown into allowed counts, from its percentage bounds alone."""
    n = coded.n
    categories = []
    for cell in coded.cells:
        allowed = set()
        for c in range(n + 1):
            share = Fraction(100 * c, n)
            above = share > cell.lower if cell.lower_open else share >= cell.lower
            below = share < cell.upper if cell.upper_open else share <= cell.upper
            if above and below:
                allowed.add(c)
        categories.append((cell.bands, frozenset(allowed)))
    return n, categories


def exact_display(band_counts: Sequence[int]) -> Display:
    """An uncoded display: every band's exact share (what rule 4 forbids)."""
    return sum(band_counts), [((b,), frozenset({c})) for b, c in enumerate(band_counts)]


def consistent_vectors(display: Display, m: int) -> list[tuple[int, ...]]:
    """Every band-count vector the display is consistent with."""
    n, categories = display
    found: list[tuple[int, ...]] = []
    options = [sorted(allowed) for _, allowed in categories]
    for totals in itertools.product(*options):
        if sum(totals) != n:
            continue
        # Split each category's count over its bands every possible way.
        splits = [
            _compositions(total, len(bands))
            for (bands, _), total in zip(categories, totals, strict=True)
        ]
        for parts in itertools.product(*splits):
            vector = [0] * m
            for (bands, _), part in zip(categories, parts, strict=True):
                for b, c in zip(bands, part, strict=True):
                    vector[b] = c
            found.append(tuple(vector))
    if not categories:  # withheld: anything adding up to n
        found = _compositions(n, m)
    return found


def forced_band(whole: Display, parts: Sequence[Display], m: int) -> int | None:
    """The band the remainder (whole minus parts) is certainly entirely in, if any.

    Exact: it searches every combination of consistent vectors, so it is at least as strong
    as interval arithmetic on the shown bounds.
    """
    size = whole[0] - sum(part[0] for part in parts)
    if size <= 0:
        return None
    sums = {(0,) * m}
    for part in parts:
        vectors = consistent_vectors(part, m)
        sums = {tuple(a + b for a, b in zip(s, v, strict=True)) for s in sums for v in vectors}
    outside = [False] * m  # can the remainder hold someone outside band b?
    for p in consistent_vectors(whole, m):
        for s in sums:
            rest = [x - y for x, y in zip(p, s, strict=True)]
            if min(rest) < 0:
                continue
            for b in range(m):
                outside[b] = outside[b] or rest[b] < size
    forced = [b for b in range(m) if not outside[b]]
    return forced[0] if forced else None


def _compositions(n: int, m: int) -> list[tuple[int, ...]]:
    if m == 1:
        return [(n,)]
    return [(first, *rest) for first in range(n + 1) for rest in _compositions(n - first, m - 1)]
