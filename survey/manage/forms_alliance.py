"""Forms for importing the alliance from a CSV file (or pasted text) and storing the preview."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

# Room inside the app's 64 KiB request limit for the rest of the form.
MAX_CSV_CHARACTERS = 60_000


class ImportForm(FlaskForm):  # type: ignore[misc]
    """A CSV file, or the same text pasted in."""

    file = FileField(
        "CSV file",
        description="Saved from a spreadsheet as “CSV UTF-8”.",
        validators=[FileAllowed(["csv", "txt"], "Choose a CSV file (ending .csv).")],
    )
    text = TextAreaField(
        "Or paste the rows here",
        validators=[
            Length(
                max=MAX_CSV_CHARACTERS,
                message=f"Keep it under {MAX_CSV_CHARACTERS} characters, or split the file.",
            )
        ],
    )

    def csv_text(self) -> str:
        """The text of the file, or the pasted text."""
        upload = self.file.data
        if upload is not None and getattr(upload, "filename", None):
            raw = upload.read(MAX_CSV_CHARACTERS * 4 + 1)
            try:
                return str(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ValidationError(
                    "The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”."
                ) from None
        return str(self.text.data or "")


class StoreImportForm(FlaskForm):  # type: ignore[misc]
    """The previewed text, sent back as it was, and the digest of the plan the person saw."""

    csv_text = HiddenField(validators=[DataRequired(), Length(max=MAX_CSV_CHARACTERS * 2)])
    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
