"""The one-time key of a survey form: signed, bound to its link, and short-lived.

It carries a random nonce that is spent when the answers are stored, so a
replayed or refreshed final post stores nothing twice.
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "lantern.survey-form"


class FormKeyExpired(Exception):
    """The form is older than allowed; the person should start again."""


class FormKeyInvalid(Exception):
    """The form key was not issued by us for this link."""


def issue(secret: str, link_id: int) -> str:
    """A fresh form key for one pass through the survey on this link."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    return serializer.dumps({"l": link_id, "n": secrets.token_urlsafe(16)})


def read(secret: str, key: str, link_id: int, max_age: int) -> str:
    """The nonce inside a form key, if it is ours, for this link and not expired."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        data = serializer.loads(key, max_age=max_age)
    except SignatureExpired:
        raise FormKeyExpired from None
    except BadSignature:
        raise FormKeyInvalid from None
    if not isinstance(data, dict) or data.get("l") != link_id or not isinstance(data.get("n"), str):
        raise FormKeyInvalid
    nonce: str = data["n"]
    return nonce
