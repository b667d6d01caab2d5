"""What the people of each cell really answered, in the joint check's own units.

The joint check (`joint_audit`) proves a release safe by finding, for every atom it
suspects, a world that agrees with every released figure and puts someone of that atom
outside the bucket it is suspected of. On a large wave it looks for such worlds one team
(then one organisation) at a time, with everyone else held at the truth: a world found
that way is a real world of the whole programme, so whatever it clears is cleared. That
needs the truth of every atom (the people of one cell who arrived between two releases):
a cell's truth at each release, kept sealed with the release (see `survey.release`), less
its truth at the release before.

A cell's truth is, per measure, a histogram of its people's scores (in tenths) for the
headline and subscales, and the sum and sum of squares of each item's values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey.domain.aggregate import ScaleCell
from survey.domain.derivable import ITEM, MeasureKey
from survey.domain.family_lp import Bucketed
from survey.domain.groups import Cell

TRUTH_VERSION = 1


@dataclass
class Truth:
    """The people of one cell, atom or group: their number and per-measure totals."""

    n: int = 0
    # score (tenths) -> people, for every headline and subscale measure
    scores: dict[MeasureKey, dict[int, int]] = field(default_factory=dict)
    # (sum, sum of squares) of every item measure
    items: dict[MeasureKey, tuple[float, float]] = field(default_factory=dict)

    def add(self, other: Truth, sign: int = 1) -> None:
        """Add (or with sign -1, take away) another truth, in place."""
        self.n += sign * other.n
        for key, histogram in other.scores.items():
            mine = self.scores.setdefault(key, {})
            for score, people in histogram.items():
                left = mine.get(score, 0) + sign * people
                if left:
                    mine[score] = left
                else:
                    mine.pop(score, None)
        for key, (total, squares) in other.items.items():
            was = self.items.get(key, (0.0, 0.0))
            self.items[key] = (was[0] + sign * total, was[1] + sign * squares)

    def total(self, key: MeasureKey) -> tuple[float, float]:
        """The sum and sum of squares of a measure's values over these people."""
        if key in self.items:
            return self.items[key]
        histogram = self.scores.get(key, {})
        total = sum(score * people for score, people in histogram.items()) / 10
        squares = sum(score * score * people for score, people in histogram.items()) / 100
        return total, squares

    def in_buckets(self, measure: Bucketed) -> list[int]:
        """How many of these people fall in each bucket of a scored measure."""
        found = [0] * len(measure.buckets)
        for score, people in self.scores.get(measure.key, {}).items():
            value = score / 10
            for b, (low, high) in enumerate(measure.buckets):
                if low - 1e-9 <= value <= high + 1e-9:
                    found[b] += people
                    break
        return found

    def to_json(self) -> list[Any]:
        return [
            self.n,
            [[list(key), sorted(h.items())] for key, h in sorted(self.scores.items())],
            [[list(key), list(v)] for key, v in sorted(self.items.items())],
        ]

    @classmethod
    def from_json(cls, raw: Any) -> Truth:
        n, scores, items = raw
        return cls(
            int(n),
            {_key(k): {int(s): int(p) for s, p in h} for k, h in scores},
            {_key(k): (float(v[0]), float(v[1])) for k, v in items},
        )


def _key(raw: Any) -> MeasureKey:
    scale, part = raw
    return (str(scale), str(part))


def truth_of(cells: Mapping[Cell, Mapping[str, ScaleCell]]) -> dict[Cell, Truth]:
    """Each cell's truth, from the release's accumulators."""
    found = {}
    for cell, scales in cells.items():
        truth = Truth()
        for scale_key, acc in scales.items():
            truth.n = max(truth.n, acc.headline.n)
            for part, score in acc.subscales.items():
                truth.scores[(scale_key, part)] = dict(score.histogram)
            for item, total in acc.items.sums.items():
                squares = acc.items.squares.get(item, 0)
                truth.items[(scale_key, ITEM + item)] = (float(total), float(squares))
        found[cell] = truth
    return found


def cells_to_json(truths: Mapping[Cell, Truth]) -> dict[str, Any]:
    """A JSON form of every cell's truth (to be sealed: it is never stored readable)."""
    return {
        "version": TRUTH_VERSION,
        "cells": [
            [org, team, [list(pair) for pair in attrs], truth.to_json()]
            for (org, team, attrs), truth in sorted(truths.items())
        ],
    }


def cells_from_json(raw: Mapping[str, Any]) -> dict[Cell, Truth]:
    """Every cell's truth back from `cells_to_json`."""
    if raw.get("version") != TRUTH_VERSION:
        raise ValueError("unknown version of a release's sealed truth")
    return {
        (str(org), str(team), tuple((str(q), str(v)) for q, v in attrs)): Truth.from_json(t)
        for org, team, attrs, t in raw["cells"]
    }


def atom_truths(
    atoms: Iterable[tuple[Cell, int]], cumulative: list[Mapping[Cell, Truth]]
) -> list[Truth]:
    """The truth of each atom: its cell at its release less the same cell the release before."""
    found = []
    for cell, r in atoms:
        truth = Truth()
        truth.add(cumulative[r].get(cell, Truth()))
        if r:
            truth.add(cumulative[r - 1].get(cell, Truth()), -1)
        found.append(truth)
    return found
