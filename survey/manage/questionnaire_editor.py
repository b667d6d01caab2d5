"""The form-based questionnaire editor: templates, wording, context questions, pages, preview.

The page holds the whole draft in its form; buttons change its shape, "Preview on a phone"
renders the respondent's question template with the draft (nothing stored), and "Save"
turns the draft into YAML and stores it through the same validated path as an upload.
"""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from survey.access import role_required, signed_in_user
from survey.domain.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from survey.domain.questionnaire_draft import (
    CONTEXT_BLOCK,
    PRESETS,
    Draft,
    from_questionnaire,
    problems,
    to_document,
    to_yaml,
)
from survey.domain.questionnaire_problems import plain_problems
from survey.domain.templates import TEMPLATES
from survey.extensions import db
from survey.manage import bp
from survey.manage.editor_form import EditorForm, apply, read_draft
from survey.manage.questionnaires import preview_pages, show_stored
from survey.models import QuestionnaireVersion
from survey.services.questionnaires import definition
from survey.services.wording import read_wording, store_source

Problems = list[tuple[str, str]]
# Each item's subscale, shown beside it so wording can follow the item's topic.
_ITEM_GROUPS = {
    t.key: {n: sub.label for sub in t.subscales for n in sub.items} for t in TEMPLATES.values()
}
LABEL = "the questionnaire editor"


def _start(from_version: str | None) -> Draft:
    if from_version and from_version.isdigit() and len(from_version) < 10:
        version = db.get_or_404(QuestionnaireVersion, int(from_version))
        return from_questionnaire(definition(version))
    return Draft()


def _import(draft: Draft, template: str) -> Problems:
    """Fill one scale's items from an uploaded YAML or CSV file (licence confirmed)."""
    scale = next((s for s in draft.scales if s.template == template), None)
    upload = request.files.get(f"{template}-file")
    if scale is None or upload is None or not upload.filename:
        return [(f"{template}-file", "Choose the file with the wording to import.")]
    if request.form.get(f"{template}-licensed") != "yes":
        return [
            (
                f"{template}-licensed",
                f"Confirm that the licence allows this wording of the {scale.name}.",
            )
        ]
    name = upload.filename
    try:
        scale.items = read_wording(upload.read(), name, TEMPLATES[template])
    except QuestionnaireError as error:
        return [(f"{template}-file", text) for text in plain_problems(error)]
    draft.demo = False
    imported = f"Item wording of the {scale.name} imported from {name} under its licence."
    draft.note = f"{draft.note.strip()} {imported}".strip()
    return []


def _check(draft: Draft) -> tuple[Problems, str, Questionnaire | None]:
    """The draft's problems in plain words, else its YAML and the loaded questionnaire."""
    found = problems(draft)
    if found:
        return found, "", None
    source = to_yaml(draft)
    try:
        return [], source, load_questionnaire(source, LABEL)
    except QuestionnaireError as error:
        return [("", text) for text in plain_problems(error, to_document(draft))], "", None


def _page(draft: Draft, form: EditorForm, **context: object) -> ResponseReturnValue:
    found: Problems = context.get("errors", [])  # type: ignore[assignment]
    page = render_template(
        "manage/questionnaires/editor.html",
        draft=draft,
        form=form,
        templates=TEMPLATES,
        groups=_ITEM_GROUPS,
        presets=PRESETS,
        context_block=CONTEXT_BLOCK,
        errors=found,
        by_field={field: message for field, message in reversed(found) if field},
        page_title="Build a questionnaire",
        **{k: v for k, v in context.items() if k != "errors"},
    )
    return page, 422 if found else 200


@bp.route("/questionnaires/editor", methods=["GET", "POST"])
@role_required("core")
def questionnaire_editor() -> ResponseReturnValue:
    """Build a questionnaire in a form (or change a stored one), preview it, save it."""
    form = EditorForm()
    if not form.is_submitted():
        return _page(_start(request.args.get("from")), form)
    draft = read_draft(request.form)
    if not form.validate_on_submit():
        return _page(draft, form, errors=[("", "The form had expired. Please try again.")])
    action = str(request.form.get("action", ""))
    if action.startswith("import:"):
        return _page(draft, form, errors=_import(draft, action.partition(":")[2]))
    if action in ("preview", "save"):
        found, source, q = _check(draft)
        if q is None:
            return _page(draft, form, errors=found)
        if action == "save":
            stored = store_source(
                source, LABEL, actor=signed_in_user(), action="questionnaire built in the editor"
            )
            return show_stored(stored)
        return _page(draft, form, q=q, pages=preview_pages(q), preview=True)
    note = apply(draft, action, request.form)
    return _page(draft, form, note=note)
