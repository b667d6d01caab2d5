"""The parts every release payload shares: its header, its groups (listed from structure),
each group's entry, and storing the release (the step's one commit)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from survey.domain.groups import ALLIANCE, NOT_ANSWERED, ORGANISATION, TEAM, GroupKey
from survey.domain.questionnaire_model import ContextQuestion, Questionnaire
from survey.extensions import db
from survey.models import Wave
from survey.models.releases import Release

PAYLOAD_FORMAT = 2


def structural_groups(wave: Wave, questionnaire: Questionnaire) -> list[tuple[GroupKey, str]]:
    """Every group a release reports on, from the wave's teams and the questionnaire's options.

    Listing groups from structure rather than from the data means an empty group reads
    exactly like any other hidden one. An organisation-wide link's responses are reported
    for its organisation only: the team holding the link is no group of the release.
    """
    organisations = sorted({link.team.organisation for link in wave.links}, key=lambda o: o.name)
    teams = sorted(
        {link.team for link in wave.links if not link.organisation_wide},
        key=lambda t: (t.organisation.name, t.name),
    )
    bases: list[tuple[GroupKey, str]] = [(GroupKey(ALLIANCE), "All member organisations")]
    bases += [(GroupKey(ORGANISATION, str(o.id)), o.name) for o in organisations]
    bases += [(GroupKey(TEAM, str(t.id)), f"{t.organisation.name}: {t.name}") for t in teams]
    groups = list(bases)
    context = [c for c in questionnaire.context if c.quasi_identifier]
    for key, label in bases:
        for question in context:
            for value, value_label in _values(question):
                groups.append((key.subgroup(question.id, value), f"{label}, {value_label}"))
    return groups


def _values(question: ContextQuestion) -> list[tuple[str, str]]:
    return [(o.value, o.label) for o in question.options] + [(NOT_ANSWERED, "not answered")]


def entry(key: GroupKey, label: str, *, shown: bool) -> dict[str, Any]:
    """A group's entry in a payload, before its figures."""
    return {
        "key": str(key),
        "level": key.level,
        "id": key.id,
        "attribute": key.attribute,
        "value": key.value,
        "label": label,
        "shown": shown,
    }


def header(
    wave: Wave, questionnaire: Questionnaire, *, kind: str, sequence: int, today: date
) -> dict[str, Any]:
    """What every release payload starts with: the release, its wave and questionnaire."""
    return {
        "format": PAYLOAD_FORMAT,
        "kind": kind,
        "sequence": sequence,
        "k": wave.k,
        "made_on": today.isoformat(),
        "synthetic": wave.synthetic,
        "wave": {
            "id": wave.id,
            "name": wave.name,
            "opens_on": wave.opens_on.isoformat(),
            "closes_on": wave.last_day.isoformat(),
        },
        "questionnaire": {
            "key": questionnaire.key,
            "version": wave.questionnaire_version.version,
            "title": questionnaire.title,
        },
    }


def store(
    wave: Wave,
    sequence: int,
    kind: str,
    payload: dict[str, Any],
    ledger: dict[str, Any],
    *,
    sealed_truth: bytes | None = None,
) -> Release:
    """Add the release and commit (once), dated the day its payload says it was made.

    `sealed_truth`: each cell's truth, see `survey.services.release_truth`.
    """
    release = Release(
        wave_id=wave.id,
        sequence=sequence,
        kind=kind,
        made_on=date.fromisoformat(payload["made_on"]),
        payload=json.dumps(payload, sort_keys=True),
        ledger=json.dumps(ledger, sort_keys=True),
        sealed_truth=sealed_truth,
    )
    db.session.add(release)
    db.session.commit()
    return release
