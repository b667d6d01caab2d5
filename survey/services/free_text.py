"""Free-text answers, for the core team only (DESIGN rule 5).

Never shown to leads; the core team sees them only in groups of 10 or more people,
shuffled, and without dates (responses carry none). They are opened on request from the
sealed responses and never stored in readable form.

The groups are disjoint: a team of 10 or more on its own, the rest of its organisation
pooled, and what is left of the alliance pooled, each only when it holds 10 or more
people. Overlapping lists (an organisation's and one of its teams') would let a reader
take one list from the other and read a small team's words.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from survey.domain.disclosure import FREE_TEXT_MIN, free_text_allowed
from survey.extensions import db
from survey.models import Organisation, Team, Wave
from survey.release import opened_responses, releases_of
from survey.services.questionnaires import definition


@dataclass(frozen=True)
class FreeTextGroup:
    """The free-text answers to one question from one group of people, shuffled."""

    label: str
    question: str
    answers: tuple[str, ...]


def _pools(people: Counter[int], teams: Iterable[Team]) -> list[tuple[str, set[int]]]:
    """Disjoint pools of team ids, each holding at least FREE_TEXT_MIN people."""
    by_org: dict[Organisation, list[Team]] = {}
    for team in sorted(teams, key=lambda t: (t.organisation.name, t.name)):
        by_org.setdefault(team.organisation, []).append(team)
    pools: list[tuple[str, set[int]]] = []
    left_over: set[int] = set()
    for organisation, members in by_org.items():
        rest = set()
        for team in members:
            if free_text_allowed(people[team.id], "core"):
                pools.append((f"{organisation.name}: {team.name}", {team.id}))
            else:
                rest.add(team.id)
        if free_text_allowed(sum(people[t] for t in rest), "core"):
            single = len(rest) == len(members)
            label = organisation.name if single else f"{organisation.name}: other teams together"
            pools.append((label, rest))
        else:
            left_over |= rest
    if left_over and sum(people[t] for t in left_over) >= FREE_TEXT_MIN:
        pools.append(("Other teams across the alliance, together", left_over))
    return pools


def free_text(wave: Wave, kek: bytes) -> list[FreeTextGroup] | None:
    """Free text in disjoint groups of 10 or more; None until the wave's final release."""
    if not any(r.kind == "final" for r in releases_of(wave.id)):
        return None
    questions = [c for c in definition(wave.questionnaire_version).context if c.kind == "text"]
    if not questions:
        return []
    people: Counter[int] = Counter()
    texts: dict[tuple[int, str], list[str]] = {}
    # Only rows Lantern stored as they are: a forged row's words are never shown.
    for _, team_id, answers in opened_responses(wave, kek, exclude_failed=True):
        people[team_id] += 1
        for question in questions:
            text = answers.get(question.id)
            if isinstance(text, str) and text:
                texts.setdefault((team_id, question.id), []).append(text)
    teams = db.session.scalars(db.select(Team).where(Team.id.in_(people))).all()
    shuffle = secrets.SystemRandom().shuffle
    groups = []
    for label, team_ids in _pools(people, teams):
        for question in questions:
            pooled = [t for team_id in team_ids for t in texts.get((team_id, question.id), [])]
            shuffle(pooled)
            if pooled:
                groups.append(FreeTextGroup(label, question.text, tuple(pooled)))
    return groups
