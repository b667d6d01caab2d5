"""Questionnaire definitions: load a YAML file into a validated, immutable Questionnaire.

The format is documented for the core team in docs/questionnaire-format.md (also shown as
a workspace page); in short (one file per questionnaire under questionnaires/):

    key: demo-sts                 # slug: lowercase letters, digits, single hyphens
    version: 1                    # whole number >= 1; bump it when the wording changes
    title: Text
    description: Text             # optional
    minutes: 4                    # estimate shown to respondents
    language: en-GB
    wording:
      demo: true                  # true: Lantern's own wording, not the published items
      note: Text shown to the core team   # optional
    scales:                       # one or more
      - template: stss            # a key of survey.domain.templates.TEMPLATES
        key: stss                 # optional; defaults to the template key
        intro: Text               # optional, shown before the scale's first item
        items:                    # wording for exactly the template's item numbers
          1: Text
          2: Text
    context:                      # optional, unscored questions; never required
      - id: role_group
        text: Text
        kind: choice              # choice (needs 2+ options) or text
        quasi_identifier: true    # choice only: may single someone out in a subgroup
        easy_text: Text           # optional: easy-read words (shown where review.easy_read)
        options:
          - {value: clinical, label: Clinical or care}
      - id: anything_else
        text: Text
        kind: text
        max_length: 500           # optional, default 500, at most 2000
    pages:                        # optional; default: scale items in pages of up to 6,
      - title: Text               # context questions on a last page of their own
        questions: [stss.1, stss.2]

Question ids are "<scale key>.<item number>" for scale items and `id` for context
questions. Bands, cut-offs and other scoring facts come only from the templates.
"""

from __future__ import annotations

import os
from pathlib import Path

from survey.domain.questionnaire_model import (
    AnswerError,
    Answers,
    ChoiceOption,
    ContextQuestion,
    Page,
    Question,
    Questionnaire,
    Scale,
    ScaleItem,
    fingerprint,
    to_canonical_json,
)
from survey.domain.questionnaire_schema import (
    QuestionnaireError,
    build_questionnaire,
    parse_yaml,
)

__all__ = [
    "AnswerError",
    "Answers",
    "ChoiceOption",
    "ContextQuestion",
    "Page",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "ScaleItem",
    "fingerprint",
    "load_questionnaire",
    "load_questionnaire_file",
    "to_canonical_json",
]


def load_questionnaire(text: str, source: str) -> Questionnaire:
    """Parse and validate YAML text; `source` names it in errors (usually the file name)."""
    return build_questionnaire(parse_yaml(text, source), source)


def load_questionnaire_file(path: str | os.PathLike[str]) -> Questionnaire:
    """Load and validate a questionnaire file (UTF-8 YAML)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QuestionnaireError(file.name, "", "the file is not UTF-8 text") from None
    return load_questionnaire(text, file.name)
