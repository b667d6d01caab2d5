"""The core team's changes to waves and links: one function each, audited, committing once.

`record_event` adds the audit row and commits, so each change and its audit entry land in
the same commit. Opening a wave and making a release reuse functions that commit on their
own; their audit entry follows in a second commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select, union_all

from survey.domain.wave_state import State, WaveStatus, status_of
from survey.extensions import db
from survey.models import (
    CodeBatch,
    PendingResponse,
    Release,
    Response,
    SurveyLink,
    Team,
    User,
    Wave,
)
from survey.release import ReleaseError, make_release
from survey.services.accounts import record_event
from survey.services.codes import MAX_BATCH, add_batch, void_batch
from survey.services.membership import _note
from survey.services.waves import WaveError, WavePlan, open_wave


@dataclass(frozen=True)
class TeamProgress:
    """Whether a team has reached k responses: deliberately never how many it has."""

    team: Team
    reached_k: bool


def date_today() -> date:
    """Today in UTC, as the respondent pages count days."""
    return datetime.now(UTC).date()


def _target(wave: Wave) -> str:
    return f"wave:{wave.id}"


def finally_released(wave_ids: Iterable[int]) -> set[int]:
    """Which of these waves have had their final release (one query for a whole list)."""
    ids = list(wave_ids)
    if not ids:
        return set()
    query = select(Release.wave_id).where(Release.wave_id.in_(ids), Release.kind == "final")
    return set(db.session.scalars(query))


def latest_releases(wave_ids: Iterable[int]) -> dict[int, int]:
    """Each wave's latest release number, for waves that have one (one query for a list)."""
    ids = list(wave_ids)
    if not ids:
        return {}
    query = (
        select(Release.wave_id, func.max(Release.sequence))
        .where(Release.wave_id.in_(ids))
        .group_by(Release.wave_id)
    )
    return {int(wave_id): int(sequence) for wave_id, sequence in db.session.execute(query)}


def status(wave: Wave, today: date, *, final_released: bool | None = None) -> WaveStatus:
    """The wave's one state on `today` and what may be done in it (see domain.wave_state)."""
    if final_released is None:
        final_released = wave.id in finally_released([wave.id])
    interim = wave.release_mode == "interim"
    return status_of(wave, today, final_released=final_released, interim_mode=interim)


def statuses(waves: Sequence[Wave], today: date) -> dict[int, WaveStatus]:
    """The status of each wave of a list, by wave id."""
    released = finally_released(wave.id for wave in waves)
    return {wave.id: status(wave, today, final_released=wave.id in released) for wave in waves}


def _refuse_unless_taking_responses(wave: Wave, what: str) -> None:
    """Refuse a change that only makes sense while a wave takes (or will take) responses."""
    now = status(wave, date_today())
    if not now.taking_responses:
        raise WaveError(f"the wave is {now.label}, so {what}")


def open_new_wave(plan: WavePlan, kek: bytes, *, uses_codes: bool, actor: User) -> Wave:
    """Open a wave with one link per team (or organisation), in code mode if asked; audited."""
    wave = open_wave(replace(plan, uses_codes=uses_codes), kek)
    teams = ", ".join(f"team:{team.id}" for team in plan.teams)
    if plan.organisation_wide:
        teams = "one link per organisation, held by " + ", ".join(
            f"team:{link.team_id}" for link in wave.links
        )
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
    now = status(wave, today)
    if now.state is State.ARCHIVED:
        raise WaveError("an archived wave cannot be extended")
    if not now.can_extend:
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
    now = status(wave, today)
    if now.state is State.ARCHIVED:
        raise WaveError("the wave is already archived")
    if not now.can_archive:
        raise WaveError("close the wave before archiving it")
    wave.archived = True
    record_event("wave archived", user=actor, target=_target(wave))


def release_wave(
    wave: Wave, kek: bytes, today: date, *, actor: User, exclude_failed: bool = False
) -> Release:
    """Make the wave's next release (ReleaseError says why not) and audit it."""
    now = status(wave, today)
    kind = now.release_kind
    if now.state is State.UPCOMING:
        raise ReleaseError("the wave has not opened yet, so there is nothing to release")
    if now.state is State.RELEASED:
        raise ReleaseError("this wave has had its final release; releases are never remade")
    if now.state is State.ARCHIVED:
        raise ReleaseError("the wave is archived, so no release can be made")
    if kind is None:
        raise ReleaseError("the wave is still open, and it is released once, when it closes")
    release = make_release(wave, kek, kind=kind, today=today, exclude_failed=exclude_failed)
    record_event(
        "release made",
        user=actor,
        target=_target(wave),
        detail=f"release:{release.id}; {kind} release {release.sequence}"
        + ("; without the rows that failed the integrity check" if exclude_failed else ""),
    )
    return release


HEADCOUNT_MAX = 100_000


def set_headcounts(
    wave: Wave, headcounts: dict[int, int | None], today: date, *, actor: User
) -> int:
    """Record how many staff each team has in this wave (the response-rate denominator).

    Every link of the team in the wave carries the figure, so a rotated link keeps it.
    Refused once the final release is made: its response rates are fixed. Commits once;
    returns how many teams changed.
    """
    now = status(wave, today)
    if now.state in (State.RELEASED, State.ARCHIVED):
        raise WaveError(f"the wave is {now.label}, so its headcounts are fixed")
    if any(count is not None and not 0 <= count <= HEADCOUNT_MAX for count in headcounts.values()):
        raise WaveError(f"a headcount is a whole number from 0 to {HEADCOUNT_MAX}")
    current = {
        link.team_id: link.headcount for link in sorted(wave.links, key=lambda item: item.id)
    }
    changed = {
        team: (current[team], count)
        for team, count in sorted(headcounts.items())
        if team in current and current[team] != count
    }
    for link in wave.links:
        if link.team_id in changed:
            link.headcount = changed[link.team_id][1]
    if changed:
        detail = "; ".join(f"team:{team} {old} -> {new}" for team, (old, new) in changed.items())
        record_event("headcounts changed", user=actor, target=_target(wave), detail=detail)
    return len(changed)


def live_link(wave: Wave, team_id: int) -> SurveyLink | None:
    """The team's working link in a wave, if it has one."""
    return next((link for link in wave.links if link.team_id == team_id and not link.revoked), None)


def rotate_link(link: SurveyLink, *, actor: User) -> SurveyLink:
    """Stop a link at once and give its team a new one, in one commit."""
    _refuse_unless_taking_responses(link.wave, "its links cannot be changed")
    current = live_link(link.wave, link.team_id)
    if current is not None and current.id != link.id:
        raise WaveError("this team already has a newer working link; rotate that one instead")
    link.revoked = True
    fresh = SurveyLink(
        wave=link.wave,
        team=link.team,
        headcount=link.headcount,
        organisation_wide=link.organisation_wide,
    )
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
    _refuse_unless_taking_responses(link.wave, "its links have already stopped")
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
    """Make one sheet of a team's single-use codes and audit it; the codes, shown once."""
    return make_sheets(wave, {team.id: count}, today, actor=actor)[0].codes


@dataclass(frozen=True)
class Sheet:
    """A sheet of codes just made (or shown again from its key): print it now."""

    batch: CodeBatch
    void_key: str
    codes: list[str]


def make_sheets(wave: Wave, counts: dict[int, int], today: date, *, actor: User) -> list[Sheet]:
    """Make a sheet of codes for each team with a count, in one commit, audited per team."""
    if not wave.uses_codes:
        raise WaveError("this wave does not use single-use codes")
    if not status(wave, today).taking_responses:
        raise WaveError("the wave has closed, so new codes would never be used")
    teams = {team.id: team for team in teams_of(wave)}
    if any(team_id not in teams for team_id in counts):
        raise WaveError("that team is not part of this wave")
    if not counts or not all(1 <= count <= MAX_BATCH for count in counts.values()):
        raise WaveError(f"make between 1 and {MAX_BATCH} codes at a time")
    sheets = []
    for team_id, count in sorted(counts.items(), key=lambda item: _team_order(teams[item[0]])):
        batch, key, codes = add_batch(wave, teams[team_id], count, today)
        sheets.append(Sheet(batch, key, codes))
        _note("codes made", actor, _target(wave), f"team:{team_id}; {count} codes")
    db.session.commit()
    return sheets


def _team_order(team: Team) -> tuple[str, str]:
    return (team.organisation.name, team.name)


def batches_of(wave: Wave) -> list[CodeBatch]:
    """Every sheet of codes made for the wave, by team, then oldest first."""
    found = db.session.scalars(select(CodeBatch).where(CodeBatch.wave_id == wave.id)).all()
    return sorted(found, key=lambda batch: (*_team_order(batch.team), batch.id))


def void_sheet(batch: CodeBatch, void_key: str, today: date, *, actor: User) -> None:
    """Stop every code of a sheet that was never handed out, given the key printed on it."""
    if batch.voided_on is not None:
        raise WaveError("this sheet is already void")
    if not void_batch(batch, void_key, today):
        raise WaveError("that is not the void key printed on this sheet")
    record_event(
        "codes voided",
        user=actor,
        target=f"wave:{batch.wave_id}",
        detail=f"team:{batch.team_id}; batch:{batch.id}; {batch.size} codes",
    )
