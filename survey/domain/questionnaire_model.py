"""The validated, immutable questionnaire and the typing of submitted answers.

Loading and checking a YAML definition lives in `questionnaire.py`; this module holds what
the loader produces, so the rest of the app can depend on it without the YAML machinery.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeAlias

from survey.domain.templates import ScaleTemplate

# Typed answers keyed by question id: scale items hold ints, context questions hold strings.
Answers: TypeAlias = dict[str, int | str]

ContextKind: TypeAlias = Literal["choice", "text"]

_CHOOSE_SHOWN = "Please choose one of the answers shown, or leave this one blank."

# Plain ASCII digits without leading zeros: int() would also accept other scripts' digits,
# signs, underscores and padding, none of which a radio button ever sends.
_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]{0,2}", re.ASCII)


class AnswerError(ValueError):
    """A submitted answer cannot be accepted; `message` is safe to show the person."""

    def __init__(self, question_id: str, message: str) -> None:
        super().__init__(f"{question_id}: {message}")
        self.question_id = question_id
        self.message = message


@dataclass(frozen=True)
class ScaleItem:
    """One scale item with the questionnaire's own wording."""

    id: str
    scale_key: str
    number: int
    text: str


@dataclass(frozen=True)
class Scale:
    """A scale as used in one questionnaire: a template plus wording for each item."""

    key: str
    template: ScaleTemplate
    intro: str
    items: tuple[ScaleItem, ...]


@dataclass(frozen=True)
class ChoiceOption:
    """One option of a context choice question."""

    value: str
    label: str


@dataclass(frozen=True)
class ContextQuestion:
    """An optional question about the respondent's context, not scored."""

    id: str
    text: str
    kind: ContextKind
    options: tuple[ChoiceOption, ...] = ()
    max_length: int | None = None
    quasi_identifier: bool = False
    easy_text: str = ""  # easy-read words, where the questionnaire offers them


@dataclass(frozen=True)
class Page:
    """One page of the form: a title (may be empty) and the question ids shown on it."""

    title: str
    questions: tuple[str, ...]


Question: TypeAlias = ScaleItem | ContextQuestion


@dataclass(frozen=True)
class ReviewSpec:
    """A review questionnaire: which framework and perspective it asks, and which question
    rates which domain. Its respondents rate the service, not themselves: no score."""

    framework: str
    perspective: str
    # Whether the questionnaire offers an easy-read version the respondent can switch to.
    easy_read: bool
    domains: tuple[tuple[str, str], ...]  # (question id, domain key), in framework order


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire definition, immutable once loaded."""

    key: str
    version: int
    title: str
    description: str
    minutes: int
    language: str
    demo_wording: bool
    wording_note: str
    scales: tuple[Scale, ...]
    context: tuple[ContextQuestion, ...]
    pages: tuple[Page, ...]
    # Set for a review (perspective) questionnaire, which has no scales and no result page.
    review: ReviewSpec | None = None

    @cached_property
    def _index(self) -> dict[str, Question]:
        index: dict[str, Question] = {item.id: item for s in self.scales for item in s.items}
        index.update((c.id, c) for c in self.context)
        return index

    def question_ids(self) -> tuple[str, ...]:
        """All question ids: scale items in scale order, then context questions."""
        return tuple(self._index)

    def question(self, question_id: str) -> Question:
        """Return the scale item or context question with this id, or raise KeyError."""
        return self._index[question_id]

    @property
    def page_count(self) -> int:
        """Number of pages in the form."""
        return len(self.pages)

    def quasi_identifiers(self) -> tuple[str, ...]:
        """Ids of context questions that could help single someone out in a subgroup."""
        return tuple(c.id for c in self.context if c.quasi_identifier)

    @cached_property
    def fingerprint(self) -> str:
        """Stable sha256 of the normalised definition (see `fingerprint`), computed once."""
        return fingerprint(self)

    def parse_answers(self, raw: Mapping[str, str]) -> Answers:
        """Turn submitted form strings into typed answers; blanks are skipped, not stored."""
        answers, errors = self.parse_known(raw)
        if errors:
            raise errors[0]
        return answers

    def parse_known(self, raw: Mapping[str, str]) -> tuple[Answers, list[AnswerError]]:
        """Typed answers for every acceptable value, and an error for each other one.

        One pass over `raw` (never one pass per bad field), so a post stuffed with
        thousands of bad fields costs no more than reading them once. Errors come in
        the order of `raw`; answers in question order, as `parse_answers` promises.
        """
        parsed: dict[str, int | str] = {}
        errors: list[AnswerError] = []
        for question_id, raw_value in raw.items():
            question = self._index.get(question_id)
            if question is None:
                errors.append(AnswerError(question_id, "This question is not part of this survey."))
                continue
            value = raw_value.strip()
            if not value:
                continue
            try:
                if isinstance(question, ScaleItem):
                    parsed[question_id] = _parse_scale_value(
                        question_id, self._templates[question.scale_key], value
                    )
                else:
                    parsed[question_id] = _parse_context_value(question, value)
            except AnswerError as error:
                errors.append(error)
        return {qid: parsed[qid] for qid in self._index if qid in parsed}, errors

    @cached_property
    def _templates(self) -> dict[str, ScaleTemplate]:
        return {scale.key: scale.template for scale in self.scales}


def _parse_scale_value(question_id: str, template: ScaleTemplate, value: str) -> int:
    if _WHOLE_NUMBER.fullmatch(value) and int(value) in template.values:
        return int(value)
    raise AnswerError(question_id, _CHOOSE_SHOWN)


def _parse_context_value(question: ContextQuestion, value: str) -> str:
    if question.kind == "choice":
        if value in {option.value for option in question.options}:
            return value
        raise AnswerError(question.id, _CHOOSE_SHOWN)
    # Browsers send textarea line breaks as CRLF but count them as one character.
    value = value.replace("\r\n", "\n")
    limit = question.max_length or 0
    if len(value) > limit:
        raise AnswerError(question.id, f"Please keep this answer to {limit} characters or fewer.")
    return value


def to_canonical_json(questionnaire: Questionnaire) -> str:
    """Serialise the definition to sorted, compact JSON: same definition, same text."""
    q = questionnaire
    document = {
        "key": q.key,
        "version": q.version,
        "title": q.title,
        "description": q.description,
        "minutes": q.minutes,
        "language": q.language,
        "wording": {"demo": q.demo_wording, "note": q.wording_note},
        "scales": [
            {
                "key": s.key,
                # Template facts are code; the key says which facts the definition relies on.
                "template": s.template.key,
                "intro": s.intro,
                "items": {str(item.number): item.text for item in s.items},
            }
            for s in q.scales
        ],
        "context": [
            {
                "id": c.id,
                "text": c.text,
                "kind": c.kind,
                "options": [{"value": o.value, "label": o.label} for o in c.options],
                "max_length": c.max_length,
                "quasi_identifier": c.quasi_identifier,
                # Only when given, so every fingerprint made before easy read stays as it was.
                **({"easy_text": c.easy_text} if c.easy_text else {}),
            }
            for c in q.context
        ],
        "pages": [{"title": p.title, "questions": list(p.questions)} for p in q.pages],
    }
    if q.review is not None:  # only then, so every screening fingerprint stays as it was
        document["review"] = {
            "framework": q.review.framework,
            "perspective": q.review.perspective,
            "easy_read": q.review.easy_read,
            "domains": dict(q.review.domains),
        }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(questionnaire: Questionnaire) -> str:
    """Hex sha256 of the canonical JSON, to notice a definition edited under the same version."""
    return hashlib.sha256(to_canonical_json(questionnaire).encode("utf-8")).hexdigest()
