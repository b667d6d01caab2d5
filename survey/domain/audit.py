"""Exact audit: can a reader of every released count isolate fewer than k people?

The per-partition rules in `disclosure` are cheap but local; a reader can add and subtract
figures across partitions and releases (a 2-D table of teams by role with margins shown can
pin a cell that every single row and column protects). This module checks the release as
a whole, in exact rational arithmetic.

Model. An *atom* is the set of people in one cell who arrived in one release interval; only
atoms with at least one person are kept (worst case: the reader knows which are empty).
Every released count, at every release, is the sum over a set of atoms. The reader learns
the count (and any score total) of an atom set S exactly when its indicator vector lies in
the span of the released vectors. The release is safe when no such S holds 1 to k-1 people.

Method. Such an S holds only *small* atoms (fewer than k people each), so it lies in the
subspace of the span that vanishes on every large atom. Gaussian elimination with the large
atoms' columns first yields a reduced row-echelon basis of that subspace; any vector in it
is the sum of its basis rows weighted by its own values on the pivot columns, so a 0/1
vector is the plain sum of the rows whose pivots it contains. A depth-first search over such
row sets (at most k-1 of them, the pivots' counts summing to at most k-1), branching only on
rows that could repair a column that is not yet 0 or 1, enumerates every candidate. The
matroid's connected components are searched separately, and each row keeps its provenance
(which released vectors it is made of) so a finding names the releases that expose it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

Num = int | Fraction
Vec = dict[int, Num]

# Search nodes per component before the audit gives up and asks for more suppression.
DEFAULT_BUDGET = 200_000
# Float tolerance of the search; exact arithmetic confirms every hit.
_TOL = 1e-9


@dataclass(frozen=True)
class Finding:
    """Atoms a reader can isolate (None if the search ran out of budget) and the suppressible
    rows that contribute to the exposure (the candidates for further suppression)."""

    atoms: frozenset[int] | None
    rows: frozenset[int]


class _OutOfBudget(Exception):
    pass


def audit(
    counts: Sequence[int],
    rows: Sequence[frozenset[int]],
    suppressible: frozenset[int],
    k: int,
    *,
    budget: int | None = None,
    safe_cache: set[object] | None = None,
    per_component: int = 1,
) -> list[Finding]:
    """Return up to `per_component` exposures per affected component (empty when safe).

    `counts[a]` is atom a's size (each >= 1); `rows[i]` is the atom set of released vector
    i; rows in `suppressible` belong to the release being planned, the rest to earlier
    releases, which can no longer change. Exposures already open from earlier releases
    alone are not reported, since nothing now can close them. `safe_cache` may carry the
    components already proven safe from one call to the next (the reduced basis is
    canonical, so an unchanged component reappears identically). Several exposures per
    component let the caller hide for all of them in one round instead of one per round.
    """
    budget = DEFAULT_BUDGET if budget is None else budget
    basis = _small_basis(counts, rows, suppressible, k)
    earlier: _Span | None = None
    findings: list[Finding] = []
    for component in _components(basis):
        signature = (
            k,
            tuple((basis[i].pivot, tuple(sorted(basis[i].vec.items()))) for i in component),
        )
        if safe_cache is not None and signature in safe_cache:
            continue
        found: dict[frozenset[int], Finding] = {}
        try:
            for atoms, provenance in _search(component, basis, counts, k, budget):
                if earlier is None:
                    earlier = _Span(
                        [{a: 1 for a in rows[i]} for i in range(len(rows)) if i not in suppressible]
                    )
                if not provenance or atoms in found or earlier.contains(atoms):
                    continue
                found[atoms] = Finding(atoms, frozenset(provenance))
                if len(found) >= per_component:
                    break
            else:
                if not found and safe_cache is not None:
                    safe_cache.add(signature)
            findings.extend(found.values())
        except _OutOfBudget:
            findings.extend(found.values())
            # Undecided: treat as exposed, and offer every current row that shapes it.
            touched = {c for i in component for c in basis[i].vec}
            near = {i for i in suppressible if rows[i] & touched}
            near.update(r for i in component for r in basis[i].prov)
            if near:
                findings.append(Finding(None, frozenset(near)))
    return findings


@dataclass
class _Row:
    vec: Vec
    prov: Vec  # coefficients over the suppressible released rows
    pivot: int = -1


def _div(a: Num, b: Num) -> Num:
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return _whole(Fraction(a) / b)


def _whole(value: Num) -> Num:
    # Whole numbers stay ints: int arithmetic is many times faster than Fraction's.
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value


def _axpy(target: Vec, factor: Num, source: Vec) -> None:
    # target -= factor * source, dropping entries that cancel to exactly zero.
    for col, value in source.items():
        updated = target.get(col, 0) - factor * value
        if updated:
            target[col] = updated if type(updated) is int else _whole(updated)
        else:
            target.pop(col, None)


def _small_basis(
    counts: Sequence[int], rows: Sequence[frozenset[int]], suppressible: frozenset[int], k: int
) -> list[_Row]:
    """Reduced row-echelon basis of the span restricted to vectors that are 0 on large atoms."""
    work: dict[int, _Row] = {}
    col_rows: dict[int, set[int]] = {}
    for i, atoms in enumerate(rows):
        if not atoms:
            continue
        work[i] = _Row({a: 1 for a in atoms}, {i: 1} if i in suppressible else {})
        for a in atoms:
            col_rows.setdefault(a, set()).add(i)

    def eliminate(col: int, pivot_id: int) -> None:
        pivot = work[pivot_id]
        for other in list(col_rows.get(col, ())):
            if other != pivot_id:
                _subtract(work[other], other, pivot, col, col_rows)

    def normalise(row: _Row, col: int) -> None:
        lead = row.vec[col]
        if lead != 1:
            row.vec = {c: _div(v, lead) for c, v in row.vec.items()}
            row.prov = {c: _div(v, lead) for c, v in row.prov.items()}

    small = sorted((a for a in range(len(counts)) if counts[a] < k), key=lambda a: (-counts[a], a))
    large = [a for a in range(len(counts)) if counts[a] >= k]
    for col in large:
        candidates = [i for i in col_rows.get(col, ()) if work[i].pivot < 0]
        if not candidates:
            continue
        pivot_id = min(candidates, key=lambda i: (len(work[i].vec), i))
        normalise(work[pivot_id], col)
        eliminate(col, pivot_id)
        # A row that needs a large atom can never be part of a small exposure.
        for c in work[pivot_id].vec:
            col_rows[c].discard(pivot_id)
        del work[pivot_id]
    basis: list[_Row] = []
    for col in small:
        candidates = [i for i in col_rows.get(col, ()) if work[i].pivot < 0]
        if not candidates:
            continue
        pivot_id = min(candidates, key=lambda i: (len(work[i].vec), i))
        normalise(work[pivot_id], col)
        work[pivot_id].pivot = col
        eliminate(col, pivot_id)
    basis = [row for row in work.values() if row.pivot >= 0]
    basis.sort(key=lambda row: row.pivot)
    return basis


def _subtract(row: _Row, row_id: int, pivot: _Row, col: int, col_rows: dict[int, set[int]]) -> None:
    """Clear `col` from `row` with the pivot row, keeping `col_rows` in step.

    The same as `_axpy` on the vector, without rebuilding column sets for every row.
    """
    vec = row.vec
    factor = vec[col]
    for c, value in pivot.vec.items():
        old = vec.get(c)
        if old is None:
            vec[c] = _whole(-factor * value)
            col_rows.setdefault(c, set()).add(row_id)
            continue
        updated = old - factor * value
        if updated:
            vec[c] = updated if type(updated) is int else _whole(updated)
        else:
            del vec[c]
            col_rows[c].discard(row_id)
    _axpy(row.prov, factor, pivot.prov)


def _components(basis: Sequence[_Row]) -> list[list[int]]:
    """Connected components of the basis rows linked through shared columns."""
    parent = list(range(len(basis)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for i, row in enumerate(basis):
        for col in row.vec:
            j = owner.setdefault(col, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(basis)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def _search(
    component: Sequence[int],
    basis: Sequence[_Row],
    counts: Sequence[int],
    k: int,
    budget: int,
) -> Iterator[tuple[frozenset[int], set[int]]]:
    """Yield every 0/1 vector in the component's span holding 1..k-1 people.

    The search runs in floating point for speed (sums of at most k-1 rows, far from the
    tolerance) and every hit is confirmed in exact arithmetic before it is reported.
    """
    limit = k - 1
    fast = {i: {c: float(v) for c, v in basis[i].vec.items()} for i in component}
    col_rows: dict[int, list[int]] = {}
    for i in component:
        for col in basis[i].vec:
            col_rows.setdefault(col, []).append(i)
    pivots = {basis[i].pivot for i in component}
    nodes = 0

    def visit(
        first: int, chosen: tuple[int, ...], x: dict[int, float], used: int, seen: set[object]
    ) -> Iterator[tuple[frozenset[int], set[int]]]:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _OutOfBudget
        if len(chosen) >= limit and any(abs(v - 1.0) > _TOL for v in x.values()):
            return  # no row may be added, and this is not a 0/1 vector
        # The value other than 0/1 with the fewest rows left to repair it (rows after
        # `first` only); with none left, nothing below this node can be a hit.
        repair: list[int] | None = None
        for c, v in x.items():
            if abs(v - 1.0) > _TOL:
                rows_c = col_rows[c]
                left = len(rows_c) - bisect_right(rows_c, first)
                if left == 0:
                    return
                if repair is None or left < len(repair):
                    repair = rows_c[len(rows_c) - left :]
        if repair is None:
            ones = frozenset(x)
            if sum(counts[c] for c in ones) <= limit and _exact_hit(basis, chosen, ones):
                prov: Vec = {}
                for i in chosen:
                    _axpy(prov, -1, basis[i].prov)
                yield ones, set(prov)
            # Too many people: some non-pivot 1 must be cancelled by a further row.
            branch = [col_rows[c] for c in x if c not in pivots]
        else:
            # A value other than 0/1 must be repaired by a row touching that column.
            branch = [repair]
        if len(chosen) >= limit:
            return
        for candidates in branch:
            for i in candidates:
                if i <= first or i in chosen or used + counts[basis[i].pivot] > limit:
                    continue
                key = tuple(sorted((*chosen, i)))
                if key in seen:
                    continue
                seen.add(key)
                y = dict(x)
                for c, v in fast[i].items():
                    updated = y.get(c, 0.0) + v
                    if abs(updated) > _TOL:
                        y[c] = updated
                    else:
                        y.pop(c, None)
                yield from visit(first, key, y, used + counts[basis[i].pivot], seen)

    for first in component:
        row = basis[first]
        if counts[row.pivot] > limit:
            continue
        yield from visit(first, (first,), dict(fast[first]), counts[row.pivot], set())


def _exact_hit(basis: Sequence[_Row], chosen: Sequence[int], ones: frozenset[int]) -> bool:
    total: Vec = {}
    for i in chosen:
        _axpy(total, -1, basis[i].vec)
    return set(total) == ones and all(v == 1 for v in total.values())


class _Span:
    """Membership tests against the span of a fixed set of vectors (exact)."""

    def __init__(self, vectors: Sequence[Mapping[int, Num]]) -> None:
        self._rows: dict[int, Vec] = {}
        for vector in vectors:
            residual = self._reduce(dict(vector))
            if residual:
                pivot = min(residual)
                lead = residual[pivot]
                row = {c: _div(v, lead) for c, v in residual.items()}
                for other in self._rows.values():
                    if pivot in other:
                        _axpy(other, other[pivot], row)
                self._rows[pivot] = row

    def _reduce(self, vector: Vec) -> Vec:
        for pivot, row in sorted(self._rows.items()):
            if pivot in vector:
                _axpy(vector, vector[pivot], row)
        return vector

    def contains(self, atoms: frozenset[int]) -> bool:
        """Whether the indicator vector of `atoms` lies in the span."""
        return not self._reduce({a: 1 for a in atoms})
