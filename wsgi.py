"""WSGI entry point for gunicorn: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

A configuration that cannot run (a missing secret, an unreadable or wrong-sized key)
stops the start with one plain line naming what is wrong, not a traceback to dig through.
The exit status is gunicorn's "worker failed to boot", so the master stops too instead of
starting workers that fail the same way again and again.
"""

import sys

from config import ConfigError
from survey import create_app
from survey.keys import KeyConfigError

BOOT_ERROR = 3  # gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR

try:
    app = create_app()
except (ConfigError, KeyConfigError) as error:
    print(f"Lantern refused to start: {error}", file=sys.stderr)
    raise SystemExit(BOOT_ERROR) from None
