"""Every problem of a questionnaire at once, each in plain words for the core team."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey.domain.questionnaire import QuestionnaireError
from survey.domain.questionnaire_problems import place, plain_problem, plain_problems
from survey.domain.questionnaire_schema import build_questionnaire
from survey.domain.yaml_checks import QuestionnaireProblems
from tests.domain.questionnaire_docs import document, load


def _problems(doc: object) -> QuestionnaireError:
    with pytest.raises(QuestionnaireError) as caught:
        load(doc)
    return caught.value


def test_every_problem_of_a_document_is_reported_in_the_order_found() -> None:
    doc = document(title="  ", minutes="x", titel="typo")
    del doc["version"]
    items = doc["scales"][0]["items"]
    del items[4], items[9]
    items[7] = ""
    error = _problems(doc)
    assert isinstance(error, QuestionnaireProblems)
    assert [p.path for p in error.problems] == [
        "titel",
        "version",
        "title",
        "minutes",
        "scales[0].items.7",
        "scales[0].items.4",
        "scales[0].items.9",
    ]
    # The first problem leads, so code that reads one problem still reads a real one.
    assert (error.path, str(error).splitlines()[0]) == ("titel", str(error.problems[0]))


def test_a_missing_field_is_reported_once_not_also_as_empty() -> None:
    doc = document()
    del doc["title"]
    error = _problems(doc)
    assert [p.path for p in error.problems] == ["title"]
    assert str(error) == "t.yaml: title: required field is missing"


def test_question_ids_and_pages_are_not_checked_on_broken_questions() -> None:
    # A broken scale would make every page look wrong; only the scale's own problem shows.
    doc = document(pages=[{"questions": ["stss.1"]}])
    doc["scales"][0]["items"][3] = None
    assert [p.path for p in _problems(doc).problems] == ["scales[0].items.3"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("scales[0].items.4", "Item 4 of the STSS"),
        ("scales[1].items", "The items of the ProQOL 5"),
        ("scales[0].intro", "The introduction to the STSS"),
        ("scales[2].template", "The template of scale 3"),
        ("context[1].options[2].label", "The wording of answer 3 of context question 2"),
        ("context[0].text", "The wording of context question 1"),
        ("pages[1].questions[0]", "Question 1 on page 2"),
        ("minutes", "The time it takes (minutes)"),
        ("line 3, column 1", "Line 3 (column 1)"),
        ("", "The questionnaire"),
    ],
)
def test_places_are_named_in_words(path: str, expected: str) -> None:
    doc = {"scales": [{"template": "stss"}, {"template": "proqol5"}, {"template": "nope"}]}
    assert place(path, doc) == expected


def test_sentences_keep_the_technical_place_beside_them() -> None:
    doc = document()
    del doc["scales"][0]["items"][4]
    error = _problems(doc)
    assert plain_problems(error, doc) == [
        "Item 4 of the STSS needs its wording. (t.yaml, at scales[0].items.4)"
    ]
    other = QuestionnaireError("f.yaml", "minutes", "expected a whole number from 1 to 60")
    assert plain_problem(other) == (
        "The time it takes (minutes): Expected a whole number from 1 to 60. (f.yaml, at minutes)"
    )


def test_the_documented_example_is_a_questionnaire_once_its_elided_items_are_filled_in() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "questionnaire-format.md").read_text()
    example = yaml.safe_load(text.split("```yaml\n", 1)[1].split("```", 1)[0])
    example["scales"][0]["items"] |= {n: f"Own wording {n}" for n in range(3, 18)}
    del example["pages"]  # the example elides pages too
    q = build_questionnaire(example, "example")
    assert q.scales[0].items[0].text.startswith("Wording of item 1: a colon")
    assert q.quasi_identifiers() == ("role_group",)
