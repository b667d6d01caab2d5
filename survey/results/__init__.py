"""Results pages for team leads and the core team: the whole URL table of the blueprint."""

from flask import Blueprint

from survey.results import views

bp = Blueprint("results", __name__, url_prefix="/results")

bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/release/<int:wave_id>/<int:sequence>", "release", views.release)
bp.add_url_rule("/release/<int:wave_id>/<int:sequence>.csv", "release_csv", views.release_csv)

__all__ = ["bp"]
