"""A questionnaire as the form-based editor holds it, and the YAML it becomes.

The editor never builds a Questionnaire itself: `to_yaml` writes the same YAML a power user
would upload, and the caller loads it with the ordinary loader, so editor output always
passes every check an upload does. `problems` checks first, in plain words, what the form
can know (empty wording, the disclosure limits on quasi-identifier questions), so the
loader's own messages are a last line rather than the usual answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from survey.domain.disclosure import MAX_QUASI_IDENTIFIER_OPTIONS, MAX_QUASI_IDENTIFIERS
from survey.domain.questionnaire_model import Questionnaire
from survey.domain.questionnaire_problems import short_name
from survey.domain.questionnaire_schema import (
    CONTEXT_PAGE_TITLE,
    DEFAULT_TEXT_LENGTH,
    PAGE_SIZE,
    split_evenly,
)
from survey.domain.templates import TEMPLATES

CONTEXT_BLOCK = "context"
MAX_ITEMS_PER_PAGE = 10
MAX_OPTIONS = 12
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class ScaleDraft:
    """One scale: its template and the wording of each item by number."""

    template: str
    intro: str = ""
    items: dict[int, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scale's everyday name, e.g. "STSS"."""
        return short_name(self.template)


@dataclass
class ContextDraft:
    """One context question: a choice (with answer labels) or free text."""

    id: str
    text: str
    kind: str = "choice"
    options: list[str] = field(default_factory=list)
    quasi_identifier: bool = False


# Lantern's own wording for the two usual context questions (not from any instrument).
PRESETS: dict[str, ContextDraft] = {
    "role_group": ContextDraft(
        "role_group",
        "Which of these best describes your role?",
        options=[
            "Clinical or care role",
            "Non-clinical role",
            "Management or supervision",
            "Prefer not to say",
        ],
        quasi_identifier=True,
    ),
    "years_in_role": ContextDraft(
        "years_in_role",
        "How long have you worked in this kind of role?",
        options=["Less than 2 years", "2 to 5 years", "More than 5 years", "Prefer not to say"],
        quasi_identifier=True,
    ),
}


@dataclass
class Draft:
    """Everything the editor's form holds; nothing of it is stored until it is saved."""

    title: str = ""
    key: str = ""
    description: str = ""
    minutes: str = "5"
    language: str = "en-GB"
    demo: bool = True
    note: str = ""
    scales: list[ScaleDraft] = field(default_factory=list)
    context: list[ContextDraft] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    per_page: str = str(PAGE_SIZE)

    def blocks(self) -> list[str]:
        """The page blocks in order: each scale's template key, and the context page."""
        wanted = [s.template for s in self.scales] + ([CONTEXT_BLOCK] if self.context else [])
        kept = [block for block in self.order if block in wanted]
        return list(dict.fromkeys(kept + wanted))

    def move(self, block: str, step: int) -> None:
        """Move one block of pages earlier (-1) or later (+1)."""
        order = self.blocks()
        if block not in order:
            return
        at = order.index(block)
        to = min(max(at + step, 0), len(order) - 1)
        order.insert(to, order.pop(at))
        self.order = order


def slug(text: str) -> str:
    """A questionnaire key from a title: "Autumn check-in 2026" -> "autumn-check-in-2026"."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:64].strip("-")


def option_value(label: str, taken: set[str]) -> str:
    """A stored value for an answer label, unique within its question."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:36] or "answer"
    if not base[0].isalnum():
        base = "a" + base
    value, n = base, 2
    while value in taken:
        value, n = f"{base}_{n}", n + 1
    return value


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None


def problems(draft: Draft) -> list[tuple[str, str]]:
    """(form field id, plain sentence) for everything the form can check before the loader."""
    found: list[tuple[str, str]] = []
    if not draft.title.strip():
        found.append(("title", "The questionnaire needs a title."))
    if not slug(draft.key or draft.title):
        found.append(("key", "The short name needs at least one letter or digit."))
    minutes = _whole(draft.minutes)
    if minutes is None or not 1 <= minutes <= 60:
        found.append(("minutes", "Say how many minutes it takes, as a whole number from 1 to 60."))
    per_page = _whole(draft.per_page)
    if per_page is None or not 1 <= per_page <= MAX_ITEMS_PER_PAGE:
        found.append(
            ("per_page", f"Items per page must be a whole number from 1 to {MAX_ITEMS_PER_PAGE}.")
        )
    if not draft.scales:
        found.append(("new_template", "Add at least one scale."))
    for scale in draft.scales:
        template = TEMPLATES[scale.template]
        for number in template.item_numbers:
            if not scale.items.get(number, "").strip():
                found.append(
                    (
                        f"{scale.template}-item-{number}",
                        f"Item {number} of the {scale.name} needs its wording.",
                    )
                )
    found += _context_problems(draft.context)
    return found


def _context_problems(context: list[ContextDraft]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    quasi = [c for c in context if c.kind == "choice" and c.quasi_identifier]
    if len(quasi) > MAX_QUASI_IDENTIFIERS:
        found.append(
            (
                f"c{context.index(quasi[-1])}-quasi",
                f"At most {MAX_QUASI_IDENTIFIERS} questions can split results into groups "
                "(such as role or years in role): with more, the release step cannot check "
                "that nobody can be singled out. Untick one of them.",
            )
        )
    for index, question in enumerate(context, start=1):
        at = f"c{index - 1}"
        if not question.text.strip():
            found.append((f"{at}-text", f"Context question {index} needs its wording."))
        if question.kind != "choice":
            continue
        labels = [label.strip() for label in question.options if label.strip()]
        if len(labels) < 2:
            found.append((f"{at}-opt-0", f"Context question {index} needs at least 2 answers."))
        if len(set(labels)) < len(labels):
            found.append((f"{at}-opt-0", f"Context question {index} has the same answer twice."))
        if question.quasi_identifier and len(labels) > MAX_QUASI_IDENTIFIER_OPTIONS:
            found.append(
                (
                    f"{at}-opt-0",
                    f"Context question {index} splits results into groups, so it can have at "
                    f"most {MAX_QUASI_IDENTIFIER_OPTIONS} answers: each answer is a group that "
                    "needs enough people of its own to be shown. Merge some answers.",
                )
            )
        if len(labels) > MAX_OPTIONS:
            found.append(
                (f"{at}-opt-0", f"Context question {index} can have at most {MAX_OPTIONS} answers.")
            )
    return found


def _pages(draft: Draft) -> list[dict[str, object]]:
    size = _whole(draft.per_page) or PAGE_SIZE
    pages: list[dict[str, object]] = []
    for block in draft.blocks():
        if block == CONTEXT_BLOCK:
            ids = [c.id for c in draft.context]
            pages.append({"title": CONTEXT_PAGE_TITLE, "questions": ids})
            continue
        ids = [f"{block}.{n}" for n in TEMPLATES[block].item_numbers]
        pages += [{"questions": list(chunk)} for chunk in split_evenly(ids, size)]
    return pages


def _context_entry(question: ContextDraft) -> dict[str, object]:
    entry: dict[str, object] = {"id": question.id, "text": question.text.strip()}
    if question.kind == "text":
        entry |= {"kind": "text", "max_length": DEFAULT_TEXT_LENGTH}
        return entry
    taken: set[str] = set()
    options = []
    for label in (label.strip() for label in question.options if label.strip()):
        value = option_value(label, taken)
        taken.add(value)
        options.append({"value": value, "label": label})
    entry |= {"kind": "choice", "quasi_identifier": question.quasi_identifier, "options": options}
    return entry


def to_document(draft: Draft) -> dict[str, object]:
    """The questionnaire document the draft stands for (what the YAML file holds)."""
    wording: dict[str, object] = {"demo": draft.demo}
    if draft.note.strip():
        wording["note"] = draft.note.strip()
    document: dict[str, object] = {
        "key": slug(draft.key or draft.title),
        "version": 1,
        "title": draft.title.strip(),
    }
    if draft.description.strip():
        document["description"] = draft.description.strip()
    document |= {
        "minutes": _whole(draft.minutes) or 1,
        "language": draft.language.strip() or "en-GB",
        "wording": wording,
        "scales": [
            {
                "template": scale.template,
                **({"intro": scale.intro.strip()} if scale.intro.strip() else {}),
                "items": {
                    n: scale.items.get(n, "").strip()
                    for n in TEMPLATES[scale.template].item_numbers
                },
            }
            for scale in draft.scales
        ],
    }
    if draft.context:
        document["context"] = [_context_entry(question) for question in draft.context]
    document["pages"] = _pages(draft)
    return document


def to_yaml(draft: Draft) -> str:
    """The draft as questionnaire YAML; PyYAML quotes colons, quotes and the like itself."""
    header = "# Made with Lantern's questionnaire editor.\n"
    body = yaml.safe_dump(to_document(draft), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def from_questionnaire(q: Questionnaire) -> Draft:
    """A draft to edit, from a stored version (pages are laid out again by the editor)."""
    blocks = []
    for page in q.pages:
        first = page.questions[0]
        block = CONTEXT_BLOCK if "." not in first else first.split(".", 1)[0]
        if block not in blocks:
            blocks.append(block)
    return Draft(
        title=q.title,
        key=q.key,
        description=q.description,
        minutes=str(q.minutes),
        language=q.language,
        demo=q.demo_wording,
        note=q.wording_note,
        scales=[
            ScaleDraft(s.template.key, s.intro, {item.number: item.text for item in s.items})
            for s in q.scales
        ],
        context=[
            ContextDraft(c.id, c.text, c.kind, [o.label for o in c.options], c.quasi_identifier)
            for c in q.context
        ],
        order=blocks,
    )
