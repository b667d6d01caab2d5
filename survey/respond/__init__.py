"""The respondent's pages: welcome, questions, result. Phone first, no JavaScript needed."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey.respond import views  # noqa: E402,F401  (routes register on import)
