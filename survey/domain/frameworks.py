"""Organisational review frameworks as data: load a YAML file into a validated Framework.

A framework file carries structure and citation only (see frameworks/roots.yaml):

    key: roots                    # slug
    version: 1
    name: Roots
    citation: Text
    licence: Text
    wording: {own: true, note: Text}   # own: the prompts are the core team's own words
    method: discussion            # discussion (an agreed rating per domain after a
                                  # facilitated session) or survey (completed anonymously)
    cycle_months: 12              # how long until the next review is due
    summary: agreed               # optional: agreed (default) or domain_mean
    rating:                       # levels (ordered, worst first) ...
      kind: levels
      levels: [{key: red, label: Red, meaning: Text}, ...]
    # ... or a numbered scale:  {kind: scale, low: 1, high: 5, not_applicable: true}
    perspectives:                 # who can be asked anonymously
      - {key: staff, label: Staff, intro: Text, why: Text, plain: false}
      # a plain perspective may add easy_read: {title, intro, why, free_text, thanks}
    domains:
      - key: safety
        name: Safety
        items: 0                  # optional: numbered items (wording imported, never bundled)
        prompts: {staff: Text}    # optional, one per perspective
        easy_read: {staff: Text}  # optional, only for plain perspectives
        descriptors: {red: Text}  # optional, only for rating levels

Every problem raises FrameworkError naming the file, the field and what was expected.
Adding a framework is adding a file: nothing here knows any framework by name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from survey.domain.framework_model import (
    EASY_READ_TEXTS,
    NOT_DISCUSSED,
    NOT_DISCUSSED_LABEL,
    Domain,
    Framework,
    Perspective,
    Rating,
    RatingLevel,
    domain_mean,
)
from survey.domain.yaml_checks import Checker, QuestionnaireError, cut, describe, parse_yaml

SLUG = re.compile(r"(?=.{1,40}\Z)[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
SLUG_HELP = "use up to 40 lowercase letters, digits and single hyphens, e.g. 'whole-system'"
METHODS = ("discussion", "survey")
SUMMARIES = ("agreed", "domain_mean")

TOP_REQUIRED = (
    "key",
    "version",
    "name",
    "citation",
    "licence",
    "wording",
    "method",
    "cycle_months",
    "rating",
    "perspectives",
    "domains",
)


class FrameworkError(QuestionnaireError):
    """A framework file is invalid; says where (file and field) and why."""


class _Checks(Checker):
    """The questionnaire field checks, reporting as FrameworkError."""

    def fail(self, path: str, message: str) -> FrameworkError:
        """Build the error for `path`."""
        return FrameworkError(self.source, path, message)


__all__ = [
    "EASY_READ_TEXTS",
    "NOT_DISCUSSED",
    "NOT_DISCUSSED_LABEL",
    "Domain",
    "Framework",
    "FrameworkError",
    "Perspective",
    "Rating",
    "RatingLevel",
    "build_framework",
    "domain_mean",
    "load_framework",
    "load_framework_file",
]


def load_framework(text: str, source: str) -> Framework:
    """Parse and validate framework YAML; `source` names it in errors."""
    try:
        document = parse_yaml(text, source)
    except FrameworkError:
        raise
    except QuestionnaireError as error:
        raise FrameworkError(error.source, error.path, error.message) from None
    return build_framework(document, source)


def load_framework_file(path: str | os.PathLike[str]) -> Framework:
    """Load and validate a framework file (UTF-8 YAML)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FrameworkError(file.name, "", "the file is not UTF-8 text") from None
    return load_framework(text, file.name)


def build_framework(document: object, source: str) -> Framework:
    """Check a parsed document field by field and build the Framework.

    The checker notes some problems and carries on (see `Checker.keep`); the first noted
    problem, or the one that stopped the build, is raised as a FrameworkError.
    """
    check = _Checks(source)
    try:
        built = _build_framework(check, document)
    except QuestionnaireError as error:
        if not check.found:
            raise
        built = None
        if error.problems:
            check.keep(error)
    if check.found:
        first = check.found[0]
        raise FrameworkError(first.source, first.path, first.message)
    assert built is not None  # noqa: S101  # nosec B101: no problem noted means it was built
    return built


def _build_framework(check: _Checks, document: object) -> Framework:
    top = check.fields(document, "", TOP_REQUIRED, ("summary",))
    wording = check.fields(top["wording"], "wording", ("own",), ("note",))
    method = _one_of(check, top["method"], "method", METHODS)
    rating = _rating(check, top["rating"])
    summary = _one_of(check, top.get("summary", "agreed"), "summary", SUMMARIES)
    if summary == "domain_mean" and rating.kind != "scale":
        raise check.fail("summary", "domain_mean needs a numbered rating (rating.kind: scale)")
    perspectives = check.items(
        top["perspectives"], "perspectives", lambda v, p: _perspective(check, v, p, rating)
    )
    _unique(check, [p.key for p in perspectives], "perspectives")
    domains = check.items(
        top["domains"], "domains", lambda v, p: _domain(check, v, p, rating, perspectives)
    )
    _unique(check, [d.key for d in domains], "domains")
    if summary == "domain_mean":
        for i, domain in enumerate(domains):
            if domain.items < 1:
                raise check.fail(f"domains[{i}].items", "domain_mean needs at least one item")
    return Framework(
        key=check.pattern(top["key"], "key", SLUG, SLUG_HELP),
        version=check.whole(top["version"], "version", 1, 1_000_000),
        name=check.text(top["name"], "name", max_length=120),
        citation=check.text(top["citation"], "citation", max_length=1000),
        licence=check.text(top["licence"], "licence", max_length=1000),
        own_wording=check.flag(wording["own"], "wording.own"),
        wording_note=check.text(wording.get("note", ""), "wording.note", empty=True),
        method=method,
        cycle_months=check.whole(top["cycle_months"], "cycle_months", 1, 60),
        summary=summary,
        rating=rating,
        perspectives=perspectives,
        domains=domains,
    )


def _one_of(check: _Checks, value: object, path: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise check.fail(path, f"expected one of {', '.join(allowed)}, got {cut(value)}")
    return value


def _unique(check: _Checks, keys: list[str], path: str) -> None:
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise check.fail(f"{path}[{i}].key", f"{cut(key)} is used twice")


def _rating(check: _Checks, raw: object) -> Rating:
    optional = ("levels", "low", "high", "not_applicable")
    value = check.fields(raw, "rating", ("kind",), optional)
    kind = _one_of(check, value["kind"], "rating.kind", ("levels", "scale"))
    if kind == "levels":
        if "low" in value or "high" in value:
            raise check.fail("rating", "levels take no low or high")
        levels = check.items(
            value.get("levels"), "rating.levels", lambda v, p: _level(check, v, p), minimum=2
        )
        _unique(check, [lv.key for lv in levels], "rating.levels")
        if NOT_DISCUSSED in {lv.key for lv in levels}:
            raise check.fail("rating.levels", f"{NOT_DISCUSSED!r} is reserved")
        return Rating(kind="levels", levels=levels, not_applicable=_na(check, value))
    if "levels" in value:
        raise check.fail("rating.levels", "a numbered scale takes low and high, not levels")
    low = check.whole(value.get("low"), "rating.low", 0, 10)
    high = check.whole(value.get("high"), "rating.high", low + 1, 11)
    return Rating(kind="scale", low=low, high=high, not_applicable=_na(check, value))


def _na(check: _Checks, value: dict[str, object]) -> bool:
    return check.flag(value.get("not_applicable", False), "rating.not_applicable")


def _level(check: _Checks, value: object, path: str) -> RatingLevel:
    fields = check.fields(value, path, ("key", "label"), ("meaning",))
    return RatingLevel(
        key=check.pattern(fields["key"], f"{path}.key", SLUG, SLUG_HELP),
        label=check.text(fields["label"], f"{path}.label", max_length=40),
        meaning=check.text(
            fields.get("meaning", ""), f"{path}.meaning", max_length=200, empty=True
        ),
    )


def _perspective(check: _Checks, value: object, path: str, rating: Rating) -> Perspective:
    optional = ("title", "intro", "why", "plain", "answers", "free_text", "thanks", "easy_read")
    fields = check.fields(value, path, ("key", "label"), optional)
    levels = tuple(lv.key for lv in rating.levels)
    answers = _texts(check, fields.get("answers"), f"{path}.answers", levels, "rating level")
    plain = check.flag(fields.get("plain", False), f"{path}.plain")
    if "easy_read" in fields and not plain:
        raise check.fail(f"{path}.easy_read", "easy-read wording is for plain perspectives only")
    easy = _texts(check, fields.get("easy_read"), f"{path}.easy_read", EASY_READ_TEXTS, "text")
    return Perspective(
        key=_perspective_key(check, fields["key"], f"{path}.key"),
        label=check.text(fields["label"], f"{path}.label", max_length=80),
        title=check.text(fields.get("title", ""), f"{path}.title", max_length=120, empty=True),
        intro=check.text(fields.get("intro", ""), f"{path}.intro", max_length=1000, empty=True),
        why=check.text(fields.get("why", ""), f"{path}.why", max_length=1000, empty=True),
        plain=plain,
        answers=answers,
        free_text=check.text(
            fields.get("free_text", ""), f"{path}.free_text", max_length=300, empty=True
        ),
        thanks=check.text(fields.get("thanks", ""), f"{path}.thanks", max_length=1000, empty=True),
        easy_read=easy,
    )


_PERSPECTIVE_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}", re.ASCII)


def _perspective_key(check: _Checks, value: object, path: str) -> str:
    return check.pattern(
        value,
        path,
        _PERSPECTIVE_KEY,
        "use a lowercase letter, then lowercase letters, digits or '_'",
    )


def _texts(
    check: _Checks, value: object, path: str, allowed: tuple[str, ...], what: str
) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise check.fail(path, f"expected a mapping of {what} to text, got {describe(value)}")
    texts: dict[str, str] = {}
    for name, text in value.items():
        if name not in allowed:
            raise check.fail(
                f"{path}.{name}",
                f"not a {what} of this framework; expected one of {', '.join(allowed) or 'none'}",
            )
        texts[name] = check.text(text, f"{path}.{name}", max_length=500)
    return MappingProxyType(texts)


def _domain(
    check: _Checks,
    value: object,
    path: str,
    rating: Rating,
    perspectives: tuple[Perspective, ...],
) -> Domain:
    fields = check.fields(
        value, path, ("key", "name"), ("items", "prompts", "easy_read", "descriptors")
    )
    every = tuple(p.key for p in perspectives)
    plain = tuple(p.key for p in perspectives if p.plain)
    prompts = _texts(check, fields.get("prompts"), f"{path}.prompts", every, "perspective")
    easy = _texts(check, fields.get("easy_read"), f"{path}.easy_read", plain, "plain perspective")
    levels = tuple(lv.key for lv in rating.levels)
    descriptors = _texts(
        check, fields.get("descriptors"), f"{path}.descriptors", levels, "rating level"
    )
    return Domain(
        key=check.pattern(fields["key"], f"{path}.key", SLUG, SLUG_HELP),
        name=check.text(fields["name"], f"{path}.name", max_length=80),
        items=check.whole(fields.get("items", 0), f"{path}.items", 0, 100),
        prompts=prompts,
        easy_read=easy,
        descriptors=descriptors,
    )
