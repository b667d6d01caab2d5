"""Every kind of invalid questionnaire definition fails with a precise, located message."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from survey.domain.questionnaire import QuestionnaireError, load_questionnaire
from tests.domain.questionnaire_docs import document, load, wording

Doc = dict[str, Any]


def _error(doc: object) -> QuestionnaireError:
    with pytest.raises(QuestionnaireError) as caught:
        load(doc)
    return caught.value


def _items_without(*numbers: int) -> dict[int, str]:
    items = wording("stss")
    for n in numbers:
        del items[n]
    return items


def _without(field: str) -> Doc:
    doc = document()
    del doc[field]
    return doc


def _edit(change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(document())
    change(doc)
    return doc


def _scale(**fields: Any) -> Doc:
    return document(scales=[{"template": "stss", "items": wording("stss"), **fields}])


def _context(*questions: Doc) -> Doc:
    return document(context=list(questions))


def _choice(qid: str = "role", **fields: Any) -> Doc:
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    return {"id": qid, "text": "Role?", "kind": "choice", "options": options, **fields}


def _text_question(**fields: Any) -> Doc:
    return {"id": "note", "text": "Anything else?", "kind": "text", **fields}


def _pages(*pages: list[str]) -> Doc:
    return document(pages=[{"title": f"P{i}", "questions": qs} for i, qs in enumerate(pages)])


ALL_STSS = [f"stss.{n}" for n in range(1, 18)]

CASES: dict[str, tuple[object, str]] = {
    # Document shape.
    "top level is a list": (
        [1, 2],
        "t.yaml: expected a mapping of fields at the top level, got a list",
    ),
    "empty file": (None, "t.yaml: expected a mapping of fields at the top level, got nothing"),
    "unknown top-level field (typo)": (
        document(titel="x"),
        "t.yaml: titel: unknown field (did you mean 'title'?); allowed fields: context, "
        "description, key, language, minutes, pages, review, scales, title, version, wording",
    ),
    "non-text field name": (document() | {1: "x"}, "t.yaml: 1: field names must be text"),
    # Required fields and types.
    "missing title": (_without("title"), "t.yaml: title: required field is missing"),
    "missing scales": (_without("scales"), "t.yaml: scales: required field is missing"),
    "missing wording": (_without("wording"), "t.yaml: wording: required field is missing"),
    "title not text": (document(title=3), "t.yaml: title: expected text, got a number"),
    "empty title": (document(title="  "), "t.yaml: title: must not be empty"),
    "over-long title": (document(title="x" * 121), "t.yaml: title: must be at most 120 characters"),
    "minutes not a number": (
        document(minutes="four"),
        "t.yaml: minutes: expected a whole number from 1 to 60, got 'four'",
    ),
    "wording not a mapping": (
        document(wording=True),
        "t.yaml: wording: expected a mapping of fields, got true/false",
    ),
    "wording demo missing": (
        document(wording={"note": "x"}),
        "t.yaml: wording.demo: required field is missing",
    ),
    "wording demo not boolean": (
        document(wording={"demo": "yes please"}),
        "t.yaml: wording.demo: expected true or false, got text",
    ),
    "scales not a list": (
        document(scales={"template": "stss"}),
        "t.yaml: scales: expected a list, got a mapping",
    ),
    "no scales": (document(scales=[]), "t.yaml: scales: needs at least 1 entry"),
    "bad language": (
        document(language="English"),
        "t.yaml: language: 'English' is not valid: use a tag like 'en-GB'",
    ),
    # Slug and version.
    "slug with capitals": (
        document(key="Demo STS"),
        "t.yaml: key: 'Demo STS' is not valid: use up to 64 lowercase letters, digits and "
        "single hyphens, e.g. 'demo-sts'",
    ),
    "slug with double hyphen": (document(key="demo--sts"), "t.yaml: key: 'demo--sts' is not valid"),
    "slug too long": (document(key="a" * 65), "is not valid"),
    "slug a number": (
        document(key=5),
        "t.yaml: key: expected text, got a number (put it in quotes)",
    ),
    "version zero": (
        document(version=0),
        "t.yaml: version: expected a whole number from 1 to 1000000, got 0",
    ),
    "version text": (
        document(version="1"),
        "t.yaml: version: expected a whole number from 1 to 1000000, got '1'",
    ),
    "version boolean": (
        document(version=True),
        "t.yaml: version: expected a whole number from 1 to 1000000, got True",
    ),
    "version fraction": (document(version=1.5), "got 1.5"),
    # Scales and their items.
    "unknown template": (
        document(scales=[{"template": "ies-r", "items": {}}]),
        "t.yaml: scales[0].template: unknown template 'ies-r'; known: pcl5, proqol5, stss",
    ),
    "scale missing items": (
        document(scales=[{"template": "stss"}]),
        "t.yaml: scales[0].items: required field is missing",
    ),
    "items not a mapping": (
        _scale(items=["a", "b"]),
        "t.yaml: scales[0].items: expected a mapping of item number to wording, got a list",
    ),
    "missing item": (
        _scale(items=_items_without(14)),
        "t.yaml: scales[0].items.14: expected wording for item 14 of template 'stss' (17 items)",
    ),
    "too few items (first gap reported)": (
        _scale(items=_items_without(3, 9, 17)),
        "t.yaml: scales[0].items.3: expected wording for item 3 of template 'stss' (17 items)",
    ),
    "extra item": (
        _scale(items=wording("stss") | {18: "Extra"}),
        "t.yaml: scales[0].items.18: template 'stss' has no item 18 (items 1-17)",
    ),
    "item zero": (_scale(items=wording("stss") | {0: "x"}), "template 'stss' has no item 0"),
    "item number not a number": (
        _scale(items=wording("stss") | {"three": "x"}),
        "t.yaml: scales[0].items.three: template 'stss' has no item 'three' (items 1-17)",
    ),
    "same item as number and text": (
        _scale(items=wording("stss") | {"3": "again"}),
        "t.yaml: scales[0].items.3: item 3 is given twice",
    ),
    "empty wording": (
        _scale(items=wording("stss") | {5: "   "}),
        "t.yaml: scales[0].items.5: must not be empty",
    ),
    "wording not text": (
        _scale(items=wording("stss") | {5: None}),
        "t.yaml: scales[0].items.5: expected text, got nothing",
    ),
    "bad scale key": (_scale(key="STSS.1"), "t.yaml: scales[0].key: 'STSS.1' is not valid"),
    "unknown scale field": (
        _scale(itmes={}),
        "t.yaml: scales[0].itmes: unknown field (did you mean 'items'?)",
    ),
    # Scoring facts belong to templates.
    "band override on a scale": (
        _scale(bands=[{"key": "high", "low": 40, "high": 85}]),
        "t.yaml: scales[0].bands: scoring facts (bands, cut-offs, subscales, reverse keys) "
        "come from the scale template and cannot be set in a questionnaire",
    ),
    "cut-off override at top level": (
        document(cutoffs={"stss": 30}),
        "t.yaml: cutoffs: scoring facts",
    ),
    "reverse keys override": (
        _scale(reverse_items=[1]),
        "t.yaml: scales[0].reverse_items: scoring facts",
    ),
    # Duplicate question ids.
    "same scale twice": (
        document(scales=[{"template": "stss", "items": wording("stss")}] * 2),
        "t.yaml: scales[1].key: duplicate question id 'stss' (also used by scales[0])",
    ),
    "two context questions with one id": (
        _context(_choice("role"), _choice("role")),
        "t.yaml: context[1].id: duplicate question id 'role' (also used by context[0])",
    ),
    "context id equal to a scale key": (
        _context(_choice("stss")),
        "t.yaml: context[0].id: duplicate question id 'stss' (also used by scales[0])",
    ),
    # Context questions.
    "context id with a dot": (
        _context(_choice("stss.1")),
        "t.yaml: context[0].id: 'stss.1' is not valid",
    ),
    "unknown kind": (
        _context(_choice(kind="scale")),
        "t.yaml: context[0].kind: expected 'choice' or 'text', got 'scale'",
    ),
    "choice without options": (
        _context({"id": "role", "text": "Role?", "kind": "choice"}),
        "t.yaml: context[0].options: required field is missing",
    ),
    "choice with one option": (
        _context(_choice(options=[{"value": "a", "label": "A"}])),
        "t.yaml: context[0].options: needs at least 2 entries",
    ),
    "duplicate option value": (
        _context(_choice(options=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}])),
        "t.yaml: context[0].options[1].value: option value 'a' is given twice",
    ),
    "duplicate option label": (
        _context(_choice(options=[{"value": "a", "label": "A"}, {"value": "b", "label": "A"}])),
        "t.yaml: context[0].options[1].label: option label 'A' is given twice",
    ),
    "option value read as boolean": (
        _context(_choice(options=[{"value": False, "label": "No"}, {"value": "y", "label": "Y"}])),
        "t.yaml: context[0].options[0].value: expected text, got true/false (put it in quotes)",
    ),
    "option with unknown field": (
        _context(
            _choice(
                options=[{"value": "a", "label": "A", "lable": "x"}, {"value": "b", "label": "B"}]
            )
        ),
        "t.yaml: context[0].options[0].lable: unknown field (did you mean 'label'?)",
    ),
    "max_length on a choice": (
        _context(_choice(max_length=20)),
        "t.yaml: context[0].max_length: max_length applies only to text questions",
    ),
    "options on a text question": (
        _context(_text_question(options=[{"value": "a", "label": "A"}] * 2)),
        "t.yaml: context[0].options: options apply only to choice questions",
    ),
    "quasi_identifier on a text question": (
        _context(_text_question(quasi_identifier=True)),
        "t.yaml: context[0].quasi_identifier: only choice questions can be quasi-identifiers",
    ),
    "quasi_identifier not boolean": (
        _context(_choice(quasi_identifier="yes")),
        "t.yaml: context[0].quasi_identifier: expected true or false, got text",
    ),
    "text max_length too long": (
        _context(_text_question(max_length=5000)),
        "t.yaml: context[0].max_length: expected a whole number from 1 to 2000, got 5000",
    ),
    # Pages.
    "unknown question on a page": (
        _pages([*ALL_STSS, "stss.18"], ["role"]),
        "t.yaml: pages[0].questions[17]: unknown question id 'stss.18'",
    ),
    "question on two pages": (
        _pages(ALL_STSS, ["role", "stss.4"]),
        "t.yaml: pages[1].questions[1]: question 'stss.4' is already on pages[0]",
    ),
    "question on no page": (
        _pages(ALL_STSS[:-1], ["role"]),
        "t.yaml: pages: question 'stss.17' is on no page; every question must appear on "
        "exactly one page",
    ),
    "empty page": (
        _pages(ALL_STSS, ["role"], []),
        "t.yaml: pages[2].questions: needs at least 1 entry",
    ),
    "no pages": (document(pages=[]), "t.yaml: pages: needs at least 1 entry"),
    "page without questions": (
        document(pages=[{"title": "x"}]),
        "t.yaml: pages[0].questions: required field is missing",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_definition_is_rejected_with_located_message(case: str) -> None:
    doc, expected = CASES[case]
    message = str(_error(doc))
    assert message.startswith(expected) if expected.startswith("t.yaml") else expected in message


def test_error_carries_source_path_and_message_separately() -> None:
    error = _error(_scale(items=_items_without(14)))
    assert error.source == "t.yaml"
    assert error.path == "scales[0].items.14"
    assert error.message == "expected wording for item 14 of template 'stss' (17 items)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key: demo\ntitle: [unclosed\n", "t.yaml: line 3, column 1: YAML syntax error:"),
        ("key: a\n  bad: indent\n", "t.yaml: line 2, column 6: YAML syntax error:"),
        ("key: a\nkey: b\n", "t.yaml: line 2, column 1: YAML syntax error: duplicate key 'key'"),
        ("a: 1\n---\nb: 2\n", "t.yaml: line 2, column 1: YAML syntax error:"),
        ("key: !!python/object:os.system ls\n", "t.yaml: line 1, column 6: YAML syntax error:"),
    ],
)
def test_yaml_syntax_errors_name_the_line(text: str, expected: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(text, "t.yaml")
    assert str(caught.value).startswith(expected)


def test_duplicate_item_number_in_yaml_is_not_silently_overwritten() -> None:
    lines = [f"      {n}: Placeholder {n}" for n in range(1, 18)] + ["      3: Second wording"]
    text = (
        "key: t\nversion: 1\ntitle: T\nminutes: 3\nlanguage: en\nwording: {demo: true}\n"
        "scales:\n  - template: stss\n    items:\n" + "\n".join(lines) + "\n"
    )
    # 9 header lines, then items 1-17 on lines 10-26, so the repeated item 3 is on line 27.
    with pytest.raises(QuestionnaireError, match=r"line 27, column 7: .*duplicate key 3"):
        load_questionnaire(text, "t.yaml")


def test_file_that_is_not_utf8_is_rejected(tmp_path: Any) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    from survey.domain.questionnaire import load_questionnaire_file

    with pytest.raises(QuestionnaireError, match=r"^latin.yaml: the file is not UTF-8 text$"):
        load_questionnaire_file(path)
