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
from survey.models.journey import (
    ENGAGEMENT_KINDS,
    REVIEW_KINDS,
    DomainRating,
    EngagementSession,
    Review,
    ReviewWave,
)
from survey.models.keychecks import KeyCheck
from survey.models.plans import ACTION_STATUSES, FOUR_RS, Action, ActionComment
from survey.models.releases import Release, ReleaseImmutable
from survey.models.workspace import CodeBatch, CodeTally, Invitation, SingleUseCode

__all__ = [
    "ACTION_STATUSES",
    "ENGAGEMENT_KINDS",
    "FOUR_RS",
    "REVIEW_KINDS",
    "ROLES",
    "SECTORS",
    "Action",
    "ActionComment",
    "ApiToken",
    "AuditEvent",
    "CodeBatch",
    "CodeTally",
    "DomainRating",
    "EngagementSession",
    "Invitation",
    "KeyCheck",
    "LeadGrant",
    "Organisation",
    "PendingResponse",
    "QuestionnaireVersion",
    "Release",
    "ReleaseImmutable",
    "Response",
    "Review",
    "ReviewWave",
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
