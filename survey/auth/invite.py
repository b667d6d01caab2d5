"""The set-password page a new team lead opens from the one-time link the core team passed on.

The page is public (the lead has no password yet), rate-limited, and shows one and the same
page for an unknown, used or expired link, so it never says which.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from survey.access import public
from survey.auth.views import bp
from survey.extensions import limiter
from survey.limits import client_address
from survey.services import lead_access
from survey.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from survey.services.membership import InvitationUnusable, MembershipError

TEMPLATE = "manage/membership/accept.html"
UNUSABLE_TEMPLATE = "manage/membership/link_unusable.html"


class SetPasswordForm(FlaskForm):  # type: ignore[misc]
    """A new password, typed twice."""

    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
    )
    confirm = PasswordField(
        "Type it again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", message="The two passwords are not the same."),
        ],
    )


def _per_address() -> str:
    # Staff-facing only; the keyed digest keeps addresses out of the rate-limit store.
    return "invitation-address:" + client_address()


def _limit() -> str:
    config = current_app.config
    return str(config.get("INVITATION_RATE_LIMIT", config["SIGNIN_RATE_LIMIT"]))


def _unusable() -> ResponseReturnValue:
    page = render_template(UNUSABLE_TEMPLATE, page_title="This link does not work")
    return page, 404


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_limit, key_func=_per_address)
def accept_invitation(token: str) -> ResponseReturnValue:
    """Let the invited lead choose a password, once; then send them to sign in."""
    invitation = lead_access.live_invitation(token)
    if invitation is None:
        return _unusable()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            lead_access.accept_invitation(token, form.password.data or "")
        except InvitationUnusable:
            return _unusable()
        except MembershipError as error:
            form.password.errors = [*form.password.errors, error.message]
        else:
            flash("Your password is set. Sign in with your email address and new password.")
            return redirect(url_for("auth.sign_in"), code=303)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        TEMPLATE, form=form, user=invitation.user, page_title="Set your password"
    )
    return page, status
