"""A staff member's own account: changing their password, and their own API tokens.

Each write goes through the accounts service (which hashes, rotates sessions and audits),
so the page and `flask users ...` change an account in exactly the same way.
"""

from __future__ import annotations

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from survey.extensions import db
from survey.models import ApiToken, User
from survey.services import accounts
from survey.services.accounts import AccountError

WRONG_PASSWORD = "That is not your current password."  # noqa: S105  # nosec B105


def _matches(user: User, password: str) -> bool:
    try:
        return bool(accounts._hasher().verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends the account's other sessions.

    A wrong current password is audited like a failed sign-in, and nothing changes.
    """
    if not _matches(user, current):
        accounts.record_event(
            "password change refused", user=user, target=f"user:{user.id}", detail="wrong password"
        )
        raise AccountError(WRONG_PASSWORD)
    if current == new:
        raise AccountError("Choose a password different from the one you have now.")
    accounts.set_password(user, new, actor=user)


def own_tokens(user: User) -> list[ApiToken]:
    """The account's API tokens, live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked, ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def live_labels(user: User) -> set[str]:
    """Labels of the account's tokens that still work."""
    return {token.label for token in own_tokens(user) if not token.revoked}


def issue_own_token(user: User, label: str) -> str:
    """A new token for the signed-in person, labelled; refused if the label is already live."""
    if label.strip() in live_labels(user):
        raise AccountError("You already have a working token with this label: choose another.")
    return accounts.issue_token(user, label, actor=user)


def revoke_own_token(user: User, label: str) -> int:
    """Revoke the signed-in person's live tokens with this label."""
    return accounts.revoke_tokens(user, label, actor=user)
