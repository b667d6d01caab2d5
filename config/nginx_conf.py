"""Render config/nginx/lantern.conf.in, the TLS proxy in front of both services.

    .venv/bin/python -m config.nginx_conf --server-name survey.example.org \\
        --cert /etc/ssl/certs/lantern.pem --key /etc/ssl/private/lantern.key

prints the http-context file for /etc/nginx/conf.d/. Every placeholder must be given a
value (the defaults suit a Debian host with both services on their `make run` ports).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping

from config import ROOT

TEMPLATE = ROOT / "config" / "nginx" / "lantern.conf.in"
DEFAULTS = {
    "LISTEN": "443",
    "HTTP_LISTEN": "80",
    "SERVER_NAME": "survey.example.org",
    "CERT": "/etc/ssl/certs/lantern.pem",
    "KEY": "/etc/ssl/private/lantern.key",
    "RESPONDENT": "127.0.0.1:8000",
    "STAFF": "127.0.0.1:8001",
    "LOG_DIR": "/var/log/nginx",
}
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def render(values: Mapping[str, str] | None = None) -> str:
    """The configuration with every @NAME@ replaced (defaults for those not given)."""
    chosen = DEFAULTS | dict(values or {})
    unknown = set(chosen) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"not a placeholder of {TEMPLATE.name}: {sorted(unknown)}")
    return _PLACEHOLDER.sub(lambda match: chosen[match.group(1)], TEMPLATE.read_text())


def main() -> None:
    """Print the rendered configuration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name.lower().replace('_', '-')}", default=default)
    args = vars(parser.parse_args())
    print(render({name: args[name.lower()] for name in DEFAULTS}), end="")


if __name__ == "__main__":
    main()
