"""Rate-limit keys and rules that no client can turn into a lockout of someone else.

Two rules hold everywhere:

- **Addresses are the real client's.** Behind the TLS proxy every request arrives from the
  proxy, so keying on the socket's address would put every person in one bucket (13 bad
  sign-ins locked all staff out). `PROXY_HOPS` (ProxyFix in `survey.apps`) makes
  `request.remote_addr` the address the one trusted proxy saw; a client's own
  `X-Forwarded-For` entries are ignored.
- **Addresses are never kept.** A key holds a keyed digest (HMAC under the app's
  SECRET_KEY) of the address, only in the limiter's store and only for the limit's window
  (a minute); never in the database or a log.

Survey posts are limited per address (every post; so one client cannot flood a team's
link) and per link on failed posts only (a form that was malformed, expired, replayed or
refused): real people's successful posts never use up a link, and a link's failure
budget is larger than any one address may spend, so one client cannot exhaust it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, current_app, request

from survey.extensions import csrf, limiter
from survey.security import refuse_nul_in_path

F = TypeVar("F", bound=Callable[..., Any])


def keyed_digest(value: str) -> str:
    """A digest under the app's secret, so the limiter's store holds no address or email."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def client_address() -> str:
    """The real client's address (the trusted proxy's view), digested."""
    return keyed_digest("address:" + (request.remote_addr or ""))


def refused(response: Response) -> bool:
    """Whether a response refused the request (counted only then), other than the limit's own."""
    return response.status_code >= 400 and response.status_code != 429


def setting(name: str) -> Callable[[], str]:
    """A limit read from the app's settings when the request comes (tests may change it)."""

    def value() -> str:
        return str(current_app.config[name])

    return value


def _survey_address() -> str:
    return "survey-address:" + client_address()


def _survey_link() -> str:
    return "survey-link:" + str((request.view_args or {}).get("token", ""))


def survey_post_limits(view: F) -> F:
    """The respondent post's limits: per client address, and per link on refused posts only.

    The CSRF check runs inside the limits (not in the app-wide before-request hook, which
    runs before any route limit), so a post refused for a missing or stale token counts too;
    then the NUL-in-path check, in the order every other post gets them.
    """

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        csrf.protect()
        refuse_nul_in_path()
        return view(*args, **kwargs)

    per_address = limiter.limit(setting("SURVEY_ADDRESS_RATE_LIMIT"), key_func=_survey_address)
    per_link = limiter.limit(
        setting("SURVEY_LINK_FAILURE_RATE_LIMIT"), key_func=_survey_link, deduct_when=refused
    )
    limited = per_address(per_link(checked))
    csrf.exempt(limited)  # from the early hook only: `checked` above makes the same check
    return cast(F, limited)
