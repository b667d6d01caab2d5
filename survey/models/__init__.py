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
    SignpostResource,
    SurveyLink,
    Team,
    UsedForm,
    Wave,
    new_link_token,
    new_response_id,
    utcnow,
)
from survey.models.keychecks import KeyCheck
from survey.models.plans import ACTION_STATUSES, FOUR_RS, Action, ActionComment
from survey.models.releases import Release, ReleaseImmutable
from survey.models.workspace import CodeBatch, CodeTally, Invitation, SingleUseCode

__all__ = [
    "ACTION_STATUSES",
    "FOUR_RS",
    "ROLES",
    "SECTORS",
    "Action",
    "ActionComment",
    "ApiToken",
    "AuditEvent",
    "CodeBatch",
    "CodeTally",
    "Invitation",
    "KeyCheck",
    "LeadGrant",
    "Organisation",
    "PendingResponse",
    "QuestionnaireVersion",
    "Release",
    "ReleaseImmutable",
    "Response",
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
