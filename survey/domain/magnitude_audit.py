"""Joint audit of magnitude figures: can a reader of every mean, SD and item mean pin anyone?

The count audit (`audit`) already proves that no sum or difference of released groups
isolates 1 to k-1 people. Means, SDs and item means add *how much*: from a group's sum of
scores, a reader knows that nobody scored more than the sum less everyone else at the
floor; from its SD, that nobody lies further from the mean than (n-1) SD / sqrt(n). Those
bounds carry over to every group a reader can derive, and they intersect: a person in two
derived groups lies in both intervals.

Model. Atoms are people in one cell who arrived in one release interval (as in `audit`).
A *family* is a derivable group with its figures: every released group at every release
of the wave, every parent less its children that have magnitudes (every partition, every
release), and every group now less the same group at an earlier release. For each family
and each measure (every subscale, the total, every item) the reader's bounds on any
member's value follow from the released intervals in exact arithmetic (interval sums of the
terms; floor and ceiling bounds; the SD spread bound). Each atom gets the intersection of
the bounds of every family holding it, then totals, subscales and items are tightened
against each other (a total is the sum of its subscales, a subscale of its keyed items).

The release is safe when, for every atom and every measure, the bounds still span two bands
(for measures with bands) and more than one whole point (for every measure): nobody's band,
score or item answer is certain, so no group, derived or not, can be proven to sit in one
band. When an atom is pinned, the smallest current group among the families that pin it is
coarsened one step (full figures, then ranges, then withheld) and the audit runs again.
Earlier releases cannot change, so an exposure they alone make is not reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from survey.domain.band_release import BandRelease, coarsened
from survey.domain.derivable import Family, Knowns, MeasureKey, atom_index, band_families, families
from survey.domain.family_lp import Bucketed, Term, band_buckets, most_outside
from survey.domain.groups import Cell, GroupKey, build_structure, sort_key
from survey.domain.magnitude import Known, coarser


@dataclass(frozen=True)
class Measure:
    """One released measure: its value range, band lower bounds and whether it is whole."""

    key: MeasureKey
    low: float
    high: float
    band_lows: tuple[float, ...] = ()
    whole: bool = False
    displays: str | None = None  # the scale whose coded band breakdowns show this measure

    def band(self, value: float) -> int:
        """The index of the band `value` falls in (0 when the measure has no bands)."""
        return sum(1 for low in self.band_lows[1:] if low <= value)


@dataclass(frozen=True)
class Relation:
    """`whole` is the sum of `parts`; a reversed part counts as (low + high) - value."""

    whole: MeasureKey
    parts: tuple[tuple[MeasureKey, bool], ...]


@dataclass
class _Bound:
    low: float
    high: float
    why: set[int] = field(default_factory=set)  # families that tightened it


# How far an imputed item value lies at least from a whole answer, less a margin.
_GAP = 1 / 40
# A hair of slack so float error can only make the audit more cautious.
_EPS = 1e-9
# How many people a remainder must be able to hold outside its band, in the family programme:
# more than one, so that what other families add cannot remove the last doubt.
MARGIN = 2.0


def audit_magnitudes(
    measures: Sequence[Measure],
    relations: Sequence[Relation],
    *,
    cumulative: Sequence[Mapping[Cell, int]],
    counts: Sequence[Mapping[GroupKey, int]],
    earlier: Sequence[Mapping[GroupKey, Knowns]],
    natural: Mapping[GroupKey, str],
    figures: Callable[[GroupKey, str], Knowns],
    bands: Mapping[str, Sequence[BandRelease]] | None = None,
    whole_scores: bool = False,
) -> tuple[dict[GroupKey, str], dict[str, BandRelease]]:
    """The precision each current group's figures may be released at.

    `cumulative[r]` are the cell counts at release r (the last is this release) and
    `counts[r]` the released counts of the groups shown then; `earlier[r]` what each earlier
    release showed of each group's measures; `natural` the starting precision of every
    group this release shows; `figures(key, precision)` what a reader would know of a
    group's measures at that precision; `bands[scale]` the coded breakdowns of every
    release (this one last), which a reader combines with the means. Returns the
    precisions and this release's breakdowns (coarsened where bands and means together
    pin a group and no magnitude of this release could be coarsened instead).
    `whole_scores` says that nobody's score in the wave was prorated, so a reader who
    assumes whole scores is right, and the audit must assume it too.
    """
    structure = build_structure(set().union(*cumulative))
    atoms = atom_index(structure.cells, structure.members, cumulative)
    precision = dict(natural)
    current = len(cumulative) - 1
    shown: list[dict[GroupKey, Knowns]] = [{} for _ in cumulative]
    for r, release in enumerate(earlier):
        for key, knowns in release.items():
            show_knowns(shown[r], key, knowns)
    for key, level in precision.items():
        show_knowns(shown[current], key, figures(key, level))
    coded = {scale: list(releases) for scale, releases in (bands or {}).items()}
    memo: dict[object, float] = {}
    bounds_memo: dict[object, tuple[float, float] | None] = {}
    while True:
        found = families(structure.partitions, atoms, counts, shown)
        victims = _victims(
            measures,
            relations=relations,
            families=found,
            shown=shown,
            sizes=counts[current],
            current=current,
            memo=bounds_memo,
        )
        joint, displays = _band_victims(
            measures,
            relations=relations,
            families=band_families(structure.partitions, counts),
            shown=shown,
            bands=coded,
            counts=counts,
            current=current,
            whole=whole_scores,
            memo=memo,
        )
        victims |= joint
        for scale, key in displays:
            coded[scale][current] = coarsened(coded[scale][current], key)
        if not victims and not displays:
            return precision, {scale: releases[current] for scale, releases in coded.items()}
        for key in victims:
            precision[key] = coarser(precision[key])
            show_knowns(shown[current], key, figures(key, precision[key]))


def show_knowns(release: dict[GroupKey, Knowns], key: GroupKey, knowns: Knowns) -> None:
    """Record what a release shows of a group (a withheld group gives nothing to subtract)."""
    if knowns:
        release[key] = knowns
    else:
        release.pop(key, None)


def _family_bound(
    family: Family, measure: Measure, shown: Sequence[Mapping[GroupKey, Knowns]]
) -> tuple[float, float] | None:
    knowns: list[tuple[int, Known]] = []
    for c, r, key in family.terms:
        known = shown[r][key].get(measure.key)
        if known is None:
            return None
        knowns.append((c, known))
    s_low = sum((c * (k.s_low if c > 0 else k.s_high) for c, k in knowns), Fraction(0))
    s_high = sum((c * (k.s_high if c > 0 else k.s_low) for c, k in knowns), Fraction(0))
    n = family.n
    floor, ceiling = Fraction(str(measure.low)), Fraction(str(measure.high))
    s_low, s_high = max(s_low, n * floor), min(s_high, n * ceiling)
    low = float(max(floor, s_low - (n - 1) * ceiling))
    high = float(min(ceiling, s_high - (n - 1) * floor))
    ssd_high = _ssd_high(knowns, n)
    if ssd_high is not None and n > 1:
        radius = math.sqrt(float(ssd_high) * (n - 1) / n)
        low = max(low, float(s_low / n) - radius)
        high = min(high, float(s_high / n) + radius)
    if low <= measure.low and high >= measure.high:
        return None
    return low, high


def _ssd_high(knowns: Sequence[tuple[int, Known]], n: int) -> Fraction | None:
    """An upper bound on the family's sum of squared deviations, if every term has an SD.

    SSD_F = sum(c_i SSD_i) + f(S), f(S) = sum(c_i S_i^2 / n_i) - (sum c_i S_i)^2 / n, over
    the box of sums S_i = m_i + d_i, |d_i| <= h_i. f is quadratic, so exactly
    f(m) + grad . d + q(d), with grad_i = 2 c_i (m_i / n_i - sum_j c_j m_j / n) and
    q(d) = sum(c_i d_i^2 / n_i) - (sum c_i d_i)^2 / n <= sum over c_i > 0 of c_i h_i^2 / n_i.
    """
    spreads = [k.ssd_high if c > 0 else k.ssd_low for c, k in knowns]
    if any(k.ssd_low is None or k.ssd_high is None for _, k in knowns):
        return None
    middles = [(c, (k.s_low + k.s_high) / 2, (k.s_high - k.s_low) / 2, k) for c, k in knowns]
    mean = sum((c * m for c, m, _, _ in middles), Fraction(0)) / n
    bound = sum(
        (c * spread for (c, _), spread in zip(knowns, spreads, strict=True) if spread),
        Fraction(0),
    )
    bound += sum((c * m * m / k.n for c, m, _, k in middles), Fraction(0)) - n * mean * mean
    bound += sum((2 * abs(c) * abs(m / k.n - mean) * h for c, m, h, k in middles), Fraction(0))
    bound += sum((c * h * h / k.n for c, _, h, k in middles if c > 0), Fraction(0))
    return max(bound, Fraction(0))


def _victims(
    measures: Sequence[Measure],
    *,
    relations: Sequence[Relation],
    families: Sequence[Family],
    shown: Sequence[Mapping[GroupKey, Knowns]],
    sizes: Mapping[GroupKey, int],
    current: int,
    memo: dict[object, tuple[float, float] | None],
) -> set[GroupKey]:
    by_key = {m.key: m for m in measures}
    bounds: dict[MeasureKey, dict[int, _Bound]] = {m.key: {} for m in measures}
    for f, family in enumerate(families):
        for measure in measures:
            # A family's bound depends only on its terms' figures: rounds reuse it.
            terms = tuple((c, shown[r][g].get(measure.key)) for c, r, g in family.terms)
            signature = (measure.key, family.n, terms)
            if signature not in memo:
                memo[signature] = _family_bound(family, measure, shown)
            found = memo[signature]
            if found is None:
                continue
            low, high = found
            table = bounds[measure.key]
            for atom in family.atoms:
                bound = table.get(atom)
                if bound is None:
                    table[atom] = _Bound(low, high, {f})
                    continue
                if low > bound.low or high < bound.high:
                    bound.why.add(f)
                bound.low, bound.high = max(bound.low, low), min(bound.high, high)
    for _ in range(2):
        for relation in relations:
            _tighten(relation, by_key, bounds)
    victims: set[GroupKey] = set()
    for key, table in bounds.items():
        measure = by_key[key]
        for bound in table.values():
            if not _pinned(measure, bound.low + _EPS, bound.high - _EPS):
                continue
            candidates = [
                (sizes[g], sort_key(g), g)
                for f in bound.why
                for sign, r, g in families[f].terms
                if r == current
            ]
            if candidates:
                victims.add(min(candidates)[2])
    return victims


def _band_victims(
    measures: Sequence[Measure],
    *,
    relations: Sequence[Relation],
    families: Sequence[Family],
    shown: Sequence[Mapping[GroupKey, Knowns]],
    bands: Mapping[str, Sequence[BandRelease]],
    counts: Sequence[Mapping[GroupKey, int]],
    current: int,
    whole: bool,
    memo: dict[object, float],
) -> tuple[set[GroupKey], set[tuple[str, GroupKey]]]:
    """Families whose band breakdowns and means together put the whole remainder in a band.

    For each family whose true remainder sits in one band, a linear programme over every
    term's band counts and score totals (its shown ranges, its count, its mean's interval)
    asks how many of the remainder can lie outside that band; below one, it is pinned.
    The smallest current group with magnitudes is coarsened; when the family has none
    (the means are an earlier release's), the smallest current breakdown is.
    """
    victims: set[GroupKey] = set()
    displays: set[tuple[str, GroupKey]] = set()
    for measure in measures:
        if measure.displays is None or measure.displays not in bands:
            continue
        coded = bands[measure.displays]
        scale = [bucketed(m, relations, whole) for m in measures if m.key[0] == measure.key[0]]
        sizes = counts[current]
        for family in families:
            if not all(g in coded[r].shown for _, r, g in family.terms):
                continue
            now = [(sizes[g], sort_key(g), g) for _, r, g in family.terms if r == current]
            candidates = [c for c in now if c[2] in shown[current]]
            open_displays = [c for c in now if not coded[current].shown[c[2]].withheld]
            if not candidates and not open_displays:
                continue  # nothing this release could change
            true = [(c, tuple(coded[r].counts[g])) for c, r, g in family.terms]
            remainder = [sum(c * t[b] for c, t in true) for b in range(len(measure.band_lows))]
            homogeneous = [b for b, n in enumerate(remainder) if n == family.n]
            if not homogeneous or not any(g in shown[r] for _, r, g in family.terms):
                continue  # mixed, or bands alone (the band coding covers those)
            terms = [
                Term(c, counts[r][g], coded[r].shown[g], shown[r].get(g, {}))
                for c, r, g in family.terms
            ]
            # Only measures some term shows: item answers, for a family of small groups, add
            # nothing but unknowns. The answer depends only on the terms, so rounds reuse it.
            given = {key for term in terms for key in term.knowns}
            used = [m for m in scale if m.key in given or m.key == measure.key]
            signature = (measure.key, homogeneous[0], tuple(map(_term_key, terms)))
            if signature not in memo:
                memo[signature] = most_outside(terms, used, measure.key, homogeneous[0])
            if memo[signature] < MARGIN:
                if candidates:
                    victims.add(min(candidates)[2])
                else:
                    displays.add((measure.displays, min(open_displays)[2]))
    return victims, displays


def _term_key(term: Term) -> object:
    return term.coefficient, term.n, term.display, tuple(sorted(term.knowns.items()))


def bucketed(measure: Measure, relations: Sequence[Relation], whole: bool) -> Bucketed:
    """A measure as the family programme sees it: bands, or answers, or its whole range.

    An answer is whole; where some scores were prorated (`whole` false), an item skipped
    within a scored scale counts at the person's subscale mean, which lies strictly between
    two answers (at least 1/20 from each: a subscale has at most 20 items), so each gap
    between two answers is a bucket of its own.
    """
    if measure.whole:
        values = range(int(measure.low), int(measure.high) + 1)
        buckets = tuple((float(v), float(v)) for v in values)
        if not whole:
            gaps = tuple((v + _GAP, v + 1 - _GAP) for v in values[:-1])
            buckets = tuple(sorted(buckets + gaps))
    elif measure.band_lows:
        buckets = band_buckets(measure.band_lows, measure.high, whole=whole)
    else:
        buckets = ((measure.low, measure.high),)
    parts = next((r.parts for r in relations if r.whole == measure.key), ())
    return Bucketed(measure.key, buckets, parts, measure.low + measure.high)


def _pinned(measure: Measure, low: float, high: float) -> bool:
    if measure.whole and math.ceil(low - 2 * _EPS) >= math.floor(high + 2 * _EPS):
        return True
    if high - low < 1:
        return True
    return bool(measure.band_lows) and measure.band(low) == measure.band(high)


def _tighten(
    relation: Relation,
    by_key: Mapping[MeasureKey, Measure],
    bounds: dict[MeasureKey, dict[int, _Bound]],
) -> None:
    """Tighten a whole and its parts against each other, atom by atom."""
    keys = [relation.whole, *(part for part, _ in relation.parts)]
    touched = set().union(*(bounds[key].keys() for key in keys))
    for atom in touched:
        rows = [_bound_or_range(bounds, by_key[key], atom) for key in keys]
        whole, parts = rows[0], rows[1:]
        keyed = [
            _mirror(by_key[key], bound) if reverse else (bound.low, bound.high)
            for (key, reverse), bound in zip(relation.parts, parts, strict=True)
        ]
        why = set().union(*(b.why for b in rows))
        low_sum, high_sum = sum(lo for lo, _ in keyed), sum(hi for _, hi in keyed)
        _narrow(bounds, relation.whole, atom, (low_sum, high_sum), why)
        for (key, reverse), (lo, hi) in zip(relation.parts, keyed, strict=True):
            measure = by_key[key]
            new_low = whole.low - (high_sum - hi)
            new_high = whole.high - (low_sum - lo)
            if reverse:
                new_low, new_high = (
                    measure.low + measure.high - new_high,
                    (measure.low + measure.high - new_low),
                )
            _narrow(
                bounds, key, atom, (max(new_low, measure.low), min(new_high, measure.high)), why
            )


def _bound_or_range(
    bounds: Mapping[MeasureKey, Mapping[int, _Bound]], measure: Measure, atom: int
) -> _Bound:
    found = bounds[measure.key].get(atom)
    return found if found is not None else _Bound(measure.low, measure.high)


def _mirror(measure: Measure, bound: _Bound) -> tuple[float, float]:
    return measure.low + measure.high - bound.high, measure.low + measure.high - bound.low


def _narrow(
    bounds: dict[MeasureKey, dict[int, _Bound]],
    key: MeasureKey,
    atom: int,
    interval: tuple[float, float],
    why: set[int],
) -> None:
    low, high = interval
    table = bounds[key]
    bound = table.get(atom)
    if bound is None:
        table[atom] = bound = _Bound(-math.inf, math.inf)
    if low > bound.low + _EPS or high < bound.high - _EPS:
        bound.why |= why
        bound.low, bound.high = max(bound.low, low), min(bound.high, high)
