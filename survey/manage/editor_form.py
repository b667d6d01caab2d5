"""Reading the questionnaire editor's form into a Draft, and the buttons that change it.

The form works without JavaScript: every change to its shape (a scale, a question, an
answer, the order of pages) is a submit button whose `action` names what to do, and the
whole draft travels in the form itself, so nothing is stored until "Save" is pressed.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from survey.domain.questionnaire_draft import (
    MAX_OPTIONS,
    PRESETS,
    ContextDraft,
    Draft,
    ScaleDraft,
)
from survey.domain.templates import TEMPLATES

Form = MultiDict[str, str]
MAX_SCALES = len(TEMPLATES)
MAX_CONTEXT = 8


class EditorForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the editor's fields vary with the draft and are read below."""


def _text(form: Form, name: str, limit: int = 2000) -> str:
    return str(form.get(name, ""))[:limit]


def _count(form: Form, name: str, most: int) -> int:
    raw = str(form.get(name, ""))
    return min(int(raw), most) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _scale(form: Form, template: str) -> ScaleDraft:
    numbers = TEMPLATES[template].item_numbers
    items = {n: _text(form, f"{template}-item-{n}", 300) for n in numbers}
    return ScaleDraft(template, _text(form, f"{template}-intro", 2000), items)


def _question(form: Form, index: int) -> ContextDraft:
    at = f"c{index}"
    kind = "text" if form.get(f"{at}-kind") == "text" else "choice"
    count = _count(form, f"{at}-options", MAX_OPTIONS)
    options = [_text(form, f"{at}-opt-{j}", 120) for j in range(count)]
    return ContextDraft(
        id=_text(form, f"{at}-id", 32),
        text=_text(form, f"{at}-text", 300),
        kind=kind,
        options=options if kind == "choice" else [],
        quasi_identifier=kind == "choice" and form.get(f"{at}-quasi") == "yes",
    )


def read_draft(form: Form) -> Draft:
    """The draft a submitted editor form holds (unknown templates are ignored)."""
    templates = [t for t in form.getlist("scale") if t in TEMPLATES][:MAX_SCALES]
    count = _count(form, "context-count", MAX_CONTEXT)
    return Draft(
        title=_text(form, "title", 120),
        key=_text(form, "key", 64),
        description=_text(form, "description"),
        minutes=_text(form, "minutes", 6),
        language=_text(form, "language", 35),
        demo=form.get("demo") == "yes",
        note=_text(form, "note"),
        scales=[_scale(form, t) for t in dict.fromkeys(templates)],
        context=[_question(form, i) for i in range(count)],
        order=form.getlist("order")[: MAX_SCALES + 1],
        per_page=_text(form, "per_page", 6),
    )


def _new_id(draft: Draft) -> str:
    taken = {c.id for c in draft.context}
    n = 1
    while f"question_{n}" in taken:
        n += 1
    return f"question_{n}"


def apply(draft: Draft, action: str, form: Form) -> str:
    """Carry out one shape-changing button on the draft; a note for the page (or "")."""
    verb, _, argument = action.partition(":")
    if verb == "add_scale":
        template = str(form.get("new_template", ""))
        if template not in TEMPLATES:
            return "Choose a scale template to add."
        if any(s.template == template for s in draft.scales):
            return "That scale is already in the questionnaire."
        draft.scales.append(ScaleDraft(template))
    elif verb == "remove_scale":
        draft.scales = [s for s in draft.scales if s.template != argument]
    elif verb == "add_context" and len(draft.context) < MAX_CONTEXT:
        if argument in PRESETS:
            if any(c.id == argument for c in draft.context):
                return "That question is already in the questionnaire."
            preset = PRESETS[argument]
            draft.context.append(
                ContextDraft(preset.id, preset.text, "choice", list(preset.options), True)
            )
        elif argument == "text":
            draft.context.append(ContextDraft(_new_id(draft), "", "text"))
        else:
            draft.context.append(ContextDraft(_new_id(draft), "", "choice", ["", ""]))
    elif verb == "remove_context" and argument.isdigit() and int(argument) < len(draft.context):
        del draft.context[int(argument)]
    elif verb == "add_option" and argument.isdigit() and int(argument) < len(draft.context):
        question = draft.context[int(argument)]
        if len(question.options) < MAX_OPTIONS:
            question.options.append("")
    elif verb == "remove_option":
        index, _, option = argument.partition("-")
        if index.isdigit() and option.isdigit() and int(index) < len(draft.context):
            options = draft.context[int(index)].options
            if int(option) < len(options):
                del options[int(option)]
    elif verb in ("up", "down"):
        draft.move(argument, -1 if verb == "up" else 1)
    return ""
