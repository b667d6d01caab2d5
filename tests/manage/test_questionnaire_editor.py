"""The form-based questionnaire editor: it works without JavaScript, previews without storing,
and saves only what the ordinary loader accepts. All wording here is made up for the tests.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser

import yaml
from flask import Flask
from werkzeug.test import TestResponse

from survey.domain.disclosure import MAX_QUASI_IDENTIFIER_OPTIONS
from survey.models import QuestionnaireVersion
from survey.services.questionnaires import definition
from tests.manage.conftest import Staff, audit, count, text_of
from tests.manage.test_questionnaires import demo_text, upload

EDITOR = "/manage/questionnaires/editor"


class _Fields(HTMLParser):
    """The (name, value) pairs a browser without JavaScript sends for the editor's form."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") in ("text", "hidden", None, ""):
            self.pairs.append((name, a.get("value", "")))
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.pairs.append((name, a.get("value", "on")))
        elif tag == "textarea":
            self._textarea = name
            self.pairs.append((name, ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and self._first_option is None:
            self._first_option = (self._select, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.pairs[-1]
            self.pairs[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "select" and self._first_option:
            self.pairs.append(self._first_option)
            self._select, self._first_option = None, None


def fields_of(page: TestResponse) -> list[tuple[str, str]]:
    """Every field the editor's form would send as it stands."""
    parser = _Fields()
    parser.feed(page.get_data(as_text=True))
    return [(n, v.lstrip("\n")) for n, v in parser.pairs if n != "csrf_token"]


def press(staff: Staff, page: TestResponse, action: str, **changes: str | bool) -> TestResponse:
    """Press one of the editor's buttons, after typing `changes` (False unticks a box)."""
    pairs = fields_of(page)
    for typed, value in changes.items():
        name = typed.replace("__", "-")
        pairs = [(n, v) for n, v in pairs if n != name]
        if value is not False:
            pairs.append((name, "yes" if value is True else str(value)))
    data: dict[str, object] = {}
    for name, value in [*pairs, ("action", action)]:
        data.setdefault(name, []).append(value)  # type: ignore[union-attr]
    return staff.post(EDITOR, data)


def stss_wording(prefix: str = "Made-up wording") -> dict[str, str]:
    """Own wording for all 17 STSS items, as form fields."""
    return {f"stss__item__{n}": f"{prefix} {n}" for n in range(1, 18)}


def build(staff: Staff) -> TestResponse:
    """Title, the STSS with tricky wording, the role question and a text question."""
    page = staff.get(EDITOR)
    page = press(staff, page, "add_scale", new_template="stss")
    page = press(staff, page, "add_context:role_group")
    page = press(staff, page, "add_context:text")
    wording = stss_wording() | {
        "stss__item__1": 'Work: it "stayed" with me',
        "stss__item__2": "- yes: no #3",
    }
    return press(
        staff, page, "preview", title="Team check-in: autumn", c1__text="Anything else?", **wording
    )


def test_a_questionnaire_is_built_previewed_and_saved_through_the_loader(
    app: Flask, as_core: Staff
) -> None:
    preview = build(as_core)
    assert preview.status_code == 200, text_of(preview)
    shown = text_of(preview)
    assert "Preview on a phone" in shown and 'Work: it "stayed" with me' in shown
    assert "Which of these best describes your role?" in shown
    assert count(QuestionnaireVersion) == 0  # a preview stores nothing

    saved = press(as_core, preview, "save")
    assert saved.status_code == 303
    version = QuestionnaireVersion.query.one()
    q = definition(version)
    assert version.key == "team-check-in-autumn"
    assert [item.text for item in q.scales[0].items][:2] == [
        'Work: it "stayed" with me',
        "- yes: no #3",
    ]
    assert q.quasi_identifiers() == ("role_group",)
    assert [c.kind for c in q.context] == ["choice", "text"]
    assert q.demo_wording
    assert yaml.safe_load(version.source)["scales"][0]["items"][2] == "- yes: no #3"
    assert [e.detail for e in audit("questionnaire built in the editor")] == [
        "team-check-in-autumn v1 from the questionnaire editor"
    ]


def test_every_missing_item_is_named_in_plain_words_and_nothing_is_stored(
    as_core: Staff,
) -> None:
    page = press(as_core, as_core.get(EDITOR), "add_scale", new_template="stss")
    wording = {
        k: v for k, v in stss_wording().items() if k not in ("stss__item__4", "stss__item__9")
    }
    result = press(as_core, page, "save", title="Check-in", **wording)
    assert result.status_code == 422
    shown = text_of(result)
    assert "Item 4 of the STSS needs its wording." in shown
    assert "Item 9 of the STSS needs its wording." in shown
    assert "nothing has been saved" in shown
    assert count(QuestionnaireVersion) == 0


def test_pages_follow_the_chosen_order_and_size(as_core: Staff) -> None:
    page = press(as_core, as_core.get(EDITOR), "add_scale", new_template="stss")
    page = press(as_core, page, "add_context:years_in_role")
    page = press(as_core, page, "up:context")
    result = press(as_core, page, "save", title="Order", per_page="9", **stss_wording())
    assert result.status_code == 303, text_of(result)
    q = definition(QuestionnaireVersion.query.one())
    assert [len(p.questions) for p in q.pages] == [1, 8, 9]
    assert q.pages[0].questions == ("years_in_role",)


def test_rows_are_added_and_removed_by_buttons(as_core: Staff) -> None:
    page = press(as_core, as_core.get(EDITOR), "add_context:choice")
    assert "Answer 2" in text_of(page) and "Answer 3" not in text_of(page)
    page = press(as_core, page, "add_option:0", c0__opt__0="First", c0__opt__1="Second")
    assert "Answer 3" in text_of(page)
    page = press(as_core, page, "remove_option:0-0")
    pairs = dict(fields_of(page))
    assert pairs["c0-opt-0"] == "Second" and pairs["c0-options"] == "2"
    page = press(as_core, page, "remove_context:0")
    assert "Context question 1" not in text_of(page)


def test_quasi_identifier_limits_of_the_disclosure_rules_are_enforced(as_core: Staff) -> None:
    page = press(as_core, as_core.get(EDITOR), "add_scale", new_template="stss")
    page = press(as_core, page, "add_context:role_group")
    page = press(as_core, page, "add_context:years_in_role")
    page = press(as_core, page, "add_context:choice")
    third = press(
        as_core,
        page,
        "save",
        title="Q",
        c2__text="Shift?",
        c2__opt__0="Day",
        c2__opt__1="Night",
        c2__quasi=True,
        **stss_wording(),
    )
    assert third.status_code == 422
    assert "At most 2 questions can split results into groups" in text_of(third)
    for _ in range(MAX_QUASI_IDENTIFIER_OPTIONS + 1 - 4):
        third = press(as_core, third, "add_option:0")
    many = {f"c0__opt__{n}": f"Role {n}" for n in range(MAX_QUASI_IDENTIFIER_OPTIONS + 1)}
    wide = press(as_core, third, "save", c2__quasi=False, **many)
    assert wide.status_code == 422
    assert f"at most {MAX_QUASI_IDENTIFIER_OPTIONS} answers" in text_of(wide)
    assert "At most 2 questions" not in text_of(wide)
    assert count(QuestionnaireVersion) == 0


def test_a_stored_version_opens_in_the_form_and_saves_as_its_next_version(
    app: Flask, as_core: Staff
) -> None:
    upload(as_core, demo_text(app), "demo-sts.yaml")
    first = QuestionnaireVersion.query.one()
    page = as_core.get(f"{EDITOR}?from={first.id}")
    assert page.status_code == 200
    saved = press(as_core, page, "save", stss__item__5="Changed: own wording")
    assert saved.status_code == 303, text_of(saved)
    newest = QuestionnaireVersion.query.order_by(QuestionnaireVersion.version.desc()).first()
    assert (newest.key, newest.version) == ("demo-sts", 2)
    q = definition(newest)
    assert q.scales[0].items[4].text == "Changed: own wording"
    assert q.quasi_identifiers() == definition(first).quasi_identifiers()


def test_wording_is_imported_from_a_file_with_the_licence_confirmed(as_core: Staff) -> None:
    page = press(as_core, as_core.get(EDITOR), "add_scale", new_template="stss")
    csv = "".join(f"{n},Licensed wording for item {n}\n" for n in range(1, 18)).encode()
    pairs = fields_of(page)
    data: dict[str, object] = {}
    for name, value in [*pairs, ("action", "import:stss")]:
        data.setdefault(name, []).append(value)  # type: ignore[union-attr]
    refused = as_core.post(
        EDITOR,
        {**data, "stss-file": (io.BytesIO(csv), "w.csv")},
        content_type="multipart/form-data",
    )
    assert "Confirm that the licence allows" in text_of(refused)
    data["stss-licensed"] = ["yes"]
    done = as_core.post(
        EDITOR,
        {**data, "stss-file": (io.BytesIO(csv), "w.csv")},
        content_type="multipart/form-data",
    )
    fields = dict(fields_of(done))
    assert fields["stss-item-17"] == "Licensed wording for item 17"
    assert "demo" not in fields and "imported from w.csv" in fields["note"]


def test_the_editor_is_for_the_core_team_only(as_lead: Staff) -> None:
    assert as_lead.get(EDITOR).status_code == 403


def test_the_format_page_renders_the_docs_file_and_is_linked_from_upload(
    app: Flask, as_core: Staff
) -> None:
    page = as_core.get("/manage/questionnaires/format")
    assert page.status_code == 200
    assert "Put quotes around wording that contains a colon" in text_of(page)
    html = page.get_data(as_text=True)
    assert "<table>" in html and '<pre tabindex="0"><code class="language-yaml">' in html
    assert "/manage/questionnaires/format" in as_core.get("/manage/questionnaires/upload").get_data(
        as_text=True
    )


def test_an_upload_lists_every_problem_in_plain_words(app: Flask, as_core: Staff) -> None:
    text = (
        demo_text(app)
        .replace("  4: I found", "  4: ''\n  # I found", 1)
        .replace("  9: I dropped", "  # 9: I dropped", 1)
        .replace("minutes: 4", "minutes: many", 1)
    )
    result = upload(as_core, text, "broken.yaml")
    shown = text_of(result)
    assert result.status_code == 422
    assert "Item 4 of the STSS needs its wording." in shown
    assert "Item 9 of the STSS needs its wording." in shown
    assert "The time it takes (minutes):" in shown
    assert count(QuestionnaireVersion) == 0
