"""Core-team pages: the support routes shown on respondents' result pages.

Each view parses a form, calls one service, and renders; every change redirects
(POST-redirect-GET) and is audited by the service.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from survey.access import role_required, signed_in_user
from survey.manage import bp
from survey.manage.forms_membership import ConfirmForm, attach_error, select_choices
from survey.manage.forms_signposting import ALLIANCE, ResourceForm, level_words
from survey.models import SignpostResource
from survey.services import membership, signposting_admin
from survey.services.signposting_admin import ResourceDetails, SignpostError


def _page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(f"manage/signposting/{template}", **context), status


def _back_to_list(resource_id: int | None = None) -> ResponseReturnValue:
    anchor = f"resource-{resource_id}" if resource_id else None
    return redirect(url_for("manage.signposting", _anchor=anchor), code=303)


def _resource(resource_id: int) -> SignpostResource:
    found = signposting_admin.get_resource(resource_id)
    if found is None:
        abort(404)
    return found


def _form(resource: SignpostResource | None = None) -> ResourceForm:
    form = ResourceForm(obj=resource)
    form.organisation_id.choices = select_choices(
        [(ALLIANCE, "Everyone in the alliance")]
        + [(str(org.id), f"{org.name} only") for org in membership.organisations()]
    )
    if resource is not None and not form.is_submitted():
        form.organisation_id.data = str(resource.organisation_id or ALLIANCE)
    return form


def _details(form: ResourceForm) -> ResourceDetails:
    chosen = form.organisation_id.data or ALLIANCE
    return ResourceDetails(
        organisation_id=int(chosen) if chosen != ALLIANCE else None,
        name=form.name.data or "",
        contact=form.contact.data or "",
        hours=form.hours.data or "",
        description=form.description.data or "",
        url=form.url.data,
        phone=form.phone.data,
        sms=form.sms.data,
        min_level=form.min_level.data,
        always=bool(form.always.data),
        position=form.position.data,
        last_checked=form.last_checked.data,
    )


@bp.get("/signposting")
@role_required("core")
def signposting() -> ResponseReturnValue:
    """Every support route, alliance-wide first, with a warning on any not checked lately."""
    today = date.today()
    return _page(
        "index.html",
        scopes=signposting_admin.scopes(),
        stale=lambda resource: signposting_admin.stale(resource, today),
        levels=level_words(),
        page_title="Signposting",
    )


@bp.route("/signposting/new", methods=["GET", "POST"])
@role_required("core")
def new_resource() -> ResponseReturnValue:
    """Add a support route, alliance-wide or for one organisation."""
    form = _form()
    if request.method == "GET" and request.args.get("organisation", "").isdigit():
        form.organisation_id.data = request.args["organisation"]
    if form.validate_on_submit():
        try:
            made = signposting_admin.create_resource(
                _details(form), actor=signed_in_user(), today=date.today()
            )
        except SignpostError as error:
            attach_error(form, error.field, error.message)
        else:
            flash(f"{made.name} has been added.")
            return _back_to_list(made.id)
    status = 422 if form.is_submitted() else 200
    return _page("form.html", status, form=form, resource=None, page_title="Add a support route")


@bp.route("/signposting/<int:resource_id>/edit", methods=["GET", "POST"])
@role_required("core")
def edit_resource(resource_id: int) -> ResponseReturnValue:
    """Change a support route."""
    found = _resource(resource_id)
    form = _form(found)
    if form.validate_on_submit():
        try:
            changed = signposting_admin.update_resource(
                found, _details(form), actor=signed_in_user(), today=date.today()
            )
        except SignpostError as error:
            attach_error(form, error.field, error.message)
        else:
            flash("Changes saved." if changed else "Nothing was changed.")
            return _back_to_list(found.id)
    status = 422 if form.is_submitted() else 200
    title = f"Edit {found.name}"
    return _page("form.html", status, form=form, resource=found, page_title=title)


@bp.post("/signposting/<int:resource_id>/checked")
@role_required("core")
def checked_today(resource_id: int) -> ResponseReturnValue:
    """Record that someone checked the route's details today."""
    found = _resource(resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    signposting_admin.mark_checked(found, actor=signed_in_user(), today=date.today())
    flash(f"{found.name}: marked as checked today.")
    return _back_to_list(found.id)


@bp.post("/signposting/<int:resource_id>/<any(up, down):direction>")
@role_required("core")
def move_resource(resource_id: int, direction: str) -> ResponseReturnValue:
    """Move a route one place up or down its list."""
    found = _resource(resource_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    way: Literal["up", "down"] = "up" if direction == "up" else "down"
    if not signposting_admin.move_resource(found, way, actor=signed_in_user()):
        flash(f"{found.name} is already {'first' if way == 'up' else 'last'} in its list.")
    return _back_to_list(found.id)


@bp.route("/signposting/<int:resource_id>/delete", methods=["GET", "POST"])
@role_required("core")
def delete_resource(resource_id: int) -> ResponseReturnValue:
    """Ask, then remove a support route."""
    found = _resource(resource_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = found.name
        signposting_admin.delete_resource(found, actor=signed_in_user())
        flash(f"{name} has been removed.")
        return _back_to_list()
    status = 400 if form.is_submitted() else 200
    return _page("delete.html", status, form=form, resource=found, page_title="Remove a route")
