"""Opening survey rounds: the wave, its key pair and its links (one per team, or one per
organisation), in one commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from survey.domain.disclosure import MIN_K
from survey.domain.sealing import new_wave_keys
from survey.extensions import db
from survey.models import QuestionnaireVersion, SurveyLink, Team, User, Wave
from survey.services.accounts import record_event
from survey.services.integrity import vouch_for_wave


class WaveError(ValueError):
    """The wave cannot be opened as asked; the message says why."""


@dataclass(frozen=True)
class WavePlan:
    """What the core team asked for when opening a wave."""

    name: str
    questionnaire: QuestionnaireVersion
    teams: Sequence[Team]
    opens_on: date
    closes_on: date
    k: int = 5
    release_mode: str = "at_close"
    synthetic: bool = False
    uses_codes: bool = False
    # One link per organisation (held by its first team by name) instead of one per team.
    organisation_wide: bool = False


def open_wave(plan: WavePlan, kek: bytes) -> Wave:
    """Create a wave with a fresh key pair (private half wrapped by the KEK) and team links."""
    if plan.k < MIN_K:
        raise WaveError(f"k must be at least {MIN_K} (got {plan.k})")
    if plan.closes_on < plan.opens_on:
        raise WaveError("the closing date is before the opening date")
    if not plan.teams:
        raise WaveError("choose at least one team")
    if plan.organisation_wide and plan.uses_codes:
        raise WaveError("codes are printed per team: use one link per team with codes")
    if plan.release_mode not in ("at_close", "interim"):
        raise WaveError("release mode must be 'at_close' or 'interim'")
    wave = Wave(
        name=plan.name,
        questionnaire_version=plan.questionnaire,
        opens_on=plan.opens_on,
        closes_on=plan.closes_on,
        k=plan.k,
        release_mode=plan.release_mode,
        synthetic=plan.synthetic,
        uses_codes=plan.uses_codes,
        public_key=b"",
        wrapped_private_key=b"",
        kek_id="",
    )
    db.session.add(wave)
    db.session.flush()  # the wave id is bound into the wrapped key
    keys = new_wave_keys(kek, wave.id)
    wave.public_key = keys.public_key
    wave.wrapped_private_key = keys.wrapped_private_key
    wave.kek_id = keys.kek_id
    vouch_for_wave(wave)  # the respondent path seals only to a key Lantern vouched for
    if plan.organisation_wide:
        holders: dict[int, Team] = {}
        for team in sorted(plan.teams, key=lambda t: t.name):
            holders.setdefault(team.organisation_id, team)
        for team in holders.values():
            # No headcount: a whole organisation's link reports no response rate.
            db.session.add(SurveyLink(wave=wave, team=team, organisation_wide=True))
    else:
        for team in plan.teams:
            db.session.add(SurveyLink(wave=wave, team=team, headcount=team.headcount))
    db.session.commit()
    return wave


def close_wave(wave: Wave, today: date, *, actor: User | None = None) -> Wave:
    """Stop a wave taking responses from today on (a wave not yet open never opens); audited."""
    if wave.archived or today > wave.last_day:
        raise WaveError("the wave has already closed")
    # Yesterday becomes the last day: before the opening day when it closes on or before it.
    wave.closed_early_on = today - timedelta(days=1)
    record_event("wave closed early", user=actor, target=f"wave:{wave.id}", detail=f"on {today}")
    return wave
