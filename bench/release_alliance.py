"""The realistic-alliance part of the release benchmark: utility and time of every release.

Seals the synthetic alliance of `bench.alliance` (34 organisations of 12 teams by default)
into an SQLite wave in interim mode, makes 3 interim releases and then the final one with
the real release step (`survey.release.make_release`), and prints for each release its
time, the share of groups with >= 2k and >= k responses whose headline is shown, and the
same shares under the simple baseline. Then it times releases at close and with interims
for growing alliances, so growth can be read as a ratio.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import insert

import survey.release as release_step
from bench.alliance import Arrival, arrivals, baseline, release_points, utility
from survey.domain.disclosure import Ledger, Plan, plan_release
from survey.domain.groups import GroupKey
from survey.domain.sealing import SealContext, seal_answers
from survey.extensions import db
from survey.keyring import configured_kek
from survey.models import Organisation, Response, Team, Wave
from survey.release import make_release
from survey.services.integrity import add_to_tally, configured_keys, tag_row
from survey.services.questionnaires import definition, store_questionnaire_file
from survey.services.responses import iso_week
from survey.services.waves import WavePlan
from survey.services.waves import open_wave as open_survey_wave

WAVE_DAYS = 28
THIRD_QUESTION = {
    "id": "contract",
    "text": "Which best describes your contract?",
    "kind": "choice",
    "quasi_identifier": True,
    "options": [
        {"value": "full_time", "label": "Full time"},
        {"value": "part_time", "label": "Part time"},
        {"value": "prefer_not_to_say", "label": "Prefer not to say"},
    ],
}


@dataclass(frozen=True)
class ReleaseFigures:
    """One release of the benchmark alliance: its time and what it showed."""

    seconds: float
    groups_k: int
    groups_2k: int
    shown_2k: float
    shown_k: float
    base_2k: float
    base_k: float
    undecided: int


def questionnaire_file(workdir: Path, attributes: int) -> Path:
    """The demo questionnaire (STSS template) with 2 or 3 quasi-identifier questions."""
    source = Path(__file__).resolve().parent.parent / "questionnaires" / "demo-sts.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["key"] = f"bench-alliance-{attributes}"
    quasi = [c for c in data["context"] if c.get("quasi_identifier")]
    others = [c for c in data["context"] if not c.get("quasi_identifier")]
    if attributes == 3:
        quasi.append(THIRD_QUESTION)
    data["context"] = quasi[:attributes] + others
    path = workdir / f"bench-alliance-{attributes}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _open(
    app: Any, workdir: Path, people: list[Arrival], attributes: int, mode: str
) -> tuple[Wave, dict[str, Team]]:
    db.create_all()
    version = store_questionnaire_file(questionnaire_file(workdir, attributes))
    teams: dict[str, Team] = {}
    organisations: dict[str, Organisation] = {}
    for a in people:
        if a.team not in teams:
            org = organisations.setdefault(
                a.organisation, Organisation(name=f"Alliance organisation {a.organisation}")
            )
            teams[a.team] = Team(organisation=org, name=f"Team {a.team}")
    db.session.add_all(list(teams.values()))
    opens = date.today() - timedelta(days=WAVE_DAYS + 1)
    plan = WavePlan(
        "Alliance wave",
        version,
        list(teams.values()),
        opens,
        opens + timedelta(days=WAVE_DAYS - 1),
        release_mode=mode,
    )
    return open_survey_wave(plan, configured_kek(app.config)), teams


def sealed_row(
    wave: Wave, team_id: int, week: str, answers: dict[str, int | str], rng: random.Random
) -> dict[str, Any]:
    """One response row as Finish stores it: a random id and the answers sealed to the wave."""
    response_id = f"{rng.getrandbits(128):032x}"
    sealed = seal_answers(wave.public_key, SealContext(wave.id, team_id, response_id), answers)
    row: dict[str, Any] = {
        "id": response_id,
        "wave_id": wave.id,
        "team_id": team_id,
        "questionnaire_version_id": wave.questionnaire_version_id,
        "iso_week": week,
        "sealed": sealed,
    }
    row["tag"] = tag_row(configured_keys(), row)
    return row


def store_rows(wave: Wave, rows: list[dict[str, Any]]) -> None:
    """Insert sealed rows in bulk and count them into the wave's integrity tally, as Finish does."""
    if rows:
        db.session.execute(insert(Response), rows)
        add_to_tally(db.session.connection(), configured_keys(), wave.id, [r["tag"] for r in rows])


def _seal(wave: Wave, teams: dict[str, Team], people: list[Arrival], rng: random.Random) -> None:
    questionnaire = definition(wave.questionnaire_version)
    items = [item.id for scale in questionnaire.scales for item in scale.items]
    week = iso_week(wave.opens_on)
    rows = []
    for n, a in enumerate(people):
        team = teams[a.team]
        answers: dict[str, int | str] = {
            item: min(5, max(1, a.level + (n + i) % 3 - 1)) for i, item in enumerate(items)
        }
        answers.update({q: v for q, v in a.attrs if v != "(not answered)"})
        rows.append(sealed_row(wave, team.id, week, answers, rng))
    store_rows(wave, rows)
    db.session.commit()


class _PlanSpy:
    """Stands in for `plan_release` inside the release step to keep the plan it made.

    It also tells the plan whether this release is the final one, as the release step
    should (`plan_release(..., final=kind == "final")`), if the step does not already.
    """

    def __init__(self) -> None:
        self.final = True
        self.plan: Plan | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Plan:
        kwargs.setdefault("final", self.final)
        self.plan = plan_release(*args, **kwargs)
        return self.plan


def run_wave(
    app: Any, workdir: Path, people: list[Arrival], interims: int, attributes: int
) -> list[ReleaseFigures]:
    """Seal arrivals release by release and make every release; figures per release."""
    wave, teams = _open(app, workdir, people, attributes, "interim" if interims else "at_close")
    rng = random.Random(len(people))
    kek = configured_kek(app.config)
    spy = _PlanSpy()
    original = release_step.plan_release
    release_step.plan_release = spy  # type: ignore[assignment]
    figures = []
    done = 0.0
    try:
        for j, point in enumerate(release_points(interims)):
            _seal(wave, teams, [a for a in people if done < a.at <= point], rng)
            done = point
            final = j == interims
            spy.final = final
            today = wave.last_day + timedelta(days=1) if final else wave.opens_on + timedelta(j)
            start = time.perf_counter()
            release = make_release(wave, kek, kind="final" if final else "interim", today=today)
            seconds = time.perf_counter() - start
            assert spy.plan is not None
            figures.append(_figures(release, spy.plan, wave.k, seconds))
    finally:
        release_step.plan_release = original  # type: ignore[assignment]
    return figures


def _figures(release: Any, plan: Plan, k: int, seconds: float) -> ReleaseFigures:
    ledger = Ledger.from_json(json.loads(release.ledger)["groups"])
    payload = json.loads(release.payload)
    headline = frozenset(
        GroupKey.from_str(key)
        for key, entry in payload["groups"].items()
        if entry["shown"]
        and not any(s["headline"].get("hidden") for s in entry.get("scales", {}).values())
    )
    ours = utility(ledger.cells, headline, k)
    base = utility(ledger.cells, baseline(ledger.cells, k), k)
    n = ledger.counts
    return ReleaseFigures(
        seconds=seconds,
        groups_k=sum(1 for c in n.values() if c >= k),
        groups_2k=sum(1 for c in n.values() if c >= 2 * k),
        shown_2k=ours.at_least_2k,
        shown_k=ours.at_least_k,
        base_2k=base.at_least_2k,
        base_k=base.at_least_k,
        undecided=plan.undecided,
    )


def report_alliance(
    app_factory: Any,
    workdir: Path,
    *,
    organisations: int,
    teams: int,
    interims: int,
    attributes: int,
) -> list[ReleaseFigures]:
    """Run one alliance wave in a fresh database and print its figures release by release."""
    people = arrivals(organisations, teams, attributes)
    app = app_factory(workdir)
    with app.app_context():
        figures = run_wave(app, workdir, people, interims, attributes)
        db.session.remove()
        db.engine.dispose()
    return figures


def print_figures(title: str, figures: list[ReleaseFigures]) -> None:
    """One line per release, shares as percentages and hidden shares as ratios to baseline."""
    print(title)
    for j, f in enumerate(figures):
        name = "final" if j == len(figures) - 1 else f"interim {j + 1}"
        hidden, base_hidden = 1 - f.shown_k, 1 - f.base_k
        ratio = hidden / base_hidden if base_hidden else float("inf")
        print(
            f"  {name:>9}: {f.seconds:6.2f} s; >=2k shown {f.shown_2k:6.1%} "
            f"(baseline {f.base_2k:6.1%}, of {f.groups_2k}); >=k shown {f.shown_k:6.1%} "
            f"(baseline {f.base_k:6.1%}, of {f.groups_k}); >=k hidden {hidden:.1%} vs "
            f"{base_hidden:.1%} = {ratio:.2f}x; audit out of budget {f.undecided}x"
        )
