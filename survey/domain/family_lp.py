"""One family's figures as one linear programme: can its remainder be proven to sit in a band?

A family is a signed sum of released groups (a parent less its children, a group now less
the same group before). A reader knows, for every term: its count, its coded band
breakdown, and for every measure the interval its sum of scores lies in and, with an SD,
its sum of squared deviations; and that a total is the sum of its subscales, a subscale of
its keyed items. The unknowns are, per term, measure and band (or answer, for items), how
many people and the sum and sum of squares of their scores. The programme maximises how
many of the remainder can lie outside one band; below one, every consistent world puts the
whole remainder in that band. Sums of squares are bounded per band by the chord above and
tangents below, and the SD's S^2 / n term by its secant and tangent over the sum's interval,
so every true world is feasible and anything the programme proves is certain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.coding import CodedBands
from survey.domain.derivable import MeasureKey
from survey.domain.magnitude import FULL_STEP, Known


@dataclass(frozen=True)
class Bucketed:
    """A measure as the programme sees it: its buckets (score ranges) and its parts."""

    key: MeasureKey
    buckets: tuple[tuple[float, float], ...]
    parts: tuple[tuple[MeasureKey, bool], ...] = ()  # (part, reversed): whole = sum of parts
    mirror: float = 0.0  # low + high of the measure, for reversed parts


@dataclass(frozen=True)
class Term:
    """One released group in a family: its coefficient, count, breakdown and figures."""

    coefficient: int
    n: int
    display: CodedBands | None
    knowns: Mapping[MeasureKey, Known]


def band_buckets(
    band_lows: Sequence[float], high: float, *, whole: bool = False
) -> tuple[tuple[float, float], ...]:
    """Score ranges of bands given by lower bounds (scores are whole tenths, or whole)."""
    step = 1.0 if whole else float(FULL_STEP)
    ends = [*(low - step for low in band_lows[1:]), high]
    return tuple((float(low), float(end)) for low, end in zip(band_lows, ends, strict=True))


def most_outside(
    terms: Sequence[Term],
    measures: Sequence[Bucketed],
    headline: MeasureKey,
    bucket: int,
) -> float:
    """The most people of the remainder that can lie outside `bucket` of the headline."""
    lp = _Builder()
    by_key = {m.key: m for m in measures}
    for t, term in enumerate(terms):
        for measure in measures:
            _term_measure(lp, t, term, measure, measure.key == headline)
        for measure in measures:
            if measure.parts and all(part in by_key for part, _ in measure.parts):
                row = {lp.z(t, measure.key, b): 1.0 for b in range(len(measure.buckets))}
                for part, reverse in measure.parts:
                    source = by_key[part]
                    for b, (lo, _) in enumerate(source.buckets):
                        if reverse and source.buckets[b][0] == source.buckets[b][1]:
                            lp.add_to(row, lp.y(t, part, b), -(source.mirror - lo))
                        elif reverse:
                            lp.add_to(row, lp.z(t, part, b), 1.0)
                            lp.add_to(row, lp.y(t, part, b), -source.mirror)
                        else:
                            lp.add_to(row, lp.z(t, part, b), -1.0)
                lp.row(row, 0.0, 0.0)
    for measure in measures:
        for b, (lo, hi) in enumerate(measure.buckets):
            count = {
                lp.y(t, measure.key, b): float(term.coefficient) for t, term in enumerate(terms)
            }
            lp.row(count, 0.0, None)  # the remainder holds nobody negative
            total = {
                lp.z(t, measure.key, b): float(term.coefficient) for t, term in enumerate(terms)
            }
            lp.row({**total, **{j: -lo * c for j, c in count.items()}}, 0.0, None)
            lp.row({**total, **{j: -hi * c for j, c in count.items()}}, None, 0.0)
            # The remainder's own sum of squares obeys the same chord and tangents.
            square = {
                lp.w(t, measure.key, b): float(term.coefficient) for t, term in enumerate(terms)
            }
            chord = {j: -(lo + hi) * c for j, c in total.items()}
            lp.row({**square, **chord, **{j: lo * hi * c for j, c in count.items()}}, None, 0.0)
            for point in (lo, (lo + hi) / 2, hi):
                slope = {j: -2 * point * c for j, c in total.items()}
                lp.row(
                    {**square, **slope, **{j: point * point * c for j, c in count.items()}},
                    0.0,
                    None,
                )
    head = by_key[headline]
    objective = {
        lp.y(t, headline, b): float(term.coefficient)
        for t, term in enumerate(terms)
        for b in range(len(head.buckets))
        if b != bucket
    }
    return lp.maximise(objective)


def _term_measure(lp: _Builder, t: int, term: Term, measure: Bucketed, headline: bool) -> None:
    key = measure.key
    spans = range(len(measure.buckets))
    lp.row({lp.y(t, key, b): 1.0 for b in spans}, float(term.n), float(term.n))
    for b, (lo, hi) in enumerate(measure.buckets):
        y, z, w = lp.y(t, key, b), lp.z(t, key, b), lp.w(t, key, b)
        lp.row({z: 1.0, y: -lo}, 0.0, None)
        lp.row({z: 1.0, y: -hi}, None, 0.0)
        lp.row({w: 1.0, z: -(lo + hi), y: lo * hi}, None, 0.0)  # chord
        for point in (lo, (lo + hi) / 2, hi):
            lp.row({w: 1.0, z: -2 * point, y: point * point}, 0.0, None)  # tangents
    known = term.knowns.get(key)
    if known is not None:
        sums = {lp.z(t, key, b): 1.0 for b in spans}
        lp.row(sums, float(known.s_low), float(known.s_high))
        if known.ssd_low is not None and known.ssd_high is not None and term.n > 0:
            n, s_low, s_high = term.n, known.s_low, known.s_high
            middle = (s_low + s_high) / 2
            squares = {lp.w(t, key, b): 1.0 for b in spans}
            secant = {j: -float((s_low + s_high) / n) for j in sums}
            tangent = {j: -float(2 * middle / n) for j in sums}
            lp.row({**squares, **secant}, None, float(known.ssd_high - s_low * s_high / n) + 1e-6)
            lp.row({**squares, **tangent}, float(known.ssd_low - middle * middle / n) - 1e-6, None)
    if headline and term.display is not None:
        for cell in term.display.cells:
            low, high = cell.count_range(term.display.n)
            lp.row({lp.y(t, key, b): 1.0 for b in cell.bands}, float(low), float(high))


class _Builder:
    def __init__(self) -> None:
        self.index: dict[tuple[str, int, MeasureKey, int], int] = {}
        self.rows: list[tuple[dict[int, float], float | None, float | None]] = []

    def _var(self, kind: str, t: int, key: MeasureKey, b: int) -> int:
        return self.index.setdefault((kind, t, key, b), len(self.index))

    def y(self, t: int, key: MeasureKey, b: int) -> int:
        return self._var("y", t, key, b)

    def z(self, t: int, key: MeasureKey, b: int) -> int:
        return self._var("z", t, key, b)

    def w(self, t: int, key: MeasureKey, b: int) -> int:
        return self._var("w", t, key, b)

    @staticmethod
    def add_to(row: dict[int, float], j: int, value: float) -> None:
        row[j] = row.get(j, 0.0) + value

    def row(self, coefficients: dict[int, float], low: float | None, high: float | None) -> None:
        self.rows.append((coefficients, low, high))

    def maximise(self, objective: Mapping[int, float]) -> float:
        # Imported here so respondent workers never load SciPy (see stats.t_quantile).
        from scipy.optimize import linprog  # noqa: PLC0415
        from scipy.sparse import coo_matrix  # noqa: PLC0415

        data: list[float] = []
        rows: list[int] = []
        cols: list[int] = []
        bounds: list[float] = []
        for coefficients, low, high in self.rows:
            for sign, limit in ((1.0, high), (-1.0, None if low is None else -low)):
                if limit is None:
                    continue
                for j, c in coefficients.items():
                    rows.append(len(bounds))
                    cols.append(j)
                    data.append(sign * c)
                bounds.append(limit)
        size = len(self.index)
        matrix = coo_matrix((data, (rows, cols)), shape=(len(bounds), size)).tocsr()
        cost = [0.0] * size
        for j, c in objective.items():
            cost[j] = -c
        result = linprog(cost, A_ub=matrix, b_ub=bounds, bounds=(0, None), method="highs")
        if result.status != 0:
            return 0.0  # the truth is feasible, so this cannot happen; if it did, count as forced
        return float(-result.fun)
