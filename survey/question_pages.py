"""Turning a questionnaire page into what a template shows (presentation only).

Shared by the respondent pages and the core team's preview, so a preview is exactly
what a phone shows.

The form is also shaped so that what a phone sends is as long whatever the person
answered: every choice, "skip" included, is sent as a value of the same encoded length
(the skip value is "-", shorter values are padded with trailing spaces, which the
questionnaire strips), and every answer from other pages is carried, a skipped one as
"-". Only free text is sent as typed: without JavaScript nothing can pad it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote_plus

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
    skip: str = ""  # the value a skip sends (padded like every other choice)
    offer_skip: bool = True  # False where an option already declines ("Prefer not to say")


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


SKIP = "-"  # a skipped choice, sent like any other value


def _choices(q: Questionnaire, question_id: str) -> tuple[str, ...]:
    """A choice question's values, or () for free text."""
    question = q.question(question_id)
    if isinstance(question, ContextQuestion):
        return tuple(o.value for o in question.options) if question.kind == "choice" else ()
    return tuple(str(o.value) for o in _scale_of(q, question).template.options)


def _on_the_wire(value: str, choices: tuple[str, ...]) -> str:
    """`value` padded with spaces to the longest form-encoded choice (a space sends 1 byte)."""
    width = max(len(quote_plus(choice)) for choice in (*choices, SKIP))
    return value + " " * (width - len(quote_plus(value)))


def _sent(q: Questionnaire, question_id: str, current: str) -> str:
    """What a question sends: its padded choice or skip, or the free text as it is."""
    choices = _choices(q, question_id)
    if not choices:
        return current
    return _on_the_wire(current or SKIP, choices)


def _shown(q: Questionnaire, question_id: str, current: str, prefix: str) -> ShownQuestion:
    question = q.question(question_id)
    choices = _choices(q, question_id)
    chosen = _on_the_wire(current, choices) if current and choices else current
    skip = _on_the_wire(SKIP, choices) if choices else ""
    if isinstance(question, ContextQuestion):
        options = tuple((_on_the_wire(o.value, choices), o.label) for o in question.options)
        return ShownQuestion(
            question.id,
            prefix + question.id,
            question.text,
            question.kind,
            options,
            chosen,
            question.max_length,
            skip,
            offer_skip=not _declines(question),
        )
    scale = _scale_of(q, question)
    options = tuple((_on_the_wire(str(o.value), choices), o.label) for o in scale.template.options)
    return ShownQuestion(
        question.id, prefix + question.id, question.text, "choice", options, chosen, skip=skip
    )


def _declines(question: ContextQuestion) -> bool:
    """Whether a choice question has its own way to decline ("Prefer not to say")."""
    return any(
        o.value == "prefer_not_to_say" or o.label.lower() == "prefer not to say"
        for o in question.options
    )


def shown_page(q: Questionnaire, number: int, answers: Answers, prefix: str) -> ShownPage:
    """Page `number` (1-based) with the person's current answers filled in.

    The heading names the time frame of the scale on the page; the scale's longer
    introduction is shown only on the first page it appears on, not repeated.
    """
    page = q.pages[number - 1]
    questions = tuple(_shown(q, qid, str(answers.get(qid, "")), prefix) for qid in page.questions)
    intro, title = "", page.title
    first = q.question(page.questions[0]) if page.questions else None
    if isinstance(first, ScaleItem):
        scale = _scale_of(q, first)
        title = title or f"Thinking about {scale.template.timeframe}"
        first_page = next(
            n for n, p in enumerate(q.pages, start=1) if scale.items[0].id in p.questions
        )
        later = "How often has each of these been true for you?"
        intro = (scale.intro or later) if number == first_page else later
    return ShownPage(number, q.page_count, title or q.title, intro, questions)


@dataclass(frozen=True)
class Reviewed:
    """One line of "check your answers": the question, the answer shown, and its page."""

    page: int
    text: str
    answer: str  # the option's label or the typed text; "" when left blank


def review(q: Questionnaire, answers: Answers) -> list[Reviewed]:
    """Every question in page order with the person's answer in words."""
    rows = []
    for number, page in enumerate(q.pages, start=1):
        for qid in page.questions:
            question = q.question(qid)
            value = answers.get(qid)
            if value is None:
                answer = ""
            elif isinstance(question, ContextQuestion):
                labels = {o.value: o.label for o in question.options}
                answer = labels.get(str(value), str(value))
            else:
                labels_by_value = {
                    o.value: o.label for o in _scale_of(q, question).template.options
                }
                answer = labels_by_value.get(int(value), str(value))
            rows.append(Reviewed(number, question.text, answer))
    return rows


def carried(
    q: Questionnaire, answers: Mapping[str, int | str], prefix: str, shown: ShownPage | None = None
) -> list[tuple[str, str]]:
    """Every question not on the page, in hidden fields (skipped ones too, as "-")."""
    on_page = {question.id for question in shown.questions} if shown is not None else set()
    return [
        (prefix + qid, _sent(q, qid, str(answers.get(qid, ""))))
        for qid in q.question_ids()
        if qid not in on_page
    ]


def from_the_wire(q: Questionnaire, raw: Mapping[str, str]) -> dict[str, str]:
    """Submitted values as the questionnaire reads them: padding stripped, "-" as a skip."""
    known = set(q.question_ids())
    return {
        qid: "" if qid in known and _choices(q, qid) and value.strip() == SKIP else value
        for qid, value in raw.items()
    }
