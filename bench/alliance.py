"""A realistic synthetic alliance for the release benchmark, and the simple baseline rule.

Team sizes are drawn like real teams (lognormal, median 8, a tail of teams of 30 to 80),
every response carries two or three quasi-identifier answers (skewed, some skipped), and
each response arrives at a time in the wave, so cumulative counts at each interim release
and at the close can be read off. The baseline is the simple rule used commercially: show
every group with at least k responses, then hide the next-smallest sibling until each
parent's hidden total is 0 or at least k (no time rule, no audit).

Run on its own (the planning step only, no sealing) for quick profiling:
    .venv/bin/python -m bench.alliance --organisations 34 --teams 12 --interims 3
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from survey.domain.disclosure import Ledger, Plan, plan_release
from survey.domain.groups import NOT_ANSWERED, Cell, GroupKey, build_structure, normalise_cell

SEED = 20261202
MEDIAN_TEAM = 8
SIGMA_TEAM = 0.8
LARGEST_TEAM = 80
# Quasi-identifier questions with their options and how often each is chosen; the rest of
# the time the question is skipped. The first two are the demo questionnaire's own.
ATTRIBUTES: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    (
        "role_group",
        (
            ("clinical", 0.55),
            ("non_clinical", 0.25),
            ("management", 0.1),
            ("prefer_not_to_say", 0.04),
        ),
    ),
    (
        "years_in_role",
        (("under_2", 0.2), ("2_to_5", 0.3), ("over_5", 0.42), ("prefer_not_to_say", 0.03)),
    ),
    ("contract", (("full_time", 0.6), ("part_time", 0.3), ("prefer_not_to_say", 0.04))),
)


@dataclass(frozen=True)
class Arrival:
    """One synthetic response: where it belongs, its quasi-identifier answers, when it came."""

    organisation: str
    team: str
    attrs: tuple[tuple[str, str], ...]
    at: float  # 0..1 through the wave
    level: int  # 1..5, how strongly this person answers


def arrivals(
    organisations: int, teams: int, attributes: int = 2, seed: int = SEED
) -> list[Arrival]:
    """Every response of a synthetic alliance, in no particular order."""
    rng = random.Random(seed)
    out: list[Arrival] = []
    for o in range(organisations):
        for t in range(teams):
            size = round(math.exp(rng.gauss(math.log(MEDIAN_TEAM), SIGMA_TEAM)))
            for _ in range(min(LARGEST_TEAM, max(1, size))):
                attrs = tuple(
                    (name, _choose(rng, options)) for name, options in ATTRIBUTES[:attributes]
                )
                # Most answers come soon after the link goes out, then a long tail.
                at = min(1.0, rng.random() ** 1.5)
                out.append(Arrival(f"o{o}", f"o{o}t{t}", attrs, at, rng.randint(1, 5)))
    return out


def _choose(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    x = rng.random()
    for value, weight in options:
        if x < weight:
            return value
        x -= weight
    return NOT_ANSWERED


def release_points(interims: int) -> list[float]:
    """When each release is made, as a share of the wave: evenly spaced interims, then 1."""
    return [(i + 1) / (interims + 1) for i in range(interims)] + [1.0]


def cell_counts(people: Sequence[Arrival], until: float) -> dict[Cell, int]:
    """Responses per cell that have arrived by `until`."""
    counts: dict[Cell, int] = {}
    for a in people:
        if a.at <= until:
            cell = normalise_cell((a.organisation, a.team, a.attrs))
            counts[cell] = counts.get(cell, 0) + 1
    return counts


def baseline(counts: Mapping[Cell, int], k: int) -> frozenset[GroupKey]:
    """The simple rule: every group with >= k, then the next-smallest sibling per parent."""
    structure = build_structure(counts)
    n = {g: structure.count(g, counts) for g in structure.groups}
    shown = {g for g, c in n.items() if c >= k}
    changed = True
    while changed:
        changed = False
        for parent, children in structure.partitions:
            if parent not in shown:
                continue
            while 0 < sum(n[c] for c in children if c not in shown) < k:
                smallest = min((c for c in children if c in shown), key=lambda c: (n[c], str(c)))
                shown.discard(smallest)
                changed = True
    return frozenset(shown)


@dataclass(frozen=True)
class Utility:
    """Shares of groups shown, among those with at least 2k and at least k responses."""

    groups: int
    at_least_2k: float
    at_least_k: float
    hidden: float  # share of all non-empty groups hidden


def utility(counts: Mapping[Cell, int], shown: frozenset[GroupKey], k: int) -> Utility:
    """How much of the alliance a set of shown groups covers."""
    structure = build_structure(counts)
    n = {g: structure.count(g, counts) for g in structure.groups}
    nonempty = [g for g, c in n.items() if c > 0]

    def share(keys: list[GroupKey]) -> float:
        return sum(1 for g in keys if g in shown) / len(keys) if keys else 1.0

    return Utility(
        groups=len(nonempty),
        at_least_2k=share([g for g in nonempty if n[g] >= 2 * k]),
        at_least_k=share([g for g in nonempty if n[g] >= k]),
        hidden=1 - share(nonempty),
    )


def plan_wave(people: Sequence[Arrival], interims: int, k: int) -> Iterator[tuple[float, Plan]]:
    """Plan every release of the wave in turn; (seconds, plan) per release, as each is made."""
    ledgers: list[Ledger] = []
    points = release_points(interims)
    for point in points:
        counts = cell_counts(people, point)
        start = time.perf_counter()
        plan = plan_release(counts, k, ledgers, final=point == points[-1])
        yield time.perf_counter() - start, plan
        ledgers.append(plan.ledger)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=34)
    parser.add_argument("--teams", type=int, default=12)
    parser.add_argument("--interims", type=int, default=3)
    parser.add_argument("--attributes", type=int, default=2, choices=(1, 2, 3))
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    people = arrivals(args.organisations, args.teams, args.attributes)
    print(f"{args.organisations * args.teams} teams, {len(people)} responses")
    for point, (seconds, plan) in zip(
        release_points(args.interims), plan_wave(people, args.interims, args.k), strict=True
    ):
        counts = cell_counts(people, point)
        ours = utility(counts, plan.visible, args.k)
        base = utility(counts, baseline(counts, args.k), args.k)
        hidden, base_hidden = 1 - ours.at_least_k, 1 - base.at_least_k
        print(
            f"at {point:.2f}: plan {seconds:6.2f} s, {ours.groups} groups; >=k hidden "
            f"{hidden:.1%} vs baseline {base_hidden:.1%} ({hidden / base_hidden:.2f}x); "
            f">=2k shown {ours.at_least_2k:.1%} (baseline {base.at_least_2k:.1%}); "
            f">=k shown {ours.at_least_k:.1%} (baseline {base.at_least_k:.1%}); "
            f"audit out of budget {plan.undecided}x",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
