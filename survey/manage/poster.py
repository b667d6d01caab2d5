"""Printable pages: an A4 poster per team link (or every team's at once), and links as CSV.

The QR code is drawn on the server by `segno` as inline SVG (no image service, no
script).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.access import role_required
from survey.extensions import db
from survey.manage import bp
from survey.manage.downloads import csv_download
from survey.manage.forms_waves import today
from survey.models import SurveyLink, Wave
from survey.services import wave_admin
from survey.services.questionnaires import definition
from survey.services.signposting import routes_for

# Medium error correction survives a creased or partly covered poster.
QR_ERROR_LEVEL = "m"


def qr_svg(url: str) -> Markup:
    """The link as a QR code: inline SVG that scales to the box the print stylesheet gives it."""
    code = segno.make(url, error=QR_ERROR_LEVEL, micro=False)
    svg = code.svg_inline(omitsize=True, svgclass="qr", lineclass=None, title="QR code of the link")
    # segno builds the SVG from the URL we made ourselves; nothing a visitor typed is in it.
    return Markup(svg)  # noqa: S704  # nosec B704


def public_url(link: SurveyLink) -> str:
    """The full address of a link, from the configured public base address."""
    base = str(current_app.config["SERVER_NAME_FOR_LINKS"]).rstrip("/")
    # Built by hand: the survey pages belong to the respondent service, not this app.
    return f"{base}/s/{quote(link.token, safe='')}"


@bp.get("/waves/print.css")
@role_required("core")
def print_stylesheet() -> Response:
    """A4 layout for posters and code sheets (a file, as the CSP allows no inline style)."""
    return Response(render_template("manage/waves/print.css"), mimetype="text/css")


@bp.get("/links/<int:link_id>/poster")
@role_required("core")
def poster(link_id: int) -> str | WerkzeugResponse:
    """A printable A4 poster: the QR code, the link in text, the promise and k."""
    link = db.session.get(SurveyLink, link_id)
    if link is None or link.revoked:
        abort(404)  # a stopped link must never be printed
    wave = link.wave
    closed = _closed(wave, "its posters are no longer offered")
    if closed is not None:
        return closed
    url = public_url(link)
    always, _ = routes_for(link.team.organisation_id, 0)
    return render_template(
        "manage/waves/poster.html",
        link=link,
        wave=wave,
        q=definition(wave.questionnaire_version),
        url=url,
        qr=qr_svg(url),
        last_day=wave.last_day,
        routes=always,
        page_title=f"Poster: {link.label}",
    )


def _closed(wave: Wave, what: str) -> WerkzeugResponse | None:
    """Back to the wave's page, saying why, when its links take no more responses."""
    now = wave_admin.status(wave, today())
    if now.taking_responses:
        return None
    flash(f"The wave is {now.label}, so {what}.")
    return redirect(url_for("manage.wave", wave_id=wave.id), code=303)


def _live_links(wave: Wave) -> list[SurveyLink]:
    """The working link of every team of the wave, by organisation and team."""
    links = [wave_admin.live_link(wave, team.id) for team in wave_admin.teams_of(wave)]
    return [link for link in links if link is not None]


@bp.get("/waves/<int:wave_id>/posters")
@role_required("core")
def posters(wave_id: int) -> str | WerkzeugResponse:
    """Every team's poster in one document: one A4 page per team, printed in one go."""
    wave = db.get_or_404(Wave, wave_id)
    closed = _closed(wave, "its posters are no longer offered")
    if closed is not None:
        return closed
    routes: dict[int, list[Any]] = {}
    pages = []
    for link in _live_links(wave):
        organisation_id = link.team.organisation_id
        if organisation_id not in routes:
            routes[organisation_id] = list(routes_for(organisation_id, 0)[0])
        url = public_url(link)
        pages.append((link, url, qr_svg(url), routes[organisation_id]))
    return render_template(
        "manage/waves/posters.html",
        wave=wave,
        q=definition(wave.questionnaire_version),
        pages=pages,
        last_day=wave.last_day,
        page_title=f"Posters: {wave.name}",
    )


@bp.get("/waves/<int:wave_id>/links.csv")
@role_required("core")
def links_csv(wave_id: int) -> Response | WerkzeugResponse:
    """Every working link of the wave as CSV (organisation, team, link), for mailing out."""
    wave = db.get_or_404(Wave, wave_id)
    closed = _closed(wave, "its links take no more responses")
    if closed is not None:
        return closed
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["organisation", "team", "link"])
    for link in _live_links(wave):
        writer.writerow([link.team.organisation.name, link.label, public_url(link)])
    return csv_download(out.getvalue(), f"lantern-wave-{wave.id}-links.csv")
