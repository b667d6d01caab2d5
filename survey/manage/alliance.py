"""Core-team pages for the whole alliance at once: import organisations and teams, export.

The preview stores nothing: the checked text travels back in the confirmation form
(under its CSRF token) with the digest of the plan that was shown, and storing re-reads
it and refuses if the plan has changed in the meantime.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import ValidationError

from survey.access import role_required, signed_in_user
from survey.manage import bp
from survey.manage.downloads import csv_download
from survey.manage.forms_alliance import ImportForm, StoreImportForm
from survey.models import SECTORS
from survey.services.alliance_import import (
    ImportPlan,
    ImportRefused,
    apply_import,
    export_csv,
    preview_import,
)
from survey.services.membership import PLEDGE_STATUSES


def _preview(plan: ImportPlan, text: str, status: int, refusal: str = "") -> ResponseReturnValue:
    store = StoreImportForm(formdata=None, csv_text=text, digest=plan.digest)
    page = render_template(
        "manage/membership/import_preview.html",
        plan=plan,
        store=store,
        refusal=refusal,
        page_title="Check the import",
    )
    return page, status


@bp.route("/organisations/import", methods=["GET", "POST"])
@role_required("core")
def import_alliance() -> ResponseReturnValue:
    """Upload or paste a CSV, then see every row and every problem before anything is stored."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = form.csv_text()
        except ValidationError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            if text.strip():
                plan = preview_import(text)
                return _preview(plan, text, 200 if plan.ok else 422)
            form.form_errors.append("Choose a CSV file or paste its rows.")
    page = render_template(
        "manage/membership/import.html",
        form=form,
        sectors=SECTORS,
        statuses=PLEDGE_STATUSES,
        page_title="Import organisations and teams",
    )
    return page, 422 if form.errors else 200


@bp.post("/organisations/import/store")
@role_required("core")
def store_import() -> ResponseReturnValue:
    """Store a previewed import: all of it in one commit, or nothing."""
    form = StoreImportForm()
    if not form.validate_on_submit():
        flash("The import form had expired, so nothing was stored. Please upload the file again.")
        return redirect(url_for("manage.import_alliance"), code=303)
    text = form.csv_text.data
    try:
        plan = apply_import(text, form.digest.data, actor=signed_in_user())
    except ImportRefused as error:
        message = str(error)
        return _preview(preview_import(text), text, 409, message[:1].upper() + message[1:] + ".")
    flash(
        f"Stored: {plan.new_organisations} organisations added, "
        f"{plan.changed_organisations} changed, {plan.new_teams} teams added."
    )
    return redirect(url_for("manage.organisations"), code=303)


@bp.get("/organisations/export.csv")
@role_required("core")
def export_alliance() -> Response:
    """Every organisation and its teams as CSV, in the shape the import reads."""
    return csv_download(export_csv(), "lantern-alliance.csv")
