"""The sign-in form (Flask-WTF, so it carries a CSRF token)."""

from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from survey.services.accounts import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH
from survey.text_forms import TextForm


class SignInForm(TextForm):
    """Email, password, and where to go afterwards (checked to be a local path)."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=MAX_EMAIL_LENGTH)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    next = HiddenField(validators=[Length(max=2000)])
