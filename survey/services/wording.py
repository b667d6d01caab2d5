"""New questionnaire versions from the core team: uploaded or edited YAML, and licensed wording.

Nothing is stored unless the whole definition validates. A changed definition always
becomes a new version (`store_questionnaire` versions by fingerprint), so responses keep
the version they were given. Licensed item wording for a scale template comes from a YAML
or CSV file mapping item number to wording, checked against the template's items.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml
from sqlalchemy import func, select

from survey.domain.questionnaire import QuestionnaireError, load_questionnaire
from survey.domain.templates import ScaleTemplate
from survey.domain.yaml_checks import cut, describe, parse_yaml
from survey.extensions import db
from survey.models import QuestionnaireVersion, User
from survey.services.accounts import record_event
from survey.services.questionnaires import definition, store_questionnaire

# The questionnaire loader's own limit for one item's wording.
MAX_ITEM_LENGTH = 300


@dataclass(frozen=True)
class Stored:
    """The version a source was stored as, and whether it is new (False: identical to one)."""

    version: QuestionnaireVersion
    created: bool


def decode(data: bytes, filename: str) -> str:
    """Uploaded bytes as text; anything but UTF-8 is refused with the file's name."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuestionnaireError(
            filename, "", f"is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again"
        ) from None


def store_source(source: str, label: str, *, actor: User, action: str) -> Stored:
    """Validate and store a questionnaire source, reusing an identical version; audited."""
    parsed = load_questionnaire(source, label)  # raises before anything is written
    identical = db.session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == parsed.key,
            QuestionnaireVersion.fingerprint == parsed.fingerprint,
        )
    )
    if identical is not None:
        return Stored(identical, created=False)
    row = store_questionnaire(source, label)
    record_event(
        action,
        user=actor,
        target=f"questionnaire_version:{row.id}",
        detail=f"{row.key} v{row.version} from {label}",
    )
    return Stored(row, created=True)


def read_wording(data: bytes, filename: str, template: ScaleTemplate) -> dict[int, str]:
    """Item number to wording from a YAML or CSV file, checked against the template's items."""
    text = decode(data, filename)
    if PurePath(filename).suffix.lower() == ".csv":
        found = _from_csv(text, filename)
    else:
        found = _from_yaml(text, filename, template)
    for number in template.item_numbers:
        if number not in found:
            raise QuestionnaireError(
                filename,
                f"item {number}",
                f"wording is missing; the {template.key} template has items 1-{template.n_items}",
            )
    for number, (where, wording) in found.items():
        if number not in template.item_numbers:
            raise QuestionnaireError(
                filename,
                where,
                f"the {template.key} template has no item {number} (items 1-{template.n_items})",
            )
        if not wording:
            raise QuestionnaireError(filename, where, "the wording is empty")
        if len(wording) > MAX_ITEM_LENGTH:
            raise QuestionnaireError(
                filename, where, f"the wording must be at most {MAX_ITEM_LENGTH} characters"
            )
    return {number: wording for number, (_, wording) in sorted(found.items())}


def _number(raw: object) -> int | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _add(
    found: dict[int, tuple[str, str]], filename: str, where: str, raw: object, text: str
) -> None:
    number = _number(raw)
    if number is None:
        raise QuestionnaireError(filename, where, f"expected an item number, got {cut(raw)}")
    if number in found:
        raise QuestionnaireError(filename, where, f"item {number} is given twice")
    found[number] = (where, text.strip())


def _from_csv(text: str, filename: str) -> dict[int, tuple[str, str]]:
    try:
        return _csv_rows(text, filename)
    except csv.Error as error:
        # The csv module's own refusals (a stray carriage return, a NUL): say where, briefly.
        raise QuestionnaireError(
            filename, "", f"the CSV cannot be read: {cut(str(error))}"
        ) from None


def _csv_rows(text: str, filename: str) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    # newline="": the csv module reads line endings itself (a carriage return inside a
    # quoted cell stays part of it), as its documentation asks.
    for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [cell for cell in row if cell.strip()]
        if not cells:
            continue
        where = f"row {line}"
        if not found and _number(cells[0]) is None:
            continue  # a header row such as "item,wording"
        if len(cells) != 2:
            raise QuestionnaireError(
                filename, where, f"expected two columns (item number, wording), got {len(cells)}"
            )
        _add(found, filename, where, cells[0], cells[1])
    return found


def _from_yaml(text: str, filename: str, template: ScaleTemplate) -> dict[int, tuple[str, str]]:
    document = parse_yaml(text, filename)
    items: object = document
    if isinstance(document, dict) and "items" in document:
        named = document.get("template", template.key)
        if named != template.key:
            raise QuestionnaireError(
                filename, "template", f"this file is for {cut(named)}, not {template.key!r}"
            )
        items = document["items"]
    if not isinstance(items, dict):
        raise QuestionnaireError(
            filename,
            "items",
            f"expected a mapping of item number to wording, got {describe(items)}",
        )
    found: dict[int, tuple[str, str]] = {}
    for raw, wording in items.items():
        where = f"items.{raw}"
        if not isinstance(wording, str):
            raise QuestionnaireError(filename, where, f"expected text, got {describe(wording)}")
        _add(found, filename, where, raw, wording)
    return found


def _next_version(key: str) -> int:
    latest = db.session.scalar(
        select(func.max(QuestionnaireVersion.version)).where(QuestionnaireVersion.key == key)
    )
    return int(latest or 0) + 1


def with_wording(
    version: QuestionnaireVersion, scale_key: str, wording: dict[int, str], filename: str
) -> str:
    """The version's YAML with one scale's items replaced, numbered as the next version."""
    document: Any = yaml.safe_load(version.source)  # validated when it was stored
    entries = [
        entry for entry in document["scales"] if entry.get("key", entry["template"]) == scale_key
    ]
    if len(entries) != 1:
        raise QuestionnaireError(filename, "", f"the questionnaire has no scale {cut(scale_key)}")
    entries[0]["items"] = dict(wording)
    note = f"Item wording of scale '{scale_key}' imported from {filename} under its licence."
    if len(document["scales"]) == 1:
        # The only scale now carries imported wording, so the demo label no longer applies.
        document["wording"] = {"demo": False, "note": note}
    else:
        earlier = str(document["wording"].get("note", "")).strip()
        document["wording"]["note"] = f"{earlier} {note}".strip()
    new_number = _next_version(version.key)
    document["version"] = new_number
    header = (
        f"# Made by Lantern from {version.key} version {version.version}, with the wording "
        f"of scale '{scale_key}' imported from {filename}.\n"
    )
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def import_wording(
    version: QuestionnaireVersion, scale_key: str, data: bytes, filename: str, *, actor: User
) -> Stored:
    """Store a new version whose scale `scale_key` uses wording read from a file; audited."""
    scale = next((s for s in definition(version).scales if s.key == scale_key), None)
    if scale is None:
        raise QuestionnaireError(filename, "", f"the questionnaire has no scale {cut(scale_key)}")
    wording = read_wording(data, filename, scale.template)
    if wording == {item.number: item.text for item in scale.items}:
        raise QuestionnaireError(
            filename, "", f"version {version.version} already has exactly this wording"
        )
    source = with_wording(version, scale_key, wording, filename)
    label = f"{version.key} v{version.version} with wording from {filename}"
    return store_source(source, label, actor=actor, action="wording imported")
