"""JSON views over Releases: parse, call one service, return JSON. Errors are JSON too."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, url_for
from werkzeug.exceptions import HTTPException

from survey.access import lead_or_core, signed_in_user
from survey.models import Wave
from survey.services.release_access import (
    RELEASE_VIEWED,
    ReleaseInfo,
    open_release,
    scope_for,
    visible_releases,
)


def _listed(info: ReleaseInfo, wave: Wave) -> dict[str, Any]:
    return {
        "sequence": info.sequence,
        "kind": info.kind,
        "made_on": info.made_on.isoformat(),
        "wave": {
            "id": wave.id,
            "name": wave.name,
            "opens_on": wave.opens_on.isoformat(),
            "closes_on": wave.last_day.isoformat(),
            "synthetic": wave.synthetic,
        },
        "url": url_for("api.release", wave_id=info.wave_id, sequence=info.sequence),
    }


@lead_or_core
def releases() -> Response:
    """GET /api/v1/releases: every release the token's owner may see, newest first."""
    found = visible_releases(scope_for(signed_in_user()))
    return jsonify(releases=[_listed(info, wave) for info, wave in found])


@lead_or_core
def release(wave_id: int, sequence: int) -> Response:
    """GET /api/v1/releases/<wave>/<n>: the release's payload, cut down to the owner's groups."""
    found = open_release(signed_in_user(), wave_id, sequence, action=RELEASE_VIEWED, via="api")
    if found is None:
        abort(404)  # the same answer as for a release that does not exist
    return jsonify(found.payload)


@lead_or_core
def unknown(rest: str) -> Response:
    """Any other path under the API: a JSON 404."""
    abort(404)


def json_error(error: HTTPException) -> tuple[Response, int]:
    """Errors raised in API views, as JSON with their status."""
    status = error.code or 500
    message = (error.name or "error").lower()
    return jsonify(error=message), status
