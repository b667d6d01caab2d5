"""Helpers for tests that start real servers (gunicorn, nginx) on loopback."""

from __future__ import annotations

import base64
import http.client
import os
import socket

import pytest

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from tests.security.keyfixtures import live_token, seed

HOST = "127.0.0.1"  # loopback only, always


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def healthy(port: int) -> bool:
    """Whether a Lantern service on this port answers /healthz with 200."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# Secrets strong enough for production mode. The integrity secret and the code pepper are
# shared by a test's two services; each keeps its own SECRET_KEY.
INTEGRITY_KEY = "Vx8-kP3qZ7mL1wT9rB5nH2cJ6fD4sA0gYe"
CODE_PEPPER = "Jd7-wQ2zR9xK4mV8nT1bY6cH3fL5sP0gA"
SECRET_KEY = "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e"


def seeded_file_database(url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The core team's set-up on a database file: schema, demo, an open wave.

    Returns the KEK it was sealed for and a live survey token; the KEK is in this process's
    environment only while seeding. Wave keys are tagged under `INTEGRITY_KEY`.
    """
    kek = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings = TestingConfig({"DATABASE_URL": url})
    settings.KEK_FILE = None
    settings.INTEGRITY_KEY = INTEGRITY_KEY
    with monkeypatch.context() as scoped:
        scoped.setenv("LANTERN_KEK", kek)
        seeding = create_app(settings)
        with seeding.app_context():
            db.create_all()
            seed(seeding)
            token = live_token()
            db.session.remove()
            db.engine.dispose()
    return kek, token
