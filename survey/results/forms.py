"""Forms of the results pages: recording an action, moving its status, commenting on it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from survey.models.plans import ACTION_STATUSES, FOUR_RS
from survey.services.plans import MAX_COMMENT, MAX_OWNER, MAX_TITLE

FOCUS_CHOICES = [SelectChoice(key, label) for key, label in FOUR_RS.items()]
STATUS_CHOICES = [SelectChoice(status, status.capitalize()) for status in ACTION_STATUSES]


class ActionForm(FlaskForm):  # type: ignore[misc]
    """One action a lead records for their team after a release."""

    group = StringField("Group", validators=[DataRequired()])
    title = StringField(
        "What will you do?",
        description="One concrete step, for example 'Start monthly reflective practice'.",
        validators=[
            DataRequired("Say what the team will do."),
            Length(max=MAX_TITLE, message=f"Keep it to {MAX_TITLE} characters or fewer."),
        ],
    )
    focus = SelectField(
        "Focus (the Four R's)",
        choices=FOCUS_CHOICES,
        validators=[DataRequired("Choose a focus.")],
    )
    owner_role = StringField(
        "Who leads it (a role, not a name)",
        description="For example 'team manager' or 'wellbeing champion'.",
        validators=[
            DataRequired("Say which role leads it."),
            Length(max=MAX_OWNER, message=f"Keep it to {MAX_OWNER} characters or fewer."),
        ],
    )
    due_on = DateField("Due by", validators=[Optional()])


class StatusForm(FlaskForm):  # type: ignore[misc]
    """Move an action along."""

    status = SelectField("Status", choices=STATUS_CHOICES, validators=[DataRequired()])


class CommentForm(FlaskForm):  # type: ignore[misc]
    """A core-team comment on an action."""

    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write a comment."),
            Length(max=MAX_COMMENT, message=f"Keep it to {MAX_COMMENT} characters or fewer."),
        ],
    )
