"""Sign-in limits that slow guessing without letting anyone lock the owner out.

Failed sign-ins (only failures count) are limited per (account, address) pair, per address
and, as a ceiling, per account. The ceiling alone would let an attacker with enough
addresses lock a lead out, so a browser that has signed in to an account before carries a
signed "known device" cookie (path /auth/sign-in, a random device id and a digest of the
account, never the email) and is exempt from the address and account limits; it has a pair
limit of its own, per (account, device). Guessing from elsewhere therefore never blocks the
owner's own browser. A new browser during such an attack waits out the account's ceiling.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from survey.extensions import limiter
from survey.limits import client_address, keyed_digest, refused, setting
from survey.services.accounts import normalise_email

F = TypeVar("F", bound=Callable[..., Any])

DEVICE_COOKIE = "lantern_device"
DEVICE_COOKIE_PATH = "/auth/sign-in"
_SALT = "lantern.known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def _account() -> str:
    """The digest of the account the form names."""
    return keyed_digest("account:" + normalise_email(request.form.get("email", "")))


def _max_age() -> int:
    return int(current_app.config["KNOWN_DEVICE_DAYS"]) * 24 * 3600


def _device() -> str | None:
    """The known-device id this browser holds for the submitted account, if any."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        held = _serializer().loads(cookie, max_age=_max_age())
    except BadData:
        return None
    if not isinstance(held, dict) or held.get("account") != _account():
        return None
    device = held.get("device")
    return device if isinstance(device, str) else None


def known_device() -> bool:
    """Whether this browser has signed in to the submitted account before."""
    return _device() is not None


def unknown_device() -> bool:
    """Whether it has not."""
    return not known_device()


def remember_device(response: Response) -> Response:
    """After a successful sign-in: mark this browser as known for the account."""
    device = _device() or secrets.token_urlsafe(16)
    value = _serializer().dumps({"account": _account(), "device": device})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=_max_age(),
        path=DEVICE_COOKIE_PATH,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Strict",
    )
    return response


def _per_address() -> str:
    return "sign-in-address:" + client_address()


def _per_pair() -> str:
    return "sign-in-pair:" + keyed_digest(_account() + client_address())


def _per_account() -> str:
    return "sign-in-account:" + _account()


def _per_device() -> str:
    return "sign-in-device:" + keyed_digest(_account() + (_device() or ""))


def sign_in_limits(view: F) -> F:
    """The sign-in post's limits (failures only), as described above."""
    rules = [
        ("SIGNIN_ADDRESS_RATE_LIMIT", _per_address, known_device),
        ("SIGNIN_RATE_LIMIT", _per_pair, known_device),
        ("SIGNIN_ACCOUNT_RATE_LIMIT", _per_account, known_device),
        ("SIGNIN_RATE_LIMIT", _per_device, unknown_device),
    ]
    limited: Callable[..., Any] = view
    for name, key, exempt in rules:
        limited = limiter.limit(
            setting(name),
            key_func=key,
            methods=["POST"],
            deduct_when=refused,
            exempt_when=exempt,
        )(limited)
    return cast(F, limited)
