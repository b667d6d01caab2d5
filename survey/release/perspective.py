"""The release of a perspective survey (a wave of a review questionnaire).

The same door as screening: rows opened by `opened_responses`, counts planned by the same
`plan_release` (k, complement, time), and each domain's split across the rating levels
coded by the same band coding (see survey.domain.perspectives). No scales, no scores.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from survey.domain.band_release import BandRelease
from survey.domain.disclosure import SUPPRESSED_TEXT, Ledger, plan_release
from survey.domain.frameworks import Framework
from survey.domain.perspectives import PerspectiveTally, code_perspective_release, share_labels
from survey.domain.questionnaire_model import Questionnaire, ReviewSpec
from survey.models import Wave
from survey.models.releases import Release
from survey.release.payload import entry, header, store, structural_groups
from survey.release.rows import opened_responses, releases_of


def perspective_release(
    wave: Wave,
    kek: bytes,
    questionnaire: Questionnaire,
    spec: ReviewSpec,
    framework: Framework,
    *,
    kind: str,
    today: date,
    exclude_failed: bool = False,
) -> Release:
    """A perspective survey's release: counts by the same plan, each domain's split across
    the rating levels coded by the same band coding (commits once)."""
    tally = PerspectiveTally(spec, framework.rating.keys)
    for organisation_id, team_id, answers in opened_responses(
        wave, kek, exclude_failed=exclude_failed
    ):
        tally.add(str(organisation_id), str(team_id), answers)
    earlier = releases_of(wave.id)
    ledgers = [json.loads(r.ledger) for r in earlier]
    history = [Ledger.from_json(e["groups"]) for e in ledgers]
    plan = plan_release(tally.cell_counts(), wave.k, history, final=kind == "final")
    domains = [key for _, key in spec.domains]
    coded_history = {d: [BandRelease.from_json(e["bands"][d]) for e in ledgers] for d in domains}
    coded = code_perspective_release(plan, tally.group_counts(plan), framework, coded_history)
    groups: dict[str, Any] = {}
    structural = structural_groups(wave, questionnaire)
    for key, label in structural:
        group = entry(key, label, shown=key in plan.visible) | {"scales": {}}
        if key in plan.visible:
            group["n"] = plan.counts[key]
            group["domains"] = {d: coded[d].shown[key].to_json() for d in domains}
        else:
            group["text"] = SUPPRESSED_TEXT
        groups[str(key)] = group
    sequence = len(earlier) + 1
    payload = header(wave, questionnaire, kind=kind, sequence=sequence, today=today) | {
        "review": {
            "framework": framework.key,
            "perspective": spec.perspective,
            "categories": share_labels(framework),
            "domains": [{"key": d, "name": framework.domain(d).name} for d in domains],
        },
        "scales": [],
        "groups": groups,
        "order": [str(key) for key, _ in structural],
    }
    ledger = {"groups": plan.ledger.to_json(), "bands": {d: coded[d].to_json() for d in domains}}
    return store(wave, sequence, kind, payload, ledger)
