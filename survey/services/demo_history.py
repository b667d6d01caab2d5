"""The demo's history: two earlier rounds of synthetic responses, released, plus demo accounts.

Everything here is labelled synthetic or demo. The responses go through the real path
(sealed to the wave key, ISO week only), and the releases through the real release step,
so a demo lead's first screen shows what a real one would: results and a comparison.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from survey.domain.questionnaire_model import Questionnaire
from survey.models import QuestionnaireVersion, SurveyLink, Team, Wave
from survey.release import make_release
from survey.services import accounts
from survey.services.questionnaires import definition
from survey.services.responses import record_response
from survey.services.waves import WavePlan, open_wave

DEMO_CORE_EMAIL = "core@demo.lantern.invalid"
DEMO_LEAD_EMAIL = "lead@demo.lantern.invalid"
# Baseline two years ago, a follow-up a year later; the open round continues the series.
ROUNDS = (("Baseline, autumn (synthetic)", 730, 3.1), ("Follow-up, autumn (synthetic)", 365, 2.6))
# People per team in each synthetic round: enough to release, varied like real teams.
TEAM_SIZES = (17, 11)
# Staff per team the core team recorded for each round (the response rate's denominator).
TEAM_HEADCOUNTS = (22, 18)
SEED = 20261126


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in, printed by `make run` (never created in production)."""

    email: str
    password: str
    role: str


def _synthetic_answers(q: Questionnaire, rng: random.Random, centre: float) -> dict[str, int | str]:
    """One made-up person: answers around a centre, a few skips, sometimes a role."""
    scale = q.scales[0]
    person = centre + rng.gauss(0, 0.7)
    answers: dict[str, int | str] = {}
    for item in scale.items:
        if rng.random() < 0.04:
            continue  # skipped, as real people sometimes do
        value = round(person + rng.gauss(0, 0.6))
        answers[item.id] = min(max(value, min(scale.template.values)), max(scale.template.values))
    for question in q.context:
        if question.options and rng.random() < 0.85:
            answers[question.id] = rng.choice(question.options[:-1]).value
    return answers


def _links(wave: Wave) -> list[SurveyLink]:
    return sorted(wave.links, key=lambda link: link.team.name)


def seed_history(
    kek: bytes, version: QuestionnaireVersion, teams: Sequence[Team], today: date
) -> list[Wave]:
    """Two closed, released rounds of synthetic responses for the demo teams."""
    questionnaire = definition(version)
    rng = random.Random(SEED)  # noqa: S311  # nosec B311 - synthetic demo data, not secrets
    waves = []
    for name, days_ago, centre in ROUNDS:
        opens = today - timedelta(days=days_ago)
        wave = open_wave(
            WavePlan(name, version, teams, opens, opens + timedelta(days=28), synthetic=True), kek
        )
        for link, size, headcount in zip(_links(wave), TEAM_SIZES, TEAM_HEADCOUNTS, strict=False):
            link.headcount = headcount
            for person in range(size):
                day = opens + timedelta(days=person % 28)
                answers = _synthetic_answers(questionnaire, rng, centre + rng.uniform(-0.3, 0.3))
                record_response(link, answers, secrets.token_urlsafe(16), day)
        make_release(wave, kek, kind="final", today=opens + timedelta(days=29))
        waves.append(wave)
    return waves


def seed_accounts(organisation_id: int) -> list[DemoAccount]:
    """A demo core-team account and a demo lead of the demo organisation."""
    made = []
    for email, name, role in (
        (DEMO_CORE_EMAIL, "Demo core team", "core"),
        (DEMO_LEAD_EMAIL, "Demo team lead", "lead"),
    ):
        password = secrets.token_urlsafe(12)
        user = accounts.create_user(email, name, password, role)
        if role == "lead":
            accounts.grant_lead(user, organisation_id=organisation_id)
        made.append(DemoAccount(email, password, role))
    return made
