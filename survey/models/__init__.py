"""SQLAlchemy 2.0 typed models, one module per area; import them from here."""

from survey.models.core import (
    SECTORS,
    Organisation,
    QuestionnaireVersion,
    Response,
    SignpostResource,
    SurveyLink,
    Team,
    UsedForm,
    Wave,
    new_link_token,
    new_response_id,
    utcnow,
)

__all__ = [
    "SECTORS",
    "Organisation",
    "QuestionnaireVersion",
    "Response",
    "SignpostResource",
    "SurveyLink",
    "Team",
    "UsedForm",
    "Wave",
    "new_link_token",
    "new_response_id",
    "utcnow",
]
