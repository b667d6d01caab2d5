"""A gunicorn logger whose access lines cannot identify a respondent.

Besides leaving the address, user agent and time out of the format, it builds the log
atoms from an allow-list: method, scrubbed path and query, protocol, status, size
(never for respondent pages), duration and worker. Every other atom of any configured
format (address, user agent, referrer, time, and every request header `{...}i`, response
header `{...}o` and environ variable `{...}e`) is absent, which gunicorn's SafeAtoms
renders as "-". Survey and invitation tokens are scrubbed from paths. Response sizes of
respondent pages (`/s/...`) read "-" too: the pages are padded to one size, and a logged
size would be the first place to look if that ever failed.

Building only these few atoms is also far cheaper than gunicorn's own `atoms`, which
copies every header and environ variable for each request.
"""

from __future__ import annotations

import os
import re
from typing import Any

from gunicorn.glogging import Logger

_SURVEY_PATH = re.compile(r"/s/[^/?\s]+")
_INVITATION_PATH = re.compile(r"/auth/invitation/[^/?\s]+")
_RESPONDENT_PATH = re.compile(r"/s(/|$)")


def scrub_path(path: str) -> str:
    """Replace tokens in paths: which team's link was used, or a set-password link."""
    return _INVITATION_PATH.sub("/auth/invitation/~", _SURVEY_PATH.sub("/s/~", path))


class PrivateAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, minus anything that could identify a respondent."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Only the allowed atoms; anything else a format asks for reads "-"."""
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        method = environ.get("REQUEST_METHOD", "-")
        path = scrub_path(environ.get("PATH_INFO") or "")
        query = scrub_path(environ.get("QUERY_STRING") or "")
        protocol = environ.get("SERVER_PROTOCOL", "-")
        # The size of a respondent page could tell a band or a skip pattern apart.
        sent = None if _RESPONDENT_PATH.match(path) else getattr(resp, "sent", None)
        seconds, micros = request_time.seconds, request_time.microseconds
        target = path + (f"?{query}" if query else "")
        return {
            "r": f"{method} {target} {protocol}",
            "s": status,
            "m": method,
            "U": path,
            "q": query,
            "H": protocol,
            "b": str(sent) if sent is not None else "-",
            "B": sent if sent is not None else "-",
            "T": seconds,
            "D": seconds * 1_000_000 + micros,
            "M": seconds * 1000 + micros // 1000,
            "L": f"{seconds}.{micros:06d}",
            "p": f"<{os.getpid()}>",
        }
