"""SQLAlchemy 2.0 typed models, one module per area; import them from here."""

from survey.models.accounts import (
    ROLES,
    ApiToken,
    AuditEvent,
    LeadGrant,
    User,
    new_session_token,
)
from survey.models.core import (
    SECTORS,
    Organisation,
    PendingResponse,
    QuestionnaireVersion,
    Response,
    ResponseTally,
    SignpostResource,
    SurveyLink,
    Team,
    UsedForm,
    Wave,
    new_link_token,
    new_response_id,
    utcnow,
)
from survey.models.releases import Release, ReleaseImmutable
from survey.models.workspace import CodeTally, Invitation, SingleUseCode

__all__ = [
    "ROLES",
    "SECTORS",
    "ApiToken",
    "AuditEvent",
    "CodeTally",
    "Invitation",
    "LeadGrant",
    "Organisation",
    "PendingResponse",
    "QuestionnaireVersion",
    "Release",
    "ReleaseImmutable",
    "Response",
    "ResponseTally",
    "SignpostResource",
    "SingleUseCode",
    "SurveyLink",
    "Team",
    "UsedForm",
    "User",
    "Wave",
    "new_link_token",
    "new_response_id",
    "new_session_token",
    "utcnow",
]
