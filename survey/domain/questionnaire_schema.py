"""Checking a parsed questionnaire document field by field and building the Questionnaire.

Every problem raises QuestionnaireError naming the file, the path inside it and what was
expected, so whoever edits a definition can fix it without reading code.
"""

from __future__ import annotations

import math
import re

from survey.domain.questionnaire_model import (
    ChoiceOption,
    ContextQuestion,
    Page,
    Questionnaire,
    ReviewSpec,
    Scale,
    ScaleItem,
)
from survey.domain.templates import TEMPLATES, ScaleTemplate
from survey.domain.yaml_checks import Checker, QuestionnaireError, cut, describe, parse_yaml

__all__ = [
    "QuestionnaireError",
    "build_questionnaire",
    "default_pages",
    "parse_yaml",
    "split_evenly",
]

SLUG = re.compile(r"(?=.{1,64}\Z)[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,31}", re.ASCII)
OPTION_VALUE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)
SLUG_HELP = "use up to 64 lowercase letters, digits and single hyphens, e.g. 'demo-sts'"
IDENTIFIER_HELP = "use a lowercase letter, then lowercase letters, digits or '_'"
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", re.ASCII)

TOP_REQUIRED = ("key", "version", "title", "minutes", "language", "wording")
TOP_OPTIONAL = ("description", "context", "pages", "scales", "review")
FRAMEWORK_KEY = re.compile(r"(?=.{1,40}\Z)[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
DEFAULT_TEXT_LENGTH = 500
MAX_TEXT_LENGTH = 2000
# Default paging puts at most this many scale items on a page (phones, small screens).
PAGE_SIZE = 6
CONTEXT_PAGE_TITLE = "A little about you"


def build_questionnaire(document: object, source: str) -> Questionnaire:
    """Check a parsed YAML document and build the immutable Questionnaire from it.

    Every problem of the document is reported at once (QuestionnaireProblems when there
    are several), so a file is fixed in one go rather than one upload per mistake.
    """
    check = Checker(source)
    built = check.attempt(lambda: _build(check, document), None)
    check.finish()
    if built is None:  # pragma: no cover - finish() raised whatever stopped the build
        raise check.fail("", "could not be read")
    return built


def _build(check: Checker, document: object) -> Questionnaire:
    if not isinstance(document, dict):
        raise check.fail(
            "", f"expected a mapping of fields at the top level, got {describe(document)}"
        )
    top = check.fields(document, "", (), TOP_REQUIRED + TOP_OPTIONAL)
    for name in TOP_REQUIRED:
        try:
            check.required(top, name)
        except QuestionnaireError as error:
            check.keep(error)

    def field(name: str, default: object = None) -> object:
        if name in TOP_REQUIRED and name not in top:
            raise check.noted()  # reported once above, as missing
        return top.get(name, default)

    key = check.attempt(lambda: check.pattern(field("key"), "key", SLUG, SLUG_HELP), "")
    version = check.attempt(lambda: check.whole(field("version"), "version", 1, 1_000_000), 1)
    title = check.attempt(lambda: check.text(field("title"), "title", max_length=120), "")
    description = check.attempt(
        lambda: check.text(
            field("description", ""), "description", max_length=MAX_TEXT_LENGTH, empty=True
        ),
        "",
    )
    minutes = check.attempt(lambda: check.whole(field("minutes"), "minutes", 1, 60), 1)
    language = check.attempt(
        lambda: check.pattern(field("language"), "language", LANGUAGE, "use a tag like 'en-GB'"),
        "",
    )
    demo, note = check.attempt(lambda: _wording(check, field("wording")), (False, ""))
    scales: tuple[Scale, ...] | None = None
    if "review" in top:
        # A review questionnaire rates the service: it has no scored scales.
        if top.get("scales", []) == []:
            scales = ()
        else:
            check.keep(
                check.fail("scales", "a review questionnaire has no scales (leave them out)")
            )
    elif "scales" not in top:
        check.keep(check.fail("scales", "required field is missing"))
    else:
        scales = check.attempt(
            lambda: check.items(top["scales"], "scales", lambda v, p: _scale(check, v, p)), None
        )
    context = check.attempt(
        lambda: check.items(
            field("context", []), "context", lambda v, p: _context(check, v, p), minimum=0
        ),
        None,
    )
    missing = [name for name in TOP_REQUIRED if name not in top]
    if scales is None or context is None or missing:
        raise check.noted()  # question ids and pages are checked only on sound questions
    _check_unique_ids(check, scales, context)
    review = _review(check, top["review"], context) if "review" in top else None
    ids = [item.id for s in scales for item in s.items] + [c.id for c in context]
    if "pages" in top:
        pages = _explicit_pages(check, top["pages"], ids)
    else:
        pages = default_pages(scales, context)
    if check.found:
        raise check.noted()
    return Questionnaire(
        key=key,
        version=version,
        title=title,
        description=description,
        minutes=minutes,
        language=language,
        demo_wording=demo,
        wording_note=note,
        scales=scales,
        context=context,
        pages=pages,
        review=review,
    )


def _wording(check: Checker, value: object) -> tuple[bool, str]:
    wording = check.fields(value, "wording", ("demo",), ("note",))
    demo = check.flag(wording["demo"], "wording.demo")
    return demo, check.text(wording.get("note", ""), "wording.note", empty=True)


def _review(check: Checker, value: object, context: tuple[ContextQuestion, ...]) -> ReviewSpec:
    fields = check.fields(value, "review", ("framework", "perspective", "domains"), ("easy_read",))
    framework = check.pattern(
        fields["framework"], "review.framework", FRAMEWORK_KEY, "use a framework file's key"
    )
    perspective = check.pattern(
        fields["perspective"], "review.perspective", IDENTIFIER, IDENTIFIER_HELP
    )
    raw = fields["domains"]
    if not isinstance(raw, dict) or not raw:
        raise check.fail("review.domains", "expected a mapping of question id to domain key")
    choices = {c.id for c in context if c.kind == "choice"}
    domains = []
    for question_id, domain_key in raw.items():
        at = f"review.domains.{question_id}"
        if question_id not in choices:
            raise check.fail(at, "must be the id of a choice question under context")
        domains.append(
            (question_id, check.pattern(domain_key, at, FRAMEWORK_KEY, "use a domain's key"))
        )
    easy = check.flag(fields.get("easy_read", False), "review.easy_read")
    return ReviewSpec(framework, perspective, easy, tuple(domains))


def _scale(check: Checker, value: object, path: str) -> Scale:
    fields = check.fields(value, path, ("template", "items"), ("key", "intro"))
    template_key = check.text(fields["template"], f"{path}.template")
    if template_key not in TEMPLATES:
        known = ", ".join(sorted(TEMPLATES))
        raise check.fail(
            f"{path}.template", f"unknown template {cut(template_key)}; known: {known}"
        )
    template = TEMPLATES[template_key]
    key = check.pattern(fields.get("key", template.key), f"{path}.key", IDENTIFIER, IDENTIFIER_HELP)
    raw_items = fields["items"]
    if not isinstance(raw_items, dict):
        raise check.fail(
            f"{path}.items",
            f"expected a mapping of item number to wording, got {describe(raw_items)}",
        )
    wording: dict[int, str] = {}
    before = len(check.found)
    for raw_number, text in raw_items.items():
        # Each item is checked on its own, so every gap and bad wording shows at once.
        try:
            _item(check, template, path, raw_number, text, wording=wording)
        except QuestionnaireError as error:
            check.keep(error)
    for number in template.item_numbers:
        if number not in wording and not _given(raw_items, number):
            check.keep(
                check.fail(
                    f"{path}.items.{number}",
                    f"expected wording for item {number} of template {template.key!r} "
                    f"({template.n_items} items)",
                )
            )
    if len(check.found) > before:
        raise check.noted()
    items = tuple(ScaleItem(f"{key}.{n}", key, n, wording[n]) for n in template.item_numbers)
    intro = check.text(fields.get("intro", ""), f"{path}.intro", empty=True)
    return Scale(key=key, template=template, intro=intro, items=items)


def _item(
    check: Checker,
    template: ScaleTemplate,
    path: str,
    raw_number: object,
    text: object,
    *,
    wording: dict[int, str],
) -> None:
    at = f"{path}.items.{raw_number}"
    number = _item_number(raw_number)
    if number is None or number not in template.item_numbers:
        raise check.fail(
            at,
            f"template {template.key!r} has no item {cut(raw_number)} (items 1-{template.n_items})",
        )
    if number in wording:
        raise check.fail(at, f"item {number} is given twice")
    wording[number] = check.text(text, at, max_length=300)


def _given(raw_items: dict[object, object], number: int) -> bool:
    # An item given with bad wording is already reported; do not call it missing too.
    return any(_item_number(raw) == number for raw in raw_items)


def _item_number(raw: object) -> int | None:
    # YAML reads `3:` as an int; accept "3" too, but never true/false or 3.0.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    return None


def _context(check: Checker, value: object, path: str) -> ContextQuestion:
    optional = ("options", "max_length", "quasi_identifier", "easy_text")
    fields = check.fields(value, path, ("id", "text", "kind"), optional)
    question_id = check.pattern(fields["id"], f"{path}.id", IDENTIFIER, IDENTIFIER_HELP)
    text = check.text(fields["text"], f"{path}.text", max_length=300)
    # The easy-read words a respondent can switch to (same question, same answers).
    easy = check.text(fields.get("easy_text", ""), f"{path}.easy_text", max_length=300, empty=True)
    kind = fields["kind"]
    quasi = check.flag(fields.get("quasi_identifier", False), f"{path}.quasi_identifier")
    if kind == "choice":
        if "max_length" in fields:
            raise check.fail(f"{path}.max_length", "max_length applies only to text questions")
        if "options" not in fields:
            raise check.fail(f"{path}.options", "required field is missing")
        options = _options(check, fields["options"], f"{path}.options")
        return ContextQuestion(question_id, text, "choice", options, None, quasi, easy)
    if kind == "text":
        if "options" in fields:
            raise check.fail(f"{path}.options", "options apply only to choice questions")
        if quasi:
            raise check.fail(
                f"{path}.quasi_identifier",
                "only choice questions can be quasi-identifiers; free text is never "
                "used to split results into groups",
            )
        limit = fields.get("max_length", DEFAULT_TEXT_LENGTH)
        max_length = check.whole(limit, f"{path}.max_length", 1, MAX_TEXT_LENGTH)
        return ContextQuestion(question_id, text, "text", (), max_length, False, easy)
    raise check.fail(f"{path}.kind", f"expected 'choice' or 'text', got {cut(kind)}")


def _options(check: Checker, value: object, path: str) -> tuple[ChoiceOption, ...]:
    def option(entry: object, at: str) -> ChoiceOption:
        fields = check.fields(entry, at, ("value", "label"))
        return ChoiceOption(
            check.pattern(
                fields["value"],
                f"{at}.value",
                OPTION_VALUE,
                "use lowercase letters, digits, '_' or '-'",
            ),
            check.text(fields["label"], f"{at}.label", max_length=120),
        )

    options = check.items(value, path, option, minimum=2)
    for i, opt in enumerate(options):
        earlier = options[:i]
        if opt.value in {o.value for o in earlier}:
            raise check.fail(f"{path}[{i}].value", f"option value {cut(opt.value)} is given twice")
        if opt.label in {o.label for o in earlier}:
            raise check.fail(f"{path}[{i}].label", f"option label {cut(opt.label)} is given twice")
    return options


def _check_unique_ids(
    check: Checker, scales: tuple[Scale, ...], context: tuple[ContextQuestion, ...]
) -> None:
    # Scale keys prefix item ids and context ids stand alone; one namespace for both
    # keeps ids unambiguous in answers, exports and subgroup filters.
    owners: dict[str, str] = {}
    named = [(s.key, f"scales[{i}].key") for i, s in enumerate(scales)]
    named += [(c.id, f"context[{i}].id") for i, c in enumerate(context)]
    for name, path in named:
        if name in owners:
            raise check.fail(
                path, f"duplicate question id {cut(name)} (also used by {owners[name]})"
            )
        owners[name] = path.rsplit(".", 1)[0]


def _explicit_pages(check: Checker, value: object, ids: list[str]) -> tuple[Page, ...]:
    known = set(ids)
    placed: dict[str, str] = {}

    def page(entry: object, at: str) -> Page:
        fields = check.fields(entry, at, ("questions",), ("title",))
        title = check.text(fields.get("title", ""), f"{at}.title", max_length=120, empty=True)

        def question(qid: object, q_at: str) -> str:
            qid = check.text(qid, q_at)
            if qid not in known:
                raise check.fail(q_at, f"unknown question id {cut(qid)}")
            if qid in placed:
                raise check.fail(q_at, f"question {cut(qid)} is already on {placed[qid]}")
            placed[qid] = at
            return qid

        return Page(title, check.items(fields["questions"], f"{at}.questions", question))

    pages = check.items(value, "pages", page)
    for qid in ids:
        if qid not in placed:
            raise check.fail(
                "pages",
                f"question {cut(qid)} is on no page; "
                "every question must appear on exactly one page",
            )
    return pages


def default_pages(
    scales: tuple[Scale, ...], context: tuple[ContextQuestion, ...]
) -> tuple[Page, ...]:
    """Split each scale into near-equal pages of at most PAGE_SIZE items; context last."""
    pages: list[Page] = []
    for scale in scales:
        pages += [Page("", ids) for ids in split_evenly([item.id for item in scale.items])]
    if context:
        pages.append(Page(CONTEXT_PAGE_TITLE, tuple(c.id for c in context)))
    return tuple(pages)


def split_evenly(ids: list[str], size: int = PAGE_SIZE) -> list[tuple[str, ...]]:
    """Near-equal slices of at most `size`: 17 items make 5, 6 and 6, never a lone last item."""
    count = math.ceil(len(ids) / size)
    return [tuple(ids[len(ids) * i // count : len(ids) * (i + 1) // count]) for i in range(count)]
