"""Core-team accounts from the workspace: invite another member, disable, reset by link.

The first core account still comes from the shell (`flask users create-core`). After that a
member invites the next one as leads are invited: an account with no usable password and a
one-time set-password link, issued by the same code (`lead_access`), so both kinds of
account are set up, reset and audited alike.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import User
from survey.services import accounts, lead_access
from survey.services.accounts import AccountError
from survey.services.membership import (
    PERSON_NAME_MAX,
    IssuedInvitation,
    MembershipError,
    _clean_name,
    _note,
    _unique,
    now_utc,
)


def core_members() -> list[User]:
    """Every core-team account, active ones first, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "core")
            .order_by(User.active.desc(), User.display_name, User.id)
        )
    )


def get_core(user_id: int) -> User | None:
    """The core-team account with this id (leads are managed on their own pages)."""
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    return user if user is not None and user.role == "core" else None


def invite_core_member(email: str, display_name: str, *, actor: User) -> IssuedInvitation:
    """Create a core-team account and its 7-day set-password link; commits once."""
    name = _clean_name(display_name, "display_name", PERSON_NAME_MAX)
    clash = MembershipError("An account with this email already exists.", "email")
    if accounts.find_user(email) is not None:
        raise clash
    try:
        address = accounts.check_account_details(email, name, "core")
    except AccountError:
        raise MembershipError("Enter an email address such as name@example.org.", "email") from None
    # No password matches until the member sets one; a real hash keeps sign-in timing uniform.
    unusable = accounts._hasher().hash(secrets.token_urlsafe(32))
    user = User(email=address, display_name=name, role="core", password_hash=unusable)
    with _unique(clash):
        db.session.add(user)
        db.session.flush()
        _note("account created", actor, f"user:{user.id}", "role core, by invitation")
        return lead_access._issue(user, now_utc(), actor)


def _active_core_count() -> int:
    query = select(func.count()).where(User.role == "core", User.active.is_(True))
    return int(db.session.scalar(query) or 0)


def set_core_active(user: User, active: bool, *, actor: User) -> None:
    """Disable (or enable again) another core member; never yourself, never the last one."""
    if not active and user.id == actor.id:
        raise MembershipError("You cannot disable your own account.")
    if not active and user.active and _active_core_count() <= 1:
        raise MembershipError("This is the last working core-team account: it stays enabled.")
    accounts.set_active(user, active, actor=actor)


def reset_link(user: User, *, actor: User) -> IssuedInvitation:
    """A fresh one-time set-password link for a core member (earlier links stop working)."""
    return lead_access.new_invitation_link(user, actor=actor)
