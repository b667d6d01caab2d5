"""The release step: open → score → aggregate → disclosure rules → an immutable Release.

This is the single door through which any figure reaches a lead, the API or an export.
Responses are streamed: opened, scored and folded into per-cell accumulators one at a
time, so memory grows with the number of cells, not the number of responses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from survey.domain.aggregate import ScaleCell, WaveAggregate
from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.disclosure import SUPPRESSED_TEXT, Ledger, Plan, plan_release
from survey.domain.figures import Figures, release_figures, whole_scores
from survey.domain.groups import ALLIANCE, ORGANISATION, TEAM, GroupKey, build_structure
from survey.domain.joint_truth import truth_of
from survey.domain.magnitude import compare_released
from survey.domain.participation import group_headcount, rate_figure
from survey.domain.questionnaire_model import Questionnaire
from survey.domain.sealing import open_wave
from survey.extensions import db
from survey.models import QuestionnaireVersion, Response, Wave
from survey.models.releases import Release
from survey.release.payload import PAYLOAD_FORMAT, entry, header, store, structural_groups
from survey.release.perspective import perspective_release
from survey.release.rows import (
    STREAM_BATCH,
    IntegrityRefusal,
    ReleaseError,
    opened_responses,
    releases_of,
)
from survey.services.batches import flush_pending
from survey.services.frameworks import framework_for
from survey.services.questionnaires import definition
from survey.services.release_truth import seal_truth, truth_history

__all__ = [
    "PAYLOAD_FORMAT",
    "STREAM_BATCH",
    "IntegrityRefusal",
    "ReleaseError",
    "aggregate_wave",
    "check_release_allowed",
    "count_responses",
    "make_release",
    "opened_responses",
    "previous_release",
    "releases_of",
]

Progress = Callable[[int], None]
# The accumulators of every group the plan shows, per scale key.
Shown = dict[GroupKey, dict[str, ScaleCell]]


def check_release_allowed(wave: Wave, kind: str, today: date) -> None:
    """Refuse releases the time rule does not allow: one final release, after the wave closes."""
    previous = releases_of(wave.id)
    if any(r.kind == "final" for r in previous):
        raise ReleaseError("this wave has had its final release; releases are never remade")
    if kind == "final" and today <= wave.last_day:
        raise ReleaseError(
            f"the wave is open until {wave.last_day}; close it first or make an interim release"
        )
    if kind == "interim":
        if wave.release_mode != "interim":
            raise ReleaseError(
                "this wave is released once, when it closes (release mode 'at close')"
            )
        if today > wave.last_day:
            raise ReleaseError("the wave has closed: make its final release instead")
    if kind not in ("interim", "final"):
        raise ReleaseError(f"unknown release kind {kind!r}")


def count_responses(wave_id: int) -> int:
    """How many sealed responses a wave holds (for progress bars; never shown to leads)."""
    flush_pending(wave_id)
    query = select(func.count()).select_from(Response).where(Response.wave_id == wave_id)
    return int(db.session.scalar(query) or 0)


def aggregate_wave(
    wave: Wave, kek: bytes, progress: Progress | None = None, *, exclude_failed: bool = False
) -> WaveAggregate:
    """Open, score and aggregate every response of a wave, one at a time."""
    aggregate = WaveAggregate(definition(wave.questionnaire_version))
    for organisation_id, team_id, answers in opened_responses(
        wave, kek, exclude_failed=exclude_failed
    ):
        aggregate.add(str(organisation_id), str(team_id), answers)
        if progress is not None:
            progress(1)
    return aggregate


def make_release(
    wave: Wave,
    kek: bytes,
    *,
    kind: str,
    today: date,
    progress: Progress | None = None,
    exclude_failed: bool = False,
) -> Release:
    """Make and store the next release of a wave (commits once); ReleaseError says why not."""
    flush_pending(wave.id)
    check_release_allowed(wave, kind, today)
    questionnaire = definition(wave.questionnaire_version)
    if questionnaire.review is not None:
        return perspective_release(
            wave,
            kek,
            questionnaire,
            questionnaire.review,
            framework_for(questionnaire.review.framework),
            kind=kind,
            today=today,
            exclude_failed=exclude_failed,
        )
    aggregate = aggregate_wave(wave, kek, progress, exclude_failed=exclude_failed)
    earlier = releases_of(wave.id)
    ledgers = [json.loads(r.ledger) for r in earlier]
    history = [Ledger.from_json(entry["groups"]) for entry in ledgers]
    plan = plan_release(aggregate.cell_counts(), wave.k, history, final=kind == "final")
    # Each shown group's cells folded together once, for the band coding and the payload.
    shown = {key: aggregate.merged(cells) for key, cells in _members(aggregate, plan).items()}
    every_band = _code_bands(questionnaire, shown, plan, ledgers)
    earlier_groups = [json.loads(r.payload)["groups"] for r in earlier]
    opener = open_wave(wave.wrapped_private_key, kek, wave.id)  # it opened once already
    truth_now = truth_of(aggregate.cells)
    figures, bands = release_figures(
        questionnaire,
        shown,
        plan,
        history,
        earlier_groups,
        bands=every_band,
        whole_scores=whole_scores(aggregate.merged(aggregate.cells)),
        truth=truth_history(opener, earlier, truth_now),
    )
    sequence = len(earlier) + 1
    payload = _payload(
        wave, questionnaire, figures, plan, bands, today=today, sequence=sequence, kind=kind
    )
    ledger = {"groups": plan.ledger.to_json(), "bands": {k: b.to_json() for k, b in bands.items()}}
    sealed = seal_truth(opener, sequence, truth_now)
    return store(wave, sequence, kind, payload, ledger, sealed_truth=sealed)


def _members(aggregate: WaveAggregate, plan: Plan) -> dict[GroupKey, list[Any]]:
    structure = build_structure(aggregate.cells)
    return {
        key: [structure.cells[i] for i in structure.members[key]]
        for key in plan.visible
        if key in structure.members
    }


def _code_bands(
    questionnaire: Questionnaire, shown: Shown, plan: Plan, ledgers: list[Any]
) -> dict[str, list[BandRelease]]:
    """Every scale's coded breakdowns at each earlier release, and this release's last."""
    coded: dict[str, list[BandRelease]] = {}
    for scale in questionnaire.scales:
        bands = scale.template.headline_bands()
        counts = {
            key: scales[scale.key].headline.band_counts([b.low for b in bands])
            for key, scales in shown.items()
        }
        history = [BandRelease.from_json(entry["bands"][scale.key]) for entry in ledgers]
        now = code_release_bands(plan, counts, [b.label for b in bands], history)
        coded[scale.key] = [*history, now]
    return coded


def previous_release(wave: Wave) -> Release | None:
    """The final release of the latest earlier wave of the same questionnaire, for comparison."""
    key = wave.questionnaire_version.key
    return db.session.scalars(
        select(Release)
        .join(Wave, Release.wave_id == Wave.id)
        .join(QuestionnaireVersion, Wave.questionnaire_version_id == QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.key == key,
            Release.kind == "final",
            Wave.id != wave.id,
            func.coalesce(Wave.closed_early_on, Wave.closes_on) < wave.opens_on,
        )
        .order_by(func.coalesce(Wave.closed_early_on, Wave.closes_on).desc())
        .limit(1)
    ).first()


def _comparison(previous: dict[str, Any] | None, group: str, scale: str, current: Any) -> Any:
    """The change since the previous round, from the two releases' own figures only."""
    if previous is None:
        return None
    old = previous["groups"].get(group)
    if not old or not old["shown"] or scale not in old["scales"]:
        return None
    change = compare_released(old["scales"][scale]["headline"], current)
    if change is None:
        return None
    return {"previous_wave": previous["wave"]["name"], **change}


def _headcounts(wave: Wave) -> dict[GroupKey, int | None]:
    """Each base group's public headcount (a parent's only when all its teams have one)."""
    by_team = {link.team_id: (link.team.organisation_id, link.headcount) for link in wave.links}
    found: dict[GroupKey, int | None] = {
        GroupKey(TEAM, str(team)): headcount for team, (_, headcount) in by_team.items()
    }
    found[GroupKey(ALLIANCE)] = group_headcount(h for _, h in by_team.values())
    for org in {org for org, _ in by_team.values()}:
        members = (h for o, h in by_team.values() if o == org)
        found[GroupKey(ORGANISATION, str(org))] = group_headcount(members)
    return found


def _payload(
    wave: Wave,
    questionnaire: Questionnaire,
    shown: Figures,
    plan: Plan,
    bands: dict[str, BandRelease],
    *,
    today: date,
    sequence: int,
    kind: str,
) -> dict[str, Any]:
    structural = structural_groups(wave, questionnaire)
    prior = previous_release(wave)
    previous = json.loads(prior.payload) if prior is not None else None
    headcounts = _headcounts(wave)
    groups: dict[str, Any] = {}
    for key, label in structural:
        group = entry(key, label, shown=key in shown)
        if key not in shown:
            group["text"] = SUPPRESSED_TEXT
        else:
            group["n"] = plan.counts[key]
            if key.attribute is None:
                group["participation"] = rate_figure(group["n"], headcounts.get(key), wave.k)
            group["scales"] = {}
            for scale in questionnaire.scales:
                figures = dict(shown[key][scale.key])
                group["precision"] = figures["precision"]
                figures["bands"] = bands[scale.key].shown[key].to_json()
                figures["comparison"] = _comparison(
                    previous, str(key), scale.key, figures["headline"]
                )
                group["scales"][scale.key] = figures
        groups[str(key)] = group
    return header(wave, questionnaire, kind=kind, sequence=sequence, today=today) | {
        "scales": [
            {
                "key": s.key,
                "name": s.template.name,
                "template": s.template.key,
                "headline": s.template.headline,
                "bands": [b.label for b in s.template.headline_bands()],
                "range": [s.template.headline_bands()[0].low, s.template.headline_bands()[-1].high],
                "citation": s.template.citation,
            }
            for s in questionnaire.scales
        ],
        "groups": groups,
        "order": [str(key) for key, _ in structural],
    }
