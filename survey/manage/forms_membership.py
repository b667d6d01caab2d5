"""Membership forms (Flask-WTF, so each carries a CSRF token), and shared form helpers.

The forms give the first, field-by-field messages; the services check again before writing.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from survey.models import SECTORS
from survey.services.accounts import MAX_EMAIL_LENGTH
from survey.services.membership import NAME_MAX, PERSON_NAME_MAX, PLEDGE_STATUSES
from survey.text_forms import TextForm

# The same shape the accounts service accepts; the message says what is expected.
EMAIL_SHAPE = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"


def strip(value: Any) -> Any:
    """Drop surrounding spaces from typed text (other values pass through)."""
    return value.strip() if isinstance(value, str) else value


def select_choices(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """Options for a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def attach_error(form: FlaskForm, field: str, message: str) -> None:
    """Show a service's message next to the named field, or above the form if it has none."""
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


class ChoicesField(SelectMultipleField):  # type: ignore[misc]
    """Several choices from a list; an empty choice counts as none, an unknown one is refused."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Drop empty values (a blank option) before reading the choices."""
        super().process_formdata([value for value in valuelist if value])

    def pre_validate(self, form: FlaskForm) -> None:
        """Refuse a value that is not among the choices, in the project's own words."""
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError("Not a valid choice.") from None


def _name(label: str, longest: int = NAME_MAX) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(f"Enter the {label.lower()}."),
            Length(max=longest, message=f"Use at most {longest} characters."),
        ],
        filters=[strip],
    )


class OrganisationForm(TextForm):
    """A member organisation: name, sector, when it joined, and its pledge or memorandum."""

    name = _name("Name")
    sector = SelectField(
        "Sector",
        choices=select_choices([(sector, sector.capitalize()) for sector in SECTORS]),
        default="other",
    )
    joined_on = DateField(
        "Date joined",
        validators=[Optional()],
        description="Leave empty if not known.",
    )
    pledge_status = SelectField(
        "Pledge or memorandum",
        choices=select_choices([(status, status.capitalize()) for status in PLEDGE_STATUSES]),
        description="Choose “left” for an organisation that has left the alliance.",
    )


class TeamForm(TextForm):
    """A team's name (unique within its organisation)."""

    name = _name("Team name")


class InviteForm(TextForm):
    """A new team lead: who they are and the first team or organisation they may see."""

    display_name = _name("Name", PERSON_NAME_MAX)
    email = StringField(
        "Email",
        validators=[
            DataRequired("Enter the email address."),
            Length(max=MAX_EMAIL_LENGTH, message="That email address is too long."),
            Regexp(EMAIL_SHAPE, message="Enter an email address such as name@example.org."),
        ],
        filters=[strip],
    )
    access = ChoicesField(
        "Access to",
        coerce=str,
        validators=[DataRequired("Choose a team or an organisation.")],
        description="An organisation includes all its teams, now and later. To give several "
        "at once, hold Ctrl (⌘ on a Mac) while choosing.",
    )


class AccessForm(TextForm):
    """Grant a lead access to one more team or organisation."""

    access = SelectField("Give access to", validators=[DataRequired("Choose one from the list.")])


class WithdrawForm(TextForm):
    """Withdraw one grant, named by its hidden value (e.g. "team:3")."""

    access = HiddenField(validators=[DataRequired(), Length(max=40)])


class ConfirmForm(TextForm):
    """A button that changes something: only the CSRF token."""
