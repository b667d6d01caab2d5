"""Which releases a signed-in person may read, and which of their groups.

Read-only: the results pages, the CSV export and the JSON API all come through here.
A release's internal ledger is never loaded (the column is deferred with `raiseload`,
so any attempt to read it fails loudly instead of leaking).

Visibility follows the grants: the core team sees every group; a lead sees the team
groups of their visible teams, the organisation groups of organisations they were
granted, and never the alliance. Subgroups ("team 3, clinical roles") follow their base
group. A release is visible to a lead only when one of their teams took part in its wave.

A release is found by its wave and its number in that wave, and only the day it was made
is kept: a global id or an instant would tell a lead how many releases other waves had,
and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import defer, joinedload

from survey.domain.wave_state import status_of
from survey.extensions import db
from survey.models import QuestionnaireVersion, Release, SurveyLink, User, Wave
from survey.services.accounts import (
    record_event,
    visible_organisation_ids,
    visible_team_ids,
)
from survey.services.questionnaires import definition

RELEASE_VIEWED = "release.viewed"
RELEASE_EXPORTED = "release.exported"
# Largest value the integer columns hold; a larger one in a URL is simply "not found".
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Scope:
    """What one person may see: everything (core team) or the listed teams and organisations."""

    core: bool
    team_ids: frozenset[int]
    organisation_ids: frozenset[int]

    def sees(self, level: str, group_id: str | None) -> bool:
        """Whether a group at this level with this id (payload form: a string) is visible."""
        if self.core:
            return True
        if group_id is None or not group_id.isdigit():
            return False
        if level == "team":
            return int(group_id) in self.team_ids
        if level == "organisation":
            return int(group_id) in self.organisation_ids
        return False  # the alliance is for the core team only


NOBODY = Scope(core=False, team_ids=frozenset(), organisation_ids=frozenset())


def scope_for(user: object) -> Scope:
    """The scope of a signed-in account (anonymous visitors and disabled accounts see nothing)."""
    if not isinstance(user, User) or not user.active:
        return NOBODY
    return Scope(
        core=user.role == "core",
        team_ids=visible_team_ids(user),
        organisation_ids=visible_organisation_ids(user),
    )


def may_see_group(group: dict[str, Any], scope: Scope) -> bool:
    """Whether one payload group (a subgroup follows its base group) is visible to the scope."""
    return scope.sees(str(group.get("level")), group.get("id"))


def filter_payload(payload: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The payload with only the groups the scope may see (in `groups` and in `order`)."""
    groups = {
        key: group
        for key, group in payload.get("groups", {}).items()
        if isinstance(group, dict) and may_see_group(group, scope)
    }
    kept = dict(payload)
    kept["groups"] = groups
    kept["order"] = [key for key in payload.get("order", []) if key in groups]
    return kept


@dataclass(frozen=True)
class ReleaseInfo:
    """A release as listed: never its figures. `id` is internal (the audit log's target)."""

    id: int
    wave_id: int
    sequence: int
    kind: str
    made_on: date


@dataclass(frozen=True)
class WaveReleases:
    """A wave and its releases the person may see, newest release first."""

    wave_id: int
    name: str
    opens_on: date
    closes_on: date
    synthetic: bool
    releases: tuple[ReleaseInfo, ...]

    @property
    def latest(self) -> ReleaseInfo:
        """The newest release of the wave."""
        return self.releases[0]


@dataclass(frozen=True)
class VisibleRelease:
    """One release opened for one person: its payload already cut down to their groups."""

    info: ReleaseInfo
    wave_name: str
    scope: Scope
    payload: dict[str, Any]


def _visible(query: Select[Any], scope: Scope) -> Select[Any]:
    """Restrict a query over releases to waves one of the scope's teams took part in."""
    if scope.core:
        return query
    took_part = select(SurveyLink.wave_id).where(SurveyLink.team_id.in_(sorted(scope.team_ids)))
    return query.where(Release.wave_id.in_(took_part))


def visible_releases(scope: Scope) -> list[tuple[ReleaseInfo, Wave]]:
    """Every release the scope may see with its wave: newest wave first, newest release first."""
    query = (
        select(
            Release.id,
            Release.wave_id,
            Release.sequence,
            Release.kind,
            Release.made_on,
            Wave,
        )
        .join(Wave, Release.wave_id == Wave.id)
        .order_by(Wave.opens_on.desc(), Wave.id.desc(), Release.sequence.desc())
    )
    rows = db.session.execute(_visible(query, scope)).all()
    return [(ReleaseInfo(*row[:5]), row[5]) for row in rows]


def waves_with_releases(scope: Scope) -> list[WaveReleases]:
    """The waves with releases the scope may see, newest first, each with its releases."""
    waves: dict[int, WaveReleases] = {}
    for info, wave in visible_releases(scope):
        found = waves.get(wave.id)
        releases = (*found.releases, info) if found else (info,)
        waves[wave.id] = WaveReleases(
            wave_id=wave.id,
            name=wave.name,
            opens_on=wave.opens_on,
            closes_on=wave.last_day,
            synthetic=wave.synthetic,
            releases=releases,
        )
    return list(waves.values())


def find_visible_release(scope: Scope, wave_id: int, sequence: int) -> VisibleRelease | None:
    """Release `sequence` of a wave, payload filtered to the scope; None if not theirs to see."""
    if not (0 < wave_id <= _MAX_ID and 0 < sequence <= _MAX_ID):
        return None
    query = (
        select(Release, Wave.name)
        .join(Wave, Release.wave_id == Wave.id)
        .options(defer(Release.ledger, raiseload=True))
        .where(Release.wave_id == wave_id, Release.sequence == sequence)
    )
    row = db.session.execute(_visible(query, scope)).one_or_none()
    if row is None:
        return None
    release, wave_name = row
    payload = filter_payload(json.loads(release.payload), scope)
    if not payload["groups"]:
        return None  # nothing in it is theirs: indistinguishable from a missing release
    info = ReleaseInfo(release.id, release.wave_id, release.sequence, release.kind, release.made_on)
    return VisibleRelease(info, wave_name, scope, payload)


def open_release(
    user: User,
    wave_id: int,
    sequence: int,
    *,
    action: str = RELEASE_VIEWED,
    via: str = "page",
) -> VisibleRelease | None:
    """Find a release the user may see and audit the view or export; None if not theirs."""
    if action not in (RELEASE_VIEWED, RELEASE_EXPORTED):
        raise ValueError(f"unknown release action {action!r}")
    found = find_visible_release(scope_for(user), wave_id, sequence)
    if found is not None:
        record_event(action, user=user, target=f"release:{found.info.id}", detail=via)
    return found


@dataclass(frozen=True)
class Round:
    """One round of a questionnaire as a reader saw it: its wave and its released groups."""

    wave_name: str
    opens_on: date
    last_day: date
    synthetic: bool
    current: bool
    groups: dict[str, Any]


def rounds_for(found: VisibleRelease, current: Wave | None = None) -> list[Round]:
    """Every round of the release's questionnaire up to this one, oldest first, from releases.

    An earlier round is its wave's final release; this round is the release being read.
    Each round's groups are cut down to the viewer's scope, like any release they read.
    Earlier rounds come with their waves in one query, however many rounds there are.
    """
    scope = found.scope
    key = str(found.payload.get("questionnaire", {}).get("key", ""))
    current = current or db.session.get(Wave, found.info.wave_id)
    if current is None:
        return []
    query = (
        select(Release.payload, Wave)
        .join(Wave, Release.wave_id == Wave.id)
        .join(QuestionnaireVersion, Wave.questionnaire_version_id == QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.key == key,
            Release.kind == "final",
            Wave.id != current.id,
            Wave.opens_on <= current.opens_on,
        )
        .order_by(Wave.opens_on, Wave.id)
    )
    rounds = []
    for payload, wave in db.session.execute(_visible(query, scope)):
        groups = filter_payload(json.loads(payload), scope)["groups"]
        rounds.append(Round(wave.name, wave.opens_on, wave.last_day, wave.synthetic, False, groups))
    rounds.append(
        Round(
            current.name,
            current.opens_on,
            current.last_day,
            bool(found.payload.get("synthetic")),
            True,
            found.payload["groups"],
        )
    )
    return rounds


# Templates whose licence lets leads read the item wording beside the results.
SHAREABLE_WORDING = {
    "proqol5": "free to copy and use, with credit to the Center for Victims of Torture",
    "pcl5": "a US Government work in the public domain",
}


@dataclass(frozen=True)
class ItemWording:
    """Per scale key: item number to wording (where allowed), and a note on its source."""

    wording: dict[str, dict[int, str]]
    notes: dict[str, str]


def item_wording(found: VisibleRelease, wave: Wave | None = None) -> ItemWording:
    """The wording of the questionnaire version the release's wave used, where leads may read it.

    Lantern's own demo wording is always shown; imported wording only for instruments whose
    licence allows showing it beyond respondents (`SHAREABLE_WORDING`). Otherwise items are
    listed by number, with the reason.
    """
    wave = wave or db.session.get(Wave, found.info.wave_id)
    if wave is None:
        return ItemWording({}, {})
    questionnaire = definition(wave.questionnaire_version)
    version = f"version {questionnaire.version} of this questionnaire, as the round used it"
    wording: dict[str, dict[int, str]] = {}
    notes: dict[str, str] = {}
    for scale in questionnaire.scales:
        template = scale.template
        if questionnaire.demo_wording:
            notes[scale.key] = (
                f"Wording from {version}: Lantern's own demo wording, not the published items."
            )
        elif template.key in SHAREABLE_WORDING:
            notes[scale.key] = (
                f"Wording from {version}, shown under its licence "
                f"({SHAREABLE_WORDING[template.key]})."
            )
        else:
            notes[scale.key] = (
                f"The licence of the {template.name} does not cover showing its wording "
                "beyond the people answering, so questions are listed by number."
            )
            continue
        wording[scale.key] = {item.number: item.text for item in scale.items}
    return ItemWording(wording, notes)


def _closed_early_on(wave: Wave, today: date) -> date | None:
    return status_of(wave, today, final_released=False, interim_mode=False).closed_on


def wave_close_days(wave_ids: list[int]) -> dict[int, date]:
    """The day each of these waves was closed early, for the waves that were."""
    if not wave_ids:
        return {}
    waves = db.session.scalars(select(Wave).where(Wave.id.in_(sorted(set(wave_ids)))))
    today = date.today()
    return {wave.id: day for wave in waves if (day := _closed_early_on(wave, today)) is not None}


@dataclass(frozen=True)
class PageSources:
    """What a release's page reads besides its payload, loaded with one read of its wave."""

    rounds: list[Round]
    wording: ItemWording
    closed_early_on: date | None


def page_sources(found: VisibleRelease) -> PageSources | None:
    """The rounds, item wording and dates of an opened release's wave (None if it is gone)."""
    wave = db.session.scalar(
        select(Wave)
        .options(joinedload(Wave.questionnaire_version))
        .where(Wave.id == found.info.wave_id)
    )
    if wave is None:
        return None
    return PageSources(
        rounds=rounds_for(found, wave),
        wording=item_wording(found, wave),
        closed_early_on=_closed_early_on(wave, date.today()),
    )
