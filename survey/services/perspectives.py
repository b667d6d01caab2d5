"""Perspective surveys of a review: open one (a wave of a questionnaire made from the
framework), and read what its releases show of the organisation.

Figures come from releases only, cut to what the viewer may see; a perspective wave is
otherwise an ordinary wave (links, posters, closing, the release step) in the workspace.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import defer

from survey.domain.perspectives import offers_easy_read, perspective_document
from survey.extensions import db
from survey.models import Release, Review, ReviewWave, Team, User, Wave
from survey.services.accounts import record_event
from survey.services.frameworks import framework_for
from survey.services.questionnaires import definition, store_questionnaire
from survey.services.release_access import Scope, filter_payload
from survey.services.reviews import ReviewError
from survey.services.wave_admin import open_new_wave
from survey.services.waves import WavePlan


def open_perspective_survey(
    review: Review,
    *,
    perspective: str,
    easy_read: bool,
    teams: Sequence[Team],
    organisation_wide: bool = False,
    opens_on: date,
    closes_on: date,
    k: int,
    kek: bytes,
    actor: User,
    synthetic: bool = False,
) -> Wave:
    """Open an anonymous perspective survey of a review: one link per chosen team, or one
    for the whole organisation (reported for the organisation only)."""
    framework = framework_for(review.framework_key)
    if perspective not in {p.key for p in framework.perspectives}:
        raise ReviewError("Choose whose perspective to ask for.", "perspective")
    if not teams or any(t.organisation_id != review.organisation_id for t in teams):
        raise ReviewError("Choose at least one of this organisation's teams.", "teams")
    document = perspective_document(framework, perspective, easy_read=easy_read)
    source = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    version = store_questionnaire(source, f"{document['key']}.yaml")
    label = framework.perspective(perspective).label
    plan = WavePlan(
        name=f"{review.organisation.name}: {label.lower()} ({review.kind} review)",
        questionnaire=version,
        teams=list(teams),
        opens_on=opens_on,
        closes_on=closes_on,
        k=k,
        synthetic=synthetic,
        organisation_wide=organisation_wide,
    )
    wave = open_new_wave(plan, kek, uses_codes=False, actor=actor)
    db.session.add(ReviewWave(review=review, wave=wave, perspective=perspective))
    easy = "on" if document["review"]["easy_read"] else "off"
    links = "one for the organisation" if organisation_wide else "one per team"
    detail = f"wave:{wave.id}; {perspective}; links: {links}; easy read {easy}"
    record_event(
        "perspective survey opened", user=actor, target=f"review:{review.id}", detail=detail
    )
    return wave


@dataclass(frozen=True)
class PerspectiveSurvey:
    """One perspective survey of a review as its page lists it (never a figure)."""

    link: ReviewWave
    label: str
    organisation_wide: bool
    links: int
    easy_read: bool
    released_on: date | None


def surveys_of(review: Review) -> list[PerspectiveSurvey]:
    """A review's perspective surveys, oldest first: whose, how many links, whether released."""
    framework = framework_for(review.framework_key)
    found = []
    for link in review.perspectives:
        wave = link.wave
        live = [item for item in wave.links if not item.revoked] or wave.links
        final = _latest_release(wave.id)
        found.append(
            PerspectiveSurvey(
                link=link,
                label=framework.perspective(link.perspective).label,
                organisation_wide=any(item.organisation_wide for item in live),
                links=len(live),
                easy_read=offers_easy_read(definition(wave.questionnaire_version)),
                released_on=final.made_on if final is not None else None,
            )
        )
    return found


@dataclass(frozen=True)
class Share:
    """One category of a domain's released breakdown ("Green", "40–60%")."""

    label: str
    text: str


@dataclass(frozen=True)
class TeamShares:
    """One team's released breakdowns in a perspective survey (hidden teams say so)."""

    label: str
    shown: bool
    n: int | None
    domains: dict[str, tuple[Share, ...]]

    def shares(self, domain_key: str) -> tuple[Share, ...]:
        """The released breakdown of one domain (empty when hidden or withheld)."""
        return self.domains.get(domain_key, ())


@dataclass(frozen=True)
class PerspectiveResult:
    """What a perspective survey's latest release shows of the organisation."""

    perspective: str
    label: str
    wave: Wave
    kind: str
    made_on: date
    shown: bool
    n: int | None
    domains: dict[str, tuple[Share, ...]]  # empty tuple: the breakdown is withheld
    # With a link per team: each team the viewer may see, as the release shows it.
    teams: tuple[TeamShares, ...] = ()

    @property
    def any_team_shown(self) -> bool:
        """Whether the release shows at least one team on its own."""
        return any(team.shown for team in self.teams)

    def shares(self, domain_key: str) -> tuple[Share, ...]:
        """The released breakdown of one domain (empty when hidden or withheld)."""
        return self.domains.get(domain_key, ())


def _latest_release(wave_id: int) -> Release | None:
    releases = list(
        db.session.scalars(
            select(Release)
            .options(defer(Release.ledger, raiseload=True))  # the ledger never leaves the step
            .where(Release.wave_id == wave_id)
            .order_by(Release.sequence)
        )
    )
    finals = [r for r in releases if r.kind == "final"]
    latest = finals or releases
    return latest[-1] if latest else None


def perspective_results(review: Review, scope: Scope) -> list[PerspectiveResult]:
    """Each released perspective survey of a review, as the viewer may see it."""
    framework = framework_for(review.framework_key)
    key = f"organisation:{review.organisation_id}"
    found = []
    for link in review.perspectives:
        release = _latest_release(link.wave_id)
        if release is None:
            continue
        payload = filter_payload(json.loads(release.payload), scope)
        group = payload["groups"].get(key)
        if group is None:
            continue
        in_order = [payload["groups"][k] for k in payload["order"]]
        teams = tuple(
            TeamShares(_team_label(g, review), bool(g.get("shown")), g.get("n"), _domains(g))
            for g in in_order
            if _is_team_of(g, review)
        )
        found.append(
            PerspectiveResult(
                perspective=link.perspective,
                label=framework.perspective(link.perspective).label,
                wave=link.wave,
                kind=release.kind,
                made_on=release.made_on,
                shown=bool(group.get("shown")),
                n=group.get("n"),
                domains=_domains(group),
                teams=teams,
            )
        )
    return found


def _domains(group: dict[str, Any]) -> dict[str, tuple[Share, ...]]:
    """A payload group's coded breakdowns, domain by domain (none when hidden)."""
    return {
        domain_key: tuple(Share(c["label"], c["text"]) for c in coded["cells"])
        for domain_key, coded in (group.get("domains") or {}).items()
    }


def _is_team_of(group: dict[str, Any], review: Review) -> bool:
    """A team group (not a subgroup) of the review's organisation."""
    if group.get("level") != "team" or group.get("attribute") is not None:
        return False
    team = db.session.get(Team, int(group["id"]))
    return team is not None and team.organisation_id == review.organisation_id


def _team_label(group: dict[str, Any], review: Review) -> str:
    """The team's own name (the payload's label also names the organisation)."""
    label = str(group.get("label", ""))
    prefix = f"{review.organisation.name}: "
    return label[len(prefix) :] if label.startswith(prefix) else label
