"""The core team's changes to waves and links: one function each, audited, committing once.

`record_event` adds the audit row and commits, so each change and its audit entry land in
the same commit. Opening a wave and making a release reuse functions that commit on their
own; their audit entry follows in a second commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select, union_all

from survey.extensions import db
from survey.models import PendingResponse, Release, Response, SurveyLink, Team, User, Wave
from survey.release import ReleaseError, make_release, releases_of
from survey.services.accounts import record_event
from survey.services.codes import MAX_BATCH, add_codes
from survey.services.waves import WaveError, WavePlan, open_wave


@dataclass(frozen=True)
class TeamProgress:
    """Whether a team has reached k responses: deliberately never how many it has."""

    team: Team
    reached_k: bool


def _target(wave: Wave) -> str:
    return f"wave:{wave.id}"


def state(wave: Wave, today: date) -> str:
    """One word for where a wave stands: archived, upcoming, open or closed."""
    if wave.archived:
        return "archived"
    if today < wave.opens_on and today <= wave.last_day:
        return "upcoming"
    return "open" if wave.is_open(today) else "closed"


def closed_on(wave: Wave) -> date | None:
    """The day a wave was closed early (its links stopped that day), if it was."""
    return None if wave.closed_early_on is None else wave.closed_early_on + timedelta(days=1)


def open_new_wave(plan: WavePlan, kek: bytes, *, uses_codes: bool, actor: User) -> Wave:
    """Open a wave with one link per team, in code mode if asked, and audit it."""
    wave = open_wave(replace(plan, uses_codes=uses_codes), kek)
    teams = ", ".join(f"team:{team.id}" for team in plan.teams)
    detail = (
        f"{plan.name}; questionnaire_version:{plan.questionnaire.id}; {plan.opens_on} to "
        f"{plan.closes_on}; k={plan.k}; release {plan.release_mode}; "
        f"codes {'on' if uses_codes else 'off'}; {teams}"
    )
    record_event("wave opened", user=actor, target=_target(wave), detail=detail)
    return wave


def extend(wave: Wave, closes_on: date, today: date, *, actor: User) -> None:
    """Move the closing date later (reopening a wave closed early, if no final release)."""
    current = wave.last_day
    if wave.archived:
        raise WaveError("an archived wave cannot be extended")
    if any(release.kind == "final" for release in releases_of(wave.id)):
        raise WaveError("this wave has had its final release, so it cannot take more responses")
    if closes_on <= current:
        raise WaveError(f"choose a date after the current closing date, {current:%-d %B %Y}")
    if closes_on < today:
        raise WaveError("choose a date from today onwards")
    if closes_on < wave.opens_on:
        raise WaveError(f"choose a date on or after the opening date, {wave.opens_on:%-d %B %Y}")
    wave.closes_on = closes_on
    wave.closed_early_on = None
    record_event(
        "wave extended", user=actor, target=_target(wave), detail=f"{current} to {closes_on}"
    )


def archive(wave: Wave, today: date, *, actor: User) -> None:
    """Put a closed wave away: its links stay dead and it leaves the main list."""
    if wave.archived:
        raise WaveError("the wave is already archived")
    if wave.is_open(today) or state(wave, today) == "upcoming":
        raise WaveError("close the wave before archiving it")
    wave.archived = True
    record_event("wave archived", user=actor, target=_target(wave))


def release_kind(wave: Wave, today: date) -> str:
    """The release the button makes: final after the wave closes, interim while it is open."""
    return "final" if today > wave.last_day else "interim"


def release_wave(
    wave: Wave, kek: bytes, today: date, *, actor: User, exclude_failed: bool = False
) -> Release:
    """Make the wave's next release (ReleaseError says why not) and audit it."""
    if state(wave, today) == "upcoming":
        raise ReleaseError("the wave has not opened yet, so there is nothing to release")
    kind = release_kind(wave, today)
    release = make_release(wave, kek, kind=kind, today=today, exclude_failed=exclude_failed)
    record_event(
        "release made",
        user=actor,
        target=_target(wave),
        detail=f"release:{release.id}; {kind} release {release.sequence}"
        + ("; without the rows that failed the integrity check" if exclude_failed else ""),
    )
    return release


def live_link(wave: Wave, team_id: int) -> SurveyLink | None:
    """The team's working link in a wave, if it has one."""
    return next((link for link in wave.links if link.team_id == team_id and not link.revoked), None)


def rotate_link(link: SurveyLink, *, actor: User) -> SurveyLink:
    """Stop a link at once and give its team a new one, in one commit."""
    current = live_link(link.wave, link.team_id)
    if current is not None and current.id != link.id:
        raise WaveError("this team already has a newer working link; rotate that one instead")
    link.revoked = True
    fresh = SurveyLink(wave=link.wave, team=link.team)
    db.session.add(fresh)
    db.session.flush()
    record_event(
        "link rotated",
        user=actor,
        target=_target(link.wave),
        detail=f"team:{link.team_id}; link:{link.id} revoked; link:{fresh.id} issued",
    )
    return fresh


def revoke_link(link: SurveyLink, *, actor: User) -> None:
    """Stop a link at once; the team has no working link until one is issued."""
    if link.revoked:
        raise WaveError("this link is already revoked")
    link.revoked = True
    record_event(
        "link revoked",
        user=actor,
        target=_target(link.wave),
        detail=f"team:{link.team_id}; link:{link.id}",
    )


def teams_of(wave: Wave) -> list[Team]:
    """The wave's teams, by organisation and name."""
    teams = {link.team_id: link.team for link in wave.links}
    return sorted(teams.values(), key=lambda team: (team.organisation.name, team.name))


def progress(wave: Wave) -> list[TeamProgress]:
    """Per team, whether it has k or more responses; the count itself never leaves SQL."""
    # Stored responses, moved into their batch or still pending, counted alike.
    stored = union_all(
        select(Response.team_id).where(Response.wave_id == wave.id),
        select(PendingResponse.team_id).where(PendingResponse.wave_id == wave.id),
    ).subquery()
    reached = set(
        db.session.scalars(
            select(stored.c.team_id).group_by(stored.c.team_id).having(func.count() >= wave.k)
        )
    )
    return [TeamProgress(team, team.id in reached) for team in teams_of(wave)]


def make_codes(wave: Wave, team: Team, count: int, today: date, *, actor: User) -> list[str]:
    """Make a team's single-use codes (shown once, only their hashes kept) and audit it."""
    if not wave.uses_codes:
        raise WaveError("this wave does not use single-use codes")
    if state(wave, today) in ("closed", "archived"):
        raise WaveError("the wave has closed, so new codes would never be used")
    if team not in teams_of(wave):
        raise WaveError("that team is not part of this wave")
    if not 1 <= count <= MAX_BATCH:
        raise WaveError(f"make between 1 and {MAX_BATCH} codes at a time")
    codes = add_codes(wave, team, count)
    record_event(
        "codes made", user=actor, target=_target(wave), detail=f"team:{team.id}; {count} codes"
    )
    return codes
