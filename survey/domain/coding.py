"""Band coding (DESIGN rule 4, homogeneity): showing how a group splits across score bands
without letting a reader be certain of anyone's band.

Scheme for one group of n (`code_bands`):

- each displayed category (a band, or a run of adjacent bands once coarsened) is shown as a
  percentage *bucket*, never as an exact figure. Buckets come from a grid of step s, the
  finest of 5, 10, 20 and 25 % for which every bucket can hold at least two different
  counts out of n; groups too small for 25 % use halves ("fewer than 50%", "50% or more");
- the grid for step s is [0, s), [s, 2s), ..., [100-2s, 100-s], (100-s, 100]. The end
  buckets are bottom- and top-coded: 0 % reads "fewer than s%" and 100 % reads "more than
  (100-s)%", each of which also covers one person more or fewer;
- so every shown cell is consistent with at least two counts, and because the bottom
  bucket always holds 1 and the top bucket always holds n-1, the display is consistent
  with someone outside any one category: no single group's display forces anyone's band;
- each coded cell carries its label, text and percentage bounds (with open/closed ends),
  for charts and for checking; `count_range(n)` gives the counts it is consistent with.

Rounding alone does not stop differencing: a parent showing "20-40%" (2 or 3 of 10) and a
child showing "50% or more" (3 or more of 5) pin both at 3, and the hidden rest of the
parent then holds nobody in that band. `code_release_bands` therefore codes a whole release
and checks every *family*: a shown parent minus its shown children (every partition of the
plan), and a group now minus the same group at each earlier release. For each family it
asks whether every world consistent with all the displays puts the whole remainder in one
band. That question is a small linear programme whose constraint matrix is two laminar
families (per-group totals and category bounds; per-band remainder rows), hence totally
unimodular, so its optimum is the integer answer. The true counts are one consistent world,
so only families whose true remainder sits in a single band need solving. A family that is
forced has its smallest shown child (or the later group) coarsened: first to two
categories, then withheld altogether (shown as `SUPPRESSED_TEXT`), until no family is.
Combinations of more than one partition at a time are left to the count rules, which keep
every derivable remainder at 0 or at least k people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.domain.disclosure import SUPPRESSED_TEXT

GRID_STEPS = (5, 10, 20, 25)
HALF = 50


@dataclass(frozen=True)
class CodedCell:
    """One displayed category: which bands it covers and the bucket its share falls in."""

    label: str
    bands: tuple[int, ...]
    text: str
    lower: int
    upper: int
    lower_open: bool
    upper_open: bool

    def count_range(self, n: int) -> tuple[int, int]:
        """The smallest and largest counts out of n that this display is consistent with."""
        low = (self.lower * n) // 100 + 1 if self.lower_open else -((-self.lower * n) // 100)
        high = -((-self.upper * n) // 100) - 1 if self.upper_open else (self.upper * n) // 100
        return max(low, 0), min(high, n)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return dict(self.__dict__, bands=list(self.bands))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CodedCell:
        """Rebuild from `to_json()` output."""
        return cls(**dict(data, bands=tuple(data["bands"])))


@dataclass(frozen=True)
class CodedBands:
    """The coded band breakdown of one released group (withheld: no cells at all)."""

    n: int
    cells: tuple[CodedCell, ...]

    @property
    def withheld(self) -> bool:
        """Whether the breakdown is not shown at all."""
        return not self.cells

    @property
    def text(self) -> str:
        """The wording shown in place of a withheld breakdown (empty when shown)."""
        return SUPPRESSED_TEXT if self.withheld else ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return {"n": self.n, "cells": [cell.to_json() for cell in self.cells]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CodedBands:
        """Rebuild from `to_json()` output."""
        return cls(n=data["n"], cells=tuple(CodedCell.from_json(c) for c in data["cells"]))


def code_bands(
    band_counts: Sequence[int],
    band_labels: Sequence[str],
    merge: Sequence[Sequence[int]] | None = None,
) -> CodedBands:
    """Code one released group's band counts; `merge` lists runs of adjacent bands to join."""
    if len(band_counts) != len(band_labels) or len(band_labels) < 2:
        raise ValueError("need one count per band and at least two bands")
    if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in band_counts):
        raise ValueError("band counts must be non-negative whole numbers")
    runs = _check_runs(merge, len(band_labels))
    n = sum(band_counts)
    grid = _grid_for(n)
    if len(runs) < 2 or grid is None:
        return CodedBands(n=n, cells=())
    cells = []
    for run in runs:
        count = sum(band_counts[b] for b in run)
        bucket = next(b for b in grid if _in_bucket(count, n, b))
        lower, upper, lower_open, upper_open = bucket
        cells.append(
            CodedCell(
                label=_run_label([band_labels[b] for b in run]),
                bands=run,
                text=_bucket_text(bucket),
                lower=lower,
                upper=upper,
                lower_open=lower_open,
                upper_open=upper_open,
            )
        )
    return CodedBands(n=n, cells=tuple(cells))


Bucket = tuple[int, int, bool, bool]


def grid(step: int) -> tuple[Bucket, ...]:
    """The buckets of one grid step (50 means halves)."""
    if step == HALF:
        return ((0, 50, False, True), (50, 100, False, False))
    if step not in GRID_STEPS:
        raise ValueError(f"no grid with step {step}")
    buckets: list[Bucket] = [(0, step, False, True)]
    buckets += [(a, a + step, False, True) for a in range(step, 100 - 2 * step, step)]
    buckets += [(100 - 2 * step, 100 - step, False, False), (100 - step, 100, True, False)]
    return tuple(buckets)


def _grid_for(n: int) -> tuple[Bucket, ...] | None:
    for step in (*GRID_STEPS, HALF):
        buckets = grid(step)
        if all(_span(n, b) >= 2 for b in buckets):
            return buckets
    return None


def _span(n: int, bucket: Bucket) -> int:
    lower, upper, lower_open, upper_open = bucket
    probe = CodedCell("", (), "", lower, upper, lower_open, upper_open)
    low, high = probe.count_range(n)
    return high - low + 1


def _in_bucket(count: int, n: int, bucket: Bucket) -> bool:
    # Integer comparisons of 100 * count against bound * n: no floating point at the edges.
    lower, upper, lower_open, upper_open = bucket
    above = 100 * count > lower * n if lower_open else 100 * count >= lower * n
    below = 100 * count < upper * n if upper_open else 100 * count <= upper * n
    return above and below


def _bucket_text(bucket: Bucket) -> str:
    lower, upper, lower_open, _ = bucket
    if lower == 0:
        return f"fewer than {upper}%"
    if upper == 100:
        return f"more than {lower}%" if lower_open else f"{lower}% or more"
    return f"{lower}\u2013{upper}%"


def _run_label(labels: Sequence[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    if len(labels) == 2:
        return f"{labels[0]} or {labels[1]}"
    return f"{labels[0]} to {labels[-1]}"


def _check_runs(merge: Sequence[Sequence[int]] | None, m: int) -> tuple[tuple[int, ...], ...]:
    if merge is None:
        return tuple((b,) for b in range(m))
    runs = tuple(tuple(run) for run in merge)
    flat = [b for run in runs for b in run]
    if flat != list(range(m)) or any(not run for run in runs):
        raise ValueError("merge must list runs of adjacent bands covering every band in order")
    return runs
