"""The survey step form: CSRF, the signed form key, the page, and which button was pressed.

Answers themselves are typed and checked by the questionnaire definition, which
knows each question's allowed values.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

# "easy" and "usual" switch the words of a survey that offers easy read, keeping the page.
WORDINGS = ("easy", "usual")
ACTIONS = ("start", "restart", "next", "back", "help", "finish", *WORDINGS)
ANSWER_PREFIX = "q-"


class StepForm(FlaskForm):  # type: ignore[misc]
    """Control fields of every survey page."""

    # Welcome page only: the signed one-time key whose nonce the answers will spend.
    form_key = HiddenField(validators=[Optional(), Length(max=200)])
    page = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=201)])
    action = HiddenField(validators=[AnyOf(ACTIONS)])
    # Code mode only: the person's single-use code, typed on the welcome page, then carried.
    code = StringField(validators=[Length(max=40)])
    # Welcome page only: which words the person chose before starting ("easy" or "usual").
    words = HiddenField(validators=[Optional(), AnyOf(WORDINGS)])
