"""Forms for waves and links: open a wave, extend it, confirm an action, make codes.

Every rule a person can break is checked here on the server and reported beside its
field; the service functions check the same rules again, so a view can never skip them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

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
from survey.services.codes import MAX_BATCH
from survey.text_forms import TextForm

MAX_K = 100
RELEASE_MODES = [
    SelectChoice("at_close", "Once, when the wave closes (recommended)"),
    SelectChoice("interim", "Interim releases while it is open, then a final one"),
]


def today() -> date:
    """The date the forms check against (UTC, as the respondent pages do)."""
    return datetime.now(UTC).date()


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
        """At least one team."""
        if not field.data:
            raise ValidationError("Choose at least one team.")

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


class CodesForm(TextForm):
    """How many single-use codes to make for which team."""

    team = SelectField("Team", coerce=int, validators=[InputRequired("Choose a team.")])
    count = IntegerField(
        "How many codes",
        description="One per person who may take part, plus a few spare.",
        default=30,
        validators=[
            InputRequired(f"Enter a number from 1 to {MAX_BATCH}."),
            NumberRange(
                min=1, max=MAX_BATCH, message=f"Make from 1 to {MAX_BATCH} codes at a time."
            ),
        ],
    )
