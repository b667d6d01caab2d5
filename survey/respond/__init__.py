"""The respondent's pages: welcome, questions, result. Phone first, no JavaScript needed."""

from flask import Blueprint

from survey.form_encoding import check_before_form_parsing

bp = Blueprint("respond", __name__)
# Answers that are not UTF-8 are refused before parsing, not stored changed.
bp.record_once(check_before_form_parsing)

from survey.respond import info, views  # noqa: E402,F401  (routes register on import)
