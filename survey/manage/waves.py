"""Core-team pages for waves and links: open, close early, extend, archive, release, links.

Each action is a GET that explains what will happen and a POST that does it (then
redirects), so nothing changes from a stray click or a reload. Progress per team says only
"fewer than k" or "k or more", never a count that could be differenced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from survey import keyring
from survey.access import role_required, signed_in_user
from survey.domain.wave_state import State, dates_text
from survey.extensions import db
from survey.keys import KeyConfigError
from survey.manage import bp
from survey.manage.forms_membership import ConfirmForm
from survey.manage.forms_waves import ExtendForm, OpenWaveForm, ReleaseForm, today
from survey.manage.poster import public_url
from survey.models import Organisation, QuestionnaireVersion, SurveyLink, Team, Wave
from survey.release import IntegrityRefusal, ReleaseError, releases_of
from survey.services import wave_admin
from survey.services.codes import codes_made
from survey.services.waves import WaveError, WavePlan
from survey.services.waves import close_wave as close_wave_now

Page = ResponseReturnValue
DEFAULT_WEEKS_OPEN = 4
NO_KEY = "The key-encryption key is not available to this server, so nothing was changed."
DATABASE_FAILED = "The database could not complete the release, so nothing was released."


@dataclass(frozen=True)
class TeamRow:
    """One team of a wave as its page shows it: the working link, progress, codes made."""

    team: Team
    link: SurveyLink | None
    url: str
    reached_k: bool
    codes: int
    stopped_links: int
    latest: SurveyLink

    @property
    def name(self) -> str:
        """Whose link this is: the team, or the whole organisation."""
        return self.latest.label

    @property
    def headcount(self) -> int | None:
        """How many staff the team has in this wave, if recorded."""
        return self.latest.headcount


def _sentence(message: str) -> str:
    """A service message ("the wave has closed") as a sentence for the page."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _rows(wave: Wave) -> list[TeamRow]:
    made = codes_made(wave)
    rows = []
    for progress in wave_admin.progress(wave):
        team = progress.team
        link = wave_admin.live_link(wave, team.id)
        own = [item for item in wave.links if item.team_id == team.id]
        stopped = sum(1 for item in own if item.revoked)
        url = public_url(link) if link is not None else ""
        latest = max(own, key=lambda item: item.id)
        rows.append(
            TeamRow(team, link, url, progress.reached_k, made.get(team.id, 0), stopped, latest)
        )
    return rows


@bp.get("/waves")
@role_required("core")
def waves() -> str:
    """Every wave, newest first; archived ones apart."""
    rows = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.id.desc())).all()
    return render_template(
        "manage/waves/index.html",
        current=[wave for wave in rows if not wave.archived],
        archived=[wave for wave in rows if wave.archived],
        statuses=wave_admin.statuses(rows, today()),
        latest=wave_admin.latest_releases([wave.id for wave in rows]),
        dates_text=dates_text,
        page_title="Waves",
    )


def _team_groups() -> list[tuple[Organisation, list[Team]]]:
    teams = db.session.scalars(
        select(Team).join(Team.organisation).order_by(Organisation.name, Team.name)
    ).all()
    return [(org, list(members)) for org, members in groupby(teams, key=lambda t: t.organisation)]


def _chosen(form: OpenWaveForm, groups: list[tuple[Organisation, list[Team]]]) -> list[Team]:
    """Every team chosen: one by one, by organisation, by sector, or all of them."""
    organisations = set(form.organisations.data or [])
    sectors = set(form.sectors.data or [])
    single = set(form.teams.data or [])
    return [
        team
        for org, teams in groups
        for team in teams
        if form.all_teams.data
        or org.id in organisations
        or org.sector in sectors
        or team.id in single
    ]


def _plan(form: OpenWaveForm, teams: list[Team]) -> WavePlan:
    questionnaire = db.session.get(QuestionnaireVersion, form.questionnaire.data)
    if questionnaire is None:
        raise WaveError("choose a questionnaire version")
    return WavePlan(
        name=form.name.data.strip(),
        questionnaire=questionnaire,
        teams=list(teams),
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        k=form.k.data,
        release_mode=form.release_mode.data,
    )


@bp.route("/waves/new", methods=["GET", "POST"])
@role_required("core")
def open_wave() -> Page:
    """Open a wave: questionnaire version, teams, dates, k, release mode, code mode."""
    form = OpenWaveForm()
    versions = db.session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version.desc()
        )
    ).all()
    form.questionnaire.choices = [
        SelectChoice(v.id, f"{v.key} version {v.version}: {v.title}") for v in versions
    ]
    groups = _team_groups()
    form.teams.choices = [SelectChoice(team.id, team.name) for _, teams in groups for team in teams]
    form.organisations.choices = [SelectChoice(org.id, org.name) for org, _ in groups]
    sectors = sorted({org.sector for org, _ in groups})
    form.sectors.choices = [SelectChoice(sector, sector) for sector in sectors]
    if not form.is_submitted():
        form.opens_on.data = today()
        form.closes_on.data = today() + timedelta(weeks=DEFAULT_WEEKS_OPEN)
        preset = request.args.get("organisation", type=int)
        form.organisations.data = [preset] if preset else []
    if form.validate_on_submit():
        try:
            kek = keyring.configured_kek(current_app.config)
            wave = wave_admin.open_new_wave(
                _plan(form, _chosen(form, groups)),
                kek,
                uses_codes=bool(form.uses_codes.data),
                actor=signed_in_user(),
            )
        except WaveError as error:
            form.form_errors.append(_sentence(str(error)))
        except KeyConfigError:
            form.form_errors.append(NO_KEY)
        else:
            flash(f"Opened {wave.name}, with one link per team.")
            return redirect(url_for("manage.wave", wave_id=wave.id), code=303)
    page = render_template(
        "manage/waves/new.html",
        form=form,
        groups=groups,
        sectors=[
            (sector, sum(len(t) for o, t in groups if o.sector == sector)) for sector in sectors
        ],
        chosen=set(form.teams.data or []),
        chosen_orgs=set(form.organisations.data or []),
        chosen_sectors=set(form.sectors.data or []),
        page_title="Open a wave",
    )
    return page, 422 if form.errors else 200


@bp.get("/waves/<int:wave_id>")
@role_required("core")
def wave(wave_id: int) -> str:
    """A wave: its dates and state, each team's link and progress, and its releases."""
    return _wave_page(db.get_or_404(Wave, wave_id), {}, {})[0]


def _wave_page(
    found: Wave, typed: dict[int, str], errors: dict[int, str], status: int = 200
) -> tuple[str, int]:
    now = wave_admin.status(found, today())
    page = render_template(
        "manage/waves/wave.html",
        wave=found,
        status=now,
        dates=dates_text(found, now.closed_on),
        rows=_rows(found),
        releases=releases_of(found.id),
        typed=typed,
        headcount_errors=errors,
        page_title=found.name,
    )
    return page, status


@bp.post("/waves/<int:wave_id>/headcounts")
@role_required("core")
def wave_headcounts(wave_id: int) -> Page:
    """Record how many staff each team of the wave has (the response rate's denominator)."""
    found = db.get_or_404(Wave, wave_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired, so nothing was saved. Please try again.")
        return redirect(url_for("manage.wave", wave_id=found.id, _anchor="headcounts"), code=303)
    typed = {
        team.id: request.form.get(f"headcount-{team.id}", "").strip()
        for team in wave_admin.teams_of(found)
    }
    errors = {
        team_id: "Enter a whole number of staff, or leave it empty if not known."
        for team_id, text in typed.items()
        if text and not (text.isdigit() and int(text) <= wave_admin.HEADCOUNT_MAX)
    }
    if errors:
        return _wave_page(found, typed, errors, 422)
    counts = {team_id: int(text) if text else None for team_id, text in typed.items()}
    try:
        changed = wave_admin.set_headcounts(found, counts, today(), actor=signed_in_user())
    except WaveError as error:
        flash(_sentence(str(error)))
    else:
        flash(f"Headcounts saved for {changed} team{'' if changed == 1 else 's'}.")
    return redirect(url_for("manage.wave", wave_id=found.id, _anchor="headcounts"), code=303)


def _confirm(
    wave: Wave,
    form: ConfirmForm,
    *,
    title: str,
    explain: list[str],
    button: str,
    action: str,
    refusal: str | None = None,
    offer_exclude: bool = False,
) -> tuple[str, int]:
    """The page that asks before a change; with a refusal, it says why the change cannot be."""
    if refusal is not None and not form.form_errors:
        form.form_errors.append(refusal)
    page = render_template(
        "manage/waves/confirm.html",
        wave=wave,
        form=form,
        title=title,
        explain=explain,
        button=button,
        action=action,
        refused=refusal is not None,
        page_title=title,
        offer_exclude=offer_exclude,
    )
    if form.is_submitted():
        return page, 422 if form.errors else 200
    return page, 409 if refusal is not None else 200


def _refusal(wave: Wave, allowed: str, why: str) -> str | None:
    """Why an action is impossible in the wave's state (None when it is allowed)."""
    now = wave_admin.status(wave, today())
    return None if getattr(now, allowed) else _sentence(f"The wave is {now.label}, so {why}")


def _release_refusal(wave: Wave) -> str | None:
    now = wave_admin.status(wave, today())
    if now.release_kind is not None:
        return None
    if now.state is State.RELEASED:
        return "This wave has had its final release; releases are never remade."
    if now.state is State.OPEN:
        return "The wave is still open, and it is released once, when it closes."
    return _sentence(f"The wave is {now.label}, so no release can be made now")


def _done(wave: Wave, message: str) -> Response:
    flash(message)
    return redirect(url_for("manage.wave", wave_id=wave.id), code=303)


@bp.route("/waves/<int:wave_id>/close", methods=["GET", "POST"])
@role_required("core")
def close_wave(wave_id: int) -> Page:
    """Close a wave early: from today its links take no more responses."""
    found = db.get_or_404(Wave, wave_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            close_wave_now(found, today(), actor=signed_in_user())
        except WaveError as error:
            form.form_errors.append(_sentence(str(error)))
        else:
            return _done(
                found,
                f"Closed {found.name}. Its links take no more responses. "
                "The final release can be made now.",
            )
    return _confirm(
        found,
        form,
        title=f"Close {found.name} early",
        explain=[
            "From today, every link of this wave shows people that the survey has closed.",
            "Responses already given are kept. You can extend the wave later if no final "
            "release has been made.",
        ],
        button="Close the wave now",
        action=url_for("manage.close_wave", wave_id=found.id),
        refusal=_refusal(found, "can_close", "it takes no responses, so it cannot be closed"),
    )


@bp.route("/waves/<int:wave_id>/extend", methods=["GET", "POST"])
@role_required("core")
def extend_wave(wave_id: int) -> Page:
    """Give a wave a later closing date."""
    found = db.get_or_404(Wave, wave_id)
    form = ExtendForm()
    current: date = found.last_day
    if not form.is_submitted():
        form.closes_on.data = max(current, today()) + timedelta(weeks=1)
    if form.validate_on_submit():
        try:
            wave_admin.extend(found, form.closes_on.data, today(), actor=signed_in_user())
        except WaveError as error:
            form.closes_on.errors = [*form.closes_on.errors, _sentence(str(error))]
        else:
            return _done(found, f"{found.name} now closes after {found.closes_on:%-d %B %Y}.")
    page = render_template(
        "manage/waves/extend.html", wave=found, form=form, current=current, page_title="Extend"
    )
    return page, 422 if form.errors else 200


@bp.route("/waves/<int:wave_id>/archive", methods=["GET", "POST"])
@role_required("core")
def archive_wave(wave_id: int) -> Page:
    """Archive a closed wave."""
    found = db.get_or_404(Wave, wave_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            wave_admin.archive(found, today(), actor=signed_in_user())
        except WaveError as error:
            form.form_errors.append(_sentence(str(error)))
        else:
            return _done(found, f"Archived {found.name}.")
    return _confirm(
        found,
        form,
        title=f"Archive {found.name}",
        explain=[
            "An archived wave leaves the main list and its links stay closed for good.",
            "Its releases stay available to the people who could see them.",
        ],
        button="Archive the wave",
        action=url_for("manage.archive_wave", wave_id=found.id),
        refusal=_refusal(found, "can_archive", "close it before archiving it"),
    )


@bp.route("/waves/<int:wave_id>/release", methods=["GET", "POST"])
@role_required("core")
def release_wave(wave_id: int) -> Page:
    """Make the wave's next release: final after it closes, interim in interim mode."""
    found = db.get_or_404(Wave, wave_id)
    kind = wave_admin.status(found, today()).release_kind or "final"
    form = ReleaseForm()
    refused = False
    if form.validate_on_submit():
        try:
            kek = keyring.configured_kek(current_app.config)
            release = wave_admin.release_wave(
                found,
                kek,
                today(),
                actor=signed_in_user(),
                exclude_failed=bool(form.exclude_failed.data),
            )
        except KeyConfigError:
            form.form_errors.append(NO_KEY)
        except IntegrityRefusal as error:
            form.form_errors.append(_sentence(error.summary))
            refused = True
        except ReleaseError as error:
            form.form_errors.append(_sentence(str(error)))
        except SQLAlchemyError:
            # Nothing is stored before the release's one commit; say so, never a 500.
            db.session.rollback()
            form.form_errors.append(DATABASE_FAILED)
        else:
            return _done(found, f"Made {release.kind} release {release.sequence} of {found.name}.")
    return _confirm(
        found,
        form,
        title=f"Make the {kind} release of {found.name}",
        explain=[
            "Lantern opens every response of this wave, scores them and stores group results "
            f"under the disclosure rules: no group smaller than {found.k} is shown.",
            "A release can never be changed or remade afterwards."
            if kind == "final"
            else "An interim release adds a group only when it has at least "
            f"{found.k} more responses than at its previous release.",
        ],
        button=f"Make the {kind} release",
        action=url_for("manage.release_wave", wave_id=found.id),
        refusal=_release_refusal(found),
        offer_exclude=refused or bool(form.exclude_failed.data),
    )


@bp.route("/links/<int:link_id>/rotate", methods=["GET", "POST"])
@role_required("core")
def rotate_link(link_id: int) -> Page:
    """Stop a team's link at once and issue a new one."""
    link = db.get_or_404(SurveyLink, link_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            wave_admin.rotate_link(link, actor=signed_in_user())
        except WaveError as error:
            form.form_errors.append(_sentence(str(error)))
        else:
            return _done(link.wave, f"{link.label} has a new link; the old one has stopped.")
    return _confirm(
        link.wave,
        form,
        title=f"New link for {link.label}",
        explain=[
            "The current link stops working at once, for everyone, and the team gets a new one.",
            "Print a new poster and hand out the new link; codes already handed out still work.",
        ],
        button="Stop this link and make a new one",
        action=url_for("manage.rotate_link", link_id=link.id),
        refusal=_refusal(link.wave, "taking_responses", "its links cannot be changed"),
    )


@bp.route("/links/<int:link_id>/revoke", methods=["GET", "POST"])
@role_required("core")
def revoke_link(link_id: int) -> Page:
    """Stop a team's link at once, without a replacement."""
    link = db.get_or_404(SurveyLink, link_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            wave_admin.revoke_link(link, actor=signed_in_user())
        except WaveError as error:
            form.form_errors.append(_sentence(str(error)))
        else:
            return _done(link.wave, f"The link of {link.label} has stopped working.")
    return _confirm(
        link.wave,
        form,
        title=f"Stop the link of {link.label}",
        explain=[
            "The link stops working at once. Anyone opening it sees that the page cannot be found.",
            "You can issue the team a new link later from the wave's page.",
        ],
        button="Stop this link",
        action=url_for("manage.revoke_link", link_id=link.id),
        refusal=_refusal(link.wave, "taking_responses", "its links have already stopped"),
    )
