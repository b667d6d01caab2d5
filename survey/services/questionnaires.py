"""Storing questionnaire versions and turning them back into domain definitions."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from survey.domain.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from survey.extensions import db
from survey.models import QuestionnaireVersion

_VERSION_LINE = re.compile(r"^version:[ \t]*\d+[ \t]*$", re.MULTILINE)


@lru_cache(maxsize=64)
def _parse(source: str, label: str) -> Questionnaire:
    return load_questionnaire(source, label)


def definition(version: QuestionnaireVersion) -> Questionnaire:
    """The validated definition of a stored version (parsed once per process)."""
    return _parse(version.source, f"{version.key} v{version.version}")


@lru_cache(maxsize=64)
def definition_by_fingerprint(version_id: int, fingerprint: str) -> Questionnaire:
    """The definition of a stored version, read and parsed once per process.

    Keyed by the content fingerprint too, so a cached definition can never stand for other
    content under the same id (a restored or rebuilt database); versions are immutable.
    """
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None or version.fingerprint != fingerprint:
        raise LookupError(f"questionnaire version {version_id} ({fingerprint[:12]}) is not stored")
    return definition(version)


def store_questionnaire(source: str, label: str) -> QuestionnaireVersion:
    """Validate a questionnaire and store it, reusing an identical stored version.

    A changed definition under an existing key becomes the next version, so
    responses keep the version they were given.
    """
    parsed = load_questionnaire(source, label)
    existing = db.session.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.key == parsed.key)
    ).all()
    for version in existing:
        if version.fingerprint == parsed.fingerprint:
            return version
    latest = max((v.version for v in existing), default=0)
    number = max(parsed.version, latest + 1)
    if number != parsed.version:
        # Keep the stored file truthful: a download says the version it is stored as.
        source = _VERSION_LINE.sub(f"version: {number}", source, count=1)
        parsed = load_questionnaire(source, label)
    row = QuestionnaireVersion(
        key=parsed.key,
        version=number,
        title=parsed.title,
        source=source,
        fingerprint=parsed.fingerprint,
    )
    db.session.add(row)
    db.session.commit()
    return row


def store_questionnaire_file(path: Path) -> QuestionnaireVersion:
    """Validate and store a questionnaire file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise QuestionnaireError(
            path.name, "", f"is not UTF-8 text (byte {error.start}); save it as UTF-8 and try again"
        ) from None
    return store_questionnaire(text, path.name)
