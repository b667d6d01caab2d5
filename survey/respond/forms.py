"""The survey step form: CSRF, the signed form key, the page, and which button was pressed.

Answers themselves are typed and checked by the questionnaire definition, which
knows each question's allowed values.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange

ACTIONS = ("start", "next", "back", "finish")
ANSWER_PREFIX = "q-"


class StepForm(FlaskForm):  # type: ignore[misc]
    """Control fields of every survey page."""

    form_key = HiddenField(validators=[DataRequired()])
    page = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=200)])
    action = HiddenField(validators=[AnyOf(ACTIONS)])
    # Code mode only: the person's single-use code, typed on the welcome page, then carried.
    code = StringField(validators=[Length(max=40)])
