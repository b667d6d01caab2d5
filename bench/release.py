"""Release benchmark: time and peak memory of releasing a wave of sealed responses.

Prints (1) the release time of 100,000 responses as a ratio to the bare cost of opening
the same sealed responses (goal: under 1.5x), and (2) the peak memory of the release for
10,000 and 100,000 responses, each measured in a fresh process (goal: the 100k peak under
1.5x the 10k peak, which holds only if the release streams).

Then (3) a realistic synthetic alliance (`bench.release_alliance`): 34 organisations of 12
teams sized like real teams, 2 quasi-identifiers, 3 interim releases then the final, each
made by the real release step: its time, the share of groups with >= 2k (goal >= 95 %) and
>= k responses whose headline is shown, against the simple baseline; and (4) how release
time grows with the number of teams, at close and with interims.

Run: .venv/bin/python -m bench.release [--sizes 10000 100000] [--timing-size 100000]
     [--alliance 34 12] [--attributes 2] [--interims 3] [--growth 20 170 408 600]
     [--skip-100k] [--skip-alliance]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import release_alliance as alliance
from config import TestingConfig
from survey import create_app
from survey.domain.sealing import SealContext, open_wave
from survey.extensions import db
from survey.keyring import configured_kek
from survey.keys import create_key_file
from survey.models import Organisation, Response, Team, Wave
from survey.release import STREAM_BATCH, make_release
from survey.services.questionnaires import definition, store_questionnaire_file
from survey.services.responses import iso_week
from survey.services.waves import WavePlan
from survey.services.waves import open_wave as open_survey_wave

ORGANISATIONS = 5
TEAMS_PER_ORGANISATION = 4
SEED = 20261126


def _app(workdir: Path) -> Any:

    key_file = workdir / "lantern.key"
    create_key_file(key_file)
    settings = TestingConfig({"DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"})
    settings.KEK_FILE = str(key_file)
    return create_app(settings)


def _fill(app: Any, size: int) -> int:
    """Create organisations, teams, a closed wave and `size` sealed responses; return its id."""

    db.create_all()
    version = store_questionnaire_file(Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml")
    questionnaire = definition(version)
    teams = []
    for o in range(ORGANISATIONS):
        organisation = Organisation(name=f"Bench organisation {o}")
        teams += [
            Team(organisation=organisation, name=f"Team {t}") for t in range(TEAMS_PER_ORGANISATION)
        ]
    db.session.add_all(teams)
    today = date.today()
    wave = open_survey_wave(
        WavePlan(
            "Bench wave", version, teams, today - timedelta(days=40), today - timedelta(days=1)
        ),
        configured_kek(app.config),
    )
    rng = random.Random(SEED)
    role = questionnaire.context[0]
    roles = [o.value for o in role.options]
    items = [item.id for scale in questionnaire.scales for item in scale.items]
    week = iso_week(today - timedelta(days=3))
    rows = []
    for _ in range(size):
        team = rng.choice(teams)
        level = rng.randint(1, 5)
        answers: dict[str, int | str] = {
            item: min(5, max(1, level + rng.randint(-1, 1)))
            for item in items
            if rng.random() > 0.03
        }
        if rng.random() > 0.2:
            answers[role.id] = rng.choice(roles)
        rows.append(alliance.sealed_row(wave, team.id, week, answers, rng))
        if len(rows) == 5000:
            alliance.store_rows(wave, rows)
            rows = []
    alliance.store_rows(wave, rows)
    db.session.commit()
    return wave.id


def _bare_open(app: Any, wave_id: int) -> float:
    """Seconds to stream and open every sealed response, and nothing else."""

    wave = db.session.get(Wave, wave_id)
    start = time.perf_counter()
    opener = open_wave(wave.wrapped_private_key, configured_kek(app.config), wave.id)
    rows = select(Response.id, Response.team_id, Response.sealed).where(Response.wave_id == wave.id)
    for response_id, team_id, sealed in db.session.execute(
        rows.execution_options(yield_per=STREAM_BATCH)
    ):
        opener.open(SealContext(wave.id, team_id, str(response_id)), sealed)
    return time.perf_counter() - start


def _release(app: Any, wave_id: int) -> tuple[float, Any]:

    wave = db.session.get(Wave, wave_id)
    start = time.perf_counter()
    release = make_release(wave, configured_kek(app.config), kind="final", today=date.today())
    return time.perf_counter() - start, release


def measure_memory(size: int) -> dict[str, float]:
    """In this process: fill, then release under tracemalloc; report peaks in MiB."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            wave_id = _fill(app, size)

            db.session.expunge_all()

            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            seconds, _ = _release(app, wave_id)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            db.session.remove()
            db.engine.dispose()
    return {
        "size": size,
        "traced_peak_mib": peak / 2**20,
        "seconds": seconds,
        "maxrss_growth_mib": (rss_after - rss_before) / 1024,
    }


def measure_time(size: int) -> tuple[float, float, dict[str, Any]]:
    """Bare opening time and release time for one wave of `size` responses."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        with app.app_context():
            wave_id = _fill(app, size)

            bare = _bare_open(app, wave_id)
            db.session.expunge_all()
            release_seconds, release = _release(app, wave_id)
            data = json.loads(release.payload)
            db.session.remove()
            db.engine.dispose()
    return bare, release_seconds, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=(10_000, 100_000))
    parser.add_argument("--timing-size", type=int, default=100_000)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--alliance", type=int, nargs=2, default=(34, 12), metavar=("ORGS", "TEAMS")
    )
    parser.add_argument("--attributes", type=int, default=2, choices=(2, 3))
    parser.add_argument("--interims", type=int, default=3)
    parser.add_argument("--growth", type=int, nargs="*", default=[20, 170, 408, 600])
    parser.add_argument("--skip-100k", action="store_true", help="only the alliance figures")
    parser.add_argument("--skip-alliance", action="store_true", help="only the 100k figures")
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(measure_memory(args.memory_child)))
        return 0
    ok = True
    if not args.skip_100k:
        ok &= _hundred_thousand(args)
    if not args.skip_alliance:
        ok &= _alliance(args)
    return 0 if ok else 1


def _alliance(args: argparse.Namespace) -> bool:
    """The realistic alliance release by release, then release time against alliance size."""
    organisations, teams = args.alliance
    with tempfile.TemporaryDirectory() as tmp:
        figures = alliance.report_alliance(
            _app,
            Path(tmp),
            organisations=organisations,
            teams=teams,
            interims=args.interims,
            attributes=args.attributes,
        )
    alliance.print_figures(
        f"alliance of {organisations} x {teams} teams, {args.attributes} quasi-identifiers, "
        f"{args.interims} interim releases then the final (k=5):",
        figures,
    )
    final = figures[-1]
    slowest = max(f.seconds for f in figures)
    hidden_ratio = (1 - final.shown_k) / (1 - final.base_k)
    ok = slowest < 30 and final.shown_2k >= 0.95 and hidden_ratio <= 1.25
    print(
        f"slowest release {slowest:.1f} s (goal < 30 s); final >=2k shown {final.shown_2k:.1%} "
        f"(goal >= 95%); final >=k hidden {hidden_ratio:.2f}x baseline (goal <= 1.25x) "
        f"{'OK' if ok else 'OVER'}"
    )
    if args.growth:
        print("release time against alliance size (34 organisations unless fewer teams):")
        first: tuple[float, float, int] | None = None
        for size in args.growth:
            orgs = min(34, size)
            per = max(1, round(size / orgs))
            times = []
            for interims in (0, args.interims):
                with tempfile.TemporaryDirectory() as tmp:
                    run = alliance.report_alliance(
                        _app,
                        Path(tmp),
                        organisations=orgs,
                        teams=per,
                        interims=interims,
                        attributes=args.attributes,
                    )
                times.append(max(f.seconds for f in run))
            if first is None:
                first = (times[0], times[1], orgs * per)
            print(
                f"  {orgs * per:>4} teams: at close {times[0]:6.2f} s "
                f"({times[0] / first[0]:5.1f}x), slowest of {args.interims} interims + final "
                f"{times[1]:6.2f} s ({times[1] / first[1]:5.1f}x); teams {orgs * per / first[2]:.1f}x"
            )
    return ok


def _hundred_thousand(args: argparse.Namespace) -> bool:
    """The 100k time ratio and the 10k/100k memory figures."""

    bare, release_seconds, data = measure_time(args.timing_size)
    ratio = release_seconds / bare
    shown = sum(1 for g in data["groups"].values() if g["shown"])
    print(
        f"release of {args.timing_size:,} responses: {release_seconds:.2f} s; bare opening {bare:.2f} s"
    )
    print(f"time ratio release/open: {ratio:.2f}x (goal < 1.5x) {'OK' if ratio < 1.5 else 'OVER'}")
    print(f"groups shown: {shown} of {len(data['groups'])}")

    peaks = []
    for size in args.sizes:
        out = subprocess.run(  # a fresh process per size, so peaks do not mix
            [sys.executable, "-m", "bench.release", "--memory-child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        peaks.append(result)
        print(
            f"{size:>7,} responses: traced peak {result['traced_peak_mib']:.1f} MiB, "
            f"max RSS growth {result['maxrss_growth_mib']:.1f} MiB, release {result['seconds']:.2f} s"
        )
    memory_ratio = peaks[1]["traced_peak_mib"] / peaks[0]["traced_peak_mib"]
    print(
        f"peak memory ratio {args.sizes[1]:,}/{args.sizes[0]:,}: {memory_ratio:.2f}x (goal < 1.5x) "
        f"{'OK' if memory_ratio < 1.5 else 'OVER'}"
    )
    return ratio < 1.5 and memory_ratio < 1.5


if __name__ == "__main__":
    raise SystemExit(main())
