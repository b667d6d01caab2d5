"""Forms for waves and links: open a wave, extend it, confirm an action, make codes.

Every rule a person can break is checked here on the server and reported beside its
field; the service functions check the same rules again, so a view can never skip them.
"""

from __future__ import annotations

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from survey.domain.disclosure import MIN_K
from survey.services.wave_admin import date_today
from survey.text_forms import TextForm

MAX_K = 100
RELEASE_MODES = [
    SelectChoice("at_close", "Once, when the wave closes (recommended)"),
    SelectChoice("interim", "Interim releases while it is open, then a final one"),
]


def today() -> date:
    """The date the forms check against (UTC, as the respondent pages do)."""
    return date_today()


class OpenWaveForm(TextForm):
    """What the core team chooses when opening a wave."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Give the wave a name, for example 'Spring 2027'."),
            Length(max=200, message="Keep the name to 200 characters or fewer."),
        ],
    )
    questionnaire = SelectField(
        "Questionnaire version",
        coerce=int,
        validators=[InputRequired("Choose a questionnaire version.")],
    )
    teams = SelectMultipleField("Teams", coerce=int)
    # Whole groups at once: every team, every team of a sector, every team of an organisation.
    all_teams = BooleanField("Every team of the alliance")
    sectors = SelectMultipleField("By sector", coerce=str)
    organisations = SelectMultipleField("By organisation", coerce=int)
    opens_on = DateField(
        "Opens on",
        description="The first day the links take responses.",
        validators=[InputRequired("Enter the opening date, e.g. 2027-03-01.")],
    )
    closes_on = DateField(
        "Closes on",
        description="The last day the links take responses.",
        validators=[InputRequired("Enter the closing date, e.g. 2027-03-31.")],
    )
    k = IntegerField(
        "Smallest group shown (k)",
        description=f"No group smaller than this is ever shown in results: at least {MIN_K}, "
        "5 is usual.",
        default=5,
        validators=[
            InputRequired(f"Enter a whole number of at least {MIN_K}."),
            NumberRange(
                min=MIN_K, max=MAX_K, message=f"k must be a whole number from {MIN_K} to {MAX_K}."
            ),
        ],
    )
    release_mode = RadioField("Release", choices=RELEASE_MODES, default="at_close")
    uses_codes = BooleanField(
        "Use single-use codes (one response per person)",
        description="Each person also types a code from a printed slip, handed out shuffled. "
        "The server keeps only a hash of each code and whether it was used, never which "
        "response used it.",
    )

    def validate_teams(self, field: SelectMultipleField) -> None:
        """At least one team, chosen one by one or as a group."""
        groups = self.all_teams.data or self.sectors.data or self.organisations.data
        if not field.data and not groups:
            raise ValidationError("Choose at least one team, an organisation or a sector.")

    def validate_closes_on(self, field: DateField) -> None:
        """Not before the opening date, and not already past."""
        if field.data is None:
            return
        if self.opens_on.data is not None and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be on or after the opening date.")
        if field.data < today():
            raise ValidationError("The closing date has already passed.")


class ReleaseForm(TextForm):
    """Confirm a release; after an integrity refusal, optionally without the failing rows."""

    exclude_failed = BooleanField(
        "Release without the stored responses that failed the integrity check"
    )


class ExtendForm(TextForm):
    """A later closing date."""

    closes_on = DateField(
        "New closing date",
        description="The new last day; after the current one.",
        validators=[InputRequired("Enter the new closing date, e.g. 2027-04-15.")],
    )


class VoidCodesForm(TextForm):
    """The void key printed at the top of a sheet of codes."""

    void_key = StringField(
        "Void key printed on the sheet",
        description="Four groups of letters and digits, like ACDEF-GHJKM-NPRTW-XY346.",
        validators=[
            DataRequired("Enter the void key printed at the top of the sheet."),
            Length(max=40, message="The void key is 20 letters and digits."),
        ],
    )
