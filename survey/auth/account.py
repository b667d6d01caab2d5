"""The signed-in person's own account: what they may see, their password, their API tokens.

Every staff member can change their own password (the current one is asked for, and other
sessions end) and issue, list and revoke their own API tokens; a new token is shown once,
in the response to the post that made it, and kept nowhere but as its digest.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from survey.access import lead_or_core, signed_in_user
from survey.auth.invite import SetPasswordForm
from survey.auth.views import _digest, bp
from survey.extensions import limiter
from survey.services import own_account
from survey.services.accounts import MAX_PASSWORD_LENGTH, AccountError

TEMPLATE = "auth/account.html"


class ChangePasswordForm(SetPasswordForm):
    """The current password, then the new one twice (as on the set-password page)."""

    current = PasswordField(
        "Your current password",
        validators=[DataRequired("Type your current password."), Length(max=MAX_PASSWORD_LENGTH)],
    )


class TokenForm(FlaskForm):  # type: ignore[misc]
    """A label for a new API token."""

    label = StringField(
        "What the token is for",
        validators=[
            DataRequired("Say what the token is for, such as 'monthly report'."),
            Length(max=80, message="Keep the label under 80 characters."),
        ],
        description="For example 'monthly report script'. You can revoke it here at any time.",
    )


class RevokeForm(FlaskForm):  # type: ignore[misc]
    """Which label's tokens to revoke."""

    label = HiddenField(validators=[DataRequired(), Length(max=80)])


def _page(status: int = 200, **forms: object) -> ResponseReturnValue:
    user = signed_in_user()
    context: dict[str, object] = {
        "password_form": ChangePasswordForm(formdata=None),
        "token_form": TokenForm(formdata=None),
    }
    context |= forms
    page = render_template(
        TEMPLATE,
        user=user,
        tokens=own_account.own_tokens(user),
        page_title="Your account",
        **context,
    )
    return page, status


@bp.get("/account")
@lead_or_core
def account() -> ResponseReturnValue:
    """Your account: role, what you can see, your password and your API tokens."""
    return _page()


def _per_account() -> str:
    return "password-change:" + _digest(str(signed_in_user().id))


def _limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


@bp.post("/account/password")
@lead_or_core
@limiter.limit(_limit, key_func=_per_account)
def change_password() -> ResponseReturnValue:
    """Change your own password; your other sessions end, this one carries on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = signed_in_user()
        try:
            own_account.change_password(user, form.current.data or "", form.password.data or "")
        except AccountError as error:
            form.current.errors = [*form.current.errors, str(error)]
        else:
            # The change rotated the session token; sign this browser in again with it.
            session.clear()
            login_user(user)
            flash("Your password is changed. Any other place you were signed in is signed out.")
            return redirect(url_for("auth.account"), code=303)
    return _page(422, password_form=form)


@bp.post("/account/tokens")
@lead_or_core
def issue_token() -> ResponseReturnValue:
    """Issue an API token for yourself and show it this once."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token = own_account.issue_own_token(signed_in_user(), form.label.data or "")
        except AccountError as error:
            form.label.errors = [*form.label.errors, str(error)]
        else:
            return _page(200, new_token=token, new_label=(form.label.data or "").strip())
    return _page(422, token_form=form)


@bp.post("/account/tokens/revoke")
@lead_or_core
def revoke_token() -> ResponseReturnValue:
    """Revoke your live API tokens with one label; they stop working at once."""
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            own_account.revoke_own_token(signed_in_user(), form.label.data or "")
        except AccountError:
            flash("That token was already revoked.")
        else:
            flash(f"The token “{form.label.data}” is revoked and no longer works.")
    return redirect(url_for("auth.account"), code=303)
