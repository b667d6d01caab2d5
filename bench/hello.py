"""Hello-world baselines, served with the same gunicorn settings as Lantern.

`app` is a bare WSGI callable (the floor of what gunicorn itself costs); `flask_app` is
one Flask route returning the same text (what the framework adds before any of our code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

BODY = b"hello, world\n"


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer every request with a fixed 13-byte body."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]


flask_app = Flask(__name__)


@flask_app.get("/")
def hello() -> tuple[bytes, int, dict[str, str]]:
    """The same body from a Flask route."""
    return BODY, 200, {"Content-Type": "text/plain"}
