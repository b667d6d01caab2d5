"""Journey forms (Flask-WTF, so each carries a CSRF token); the services check again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey.models import ACTION_STATUSES, ENGAGEMENT_KINDS
from survey.services.plans import MAX_OWNER as OWNER_MAX
from survey.services.plans import MAX_TITLE as TITLE_MAX
from survey.services.reviews import ATTENDED_MAX, NOTE_MAX


class OpenReviewForm(FlaskForm):  # type: ignore[misc]
    """Open a review: which framework, and the day it opens."""

    framework = SelectField("Framework", validators=[DataRequired("Choose a framework.")])
    opened_on = DateField("Opens on", validators=[DataRequired("Enter the date it opens.")])


class RatingsForm(FlaskForm):  # type: ignore[misc]
    """The agreed ratings: the session's date here, each domain's fields read by name."""

    agreed_on = DateField(
        "Date of the review session", validators=[DataRequired("Enter the session's date.")]
    )


class ActionForm(FlaskForm):  # type: ignore[misc]
    """An action for one domain of a review."""

    domain = SelectField("Domain", validators=[DataRequired("Choose a domain.")])
    title = StringField(
        "What will be done",
        validators=[DataRequired("Say what will be done."), Length(max=TITLE_MAX)],
    )
    owner_role = StringField(
        "Who leads it (a role, not a name)",
        validators=[DataRequired("Enter a role."), Length(max=OWNER_MAX)],
    )
    due_on = DateField("Due by", validators=[Optional()])


class StatusForm(FlaskForm):  # type: ignore[misc]
    """An action's new status."""

    status = SelectField(
        "Status",
        choices=[SelectChoice(s, s.capitalize()) for s in ACTION_STATUSES],
        validators=[DataRequired()],
    )


class SessionForm(FlaskForm):  # type: ignore[misc]
    """One entry of the engagement log."""

    held_on = DateField("Date", validators=[DataRequired("Enter the date.")])
    kind = SelectField("Kind", choices=[SelectChoice(k, k.capitalize()) for k in ENGAGEMENT_KINDS])
    attended = IntegerField(
        "Number attending",
        validators=[
            DataRequired("Enter how many attended."),
            NumberRange(min=1, max=ATTENDED_MAX, message=f"Enter 1 to {ATTENDED_MAX}."),
        ],
    )
    note = StringField("Note (optional)", validators=[Optional(), Length(max=NOTE_MAX)])


LINK_CHOICES = (
    SelectChoice("organisation", "One link and poster for the whole organisation"),
    SelectChoice("team", "One link and poster for each team"),
)


class PerspectiveForm(FlaskForm):  # type: ignore[misc]
    """Open an anonymous perspective survey of a review (one link, or one per team)."""

    perspective = SelectField("Whose perspective", validators=[DataRequired("Choose one.")])
    links = RadioField(
        "Links",
        choices=LINK_CHOICES,
        default="organisation",
        description="Results are always for the whole organisation. With a link for each "
        "team, a team's own results are shown too, but only where its group is big enough.",
        validators=[DataRequired("Choose how many links.")],
    )
    easy_read = BooleanField(
        "Offer an easy-read version",
        description="People can switch to shorter, simpler questions, for people with "
        "learning disabilities, say. Only where the framework has easy-read wording.",
    )
    opens_on = DateField("Opens on", validators=[DataRequired("Enter the opening date.")])
    closes_on = DateField("Closes on", validators=[DataRequired("Enter the closing date.")])
