"""Coding every band breakdown of a release together, so no difference forces a band.

See `coding` for the scheme and why per-group coding is not enough on its own. Call
`code_release_bands` once per scored scale, after `plan_release`, and keep the returned
`BandRelease` (its `counts` are internal, like a `Ledger`) for the wave's later releases.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.domain.coding import CodedBands, code_bands
from survey.domain.disclosure import Plan
from survey.domain.groups import GroupKey, sort_key

# Coarsening steps a breakdown goes through: bands as they are, two halves, withheld.
LEVELS = 3

Term = tuple[int, CodedBands, tuple[int, ...]]  # sign, display, true band counts


@dataclass(frozen=True)
class BandRelease:
    """The coded breakdowns of one scale in one release, with the true counts behind them.

    `shown` is public (withheld breakdowns included, as such); `counts` must stay internal.
    """

    shown: Mapping[GroupKey, CodedBands]
    counts: Mapping[GroupKey, tuple[int, ...]]

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (for the release's internal record)."""
        keys = sorted(self.shown, key=sort_key)
        return {
            "shown": {str(k): self.shown[k].to_json() for k in keys},
            "counts": {str(k): list(self.counts[k]) for k in keys},
        }

    @classmethod
    def from_json(cls, data: str | Mapping[str, Any]) -> BandRelease:
        """Rebuild from `to_json()` output (or its JSON text)."""
        raw: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
        return cls(
            shown={GroupKey.from_str(k): CodedBands.from_json(v) for k, v in raw["shown"].items()},
            counts={GroupKey.from_str(k): tuple(v) for k, v in raw["counts"].items()},
        )


def code_release_bands(
    plan: Plan,
    band_counts: Mapping[GroupKey, Sequence[int]],
    band_labels: Sequence[str],
    history: Sequence[BandRelease] = (),
    coarse: Sequence[Sequence[int]] | None = None,
) -> BandRelease:
    """Code the breakdown of every visible group so that no family forces a band.

    `band_counts[g]` must sum to the group's released count (put responses without a score
    in a band of their own, e.g. "not scored"). `coarse` is the two-category merge used as
    the first coarsening step (default: the lower and upper halves of the bands).
    """
    m = len(band_labels)
    runs = _coarse_runs(coarse, m)
    counts: dict[GroupKey, tuple[int, ...]] = {}
    for key in sorted(plan.visible, key=sort_key):
        vector = tuple(band_counts[key])
        if len(vector) != m or sum(vector) != plan.counts[key]:
            raise ValueError(f"band counts for {key} do not add up to its released count")
        counts[key] = vector
    level = dict.fromkeys(counts, 0)

    def coded(key: GroupKey) -> CodedBands:
        if level[key] >= LEVELS - 1:
            return CodedBands(n=sum(counts[key]), cells=())
        return code_bands(counts[key], band_labels, runs if level[key] == 1 else None)

    shown = {key: coded(key) for key in counts}
    changed = True
    while changed:
        changed = False
        for terms, victims in _families(plan, shown, counts, history):
            if victims and _forced(terms, m):
                victim = min(victims, key=lambda g: (shown[g].n, sort_key(g)))
                level[victim] += 1
                shown[victim] = coded(victim)
                changed = True
    return BandRelease(shown=shown, counts=counts)


def coarsened(release: BandRelease, key: GroupKey) -> BandRelease:
    """The same release with one group's breakdown one step coarser (bands, halves, withheld).

    Coarsening only widens what a display allows, so no family the coding had made safe
    becomes unsafe; the magnitude audit uses this when bands and means together pin a group.
    """
    display, true = release.shown[key], release.counts[key]
    m = len(true)
    labels = [cell.label for cell in display.cells]
    if display.withheld:
        return release
    if len(display.cells) == m and m > 2:
        next_display = code_bands(true, labels, _coarse_runs(None, m))
    else:
        next_display = CodedBands(n=display.n, cells=())
    return BandRelease(shown={**release.shown, key: next_display}, counts=release.counts)


def _coarse_runs(coarse: Sequence[Sequence[int]] | None, m: int) -> list[list[int]]:
    if coarse is not None:
        return [list(run) for run in coarse]
    if m <= 2:
        return [list(range(m))]  # halves of two bands are no coarser: go straight to withheld
    middle = m // 2
    return [list(range(middle)), list(range(middle, m))]


def _families(
    plan: Plan,
    shown: Mapping[GroupKey, CodedBands],
    counts: Mapping[GroupKey, tuple[int, ...]],
    history: Sequence[BandRelease],
) -> list[tuple[list[Term], list[GroupKey]]]:
    """Every (terms, coarsenable groups) pair whose remainder a reader can work out."""
    families: list[tuple[list[Term], list[GroupKey]]] = []
    for parent, children in plan.partitions:
        if parent not in shown or shown[parent].withheld:
            continue
        kids = [c for c in children if c in shown and not shown[c].withheld]
        terms = [(1, shown[parent], counts[parent])]
        terms += [(-1, shown[c], counts[c]) for c in kids]
        families.append((terms, kids or [parent]))
        # Each shown child is also the parent less its siblings (with any hidden ones).
        for kid in kids:
            others = [c for c in kids if c != kid]
            terms = [(1, shown[parent], counts[parent])]
            terms += [(-1, shown[c], counts[c]) for c in others]
            families.append((terms, others or [parent]))
    for earlier in history:
        for key, then in earlier.shown.items():
            if key in shown and not shown[key].withheld and not then.withheld:
                terms = [(1, shown[key], counts[key]), (-1, then, tuple(earlier.counts[key]))]
                families.append((terms, [key]))
    return families


def _forced(terms: Sequence[Term], m: int) -> bool:
    """Whether every world consistent with the displays puts the whole remainder in one band."""
    remainder = [sum(sign * true[b] for sign, _, true in terms) for b in range(m)]
    size = sum(remainder)
    if size <= 0:
        return False
    homogeneous = [b for b in range(m) if remainder[b] == size]
    # The true counts are one consistent world: a mixed true remainder is never forced.
    return bool(homogeneous) and _max_outside(terms, m, homogeneous[0]) < 0.5


def _max_outside(terms: Sequence[Term], m: int, band: int) -> float:
    """The most people the remainder can hold outside `band`, over all consistent worlds."""
    size = len(terms) * m

    def var(t: int, b: int) -> int:
        return t * m + b

    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for t, (_, display, _) in enumerate(terms):
        row = [0.0] * size
        for b in range(m):
            row[var(t, b)] = 1.0
        a_eq.append(row)
        b_eq.append(float(display.n))
        for cell in display.cells:
            low, high = cell.count_range(display.n)
            row = [0.0] * size
            for b in cell.bands:
                row[var(t, b)] = 1.0
            a_ub += [row, [-v for v in row]]
            b_ub += [float(high), float(-low)]
    objective = [0.0] * size
    for b in range(m):
        row = [0.0] * size
        for t, (sign, _, _) in enumerate(terms):
            row[var(t, b)] = -float(sign)
            if b != band:
                objective[var(t, b)] = -float(sign)
        a_ub.append(row)  # remainder in band b is never negative
        b_ub.append(0.0)
    # Imported here so respondent workers never load SciPy (see stats.t_quantile).
    from scipy.optimize import linprog  # noqa: PLC0415

    result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
    if result.status != 0:
        return 0.0  # cannot happen (the truth is feasible); if it did, count it as forced
    return float(-result.fun)
