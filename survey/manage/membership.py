"""Core-team pages: organisations and their teams, and team leads with their access.

Each view parses a form, calls one service, and renders; every change redirects
(POST-redirect-GET) and is audited by the service.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from survey.access import role_required, signed_in_user
from survey.manage import bp
from survey.manage.forms_membership import (
    AccessForm,
    ConfirmForm,
    InviteForm,
    OrganisationForm,
    TeamForm,
    WithdrawForm,
    attach_error,
    select_choices,
)
from survey.models import Organisation, Team, User
from survey.services import accounts, lead_access, membership
from survey.services.membership import IssuedInvitation, MembershipError, OrganisationDetails


def _page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(f"manage/membership/{template}", **context), status


def _see(endpoint: str, **values: Any) -> ResponseReturnValue:
    return redirect(url_for(endpoint, **values), code=303)


def _organisation(organisation_id: int) -> Organisation:
    found = membership.get_organisation(organisation_id)
    if found is None:
        abort(404)
    return found


def _team(team_id: int) -> Team:
    found = membership.get_team(team_id)
    if found is None:
        abort(404)
    return found


def _lead(user_id: int) -> User:
    found = lead_access.get_lead(user_id)
    if found is None:
        abort(404)
    return found


def _details(form: OrganisationForm) -> OrganisationDetails:
    return OrganisationDetails(
        name=form.name.data or "",
        sector=form.sector.data or "",
        joined_on=form.joined_on.data,
        pledge_status=form.pledge_status.data or "",
    )


# Organisations and teams


@bp.get("/organisations")
@role_required("core")
def organisations() -> ResponseReturnValue:
    """Every member organisation, with its teams."""
    found = membership.organisations()
    return _page("organisations.html", organisations=found, page_title="Organisations")


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required("core")
def new_organisation() -> ResponseReturnValue:
    """Add a member organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            made = membership.create_organisation(_details(form), actor=signed_in_user())
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            flash(f"{made.name} has been added. Now add its teams.")
            return _see("manage.organisation", organisation_id=made.id)
    status = 422 if form.is_submitted() else 200
    return _page("organisation_form.html", status, form=form, page_title="Add an organisation")


@bp.get("/organisations/<int:organisation_id>")
@role_required("core")
def organisation(organisation_id: int) -> ResponseReturnValue:
    """One organisation: its details, its teams, and a form to add a team."""
    return _organisation_page(_organisation(organisation_id), TeamForm(formdata=None), 200)


def _organisation_page(
    found: Organisation, team_form: TeamForm, status: int
) -> ResponseReturnValue:
    usage = {team.id: membership.team_usage(team) for team in found.teams}
    return _page(
        "organisation.html",
        status,
        organisation=found,
        usage=usage,
        team_form=team_form,
        page_title=found.name,
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@role_required("core")
def edit_organisation(organisation_id: int) -> ResponseReturnValue:
    """Change an organisation's name, sector, joining date or pledge status."""
    found = _organisation(organisation_id)
    form = OrganisationForm(obj=found)
    if form.validate_on_submit():
        try:
            changed = membership.update_organisation(found, _details(form), actor=signed_in_user())
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            flash("Changes saved." if changed else "Nothing was changed.")
            return _see("manage.organisation", organisation_id=found.id)
    status = 422 if form.is_submitted() else 200
    title = f"Edit {found.name}"
    return _page("organisation_form.html", status, form=form, organisation=found, page_title=title)


@bp.post("/organisations/<int:organisation_id>/teams")
@role_required("core")
def new_team(organisation_id: int) -> ResponseReturnValue:
    """Add a team to the organisation."""
    found = _organisation(organisation_id)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            made = membership.create_team(found, form.name.data or "", actor=signed_in_user())
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            flash(f"The team {made.name} has been added.")
            return _see("manage.organisation", organisation_id=found.id)
    return _organisation_page(found, form, 422)


@bp.route("/teams/<int:team_id>/rename", methods=["GET", "POST"])
@role_required("core")
def rename_team(team_id: int) -> ResponseReturnValue:
    """Rename a team (its links and results keep working under the new name)."""
    found = _team(team_id)
    form = TeamForm(obj=found)
    if form.validate_on_submit():
        try:
            changed = membership.rename_team(found, form.name.data or "", actor=signed_in_user())
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            flash("The team has been renamed." if changed else "Nothing was changed.")
            return _see("manage.organisation", organisation_id=found.organisation_id)
    status = 422 if form.is_submitted() else 200
    return _page("team_rename.html", status, form=form, team=found, page_title="Rename a team")


@bp.route("/teams/<int:team_id>/delete", methods=["GET", "POST"])
@role_required("core")
def delete_team(team_id: int) -> ResponseReturnValue:
    """Ask, then delete a team that never had survey links or responses."""
    found = _team(team_id)
    form = ConfirmForm()
    usage = membership.team_usage(found)
    if form.validate_on_submit():
        organisation_id, name = found.organisation_id, found.name
        try:
            membership.delete_team(found, actor=signed_in_user())
        except MembershipError as error:
            attach_error(form, "", error.message)
        else:
            flash(f"The team {name} has been deleted.")
            return _see("manage.organisation", organisation_id=organisation_id)
    status = 409 if form.is_submitted() else 200
    context = {"form": form, "team": found, "usage": usage, "page_title": "Delete a team"}
    return _page("team_delete.html", status, **context)


# Leads


@bp.get("/leads")
@role_required("core")
def leads() -> ResponseReturnValue:
    """Every team lead, what they may see, and where their set-password link stands."""
    found = lead_access.leads()
    states = lead_access.invitation_states(found)
    return _page("leads.html", leads=found, states=states, page_title="Team leads")


@bp.route("/leads/invite", methods=["GET", "POST"])
@role_required("core")
def invite_lead() -> ResponseReturnValue:
    """Create a lead account and a one-time set-password link to pass on."""
    form = InviteForm()
    form.access.choices = select_choices(lead_access.access_choices())
    if form.validate_on_submit():
        try:
            issued = lead_access.invite_lead(
                form.email.data or "",
                form.display_name.data or "",
                form.access.data or [],
                actor=signed_in_user(),
            )
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            return _show_link_once(issued)
    status = 422 if form.is_submitted() else 200
    return _page("invite.html", status, form=form, page_title="Invite a team lead")


def _show_link_once(issued: IssuedInvitation) -> ResponseReturnValue:
    """The link goes out in this response only: never into the (signed, readable) cookie."""
    page = render_template(
        "manage/membership/link.html",
        lead=issued.user,
        link=issued.link,
        page_title="Set-password link",
    )
    response = make_response(page, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/leads/<int:user_id>/link")
@role_required("core")
def invitation_link(user_id: int) -> ResponseReturnValue:
    """After the link was shown (only in the response that made it): how to make a new one."""
    lead = _lead(user_id)
    return _page("link.html", lead=lead, link=None, page_title="Set-password link")


@bp.post("/leads/<int:user_id>/link")
@role_required("core")
def new_link(user_id: int) -> ResponseReturnValue:
    """Issue a fresh set-password link (the old one stops working): also a password reset."""
    lead = _lead(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            return _show_link_once(lead_access.new_invitation_link(lead, actor=signed_in_user()))
        except MembershipError as error:
            flash(error.message)
    return _see("manage.lead", user_id=lead.id)


@bp.get("/leads/<int:user_id>")
@role_required("core")
def lead(user_id: int) -> ResponseReturnValue:
    """One lead: their access, with forms to grant and withdraw, and their account."""
    found = _lead(user_id)
    form = AccessForm(formdata=None)
    return _lead_page(found, form, 200)


def _lead_page(found: User, form: AccessForm, status: int) -> ResponseReturnValue:
    form.access.choices = select_choices(lead_access.access_choices())
    state = lead_access.invitation_states([found])[found.id]
    title = found.display_name
    return _page("lead.html", status, lead=found, form=form, state=state, page_title=title)


@bp.post("/leads/<int:user_id>/grants")
@role_required("core")
def grant(user_id: int) -> ResponseReturnValue:
    """Give the lead access to one more team or organisation."""
    found = _lead(user_id)
    form = AccessForm()
    form.access.choices = select_choices(lead_access.access_choices())
    if form.validate_on_submit():
        try:
            lead_access.change_access(
                found, form.access.data or "", grant=True, actor=signed_in_user()
            )
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            flash("Access granted.")
            return _see("manage.lead", user_id=found.id)
    return _lead_page(found, form, 422)


@bp.post("/leads/<int:user_id>/grants/withdraw")
@role_required("core")
def withdraw(user_id: int) -> ResponseReturnValue:
    """Take away the lead's access to one team or organisation."""
    found = _lead(user_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lead_access.change_access(
            found, form.access.data or "", grant=False, actor=signed_in_user()
        )
    except MembershipError as error:
        flash(error.message)
    else:
        flash("Access withdrawn.")
    return _see("manage.lead", user_id=found.id)


@bp.post("/leads/<int:user_id>/<any(disable, enable):change>")
@role_required("core")
def set_active(user_id: int, change: str) -> ResponseReturnValue:
    """Disable a lead's account (ending their sessions at once), or enable it again."""
    found = _lead(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.set_active(found, change == "enable", actor=signed_in_user())
    flash("The account is enabled." if change == "enable" else "The account is disabled.")
    return _see("manage.lead", user_id=found.id)
