"""Questionnaire problems in plain words, for a core team that does not read YAML paths.

The loader reports each problem with a technical place (`scales[0].items.4`); this turns
it into a sentence ("Item 4 of the STSS needs its wording."), naming the scale by its
template, and keeps the technical place beside it for whoever edits the file itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from survey.domain.templates import TEMPLATES
from survey.domain.yaml_checks import QuestionnaireError

_TOP = {
    "key": "The questionnaire's short name (key)",
    "version": "The version number",
    "title": "The title",
    "description": "The description",
    "minutes": "The time it takes (minutes)",
    "language": "The language",
    "wording": "The wording section",
    "wording.demo": "Whether the wording is demo wording",
    "wording.note": "The wording note",
    "scales": "The list of scales",
    "context": "The context questions",
    "pages": "The list of pages",
}
_SCALE = re.compile(r"scales\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?")
_CONTEXT = re.compile(r"context\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\](?:\.(\w+))?)?")
_PAGE = re.compile(r"pages\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?")
_LINE = re.compile(r"line (\d+), column (\d+)")
_WORDING_FILE = re.compile(r"(row|item|items)[ .](\w+)")
_SCALE_FIELDS = {
    "template": "The template of {s}",
    "key": "The key of {s}",
    "intro": "The introduction to {s}",
}
_CONTEXT_FIELDS = {
    "id": "The short name of context question {n}",
    "text": "The wording of context question {n}",
    "kind": "The kind of context question {n}",
    "options": "The answers of context question {n}",
    "max_length": "The length limit of context question {n}",
    "quasi_identifier": "Whether context question {n} can single someone out",
}


def short_name(template_key: str) -> str:
    """A template's everyday name: "STSS", "ProQOL 5", "PCL-5" (its key if unknown)."""
    template = TEMPLATES.get(template_key)
    if template is None:
        return template_key
    found = re.search(r"\(([^)]+)\)\s*$", template.name)
    return found.group(1) if found else template.name


def _scale_name(document: object, index: int) -> str:
    try:
        template = str(document["scales"][index]["template"])  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        template = ""
    if template in TEMPLATES:
        return f"the {short_name(template)}"
    return f"scale {index + 1}"


def place(path: str, document: object) -> str:
    """Where a problem is, in words ("Item 4 of the STSS", "Answer 2 of context question 1")."""
    if not path:
        return "The questionnaire"
    if path in _TOP:
        return _TOP[path]
    if wording := _WORDING_FILE.fullmatch(path):
        # A licensed-wording file: "row 3" of a CSV, "items.4" or "item 4" of YAML.
        kind, number = wording.group(1), wording.group(2)
        return f"Row {number}" if kind == "row" else f"Item {number}"
    if line := _LINE.fullmatch(path):
        return f"Line {line.group(1)} (column {line.group(2)})"
    if scale := _SCALE.fullmatch(path):
        name = _scale_name(document, int(scale.group(1)))
        field, item = scale.group(2), scale.group(3)
        if field == "items" and item:
            return f"Item {item} of {name}"
        if field == "items":
            return f"The items of {name}"
        if field in _SCALE_FIELDS:
            return _SCALE_FIELDS[field].format(s=name)
        return f"{name[0].upper()}{name[1:]}" + (f", field '{field}'" if field else "")
    if context := _CONTEXT.fullmatch(path):
        number = int(context.group(1)) + 1
        field, option, option_field = context.group(2), context.group(3), context.group(4)
        if option is not None:
            what = "the wording of answer" if option_field == "label" else "answer"
            return f"{what.capitalize()} {int(option) + 1} of context question {number}"
        if field in _CONTEXT_FIELDS:
            return _CONTEXT_FIELDS[field].format(n=number)
        return f"Context question {number}" + (f", field '{field}'" if field else "")
    if page := _PAGE.fullmatch(path):
        number = int(page.group(1)) + 1
        if page.group(3) is not None:
            return f"Question {int(page.group(3)) + 1} on page {number}"
        return f"The title of page {number}" if page.group(2) == "title" else f"Page {number}"
    return f"The field '{path}'"


_PHRASES: tuple[tuple[Callable[[str, str], bool], Callable[[str, str], str]], ...] = (
    (
        lambda where, why: (
            where.startswith("Item ")
            and (why.startswith("expected wording") or why in ("must not be empty",))
        ),
        lambda where, why: f"{where} needs its wording.",
    ),
    (
        lambda where, why: why == "expected text, got nothing",
        lambda where, why: f"{where} is empty: write it in.",
    ),
    (lambda where, why: why == "must not be empty", lambda where, why: f"{where} is empty."),
    (
        lambda where, why: why == "required field is missing",
        lambda where, why: f"{where} is missing.",
    ),
)


def plain_problem(error: QuestionnaireError, document: object = None) -> str:
    """One problem as a sentence, with the file and its technical place after it."""
    where = place(error.path, document)
    why = error.message
    for applies, phrase in _PHRASES:
        if applies(where, why):
            sentence = phrase(where, why)
            break
    else:
        sentence = f"{where}: {why[0].upper()}{why[1:]}."
    technical = f"{error.source}, at {error.path}" if error.path else error.source
    return f"{sentence} ({technical})"


def plain_problems(error: QuestionnaireError, document: object = None) -> list[str]:
    """Every problem an error stands for, each as a sentence."""
    return [plain_problem(problem, document) for problem in error.problems]
