"""`make run`: the respondent and staff services as two gunicorn processes, as in production.

    python -m config.serve     # respondent on 127.0.0.1:8000, staff on 127.0.0.1:8001

The respondent service gets a copy of this environment with every key variable removed
(`LANTERN_KEK`, `LANTERN_KEK_PREVIOUS`, `LANTERN_KEK_FILE`), so its processes never hold the
key-encryption key; it would refuse to start if they did. Ctrl-C (or SIGTERM) stops both,
and if either stops on its own the other is stopped too. `LANTERN_RESPONDENT_BIND` and
`LANTERN_STAFF_BIND` move them.
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404  (starts our own gunicorn services)
import sys
import time
from collections.abc import Mapping
from types import FrameType

from config import KEY_VARIABLES, ROOT

RESPONDENT_BIND = "127.0.0.1:8000"
STAFF_BIND = "127.0.0.1:8001"


def respondent_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The respondent service's environment: this one without any key material."""
    bind = env.get("LANTERN_RESPONDENT_BIND", RESPONDENT_BIND)
    kept = {name: value for name, value in env.items() if name not in KEY_VARIABLES}
    return kept | {"LANTERN_BIND": bind}


def staff_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The staff service's environment: this one, with its own address."""
    return dict(env) | {"LANTERN_BIND": env.get("LANTERN_STAFF_BIND", STAFF_BIND)}


def _gunicorn(app: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", app]
    return subprocess.Popen(command, cwd=ROOT, env=dict(env))  # noqa: S603  # nosec B603


def main() -> int:
    """Start both services; stop both when either stops or when asked to."""
    services = [
        _gunicorn("wsgi_respondent:app", respondent_environment(os.environ)),
        _gunicorn("wsgi:app", staff_environment(os.environ)),
    ]
    stopping = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping and all(service.poll() is None for service in services):
        time.sleep(0.2)
    for service in services:
        if service.poll() is None:
            service.terminate()
    for service in services:
        code = service.wait()
        status = status or code
    return status


if __name__ == "__main__":
    raise SystemExit(main())
