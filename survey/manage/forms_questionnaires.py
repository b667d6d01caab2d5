"""Forms for questionnaires: upload a file, edit the YAML in the page, import licensed wording.

The questionnaire loader does the real checking (file, field and why); these forms check
only that something usable was sent.
"""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from survey.text_forms import TextForm

# Leaves room inside the app's 64 KiB request limit for the rest of the form.
MAX_SOURCE_CHARACTERS = 60_000


class UploadForm(TextForm):
    """A questionnaire YAML file."""

    file = FileField(
        "Questionnaire file (YAML)",
        validators=[
            FileRequired("Choose a questionnaire file to upload."),
            FileAllowed(["yaml", "yml"], "Upload a YAML file (ending .yaml or .yml)."),
        ],
    )


class EditForm(TextForm):
    """A questionnaire's YAML, edited in the page; a change is stored as a new version."""

    source = TextAreaField(
        "Questionnaire YAML",
        validators=[
            DataRequired("The questionnaire cannot be empty."),
            Length(
                max=MAX_SOURCE_CHARACTERS,
                message=f"Keep the questionnaire under {MAX_SOURCE_CHARACTERS} characters.",
            ),
        ],
    )


class WordingForm(TextForm):
    """Licensed item wording for one scale of a questionnaire version."""

    scale = SelectField("Scale", validators=[DataRequired("Choose a scale.")])
    file = FileField(
        "Wording file (YAML or CSV)",
        validators=[
            FileRequired("Choose the file with the licensed wording."),
            FileAllowed(["yaml", "yml", "csv"], "Upload a YAML or CSV file."),
        ],
    )
    licensed = BooleanField(
        "We hold the licence or permission this instrument needs for this wording",
        validators=[DataRequired("Confirm that the licence allows using this wording.")],
    )
