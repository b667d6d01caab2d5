"""Results pages for team leads and the core team: the whole URL table of the blueprint."""

from flask import Blueprint

from survey.results import views

bp = Blueprint("results", __name__, url_prefix="/results")

bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/release/<int:wave_id>/<int:sequence>", "release", views.release)
bp.add_url_rule("/release/<int:wave_id>/<int:sequence>.csv", "release_csv", views.release_csv)
bp.add_url_rule(
    "/release/<int:wave_id>/<int:sequence>-long.csv", "release_long_csv", views.release_long_csv
)
bp.add_url_rule(
    "/release/<int:wave_id>/<int:sequence>/actions",
    "record_action",
    views.record_action,
    methods=["POST"],
)
bp.add_url_rule("/actions", "actions", views.actions)
bp.add_url_rule(
    "/actions/<int:action_id>/status", "action_status", views.action_status, methods=["POST"]
)
bp.add_url_rule(
    "/actions/<int:action_id>/comments", "action_comment", views.action_comment, methods=["POST"]
)

__all__ = ["bp"]
