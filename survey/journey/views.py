"""Journey pages: parse, call one service, render; every change redirects and is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from survey import keyring
from survey.access import lead_or_core, role_required, signed_in_user
from survey.extensions import db
from survey.journey import bp
from survey.journey.forms import (
    ActionForm,
    OpenReviewForm,
    PerspectiveForm,
    RatingsForm,
    SessionForm,
    StatusForm,
)
from survey.keys import KeyConfigError
from survey.models import SECTORS, Action, Organisation, Review
from survey.services import journey, perspectives, reviews
from survey.services.accounts import can_see_organisation
from survey.services.frameworks import available_frameworks
from survey.services.release_access import scope_for
from survey.services.review_actions import ActionError, update_action_status
from survey.services.reviews import DomainEntry, ReviewError
from survey.services.waves import WaveError

# How long a perspective survey stays open unless the core team says otherwise.
PERSPECTIVE_WEEKS = 4
NO_KEY = "The key-encryption key is not configured, so no survey can be opened."

_MAX_ID = 2**31 - 1
DEFAULT_K = 5


def _today() -> date:
    return datetime.now(UTC).date()


def _see(endpoint: str, **values: Any) -> ResponseReturnValue:
    return redirect(url_for(endpoint, **values), code=303)


def _found(model: Any, ident: int) -> Any:
    found = db.session.get(model, ident) if ident <= _MAX_ID else None
    if found is None:
        abort(404)
    return found


def _visible_organisation(organisation_id: int) -> Organisation:
    """The organisation, for the core team or a lead holding a grant to it (404 otherwise)."""
    found: Organisation = _found(Organisation, organisation_id)
    if not can_see_organisation(signed_in_user(), found.id):
        abort(404)
    return found


def _attach(form: FlaskForm, field: str, message: str) -> None:
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


@bp.get("/")
@role_required("core")
def alliance() -> str:
    """Every member: sector, cycle stage, last review, next due, and a heatmap of ratings."""
    sector = request.args.get("sector", "")
    sector = sector if sector in SECTORS else ""
    framework, rows = journey.alliance_overview(sector or None, _today())
    return render_template(
        "journey/alliance.html",
        framework=framework,
        rows=rows,
        sector=sector,
        sectors=SECTORS,
        page_title="Members' journeys",
    )


def _organisation_page(
    found: Organisation,
    status: int = 200,
    *,
    open_form: OpenReviewForm | None = None,
    session_form: SessionForm | None = None,
) -> ResponseReturnValue:
    user = signed_in_user()
    view = journey.journey_for(found, scope_for(user), _today())
    open_form = open_form or OpenReviewForm(formdata=None, opened_on=_today())
    open_form.framework.choices = [SelectChoice(f.key, f.name) for f in available_frameworks()]
    return (
        render_template(
            "journey/organisation.html",
            j=view,
            core=user.role == "core",
            open_form=open_form,
            session_form=session_form or SessionForm(formdata=None, held_on=_today()),
            status_form=StatusForm(formdata=None),
            page_title=f"{found.name}: journey",
        ),
        status,
    )


@bp.get("/organisations/<int:organisation_id>")
@lead_or_core
def organisation(organisation_id: int) -> ResponseReturnValue:
    """One member's journey: timeline, reviews side by side, plan, sessions, screening trend."""
    return _organisation_page(_visible_organisation(organisation_id))


@bp.get("/organisations/<int:organisation_id>/board")
@lead_or_core
def board(organisation_id: int) -> str:
    """A printable report for the organisation's board."""
    found = _visible_organisation(organisation_id)
    view = journey.journey_for(found, scope_for(signed_in_user()), _today())
    return render_template(
        "journey/board.html", j=view, today=_today(), page_title=f"{found.name}: board report"
    )


@bp.post("/organisations/<int:organisation_id>/reviews")
@role_required("core")
def open_review(organisation_id: int) -> ResponseReturnValue:
    """Open the member's next review (a baseline, then follow-ups)."""
    found: Organisation = _found(Organisation, organisation_id)
    form = OpenReviewForm()
    form.framework.choices = [SelectChoice(f.key, f.name) for f in available_frameworks()]
    if form.validate_on_submit():
        try:
            made = reviews.open_review(
                found,
                framework_key=form.framework.data,
                opened_on=form.opened_on.data,
                actor=signed_in_user(),
            )
        except ReviewError as error:
            _attach(form, error.field, error.message)
        else:
            flash(f"The {made.kind} review is open. Record the agreed ratings after the session.")
            return _see("journey.review", review_id=made.id)
    return _organisation_page(found, 422, open_form=form)


@bp.post("/organisations/<int:organisation_id>/sessions")
@role_required("core")
def log_session(organisation_id: int) -> ResponseReturnValue:
    """Add a training or reflective-practice session to the engagement log."""
    found: Organisation = _found(Organisation, organisation_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            reviews.log_session(
                found,
                held_on=form.held_on.data,
                kind=form.kind.data,
                attended=form.attended.data,
                note=form.note.data or "",
                actor=signed_in_user(),
            )
        except ReviewError as error:
            _attach(form, error.field, error.message)
        else:
            flash("The session has been added to the engagement log.")
            return _see("journey.organisation", organisation_id=found.id)
    return _organisation_page(found, 422, session_form=form)


def _review_page(
    found: Review,
    status: int = 200,
    *,
    ratings_form: RatingsForm | None = None,
    action_form: ActionForm | None = None,
    perspective_form: PerspectiveForm | None = None,
    errors: dict[str, str] | None = None,
) -> ResponseReturnValue:
    view = journey.review_view(found)
    if perspective_form is None:
        perspective_form = PerspectiveForm(
            formdata=None,
            opens_on=_today(),
            closes_on=_today() + timedelta(weeks=PERSPECTIVE_WEEKS),
        )
    perspective_form.perspective.choices = _perspective_choices(view.framework)
    if ratings_form is None:
        ratings_form = RatingsForm(formdata=None, agreed_on=found.agreed_on or _today())
    action_form = action_form or ActionForm(formdata=None)
    action_form.domain.choices = [SelectChoice(d.key, d.name) for d in view.framework.domains]
    j = journey.journey_for(found.organisation, scope_for(signed_in_user()), _today())
    return (
        render_template(
            "journey/review.html",
            view=view,
            j=j,
            ratings_form=ratings_form,
            action_form=action_form,
            perspective_form=perspective_form,
            surveys=perspectives.surveys_of(found),
            errors=errors or {},
            submitted=request.form if request.method == "POST" else None,
            page_title=f"{found.organisation.name}: {found.kind} review",
        ),
        status,
    )


@bp.get("/reviews/<int:review_id>")
@role_required("core")
def review(review_id: int) -> ResponseReturnValue:
    """Record a review's agreed ratings, strengths and examples, and its actions."""
    return _review_page(_found(Review, review_id))


@bp.post("/reviews/<int:review_id>")
@role_required("core")
def record_ratings(review_id: int) -> ResponseReturnValue:
    """Save the agreed rating, strengths and examples of every domain."""
    found: Review = _found(Review, review_id)
    form = RatingsForm()
    view = journey.review_view(found)
    entries = {
        cell.key: DomainEntry(
            rating=request.form.get(f"{cell.key}-rating", cell.rating),
            strengths=request.form.get(f"{cell.key}-strengths", ""),
            examples=request.form.get(f"{cell.key}-examples", ""),
        )
        for cell in view.cells
    }
    if form.validate_on_submit():
        try:
            changed = reviews.record_ratings(
                found, entries, agreed_on=form.agreed_on.data, actor=signed_in_user()
            )
        except ReviewError as error:
            if error.field == "agreed_on":
                _attach(form, error.field, error.message)
                return _review_page(found, 422, ratings_form=form)
            return _review_page(found, 422, ratings_form=form, errors={error.field: error.message})
        flash("The agreed ratings have been saved." if changed else "Nothing was changed.")
        return _see("journey.review", review_id=found.id)
    return _review_page(found, 422, ratings_form=form)


@bp.post("/reviews/<int:review_id>/actions")
@role_required("core")
def add_action(review_id: int) -> ResponseReturnValue:
    """Add an action for one domain to the organisation's plan."""
    found: Review = _found(Review, review_id)
    form = ActionForm()
    form.domain.choices = [
        SelectChoice(d.key, d.name) for d in journey.review_view(found).framework.domains
    ]
    if form.validate_on_submit():
        try:
            reviews.add_domain_action(
                found,
                form.domain.data,
                title=form.title.data,
                owner_role=form.owner_role.data,
                due_on=form.due_on.data,
                today=_today(),
                actor=signed_in_user(),
            )
        except (ReviewError, ActionError) as error:
            _attach(form, error.field, error.message)
        else:
            flash("The action has been added to the plan.")
            return _see("journey.review", review_id=found.id, _anchor="plan")
    return _review_page(found, 422, action_form=form)


def _perspective_choices(framework: Any) -> list[SelectChoice]:
    return [SelectChoice(p.key, p.label) for p in framework.perspectives]


@bp.post("/reviews/<int:review_id>/perspectives")
@role_required("core")
def open_perspective(review_id: int) -> ResponseReturnValue:
    """Open an anonymous perspective survey of the review: one link, or one per team."""
    found: Review = _found(Review, review_id)
    form = PerspectiveForm()
    form.perspective.choices = _perspective_choices(journey.review_view(found).framework)
    if form.validate_on_submit():
        try:
            kek = keyring.configured_kek(current_app.config)
            wave = perspectives.open_perspective_survey(
                found,
                perspective=form.perspective.data,
                easy_read=bool(form.easy_read.data),
                teams=found.organisation.teams,
                organisation_wide=form.links.data == "organisation",
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
                k=DEFAULT_K,
                kek=kek,
                actor=signed_in_user(),
            )
        except ReviewError as error:
            _attach(form, error.field, error.message)
        except WaveError as error:
            message = str(error)
            _attach(form, "", f"{message[:1].upper()}{message[1:]}.")
        except KeyConfigError:
            _attach(form, "", NO_KEY)
        else:
            posters = "the poster" if len(wave.links) == 1 else "a poster for each link"
            flash(f"Opened {wave.name}. Print {posters} from this page.")
            return redirect(url_for("manage.wave", wave_id=wave.id), code=303)
    return _review_page(found, 422, perspective_form=form)


@bp.post("/actions/<int:action_id>/status")
@role_required("core")
def action_status(action_id: int) -> ResponseReturnValue:
    """Change an action's status."""
    found: Action = _found(Action, action_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            update_action_status(found, form.status.data, today=_today(), actor=signed_in_user())
        except ActionError as error:
            flash(error.message)
        else:
            flash(f"“{found.title}” is now {found.status}.")
    else:
        flash("Choose a status from the list.")
    return _see("journey.organisation", organisation_id=found.organisation_id, _anchor="plan")
