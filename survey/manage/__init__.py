"""The core team's workspace: membership, questionnaires, waves and links, signposting, keys.

Every view here is for the core-team role only, and every change it makes is audited.
The URL table lives in the view modules, one per area, all on this one blueprint.
"""

from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/manage")

from survey.manage import (  # noqa: E402,F401  (routes register on import)
    accounts,
    alliance,
    audit_log,
    codes,
    free_text,
    home,
    keys,
    membership,
    poster,
    questionnaire_editor,
    questionnaire_format,
    questionnaires,
    signposting,
    waves,
)
