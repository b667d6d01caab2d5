"""Building small questionnaire documents for tests (own placeholder wording only)."""

from __future__ import annotations

from typing import Any

import yaml

from survey.domain.questionnaire import Questionnaire, load_questionnaire
from survey.domain.templates import TEMPLATES


def wording(template: str) -> dict[int, str]:
    """Placeholder wording for every item of a template."""
    return {n: f"Placeholder {n}" for n in TEMPLATES[template].item_numbers}


def document(**changes: Any) -> dict[str, Any]:
    """A minimal valid document with one STSS scale and one choice question, then `changes`."""
    doc: dict[str, Any] = {
        "key": "test-q",
        "version": 1,
        "title": "Test questionnaire",
        "minutes": 3,
        "language": "en-GB",
        "wording": {"demo": True, "note": "Test wording"},
        "scales": [{"template": "stss", "items": wording("stss")}],
        "context": [
            {
                "id": "role",
                "text": "Role?",
                "kind": "choice",
                "quasi_identifier": True,
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            }
        ],
    }
    doc.update(changes)
    return doc


def dump(doc: object) -> str:
    """YAML text for a document, keys in insertion order."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def load(doc: object, source: str = "t.yaml") -> Questionnaire:
    """Dump a document to YAML and load it back through the real loader."""
    return load_questionnaire(dump(doc), source)
