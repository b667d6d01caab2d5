"""Results page benchmark: render time of a release page at 1,000 and 100,000 responses.

A results page reads releases, never responses, so its render time should not grow with
the number of responses (goal: the 100,000-response page within 1.2x of the 1,000 one).
For each size it seals that many synthetic responses into each of two waves of the same
questionnaire (20 teams in 5 organisations, role subgroups, headcounts recorded), makes
each wave's final release with the real release step, then renders the later wave's page
(heatmap, trend across both rounds, every group) for a core-team member through the app,
and prints the median of the timed renders (alternating between the two sizes).

Run: .venv/bin/python -m bench.results_page [--sizes 1000 100000] [--renders 15]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import release_alliance as alliance
from bench.release import ORGANISATIONS, SEED, TEAMS_PER_ORGANISATION, _app
from survey.extensions import db
from survey.keyring import configured_kek
from survey.models import Organisation, QuestionnaireVersion, Release, Team
from survey.release import make_release
from survey.services import accounts
from survey.services.questionnaires import definition, store_questionnaire_file
from survey.services.responses import iso_week
from survey.services.waves import WavePlan
from survey.services.waves import open_wave as open_survey_wave

EMAIL, PASSWORD = "bench.core@example.org", "bench core passphrase 1"


def _round(
    app: Any, version: QuestionnaireVersion, teams: list[Team], size: int, *, start: date, seed: int
) -> Release:
    """One closed wave of `size` sealed responses, and its final release."""
    name = f"Round of {start:%B %Y}"
    questionnaire = definition(version)
    kek = configured_kek(app.config)
    wave = open_survey_wave(WavePlan(name, version, teams, start, start + timedelta(days=27)), kek)
    rng = random.Random(seed)
    for link in wave.links:
        # Headcounts above each team's share, so every shown team has a response rate.
        link.headcount = size // len(teams) + 50
    role = questionnaire.context[0]
    items = [item.id for scale in questionnaire.scales for item in scale.items]
    week = iso_week(start)
    rows = []
    for _ in range(size):
        team = rng.choice(teams)
        level = rng.randint(1, 5)
        answers: dict[str, int | str] = {
            item: min(5, max(1, level + rng.randint(-1, 1))) for item in items
        }
        answers[role.id] = rng.choice([o.value for o in role.options])
        rows.append(alliance.sealed_row(wave, team.id, week, answers, rng))
        if len(rows) == 5000:
            alliance.store_rows(wave, rows)  # counted into the tally, as Finish does
            rows = []
    alliance.store_rows(wave, rows)
    db.session.commit()
    return make_release(wave, kek, kind="final", today=start + timedelta(days=28))


@dataclass
class Site:
    """One filled database, served in-process, with a signed-in core-team browser."""

    app: Any
    path: str
    client: Any = None


def build(size: int, workdir: Path) -> Site:
    """Fill a database with two released rounds of `size` responses each; sign in."""
    app = _app(workdir)
    with app.app_context():
        db.create_all()
        teams = []
        for o in range(ORGANISATIONS):
            organisation = Organisation(name=f"Bench organisation {o}")
            teams += [
                Team(organisation=organisation, name=f"Team {t}")
                for t in range(TEAMS_PER_ORGANISATION)
            ]
        db.session.add_all(teams)
        db.session.commit()
        today = date.today()
        version = store_questionnaire_file(Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml")
        _round(app, version, teams, size, start=today - timedelta(days=200), seed=SEED)
        release = _round(app, version, teams, size, start=today - timedelta(days=60), seed=SEED + 1)
        path = f"/results/release/{release.wave_id}/{release.sequence}"
        accounts.create_user(EMAIL, "Bench core", PASSWORD, "core")
        db.session.remove()
    site = Site(app, path, app.test_client())
    # Sign in as a browser does: load the form for its token, then post it.
    form = site.client.get("/auth/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token is not None
    data = {"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD}
    assert site.client.post("/auth/sign-in", data=data).status_code == 303
    return site


def render(site: Site) -> tuple[float, int]:
    """Seconds to render the later round's page once, and its length in bytes."""
    start = time.perf_counter()
    result = site.client.get(site.path)
    seconds = time.perf_counter() - start
    assert result.status_code == 200
    return seconds, len(result.get_data())


def main() -> None:
    """Print the render time at each size and the ratio of the largest to the smallest.

    Both databases are built first; the renders then alternate between them, so a change
    of load on a shared machine falls on both sizes alike.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 100_000])
    parser.add_argument("--renders", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sites = {}
        for size in args.sizes:
            (Path(tmp) / str(size)).mkdir()
            sites[size] = build(size, Path(tmp) / str(size))
        times: dict[int, list[float]] = {size: [] for size in args.sizes}
        lengths = {size: render(site)[1] for size, site in sites.items()}  # warm up
        for _ in range(args.renders):
            for size, site in sites.items():
                gc.collect()
                times[size].append(render(site)[0])
    for size in args.sizes:
        median = statistics.median(times[size])
        print(
            f"{size:>7} responses a round: median render {median * 1000:.1f} ms "
            f"({lengths[size]:,} bytes)"
        )
    small, large = args.sizes
    ratio = statistics.median(times[large]) / statistics.median(times[small])
    verdict = "met" if ratio <= 1.2 else "NOT met"
    print(f"ratio {large:,} / {small:,}: {ratio:.2f}x (goal <= 1.2x: {verdict})")


if __name__ == "__main__":
    main()
