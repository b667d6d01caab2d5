"""Loading valid questionnaires, the Questionnaire helpers, typed answers and fingerprints."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from survey.domain.questionnaire import (
    AnswerError,
    ContextQuestion,
    QuestionnaireError,
    ScaleItem,
    fingerprint,
    load_questionnaire,
    load_questionnaire_file,
    to_canonical_json,
)
from tests.domain.questionnaire_docs import document, dump, load, wording

DEMO = Path(__file__).resolve().parents[2] / "questionnaires" / "demo-sts.yaml"


def test_demo_questionnaire_validates_and_is_marked_demo() -> None:
    q = load_questionnaire_file(DEMO)
    assert q.key == "demo-sts"
    assert q.demo_wording is True
    assert "not the published STSS items" in q.wording_note
    assert "core team" in q.wording_note
    assert [s.template.key for s in q.scales] == ["stss"]
    assert [item.number for item in q.scales[0].items] == list(range(1, 18))
    assert len({item.text for item in q.scales[0].items}) == 17
    assert [c.id for c in q.context] == ["role_group", "years_in_role", "anything_else"]
    assert q.quasi_identifiers() == ("role_group", "years_in_role")
    assert [c.kind for c in q.context] == ["choice", "choice", "text"]
    # Every question sits on exactly one page.
    on_pages = [qid for page in q.pages for qid in page.questions]
    assert sorted(on_pages) == sorted(q.question_ids())


def test_minimal_document_gets_defaults() -> None:
    q = load(document())
    scale = q.scales[0]
    assert scale.key == "stss"
    assert scale.intro == ""
    assert q.description == ""
    assert scale.items[2] == ScaleItem("stss.3", "stss", 3, "Placeholder 3")
    assert q.question_ids()[:3] == ("stss.1", "stss.2", "stss.3")
    assert q.question_ids()[-1] == "role"
    assert q.question("stss.17").text == "Placeholder 17"
    assert isinstance(q.question("role"), ContextQuestion)
    with pytest.raises(KeyError):
        q.question("stss.18")


def test_default_pages_split_scales_near_evenly_with_context_last() -> None:
    q = load(document())
    # 17 items over ceil(17 / 6) = 3 pages: 5, 6, 6; then one page for context questions.
    assert [len(p.questions) for p in q.pages] == [5, 6, 6, 1]
    assert q.pages[0].questions == ("stss.1", "stss.2", "stss.3", "stss.4", "stss.5")
    assert q.pages[-1].questions == ("role",)
    assert q.pages[-1].title == "A little about you"
    assert q.page_count == 4


def test_default_pages_for_other_templates_and_several_scales() -> None:
    scales = [
        {"template": "proqol5", "items": wording("proqol5")},
        {"template": "pcl5", "items": wording("pcl5")},
    ]
    q = load(document(scales=scales, context=[]))
    # ProQOL: 30 items -> 5 pages of 6; PCL-5: 20 items -> 4 pages of 5; no context page.
    assert [len(p.questions) for p in q.pages] == [6] * 5 + [5] * 4
    assert q.pages[5].questions[0] == "pcl5.1"
    assert q.quasi_identifiers() == ()


def test_explicit_pages_are_kept_in_order() -> None:
    ids = [f"stss.{n}" for n in range(1, 18)]
    pages = [
        {"title": "About you", "questions": ["role"]},
        {"title": "Part one", "questions": ids[:9]},
        {"questions": ids[9:]},
    ]
    q = load(document(pages=pages))
    assert [(p.title, p.questions) for p in q.pages] == [
        ("About you", ("role",)),
        ("Part one", tuple(ids[:9])),
        ("", tuple(ids[9:])),
    ]


def test_items_may_be_given_in_any_order_and_with_text_numbers() -> None:
    items = {str(n): f"Wording {n}" for n in reversed(range(1, 18))}
    q = load(document(scales=[{"template": "stss", "key": "sts_now", "items": items}]))
    assert [item.id for item in q.scales[0].items[:2]] == ["sts_now.1", "sts_now.2"]
    assert q.scales[0].items[0].text == "Wording 1"


def test_text_is_stripped_and_text_questions_get_a_default_limit() -> None:
    note = {"id": "anything", "text": "  Anything else?\n", "kind": "text"}
    q = load(document(title="  Check-in \n", context=[note]))
    assert q.title == "Check-in"
    assert q.context[0] == ContextQuestion("anything", "Anything else?", "text", (), 500, False)


def test_questionnaire_is_immutable() -> None:
    q = load(document())
    assert isinstance(q.scales, tuple) and isinstance(q.pages[0].questions, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.title = "Changed"  # type: ignore[misc]


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(dump(document(version=0)), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"^broken\.yaml: version: "):
        load_questionnaire_file(path)


# Typed answers


def _with_text(limit: int = 10) -> dict[str, object]:
    text = {"id": "note", "text": "Anything else?", "kind": "text", "max_length": limit}
    return document(context=[*document()["context"], text])


def test_parse_answers_types_values_and_skips_blanks() -> None:
    q = load(_with_text())
    raw = {"stss.1": "1", "stss.2": " 5 ", "stss.3": "", "role": "b", "note": "  hello  "}
    assert q.parse_answers(raw) == {"stss.1": 1, "stss.2": 5, "role": "b", "note": "hello"}
    assert q.parse_answers({}) == {}
    assert q.parse_answers({"stss.4": "   ", "note": "\n"}) == {}


def test_parse_answers_accepts_the_pcl5_zero() -> None:
    q = load(document(scales=[{"template": "pcl5", "items": wording("pcl5")}]))
    assert q.parse_answers({"pcl5.1": "0", "pcl5.20": "4"}) == {"pcl5.1": 0, "pcl5.20": 4}
    with pytest.raises(AnswerError):
        q.parse_answers({"pcl5.1": "5"})


@pytest.mark.parametrize(
    ("question_id", "value"),
    [
        ("stss.1", "0"),  # below the 1-5 range
        ("stss.1", "6"),  # above it
        ("stss.1", "three"),
        ("stss.1", "3.0"),
        ("stss.1", "+3"),
        ("stss.1", "٣"),  # Arabic-Indic digit three: int() would accept it
        ("stss.1", "03"),
        ("stss.1", "3_0"),
        ("role", "c"),
        ("role", "A"),  # the label, not the value
    ],
)
def test_parse_answers_rejects_values_outside_the_options(question_id: str, value: str) -> None:
    q = load(document())
    with pytest.raises(AnswerError) as caught:
        q.parse_answers({question_id: value})
    assert caught.value.question_id == question_id
    assert (
        caught.value.message == "Please choose one of the answers shown, or leave this one blank."
    )


def test_parse_answers_limits_text_length_counting_line_breaks_once() -> None:
    q = load(_with_text(limit=10))
    # "abcd\r\nefghi" is 11 characters as sent but 10 once CRLF counts as one line break.
    assert q.parse_answers({"note": "abcd\r\nefghi"}) == {"note": "abcd\nefghi"}
    with pytest.raises(AnswerError) as caught:
        q.parse_answers({"note": "x" * 11})
    assert caught.value.message == "Please keep this answer to 10 characters or fewer."


def test_parse_answers_rejects_unknown_question_ids() -> None:
    q = load(document())
    with pytest.raises(AnswerError) as caught:
        q.parse_answers({"stss.1": "2", "stss.99": "2"})
    assert caught.value.question_id == "stss.99"
    assert "not part of this survey" in caught.value.message


def test_parse_answers_result_follows_question_order() -> None:
    q = load(document())
    parsed = q.parse_answers({"role": "a", "stss.9": "2", "stss.2": "4"})
    assert list(parsed) == ["stss.2", "stss.9", "role"]


# Canonical form and fingerprint


def test_canonical_json_is_sorted_json_of_the_definition() -> None:
    q = load(document())
    text = to_canonical_json(q)
    parsed = json.loads(text)
    assert text == json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert parsed["scales"][0]["items"]["3"] == "Placeholder 3"
    assert parsed["wording"] == {"demo": True, "note": "Test wording"}


def test_fingerprint_ignores_yaml_layout_and_explicit_default_pages() -> None:
    q = load(document())
    reordered = dict(reversed(list(document().items())))
    flow_style = yaml.safe_dump(document(), default_flow_style=True)
    explicit = document(pages=[{"title": p.title, "questions": list(p.questions)} for p in q.pages])
    assert len(q.fingerprint) == 64
    assert q.fingerprint == fingerprint(q)
    assert load(reordered).fingerprint == q.fingerprint
    assert load_questionnaire(flow_style, "other.yaml").fingerprint == q.fingerprint
    assert load(explicit).fingerprint == q.fingerprint


def test_fingerprint_changes_with_any_edit_that_matters() -> None:
    base = load(document()).fingerprint
    items = wording("stss") | {7: "Edited wording"}
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B, edited"}]
    role = document()["context"][0] | {"options": options}
    edits = [
        document(version=2),
        document(title="Another title"),
        document(wording={"demo": False}),
        document(scales=[{"template": "stss", "items": items}]),
        document(context=[role]),
        document(context=[]),
    ]
    prints = {load(doc).fingerprint for doc in edits}
    assert base not in prints
    assert len(prints) == len(edits)
