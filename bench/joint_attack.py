"""How often a worst-case lead, using every released figure jointly, proves anyone's band.

Draws small synthetic alliances (1-3 organisations of 1-4 teams of 0-10 people per release,
0-2 subgroup attributes, 1-3 releases, k of 3 or 5, teams whose members answer alike), runs
the release step's count plan, band coding and magnitude audit on a four-item test scale,
and attacks every wave with the linear-programme adversary of the test suite. Prints the
share of waves and of people the attacker pins, with the audit and without it.

Run: .venv/bin/python -m bench.joint_attack [--waves 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time

from survey.domain.groups import NOT_ANSWERED
from tests.domain.test_magnitude_adversary import attack, audit_off, person, questionnaire

STYLES = [(1, 1, 1, 5), (5, 5, 5, 1), (3, 3, 3, 3), (2, 3, 2, 4), (4, 2, 4, 2)]


def draw(rng: random.Random) -> tuple:
    attributes = rng.randint(0, 2)
    q = questionnaire(attributes)
    teams = [
        (f"o{o}", f"t{o}{t}") for o in range(rng.randint(1, 3)) for t in range(rng.randint(1, 4))
    ]
    arrivals = []
    for r in range(rng.randint(1, 3)):
        batch = []
        for org, team in teams:
            style = rng.choice(STYLES)
            for _ in range(rng.choice([0, 0, 1, 3, 5, 6, 10])):
                jitter = rng.choice([0, 0, 0, 1])
                answers = [min(5, max(1, v + jitter * (1 if v < 3 else -1))) for v in style]
                combo = {f"q{i}": rng.choice(["v0", "v1", NOT_ANSWERED]) for i in range(attributes)}
                batch.append(person(org, team, answers, release=r, **combo))
        arrivals.append(batch)
    if not any(arrivals):
        arrivals[0].append(person("o0", "t00", (3, 3, 3, 3)))
    return q, arrivals, rng.choice([3, 5])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    waves = [draw(rng) for _ in range(args.waves)]
    people = sum(len(b) for _, arrivals, _ in waves for b in arrivals)
    for label, guarded in (("with the audit", True), ("without the magnitude audit", False)):
        start = time.perf_counter()
        exposed_waves = exposed_people = 0
        for q, arrivals, k in waves:
            if guarded:
                claims = attack(q, arrivals, k)
            else:
                with audit_off():
                    claims = attack(q, arrivals, k)
            pinned = {c.atom for c in claims}
            exposed_waves += bool(pinned)
            exposed_people += sum(
                1 for batch in arrivals for cell, r, _ in batch if (cell, r) in pinned
            )
        print(
            f"{label}: {exposed_waves}/{len(waves)} waves ({exposed_waves / len(waves):.1%}) with "
            f"someone pinned; {exposed_people}/{people} people ({exposed_people / people:.2%}); "
            f"{time.perf_counter() - start:.0f} s"
        )


if __name__ == "__main__":
    main()
