"""Filling a wave with responses through the real sealing path, for release tests."""

from __future__ import annotations

import secrets
from datetime import date

from survey.models import SurveyLink, Wave
from survey.services.responses import record_response


def answers_all(value: int, **context: str) -> dict[str, int | str]:
    """Every STSS item answered with `value` (17 items), plus context answers."""
    answers: dict[str, int | str] = {f"stss.{n}": value for n in range(1, 18)}
    answers.update(context)
    return answers


def submit(link: SurveyLink, answers: dict[str, int | str], today: date) -> None:
    """Store one response exactly as the respondent path does."""
    record_response(link, answers, secrets.token_urlsafe(16), today)


def links_by_team(wave: Wave) -> dict[str, SurveyLink]:
    """The wave's links keyed by team name."""
    return {link.team.name: link for link in wave.links}
