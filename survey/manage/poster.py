"""Printable pages: an A4 poster per team link, and sheets of single-use codes to cut up.

The QR code is drawn on the server by `segno` as inline SVG (no image service, no
script). Codes exist in plain form only in the response that shows them: the server keeps
their hashes, so the sheet is printed straight from the POST that made them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from survey.access import role_required, signed_in_user
from survey.extensions import db
from survey.manage import bp
from survey.manage.forms_waves import CodesForm, today
from survey.models import SurveyLink, Team, Wave
from survey.services import wave_admin
from survey.services.codes import codes_made
from survey.services.questionnaires import definition
from survey.services.signposting import routes_for
from survey.services.waves import WaveError

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
    return base + url_for("respond.welcome", token=link.token)


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
        page_title=f"Poster: {link.team.name}",
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
        writer.writerow([link.team.organisation.name, link.team.name, public_url(link)])
    response = Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="lantern-wave-{wave.id}-links.csv"'
    )
    return response


def _codes_form(wave: Wave) -> CodesForm:
    form = CodesForm()
    form.team.choices = [SelectChoice(team.id, team.name) for team in wave_admin.teams_of(wave)]
    return form


@bp.route("/waves/<int:wave_id>/codes", methods=["GET", "POST"])
@role_required("core")
def make_codes(wave_id: int) -> str | tuple[str, int]:
    """Make single-use codes for a team and show them once, as a sheet to print and cut."""
    wave = db.session.get(Wave, wave_id)
    if wave is None or not wave.uses_codes:
        abort(404)
    form = _codes_form(wave)
    if form.validate_on_submit():
        team = db.session.get(Team, form.team.data)
        try:
            if team is None:
                raise WaveError("that team is not part of this wave")
            codes = wave_admin.make_codes(
                wave, team, form.count.data, today(), actor=signed_in_user()
            )
        except WaveError as error:
            message = str(error)
            form.form_errors.append(message[:1].upper() + message[1:] + ".")
        else:
            # Shown straight from the POST: only hashes are kept, so it cannot be shown again.
            link = wave_admin.live_link(wave, team.id)
            return render_template(
                "manage/waves/codes_sheet.html",
                wave=wave,
                team=team,
                codes=codes,
                url=public_url(link) if link is not None else "",
                page_title=f"Codes: {team.name}",
            )
    page = render_template(
        "manage/waves/codes.html",
        wave=wave,
        form=form,
        made=codes_made(wave),
        teams=wave_admin.teams_of(wave),
        page_title=f"Codes for {wave.name}",
    )
    return page, 422 if form.errors else 200
