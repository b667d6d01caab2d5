"""Deny-by-default access control.

Every view must declare who may reach it: `public`, or a staff role through
`role_required(...)` / `lead_or_core`. A `before_request` hook refuses any
endpoint that declares nothing, so a forgotten decorator fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from survey.models import User

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_lantern_access"
PUBLIC = "public"
ROLES_PREFIX = "roles:"
API_PREFIX = "/api/"


def public(view: F) -> F:
    """Mark a view as reachable by anyone (respondent pages, sign-in, health)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def role_required(*roles: str) -> Callable[[F], F]:
    """Mark a view as reachable only by signed-in staff holding one of these roles."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    access = ROLES_PREFIX + ",".join(sorted(roles))

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, access)
        return view

    return mark


lead_or_core = role_required("core", "lead")


def allowed_roles(access: str) -> frozenset[str]:
    """The roles a declared access admits (empty for public views)."""
    if not access.startswith(ROLES_PREFIX):
        return frozenset()
    return frozenset(access[len(ROLES_PREFIX) :].split(","))


def declared_access(endpoint: str | None) -> str | None:
    """The access a view declared, or None when it declared nothing."""
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None) if view is not None else None


def _deny_undeclared() -> None:
    """Refuse every request whose endpoint is not declared public or role-guarded."""
    if request.endpoint is None:
        return  # 404 or 405 follows from routing itself
    if request.endpoint == "static":
        return
    access = declared_access(request.endpoint)
    if access is None:
        abort(404)
    if access == PUBLIC:
        return  # respondents' requests never load a user or touch the session
    _require_role(allowed_roles(access))


def _refuse(status: int, message: str) -> NoReturn:
    """Stop the request: JSON under /api/, the sign-in page (or an error page) elsewhere."""
    api = request.path.startswith(API_PREFIX)
    if api:
        response = jsonify(error=message)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="lantern"'
        abort(response)
    if status == 401:
        here = request.full_path if request.query_string else request.path
        abort(redirect(url_for("auth.sign_in", next=here)))
    abort(status)


def _require_role(roles: frozenset[str]) -> None:
    """Admit a signed-in, active user holding one of the roles; refuse everyone else."""
    if not current_user.is_authenticated:
        _refuse(401, "authentication required")
    if getattr(current_user, "role", None) not in roles:
        _refuse(403, "forbidden")


def init_app(app: Flask) -> None:
    """Install the deny-by-default hook."""
    app.before_request(_deny_undeclared)


def signed_in_user() -> User:
    """The signed-in staff account behind a role-guarded view (the actor of its changes)."""
    user: User = current_user._get_current_object()
    return user
