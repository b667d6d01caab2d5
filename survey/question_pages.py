"""Turning a questionnaire page into what a template shows (presentation only).

Shared by the respondent pages and the core team's preview, so a preview is exactly
what a phone shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from survey.domain.questionnaire_model import (
    Answers,
    ContextQuestion,
    Questionnaire,
    Scale,
    ScaleItem,
)


@dataclass(frozen=True)
class ShownQuestion:
    """One question as a page shows it."""

    id: str
    field: str
    text: str
    kind: str  # "choice" or "text"
    options: tuple[tuple[str, str], ...]
    current: str
    max_length: int | None = None


@dataclass(frozen=True)
class ShownPage:
    """One page of questions, with the scale's lead-in where it has one."""

    number: int
    count: int
    title: str
    intro: str
    questions: tuple[ShownQuestion, ...]


def _scale_of(q: Questionnaire, item: ScaleItem) -> Scale:
    return next(s for s in q.scales if s.key == item.scale_key)


def _shown(q: Questionnaire, question_id: str, current: str, prefix: str) -> ShownQuestion:
    question = q.question(question_id)
    if isinstance(question, ContextQuestion):
        options = tuple((o.value, o.label) for o in question.options)
        return ShownQuestion(
            question.id,
            prefix + question.id,
            question.text,
            question.kind,
            options,
            current,
            question.max_length,
        )
    scale = _scale_of(q, question)
    options = tuple((str(o.value), o.label) for o in scale.template.options)
    return ShownQuestion(
        question.id, prefix + question.id, question.text, "choice", options, current
    )


def shown_page(q: Questionnaire, number: int, answers: Answers, prefix: str) -> ShownPage:
    """Page `number` (1-based) with the person's current answers filled in."""
    page = q.pages[number - 1]
    questions = tuple(_shown(q, qid, str(answers.get(qid, "")), prefix) for qid in page.questions)
    intro = ""
    first = q.question(page.questions[0]) if page.questions else None
    if isinstance(first, ScaleItem):
        scale = _scale_of(q, first)
        intro = (
            scale.intro or f"Thinking about {scale.template.timeframe}, how often did this happen?"
        )
    return ShownPage(number, q.page_count, page.title, intro, questions)


def carried(
    answers: Mapping[str, int | str], shown: ShownPage, prefix: str
) -> list[tuple[str, str]]:
    """Answers from other pages, carried in hidden fields so nothing is stored before the end."""
    on_page = {question.id for question in shown.questions}
    return [(prefix + qid, str(value)) for qid, value in answers.items() if qid not in on_page]
