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
from sqlalchemy.orm import defer

from survey.extensions import db
from survey.models import Release, SurveyLink, User, Wave
from survey.services.accounts import (
    record_event,
    visible_organisation_ids,
    visible_team_ids,
)

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
        select(Release)
        .options(defer(Release.ledger, raiseload=True))
        .where(Release.wave_id == wave_id, Release.sequence == sequence)
    )
    release = db.session.scalar(_visible(query, scope))
    if release is None:
        return None
    payload = filter_payload(json.loads(release.payload), scope)
    if not payload["groups"]:
        return None  # nothing in it is theirs: indistinguishable from a missing release
    info = ReleaseInfo(release.id, release.wave_id, release.sequence, release.kind, release.made_on)
    return VisibleRelease(info, release.wave.name, scope, payload)


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
