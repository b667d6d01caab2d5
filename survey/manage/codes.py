"""Single-use codes: sheets for one or several teams at once, shown once, and voided.

Codes exist in plain form only on the page that shows them: the server keeps their hashes
and a hash of each sheet's void key, so a sheet is shown once, after the post that made it
(Post/Redirect/Get: a reload makes no new codes and shows none). A sheet never handed out
is voided with the key printed on it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue as Page
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.access import role_required, signed_in_user
from survey.extensions import db
from survey.manage import bp
from survey.manage.forms_membership import ConfirmForm
from survey.manage.forms_waves import VoidCodesForm, today
from survey.manage.poster import public_url
from survey.models import CodeBatch, Wave
from survey.services import wave_admin
from survey.services.codes import MAX_BATCH, batch_sheet, codes_made
from survey.services.waves import WaveError

# The void keys of sheets just made wait here between the post and the page that shows them.
_SHEETS_KEY = "manage_code_sheets"


def _coded_wave(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None or not wave.uses_codes:
        abort(404)
    return wave


def _codes_page(
    wave: Wave, typed: dict[int, str], errors: dict[int, str], problem: str = ""
) -> tuple[str, int]:
    page = render_template(
        "manage/waves/codes.html",
        wave=wave,
        made=codes_made(wave),
        teams=wave_admin.teams_of(wave),
        batches=wave_admin.batches_of(wave),
        typed=typed,
        errors=errors,
        problem=problem,
        max_batch=MAX_BATCH,
        page_title=f"Codes for {wave.name}",
    )
    return page, 422 if errors or problem else 200


@bp.route("/waves/<int:wave_id>/codes", methods=["GET", "POST"])
@role_required("core")
def make_codes(wave_id: int) -> str | tuple[str, int] | WerkzeugResponse:
    """Make sheets of single-use codes for one or several teams, then show them once."""
    wave = _coded_wave(wave_id)
    if request.method == "GET":
        return _codes_page(wave, {}, {})
    if not ConfirmForm().validate_on_submit():
        return _codes_page(wave, {}, {}, "The form had expired. Please try again.")
    teams = wave_admin.teams_of(wave)
    typed = {team.id: request.form.get(f"count-{team.id}", "").strip() for team in teams}
    errors = {
        team_id: f"Enter a number from 1 to {MAX_BATCH}, or leave it empty."
        for team_id, text in typed.items()
        if text and not (text.isdigit() and 1 <= int(text) <= MAX_BATCH)
    }
    counts = {
        team_id: int(text) for team_id, text in typed.items() if text and team_id not in errors
    }
    if errors or not counts:
        return _codes_page(
            wave, typed, errors, "" if errors else "Enter how many codes, for at least one team."
        )
    try:
        sheets = wave_admin.make_sheets(wave, counts, today(), actor=signed_in_user())
    except WaveError as error:
        message = str(error)
        return _codes_page(wave, typed, {}, message[:1].upper() + message[1:] + ".")
    # Post/Redirect/Get: the void keys wait in the session until the sheet page shows them,
    # once. The codes are derived from the keys, so nothing else needs carrying.
    session[_SHEETS_KEY] = {"wave": wave.id, "sheets": [[s.batch.id, s.void_key] for s in sheets]}
    return redirect(url_for("manage.code_sheets", wave_id=wave.id), code=303)


@bp.get("/waves/<int:wave_id>/codes/sheets")
@role_required("core")
def code_sheets(wave_id: int) -> str | tuple[str, int]:
    """The sheets just made, shown once: a reload shows them no more (and makes none)."""
    wave = _coded_wave(wave_id)
    waiting = session.pop(_SHEETS_KEY, None)
    sheets = []
    if waiting and waiting.get("wave") == wave.id:
        for batch_id, key in waiting.get("sheets", []):
            batch = db.session.get(CodeBatch, batch_id)
            codes = batch_sheet(batch, key) if batch is not None else None
            if batch is not None and codes is not None:
                sheets.append(wave_admin.Sheet(batch, key, codes))
    page = render_template(
        "manage/waves/codes_sheet.html",
        wave=wave,
        sheets=sheets,
        urls={s.batch.team_id: _team_url(wave, s.batch.team_id) for s in sheets},
        page_title=f"Code sheets: {wave.name}",
    )
    return page, 200 if sheets else 410


def _team_url(wave: Wave, team_id: int) -> str:
    link = wave_admin.live_link(wave, team_id)
    return public_url(link) if link is not None else ""


@bp.route("/codes/batches/<int:batch_id>/void", methods=["GET", "POST"])
@role_required("core")
def void_codes(batch_id: int) -> Page:
    """Void a sheet that was never handed out, with the void key printed on it."""
    batch = db.get_or_404(CodeBatch, batch_id)
    wave = _coded_wave(batch.wave_id)
    form = VoidCodesForm()
    if form.validate_on_submit():
        try:
            wave_admin.void_sheet(batch, form.void_key.data or "", today(), actor=signed_in_user())
        except WaveError as error:
            message = str(error)
            form.void_key.errors = [*form.void_key.errors, message[:1].upper() + message[1:] + "."]
        else:
            flash(f"The sheet of {batch.size} codes for {batch.team.name} is void: none works now.")
            return redirect(url_for("manage.make_codes", wave_id=wave.id), code=303)
    page = render_template(
        "manage/waves/void_codes.html", wave=wave, batch=batch, form=form, page_title="Void a sheet"
    )
    return page, 422 if form.errors else 200
