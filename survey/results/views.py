"""Results views: parse, call one service, render. Every figure comes from a Release."""

from __future__ import annotations

from flask import Response, abort, render_template

from survey.access import lead_or_core, signed_in_user
from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.charts import number
from survey.results.export import release_csv as csv_text
from survey.results.presenter import present_release
from survey.services.release_access import (
    RELEASE_EXPORTED,
    RELEASE_VIEWED,
    VisibleRelease,
    open_release,
    scope_for,
    waves_with_releases,
)


def _opened(wave_id: int, sequence: int, action: str) -> VisibleRelease:
    """The release if the person may see it; 404 otherwise, so addresses cannot be probed."""
    found = open_release(signed_in_user(), wave_id, sequence, action=action)
    if found is None:
        abort(404)
    return found


@lead_or_core
def index() -> str:
    """The waves with releases this person may see, newest first."""
    me = signed_in_user()
    waves = waves_with_releases(scope_for(me))
    return render_template("results/index.html", waves=waves, user=me, page_title="Results")


@lead_or_core
def release(wave_id: int, sequence: int) -> str:
    """One release: the person's teams and organisations, charts with tables, notes."""
    found = _opened(wave_id, sequence, RELEASE_VIEWED)
    page = present_release(found.payload, found.scope)
    return render_template(
        "results/release.html",
        page=page,
        release=found,
        number=number,
        hidden_text=SUPPRESSED_TEXT,
        page_title=f"Results: {page.wave_name}",
    )


@lead_or_core
def release_csv(wave_id: int, sequence: int) -> Response:
    """The released figures this person may see, as CSV."""
    found = _opened(wave_id, sequence, RELEASE_EXPORTED)
    body = csv_text(found.payload, found.scope)
    # A byte-order mark, so spreadsheets read the file as UTF-8 (band texts use an en dash).
    response = Response(body.encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="lantern-wave-{wave_id}-release-{sequence}.csv"'
    )
    return response
