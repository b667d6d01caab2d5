"""The journey of each member: reviews, actions, the engagement log, and the alliance overview.

Pages that change something are for the core team; a member's journey page and board
report are also open to that organisation's leads (an organisation grant). The URL table
lives in `views`.
"""

from flask import Blueprint

bp = Blueprint("journey", __name__, url_prefix="/journey")

from survey.journey import views  # noqa: E402,F401  (routes register on import)
