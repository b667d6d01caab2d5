"""Results views: parse, call one service, render. Every figure comes from a Release."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from survey.access import lead_or_core, role_required, signed_in_user
from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.charts import number
from survey.results.export import release_csv as long_csv
from survey.results.export_wide import file_name, wide_csv
from survey.results.forms import ActionForm, CommentForm, StatusForm
from survey.results.group_parts import PageContext
from survey.results.presenter import present_release
from survey.results.wording import release_dates, round_dates
from survey.services import plans
from survey.services.release_access import (
    RELEASE_EXPORTED,
    RELEASE_VIEWED,
    VisibleRelease,
    open_release,
    page_sources,
    scope_for,
    wave_close_days,
    waves_with_releases,
)


def _today() -> datetime:
    return datetime.now(UTC)


def _opened(wave_id: int, sequence: int, action: str) -> VisibleRelease:
    """The release if the person may see it; 404 otherwise, so addresses cannot be probed."""
    found = open_release(signed_in_user(), wave_id, sequence, action=action)
    if found is None:
        abort(404)
    return found


@lead_or_core
def index() -> str:
    """The waves with releases this person may see, newest first."""
    me = signed_in_user()
    waves = waves_with_releases(scope_for(me))
    return render_template(
        "results/index.html",
        waves=waves,
        user=me,
        page_title="Results",
        round_dates=round_dates,
        closed_early=wave_close_days([w.wave_id for w in waves]),
        release_dates=release_dates,
    )


def _release_page(found: VisibleRelease, form: ActionForm | None = None) -> str:
    sources = page_sources(found)
    if sources is None:
        abort(404)
    context = PageContext(sources.rounds, sources.wording.wording, sources.wording.notes)
    page = present_release(found.payload, found.scope, context)
    actions = plans.actions_by_group(
        [s.team_id for s in page.sections if s.team_id is not None],
        [s.organisation_id for s in page.sections if s.organisation_id is not None],
    )
    return render_template(
        "results/release.html",
        page=page,
        release=found,
        number=number,
        hidden_text=SUPPRESSED_TEXT,
        page_title=f"Results: {page.wave_name}",
        actions=actions,
        action_form=form or ActionForm(),
        status_form=StatusForm(),
        comment_form=CommentForm(),
        may_plan=lambda section: plans.may_plan_in(
            found.scope, section.organisation_id, section.team_id
        ),
        focus_label=plans.focus_label,
        made_on=release_dates(found.info.made_on),
        closed_early_on=sources.closed_early_on,
        wave_opens_on=date.fromisoformat(found.payload["wave"]["opens_on"]),
        wave_closes_on=date.fromisoformat(found.payload["wave"]["closes_on"]),
        round_dates=round_dates,
        release_dates=release_dates,
    )


@lead_or_core
def release(wave_id: int, sequence: int) -> str:
    """One release: the person's teams and organisations, charts with tables, notes."""
    return _release_page(_opened(wave_id, sequence, RELEASE_VIEWED))


@lead_or_core
def record_action(wave_id: int, sequence: int) -> BaseResponse | tuple[str, int]:
    """Record an action for a group of this release that the person holds."""
    found = _opened(wave_id, sequence, RELEASE_VIEWED)
    form = ActionForm()
    group = found.payload["groups"].get(form.group.data or "")
    if group is None or group.get("attribute") is not None or group["level"] == "alliance":
        abort(404)
    if form.validate_on_submit():
        team_id = int(group["id"]) if group["level"] == "team" else None
        organisation_id = (
            int(group["id"]) if team_id is None else plans.organisation_of_team(team_id)
        )
        new = plans.NewAction(
            organisation_id,
            team_id,
            wave_id,
            form.focus.data,
            form.title.data,
            form.owner_role.data,
            form.due_on.data,
        )
        try:
            plans.create_action(signed_in_user(), new, today=_today().date())
        except PermissionError:
            abort(404)
        except plans.PlanError as error:
            form.form_errors.append(str(error).capitalize() + ".")
        else:
            flash("Action recorded.")
            return redirect(
                url_for("results.release", wave_id=wave_id, sequence=sequence)
                + "#actions-"
                + str(group["key"]).replace(":", "-")
            )
    return _release_page(found, form), 422


def _back(default: str) -> BaseResponse:
    target = request.form.get("next", "")
    # Only back to a results page of this site: never an address from outside.
    if not target.startswith("/results/") or "//" in target or "\\" in target:
        target = default
    return redirect(target)


@lead_or_core
def action_status(action_id: int) -> BaseResponse:
    """Move an action to another status."""
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plans.update_action_status(
            signed_in_user(), action_id, form.status.data, today=_today().date()
        )
    except LookupError:
        abort(404)
    flash("Status updated.")
    return _back(url_for("results.actions"))


@role_required("core")
def action_comment(action_id: int) -> BaseResponse:
    """A core-team comment on an action."""
    form = CommentForm()
    if not form.validate_on_submit():
        flash("A comment needs some words (at most 2,000 characters). Nothing was saved.")
        return _back(url_for("results.actions"))
    try:
        plans.comment_on_action(signed_in_user(), action_id, form.body.data, today=_today().date())
    except LookupError:
        abort(404)
    flash("Comment added.")
    return _back(url_for("results.actions"))


@lead_or_core
def actions() -> str:
    """Every action this person may read: the core team sees the whole alliance's."""
    me = signed_in_user()
    return render_template(
        "results/actions.html",
        actions=(found := plans.actions_visible_to(me)),
        grouped=plans.grouped(found),
        user=me,
        status_form=StatusForm(),
        comment_form=CommentForm(),
        focus_label=plans.focus_label,
        release_dates=release_dates,
        page_title="Action plans",
    )


def _csv(body: str, name: str) -> Response:
    # A byte-order mark, so spreadsheets read the file as UTF-8 (band texts use an en dash).
    response = Response(body.encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@lead_or_core
def release_csv(wave_id: int, sequence: int) -> Response:
    """The released figures this person may see, one row per group (optionally one group's)."""
    found = _opened(wave_id, sequence, RELEASE_EXPORTED)
    group = request.args.get("group") or None
    if group is not None and group not in found.payload["groups"]:
        abort(404)
    body = wide_csv(found.payload, found.scope, group)
    return _csv(body, file_name(found.payload, found.scope, group))


@lead_or_core
def release_long_csv(wave_id: int, sequence: int) -> Response:
    """The same figures in long form, one row per group and figure (for scripts)."""
    found = _opened(wave_id, sequence, RELEASE_EXPORTED)
    body = long_csv(found.payload, found.scope)
    return _csv(body, file_name(found.payload, found.scope, None, long=True))
