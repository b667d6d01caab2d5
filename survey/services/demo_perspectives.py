"""The demo member's anonymous perspective surveys: staff and people who use the service.

Each demo review gets a staff survey (one link per team) and a service-user survey (one link
for the whole organisation, with the easy-read version offered). Their answers are made up
(synthetic, and the free text says "Demo:"), sealed through the real path and released by
the real release step once each survey has closed, so the journey page shows them beside
the agreed ratings exactly as it would real ones.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from survey.domain.perspectives import FREE_TEXT_ID, question_id
from survey.models import Review, User, Wave
from survey.release import make_release
from survey.services import perspectives
from survey.services.responses import record_response

SEED = 20261204
# How the made-up people answer a domain the review agreed as red, amber or green: the
# chances of "red", "amber" and "green" (a few skip, as real people do).
LEANINGS = {
    "red": (0.5, 0.35, 0.15),
    "amber": (0.2, 0.5, 0.3),
    "green": (0.05, 0.3, 0.65),
}
SKIP_CHANCE = 0.06
SURVEY_DAYS = 14
# Synthetic free text of people who use the service: demo words, never a real person's.
DEMO_SAYINGS = (
    "Demo: the man at the desk knows my name.",
    "Demo: I waited a long time and nobody said why.",
    "Demo: the letter made me feel like I had done something wrong.",
    "Demo: I like the tea and the warm room.",
    "Demo: I did not know who to ask for help.",
    "Demo: the new seats in the corridor are better.",
    "Demo: staff listen to me now.",
    "Demo: I would like to meet other people here.",
    "Demo: it is easier to get an appointment.",
    "Demo: I feel safe here.",
    "Demo: please keep the quiet room.",
)


@dataclass(frozen=True)
class DemoSurvey:
    """One made-up perspective survey: whose, how many people per link, their leaning."""

    perspective: str
    organisation_wide: bool
    people: tuple[int, ...]  # per link (teams by name), or one number for the organisation
    # Domains this perspective sees better (+1) or worse (-1) than the agreed rating.
    shifts: Mapping[str, int]
    free_text: bool = False


SURVEYS = (
    DemoSurvey("staff", False, (9, 7), {"language": -1, "compassionate-leadership": 1}),
    DemoSurvey("service_user", True, (16,), {"safety": -1, "social": 1, "empowerment": -1}, True),
)


def _leaning(agreed: str, shift: int) -> tuple[float, ...]:
    order = ("red", "amber", "green")
    start = agreed if agreed in LEANINGS else "amber"
    moved = min(max(order.index(start) + shift, 0), len(order) - 1)
    return LEANINGS[order[moved]]


def _person(
    rng: random.Random, agreed: Mapping[str, str], survey: DemoSurvey, sayings: list[str]
) -> dict[str, int | str]:
    """One made-up person's answers: each domain near the agreed rating, a few skipped."""
    answers: dict[str, int | str] = {}
    for domain, rating in agreed.items():
        if rng.random() < SKIP_CHANCE:
            continue
        weights = _leaning(rating, survey.shifts.get(domain, 0))
        answers[question_id(domain)] = rng.choices(("red", "amber", "green"), weights)[0]
    if survey.free_text and sayings:
        answers[FREE_TEXT_ID] = sayings.pop()
    return answers


def seed_perspectives(
    review: Review,
    agreed: Mapping[str, str],
    opens_on: date,
    *,
    kek: bytes,
    actor: User,
) -> list[Wave]:
    """A review's staff and service-user surveys, answered, closed and released (synthetic)."""
    rng = random.Random(SEED + review.id)  # noqa: S311  # nosec B311 - synthetic demo data
    closes_on = opens_on + timedelta(days=SURVEY_DAYS - 1)
    waves = []
    for survey in SURVEYS:
        wave = perspectives.open_perspective_survey(
            review,
            perspective=survey.perspective,
            easy_read=survey.perspective == "service_user",
            teams=review.organisation.teams,
            organisation_wide=survey.organisation_wide,
            opens_on=opens_on,
            closes_on=closes_on,
            k=5,
            kek=kek,
            actor=actor,
            synthetic=True,
        )
        sayings = list(DEMO_SAYINGS)
        rng.shuffle(sayings)
        links = sorted(wave.links, key=lambda link: link.team.name)
        for link, people in zip(links, survey.people, strict=True):
            for person in range(people):
                day = opens_on + timedelta(days=person % SURVEY_DAYS)
                answers = _person(rng, agreed, survey, sayings)
                record_response(link, answers, secrets.token_urlsafe(16), day)
        make_release(wave, kek, kind="final", today=closes_on + timedelta(days=1))
        waves.append(wave)
    return waves
