"""A gunicorn logger whose access lines cannot identify a respondent.

Besides leaving the address, user agent and time out of the format, it scrubs
survey tokens from paths and blanks every atom that could carry a person
(address, user agent, referrer, precise times), whatever format is configured.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_SURVEY_PATH = re.compile(r"/s/[^/?\s]+")
_INVITATION_PATH = re.compile(r"/auth/invitation/[^/?\s]+")
_PERSONAL_ATOMS = ("h", "a", "f", "t", "l", "u", "{x-forwarded-for}i", "{user-agent}i")


def scrub_path(path: str) -> str:
    """Replace tokens in paths: which team's link was used, or a set-password link."""
    return _INVITATION_PATH.sub("/auth/invitation/~", _SURVEY_PATH.sub("/s/~", path))


class PrivateAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, minus anything that could identify a respondent."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """The standard atoms with personal ones blanked and survey tokens scrubbed."""
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in _PERSONAL_ATOMS:
            if key in atoms:
                atoms[key] = "-"
        for key in ("U", "r", "q"):
            if isinstance(atoms.get(key), str):
                atoms[key] = scrub_path(atoms[key])
        return atoms
