"""Deny-by-default access control.

Every view must declare who may reach it. A `before_request` hook refuses any
endpoint that declares nothing, so a forgotten decorator fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTR = "_lantern_access"
PUBLIC = "public"


def public(view: F) -> F:
    """Mark a view as reachable by anyone (respondent pages, sign-in, health)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


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
    if declared_access(request.endpoint) is None:
        abort(404)


def init_app(app: Flask) -> None:
    """Install the deny-by-default hook."""
    app.before_request(_deny_undeclared)
