"""Security headers, privacy-preserving logging, and refusing URLs no browser sends."""

from __future__ import annotations

import logging

from flask import Flask, Response, abort, current_app, request

from survey import page_style
from survey.padding import is_respondent_path

CSP_EXTENSION = "lantern.csp"


def content_security_policy(inline_style: str) -> str:
    """The policy: our own files only, plus the one inline stylesheet named by its hash."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' {inline_style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def _set_headers(response: Response) -> Response:
    """Add the headers every page carries; respondent pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.extensions[CSP_EXTENSION])
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def refuse_nul_in_path() -> None:
    """404 for a path holding a NUL byte: no link has one, and PostgreSQL text cannot."""
    # Without this, /s/%00 reaches the token lookup and the driver's DataError becomes a 500.
    if "\x00" in request.path:
        abort(404)


def _refuse_nul_in_path() -> None:
    # A survey post checks its CSRF token inside its rate limits (survey/limits.py), then
    # this, so a made-up link answers exactly as an unknown one does.
    if request.method == "POST" and is_respondent_path(request.path):
        return
    refuse_nul_in_path()


def init_app(app: Flask) -> None:
    """Install the hooks and silence request logs that would carry client addresses."""
    page_style.init_app(app)
    app.extensions[CSP_EXTENSION] = content_security_policy(page_style.style_source(app))
    app.before_request(_refuse_nul_in_path)
    app.after_request(_set_headers)
    # Werkzeug's development request log starts with the client address: keep it quiet.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
