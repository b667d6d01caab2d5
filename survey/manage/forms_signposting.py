"""The support-route form (Flask-WTF), and what each band level means in plain words."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from survey.domain.templates import STSS
from survey.manage.forms_membership import select_choices, strip
from survey.services.signposting_admin import dialable, web_address
from survey.text_forms import TextForm

ALLIANCE = ""


def level_words() -> dict[int, str]:
    """Each band level in words, from the demo STSS bands (0 means every result)."""
    words = {0: "Every result, whatever the band"}
    for band in STSS.total_bands[1:]:
        higher = band.level < len(STSS.total_bands) - 1
        words[band.level] = f"{band.label} and above" if higher else f"{band.label} only"
    return words


def _digits_only(form: FlaskForm, field: StringField) -> None:
    try:
        dialable(field.data or "")
    except ValueError:
        raise ValidationError("Use digits only, for example 116123 (spaces are fine).") from None


def _web_address(form: FlaskForm, field: StringField) -> None:
    try:
        web_address(field.data or "")
    except ValueError:
        raise ValidationError("Enter a full address starting with https://.") from None


def _not_in_future(form: FlaskForm, field: DateField) -> None:
    if field.data is not None and field.data > date.today():
        raise ValidationError("The date last checked cannot be in the future.")


def _typed_a_number(form: FlaskForm, field: IntegerField) -> None:
    # Text that is not a number already has its message; a range message would only repeat it.
    if field.process_errors:
        raise StopValidation()


def _text(label: str, longest: int, missing: str = "") -> StringField:
    first = DataRequired(missing) if missing else Optional()
    return StringField(
        label,
        validators=[first, Length(max=longest, message=f"Use at most {longest} characters.")],
        filters=[strip],
    )


class ResourceForm(TextForm):
    """One support route, as a respondent will see it on their result page."""

    organisation_id = SelectField("Shown to", default=ALLIANCE)
    name = _text("Name", 200, "Enter the name.")
    contact = _text(
        "How to contact", 300, "Say how to contact them: a number, a place or a web page."
    )
    phone = StringField(
        "Phone number to call",
        validators=[Optional(), Length(max=30), _digits_only],
        description="Digits only; phones show a tap-to-call button.",
    )
    sms = StringField(
        "Number to text",
        validators=[Optional(), Length(max=30), _digits_only],
        description="Digits only; phones show a tap-to-text button.",
    )
    url = StringField(
        "Web address",
        validators=[
            Optional(),
            Length(max=500, message="Use at most 500 characters."),
            _web_address,
        ],
        filters=[strip],
    )
    hours = _text("Opening hours", 120)
    description = TextAreaField(
        "What it offers",
        validators=[Optional(), Length(max=1000, message="Use at most 1000 characters.")],
        filters=[strip],
    )
    always = BooleanField(
        "Always show (a 24/7 route)",
        description="Always-shown routes come first on every result page, whatever the band.",
    )
    min_level = SelectField(
        "Show with",
        coerce=int,
        choices=select_choices(sorted(level_words().items())),
        default=0,
        description="For routes that are not always shown: the lowest band they appear with "
        "(bands of the demo stress scale).",
    )
    position = IntegerField(
        "Order",
        validators=[
            Optional(),
            _typed_a_number,
            NumberRange(min=0, max=100000, message="Enter a whole number from 0 to 100000."),
        ],
        description="Lower numbers come first. Leave empty to add at the end of the list.",
    )
    last_checked = DateField(
        "Last checked",
        validators=[InputRequired("Enter the date the details were last checked."), _not_in_future],
        default=date.today,
    )
