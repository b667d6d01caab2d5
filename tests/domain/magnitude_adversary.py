"""A worst-case lead who uses every released figure at once, as one linear programme.

Written apart from `survey.domain.magnitude_audit`: it reads the released JSON itself, works
out group membership from the cell tuples (`adversary.in_group`) and shares no bookkeeping
with the release step. Its unknowns are, for every atom (people of one cell who arrived in
one release interval) and every measure, how many of its people fall in each band (each
answer, for items) and the sum of their scores there; the atom's size is unknown too (the
reader only knows it holds someone). Every released figure of every release is a linear
constraint: counts exactly; sums of scores within the interval the shown mean allows; sums
of squares within what the shown SD allows (with chord and tangent bounds per band); the
coded band breakdowns within their shown ranges; and, per atom, totals equal the sum of
their subscales and subscales the sum of their keyed items.

A claim is proven when the programme's optimum rules out every other world: an atom whose
people all sit in one band is *pinned* if the most people it can hold outside that band is
below one; likewise for an item everyone in the atom answered the same way. The programme
relaxes the integer problem, so anything it proves holds for integers too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from survey.domain.groups import Cell, GroupKey
from survey.domain.questionnaire_model import Scale
from tests.domain.adversary import in_group

Atom = tuple[Cell, int]
Person = tuple[Cell, int, dict[str, int]]  # cell, release it arrived at, raw item answers
HALF = Fraction(1, 20)


@dataclass(frozen=True)
class Claim:
    """Something the reader proved: every person of `atom` sits in one band or answer."""

    atom: Atom
    measure: str
    value: int


class _Programme:
    def __init__(self) -> None:
        self.names: dict[object, int] = {}
        self.rows: list[tuple[dict[int, float], float, float]] = []  # coefficients, low, high
        self.built: tuple[Any, Any, list[tuple[float, float | None]]] | None = None

    def var(self, name: object) -> int:
        return self.names.setdefault(name, len(self.names))

    def add(self, coefficients: Mapping[int, float], low: float, high: float) -> None:
        self.rows.append((dict(coefficients), low, high))

    def optimum(self, objective: Mapping[int, float], upper: Mapping[int, float]) -> float:
        size = len(self.names)
        if self.built is None:
            a_ub = lil_matrix((2 * len(self.rows), size))
            b_ub: list[float] = []
            for coefficients, low, high in self.rows:
                for sign, bound in ((1.0, high), (-1.0, -low)):
                    if np.isfinite(bound):
                        for j, c in coefficients.items():
                            a_ub[len(b_ub), j] = sign * c
                        b_ub.append(bound)
            a_ub = a_ub[: len(b_ub)]
            self.built = (a_ub.tocsr(), np.array(b_ub), [(0.0, upper.get(j)) for j in range(size)])
        a, b, bounds = self.built
        cost = np.zeros(size)
        for j, c in objective.items():
            cost[j] = -c  # maximise
        result = linprog(cost, A_ub=a, b_ub=b, bounds=bounds, method="highs")
        assert result.status == 0, f"the true world must be feasible: {result.message}"
        return float(-result.fun)


def _interval(figures: Mapping[str, Any]) -> tuple[Fraction, Fraction] | None:
    if figures.get("hidden"):
        return None
    if figures.get("precision") == "ranges":
        return Fraction(str(figures["low"])), Fraction(str(figures["high"]))
    if figures.get("mean") is None:
        return None
    mean = Fraction(str(figures["mean"]))
    return mean - HALF, mean + HALF


def find_claims(
    scale: Scale,
    releases: Sequence[Mapping[str, Any]],
    people: Sequence[Person],
    max_people: int,
) -> list[Claim]:
    """Every pinned atom the reader can prove from all releases' `groups` of one scale."""
    template = scale.template
    low, high = min(template.values), max(template.values)
    number_of = {item.id: item.number for item in scale.items}
    parts = {s.key: [i for i, n in number_of.items() if n in s.items] for s in template.subscales}
    bands = {"total": [(b.low, b.high) for b in template.total_bands]}
    ranges = {"total": (low * template.n_items, high * template.n_items)}
    for sub in template.subscales:
        size = len(sub.items)
        ranges[sub.key] = (low * size, high * size)
        bands[sub.key] = [(b.low, b.high) for b in sub.bands] or [ranges[sub.key]]
    for item in number_of:
        bands[item] = [(v, v) for v in template.values]
        ranges[item] = (low, high)
    atoms = sorted({(cell, r) for cell, r, _ in people})
    lp = _Programme()
    upper: dict[int, float] = {}

    def y(atom: Atom, m: str, b: int) -> int:
        j = lp.var(("y", atom, m, b))
        upper[j] = max_people
        return j

    def z(atom: Atom, m: str, b: int) -> int:
        return lp.var(("z", atom, m, b))

    def w(atom: Atom, m: str, b: int) -> int:
        return lp.var(("w", atom, m, b))

    for atom in atoms:
        size = lp.var(("n", atom))
        upper[size] = max_people
        lp.add({size: 1}, 1, max_people)
        for m, spans in bands.items():
            row = {y(atom, m, b): 1.0 for b in range(len(spans))}
            row[size] = -1.0
            lp.add(row, 0, 0)
            for b, (lo, hi) in enumerate(spans):
                yy, zz, ww = y(atom, m, b), z(atom, m, b), w(atom, m, b)
                lp.add({zz: 1, yy: -lo}, 0, np.inf)
                lp.add({zz: 1, yy: -hi}, -np.inf, 0)
                lp.add({ww: 1, zz: -(lo + hi), yy: lo * hi}, -np.inf, 0)  # chord
                for t in (lo, (lo + hi) / 2, hi):
                    lp.add({ww: 1, zz: -2 * t, yy: t * t}, 0, np.inf)  # tangents
        # A total is the sum of its subscales; a subscale the sum of its keyed items.
        whole = {z(atom, "total", b): 1.0 for b in range(len(bands["total"]))}
        for sub in template.subscales:
            for b in range(len(bands[sub.key])):
                whole[z(atom, sub.key, b)] = -1.0
        lp.add(whole, 0, 0)
        for sub in template.subscales:
            row = {z(atom, sub.key, b): 1.0 for b in range(len(bands[sub.key]))}
            for item in parts[sub.key]:
                for b, value in enumerate(template.values):
                    keyed = template.keyed_value(number_of[item], value)
                    row[y(atom, item, b)] = row.get(y(atom, item, b), 0.0) - keyed
            lp.add(row, 0, 0)

    def members(key: GroupKey, r: int) -> list[Atom]:
        return [atom for atom in atoms if atom[1] <= r and in_group(key, atom[0])]

    for r, groups in enumerate(releases):
        for text, group in groups.items():
            if not group.get("shown"):
                continue
            key, n = GroupKey.from_str(text), int(group["n"])
            inside = members(key, r)
            lp.add({lp.var(("n", a)): 1 for a in inside}, n, n)
            figures = group["scales"][scale.key]
            summaries = {s["key"]: s["summary"] for s in figures.get("subscales", [])}
            summaries.update({i["id"]: i for i in figures.get("items", [])})
            for m, summary in summaries.items():
                interval = _interval(summary)
                if interval is None:
                    continue
                spans = range(len(bands[m]))
                if m in number_of:
                    row = {y(a, m, b): float(template.values[b]) for a in inside for b in spans}
                else:
                    row = {z(a, m, b): 1.0 for a in inside for b in spans}
                lp.add(row, float(interval[0] * n), float(interval[1] * n))
                sd = summary.get("sd")
                if summary.get("precision") == "full" and sd is not None and m not in number_of:
                    # SSD = Q - S^2 / n, with S^2 bounded by its secant (above) and its
                    # tangent at the middle (below) over the interval S is known to lie in.
                    s_low, s_high = interval[0] * n, interval[1] * n
                    sd_high = Fraction(str(sd)) + HALF
                    sd_low = max(Fraction(str(sd)) - HALF, Fraction(0))
                    middle = (s_low + s_high) / 2
                    sums = {z(a, m, b): 1.0 for a in inside for b in spans}
                    squares = {w(a, m, b): 1.0 for a in inside for b in spans}
                    secant = {j: -float((s_low + s_high) / n) for j in sums}
                    tangent = {j: -float(2 * middle / n) for j in sums}
                    ceiling = (n - 1) * sd_high**2 - s_low * s_high / n
                    floor = (n - 1) * sd_low**2 - middle**2 / n
                    lp.add({**squares, **secant}, -np.inf, float(ceiling) + 1e-6)
                    lp.add({**squares, **tangent}, float(floor) - 1e-6, np.inf)
            for cell in (figures.get("bands") or {}).get("cells", []):
                allowed = [c for c in range(n + 1) if _in_bucket(Fraction(100 * c, n), cell)]
                row = {y(a, "total", b): 1.0 for a in inside for b in cell["bands"]}
                lp.add(row, min(allowed), max(allowed))

    claims: list[Claim] = []
    for atom in atoms:
        inside = [answers for cell, r, answers in people if (cell, r) == atom]
        for m, spans in bands.items():
            if m in number_of:
                values = {answers[m] for answers in inside}
            else:
                values = {_band(spans, _score(template, parts, number_of, m, a)) for a in inside}
            if len(values) != 1 or (len(spans) == 1 and m not in number_of):
                continue
            (value,) = values
            index = template.values.index(value) if m in number_of else value
            outside = {y(atom, m, b): 1.0 for b in range(len(spans)) if b != index}
            if lp.optimum(outside, upper) < 1 - 1e-6:
                claims.append(Claim(atom, m, value))
    return claims


def _in_bucket(share: Fraction, cell: Mapping[str, Any]) -> bool:
    above = share > cell["lower"] if cell["lower_open"] else share >= cell["lower"]
    below = share < cell["upper"] if cell["upper_open"] else share <= cell["upper"]
    return above and below


def _band(spans: Sequence[tuple[int, int]], score: int) -> int:
    return max(b for b, (lo, _) in enumerate(spans) if lo <= score)


def _score(
    template: Any,
    parts: Mapping[str, list[str]],
    number_of: Mapping[str, int],
    m: str,
    answers: Mapping[str, int],
) -> int:
    items = list(number_of) if m == "total" else parts[m]
    return sum(template.keyed_value(number_of[i], answers[i]) for i in items)
