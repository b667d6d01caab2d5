"""Core-team accounts from the workspace: the list, inviting a member, disabling, reset links.

A new or reset set-password link is shown once, in the response to the post that made it;
Lantern keeps only its hash. Every change is audited by the services.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from survey.access import role_required, signed_in_user
from survey.manage import bp
from survey.manage.forms_membership import ConfirmForm, InviteForm, attach_error
from survey.models import User
from survey.services import core_team, lead_access
from survey.services.membership import IssuedInvitation, MembershipError


class CoreInviteForm(InviteForm):
    """A new core-team member: name and email (the core team sees every team)."""

    access = None  # type: ignore[assignment]  # no team grant: WTForms drops a field set to None


def _member(user_id: int) -> User:
    found = core_team.get_core(user_id)
    if found is None:
        abort(404)
    return found


def _link_page(issued: IssuedInvitation, made: str) -> ResponseReturnValue:
    return render_template(
        "manage/accounts/link.html",
        member=issued.user,
        link=issued.link,
        made=made,
        page_title="Set-password link",
    )


@bp.get("/accounts")
@role_required("core")
def accounts() -> ResponseReturnValue:
    """Every core-team account, with its state and what can be done with it."""
    members = core_team.core_members()
    return render_template(
        "manage/accounts/index.html",
        members=members,
        states=lead_access.invitation_states(members),
        me=signed_in_user(),
        page_title="Core-team accounts",
    )


@bp.route("/accounts/invite", methods=["GET", "POST"])
@role_required("core")
def invite_core() -> ResponseReturnValue:
    """Make another core-team account and its one-time set-password link."""
    form = CoreInviteForm()
    if form.validate_on_submit():
        try:
            issued = core_team.invite_core_member(
                form.email.data or "", form.display_name.data or "", actor=signed_in_user()
            )
        except MembershipError as error:
            attach_error(form, error.field, error.message)
        else:
            return _link_page(issued, "invited")
    page = render_template(
        "manage/accounts/invite.html", form=form, page_title="Invite a core-team member"
    )
    return page, 422 if form.is_submitted() else 200


@bp.post("/accounts/<int:user_id>/reset")
@role_required("core")
def reset_core(user_id: int) -> ResponseReturnValue:
    """A fresh one-time set-password link for a core member; earlier links stop working."""
    member = _member(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        return _link_page(core_team.reset_link(member, actor=signed_in_user()), "reset")
    except MembershipError as error:
        flash(error.message)
    return redirect(url_for("manage.accounts"), code=303)


@bp.post("/accounts/<int:user_id>/<any(disable, enable):change>")
@role_required("core")
def set_core_active(user_id: int, change: str) -> ResponseReturnValue:
    """Disable a core member's account (their sessions end at once), or enable it again."""
    member = _member(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        core_team.set_core_active(member, change == "enable", actor=signed_in_user())
    except MembershipError as error:
        flash(error.message)
    else:
        done = "enabled" if change == "enable" else "disabled"
        flash(f"{member.display_name}'s account is {done}.")
    return redirect(url_for("manage.accounts"), code=303)
