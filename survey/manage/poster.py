"""Printable pages: an A4 poster per team link, and sheets of single-use codes to cut up.

The QR code is drawn on the server by `segno` as inline SVG (no image service, no
script). Codes exist in plain form only in the response that shows them: the server keeps
their hashes, so the sheet is printed straight from the POST that made them.
"""

from __future__ import annotations

from urllib.parse import quote

import segno
from flask import Response, abort, current_app, render_template
from markupsafe import Markup
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
    # Built by hand: the survey pages belong to the respondent service, not this app.
    return f"{base}/s/{quote(link.token, safe='')}"


@bp.get("/waves/print.css")
@role_required("core")
def print_stylesheet() -> Response:
    """A4 layout for posters and code sheets (a file, as the CSP allows no inline style)."""
    return Response(render_template("manage/waves/print.css"), mimetype="text/css")


@bp.get("/links/<int:link_id>/poster")
@role_required("core")
def poster(link_id: int) -> str:
    """A printable A4 poster: the QR code, the link in text, the promise and k."""
    link = db.session.get(SurveyLink, link_id)
    if link is None or link.revoked:
        abort(404)  # a stopped link must never be printed
    wave = link.wave
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
        open_now=wave.is_open(today()) or today() < wave.opens_on,
        routes=always,
        page_title=f"Poster: {link.team.name}",
    )


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
