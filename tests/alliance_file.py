"""A synthetic alliance as the import CSV: shared by the import tests, browser tests and bench."""

from __future__ import annotations

import csv
import io
import random

from survey.domain.alliance_csv import SEPARATOR

SECTOR_CYCLE = ("health", "social care", "housing", "food", "hospice", "charity")
TEAM_WORDS = ("Outreach", "Day", "Night", "Referrals", "Hub", "Kitchen", "Helpline", "Wards")


def alliance_rows(organisations: int, teams: int, seed: int = 14) -> list[list[str]]:
    """`organisations` rows holding `teams` teams in all (3 to 12 each), with headcounts."""
    rng = random.Random(seed)  # noqa: S311  (synthetic data, not a secret)
    sizes = [3] * organisations
    while sum(sizes) < teams:
        grow = [i for i, size in enumerate(sizes) if size < 12]
        sizes[rng.choice(grow)] += 1
    rows = []
    for number, size in enumerate(sizes, start=1):
        names = [f"{TEAM_WORDS[i % len(TEAM_WORDS)]} team {i + 1}" for i in range(size)]
        counts = [str(rng.randint(4, 60)) for _ in names]
        rows.append(
            [
                f"Member {number:02d} Trust",
                SECTOR_CYCLE[number % len(SECTOR_CYCLE)],
                f"20{20 + number % 6}-0{1 + number % 9}-1{number % 10}",
                "pledge signed" if number % 3 else "memorandum signed",
                f"{SEPARATOR} ".join(names),
                f"{SEPARATOR} ".join(counts),
            ]
        )
    return rows


def as_csv(rows: list[list[str]]) -> str:
    """Rows under the import's header, quoted as a spreadsheet would."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "sector", "joined", "pledge status", "teams", "headcounts"])
    writer.writerows(rows)
    return out.getvalue()
