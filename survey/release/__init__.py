"""The release step: open → score → aggregate → disclosure rules → an immutable Release.

This is the single door through which any figure reaches a lead, the API or an export.
Responses are streamed: opened, scored and folded into per-cell accumulators one at a
time, so memory grows with the number of cells, not the number of responses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import func, select

from survey.domain.aggregate import ScaleCell, WaveAggregate
from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.disclosure import SUPPRESSED_TEXT, Ledger, Plan, plan_release
from survey.domain.figures import Figures, release_figures, whole_scores
from survey.domain.groups import (
    ALLIANCE,
    NOT_ANSWERED,
    ORGANISATION,
    TEAM,
    GroupKey,
    build_structure,
)
from survey.domain.magnitude import compare_released
from survey.domain.participation import group_headcount, rate_figure
from survey.domain.perspectives import PerspectiveTally, code_perspective_release, share_labels
from survey.domain.questionnaire_model import (
    Answers,
    ContextQuestion,
    Questionnaire,
    ReviewSpec,
)
from survey.domain.sealing import OpenFailed, SealContext, SealingError, open_wave
from survey.extensions import db
from survey.models import QuestionnaireVersion, Response, Team, Wave
from survey.models.releases import Release
from survey.services.batches import flush_pending
from survey.services.frameworks import framework_for
from survey.services.integrity import IntegrityReport, RowAudit, StoredRow, stored_rows_and_tally
from survey.services.questionnaires import definition

PAYLOAD_FORMAT = 2
STREAM_BATCH = 1000

Progress = Callable[[int], None]
# The accumulators of every group the plan shows, per scale key.
Shown = dict[GroupKey, dict[str, ScaleCell]]


class ReleaseError(ValueError):
    """This release cannot be made now; the message says why."""


def releases_of(wave_id: int) -> list[Release]:
    """A wave's releases, oldest first."""
    return list(
        db.session.scalars(
            select(Release).where(Release.wave_id == wave_id).order_by(Release.sequence)
        )
    )


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


def opened_responses(
    wave: Wave, kek: bytes, *, exclude_failed: bool = False
) -> Iterator[tuple[int, int, Answers]]:
    """(organisation id, team id, answers) of each response, opened one at a time.

    Every row is checked against its integrity tag and the wave's tally as it streams. A
    row that fails (forged, moved, copied, damaged) is never opened into a figure; if any
    failed, or rows are missing, the release is refused at the end (nothing is stored yet)
    unless the core team confirmed releasing without them (`exclude_failed`).
    """
    org_of = {team: org for team, org in db.session.execute(select(Team.id, Team.organisation_id))}
    try:
        opener = open_wave(wave.wrapped_private_key, kek, wave.id)
    except SealingError:
        raise ReleaseError(
            "the key-encryption key cannot unwrap this wave's key; nothing was released"
        ) from None
    audit, unopened = RowAudit(wave.id), 0
    rows = stored_rows_and_tally(wave.id)
    for row in db.session.execute(rows.execution_options(yield_per=STREAM_BATCH)):
        stored = StoredRow(*row)
        # Pending rows (arrived since the flush) count towards the tally, not this release.
        if not audit.admit(stored) or stored.kind != "response":
            continue
        context = SealContext(wave.id, stored.team_id, str(stored.id))
        try:
            answers = opener.open(context, stored.sealed)
        except OpenFailed:
            unopened += 1
            continue
        yield org_of[stored.team_id], stored.team_id, answers
    report = audit.report(unopened=unopened)
    if not report.ok and not exclude_failed:
        raise IntegrityRefusal(report)


class IntegrityRefusal(ReleaseError):
    """Some stored rows are not the ones Lantern stored; the release was refused."""

    def __init__(self, report: IntegrityReport) -> None:
        self.report = report
        failed = f"{report.failed} stored response(s) failed the integrity check"
        self.summary = f"nothing was released: {failed} ({'; '.join(report.findings())})"
        super().__init__(
            f"{self.summary}. Run `flask keys verify` for every wave's details; to release "
            "without the failing rows, confirm it (--exclude-failed, or the box on the "
            "release page)"
        )


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
        return _perspective_release(
            wave,
            kek,
            questionnaire,
            questionnaire.review,
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
    figures, bands = release_figures(
        questionnaire,
        shown,
        plan,
        history,
        earlier_groups,
        bands=every_band,
        whole_scores=whole_scores(aggregate.merged(aggregate.cells)),
    )
    sequence = len(earlier) + 1
    payload = _payload(
        wave, questionnaire, figures, plan, bands, today=today, sequence=sequence, kind=kind
    )
    ledger = {"groups": plan.ledger.to_json(), "bands": {k: b.to_json() for k, b in bands.items()}}
    return _store(wave, sequence, kind, payload, ledger)


def _perspective_release(
    wave: Wave,
    kek: bytes,
    questionnaire: Questionnaire,
    spec: ReviewSpec,
    *,
    kind: str,
    today: date,
    exclude_failed: bool = False,
) -> Release:
    """A perspective survey's release: counts by the same plan, each domain's split across
    the rating levels coded by the same band coding (see survey.domain.perspectives)."""
    framework = framework_for(spec.framework)
    tally = PerspectiveTally(spec, framework.rating.keys)
    for organisation_id, team_id, answers in opened_responses(
        wave, kek, exclude_failed=exclude_failed
    ):
        tally.add(str(organisation_id), str(team_id), answers)
    earlier = releases_of(wave.id)
    ledgers = [json.loads(r.ledger) for r in earlier]
    history = [Ledger.from_json(entry["groups"]) for entry in ledgers]
    plan = plan_release(tally.cell_counts(), wave.k, history, final=kind == "final")
    domains = [key for _, key in spec.domains]
    coded_history = {d: [BandRelease.from_json(e["bands"][d]) for e in ledgers] for d in domains}
    coded = code_perspective_release(plan, tally.group_counts(plan), framework, coded_history)
    groups: dict[str, Any] = {}
    structural = _structural_groups(wave, questionnaire)
    for key, label in structural:
        entry = _entry(key, label, shown=key in plan.visible) | {"scales": {}}
        if key in plan.visible:
            entry["n"] = plan.counts[key]
            entry["domains"] = {d: coded[d].shown[key].to_json() for d in domains}
        else:
            entry["text"] = SUPPRESSED_TEXT
        groups[str(key)] = entry
    sequence = len(earlier) + 1
    payload = _header(wave, questionnaire, kind=kind, sequence=sequence, today=today) | {
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
    return _store(wave, sequence, kind, payload, ledger)


def _store(
    wave: Wave, sequence: int, kind: str, payload: dict[str, Any], ledger: dict[str, Any]
) -> Release:
    """Add the release and commit (once)."""
    release = Release(
        wave_id=wave.id,
        sequence=sequence,
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        ledger=json.dumps(ledger, sort_keys=True),
    )
    db.session.add(release)
    db.session.commit()
    return release


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


def _structural_groups(wave: Wave, questionnaire: Questionnaire) -> list[tuple[GroupKey, str]]:
    """Every group a release reports on, from the wave's teams and the questionnaire's options.

    Listing groups from structure rather than from the data means an empty group reads
    exactly like any other hidden one.
    """
    teams = sorted({link.team for link in wave.links}, key=lambda t: (t.organisation.name, t.name))
    organisations = sorted({team.organisation for team in teams}, key=lambda o: o.name)
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


def _entry(key: GroupKey, label: str, *, shown: bool) -> dict[str, Any]:
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


def _header(
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
    structural = _structural_groups(wave, questionnaire)
    prior = previous_release(wave)
    previous = json.loads(prior.payload) if prior is not None else None
    headcounts = _headcounts(wave)
    groups: dict[str, Any] = {}
    for key, label in structural:
        entry = _entry(key, label, shown=key in shown)
        if key not in shown:
            entry["text"] = SUPPRESSED_TEXT
        else:
            entry["n"] = plan.counts[key]
            if key.attribute is None:
                entry["participation"] = rate_figure(entry["n"], headcounts.get(key), wave.k)
            entry["scales"] = {}
            for scale in questionnaire.scales:
                figures = dict(shown[key][scale.key])
                entry["precision"] = figures["precision"]
                figures["bands"] = bands[scale.key].shown[key].to_json()
                figures["comparison"] = _comparison(
                    previous, str(key), scale.key, figures["headline"]
                )
                entry["scales"][scale.key] = figures
        groups[str(key)] = entry
    return _header(wave, questionnaire, kind=kind, sequence=sequence, today=today) | {
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
