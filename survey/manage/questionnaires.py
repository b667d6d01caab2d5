"""Core-team pages for questionnaires: list, preview, upload, download, edit, licensed wording.

Every change becomes a new, immutable version (or reuses an identical one), so responses
keep the version they were given. Nothing is stored unless the whole definition validates.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms import SelectChoice

from survey.access import role_required, signed_in_user
from survey.domain.questionnaire import (
    Questionnaire,
    QuestionnaireError,
)
from survey.domain.questionnaire_problems import plain_problems
from survey.domain.yaml_checks import parse_yaml
from survey.extensions import db
from survey.manage import bp
from survey.manage.forms_questionnaires import EditForm, UploadForm, WordingForm
from survey.models import QuestionnaireVersion, Wave
from survey.question_pages import ShownPage, shown_page
from survey.services.questionnaires import definition
from survey.services.wording import Stored, decode, import_wording, store_source

Page = ResponseReturnValue


def _waves_by_version() -> dict[int, list[Wave]]:
    waves: dict[int, list[Wave]] = defaultdict(list)
    for wave in db.session.scalars(select(Wave).order_by(Wave.opens_on)):
        waves[wave.questionnaire_version_id].append(wave)
    return waves


def preview_pages(q: Questionnaire) -> list[ShownPage]:
    """Every page of a questionnaire exactly as the respondent pages build it, unanswered."""
    return [shown_page(q, number, {}, "preview-") for number in range(1, q.page_count + 1)]


@bp.get("/questionnaires")
@role_required("core")
def questionnaires() -> str:
    """Every questionnaire with its versions and the waves using each."""
    versions = db.session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version.desc()
        )
    ).all()
    grouped: dict[str, list[QuestionnaireVersion]] = defaultdict(list)
    for version in versions:
        grouped[version.key].append(version)
    return render_template(
        "manage/questionnaires/index.html",
        grouped=grouped,
        definitions={version.id: definition(version) for version in versions},
        waves=_waves_by_version(),
        page_title="Questionnaires",
    )


def show_stored(stored: Stored) -> Page:
    """Say what was stored (new version or an identical one reused) and show it."""
    flash(_stored_message(stored))
    return redirect(url_for("manage.questionnaire", version_id=stored.version.id), code=303)


def _stored_message(stored: Stored) -> str:
    row = stored.version
    if not stored.created:
        return f"Nothing new was stored: this is identical to {row.key} version {row.version}."
    return f"Stored as {row.key} version {row.version}. Waves already open keep their version."


def problem_texts(error: QuestionnaireError, source: str | None = None) -> list[str]:
    """Every problem of a questionnaire, each a plain sentence naming its place and file."""
    document: object = None
    if source is not None:
        try:
            document = parse_yaml(source, error.source)
        except QuestionnaireError:
            document = None  # a syntax error: the sentence names the line instead
    return plain_problems(error, document)


def _uploaded(file: FileStorage) -> tuple[bytes, str]:
    name = secure_filename(file.filename or "") or "questionnaire.yaml"
    return file.read(), name


@bp.route("/questionnaires/upload", methods=["GET", "POST"])
@role_required("core")
def upload_questionnaire() -> Page:
    """Upload a questionnaire file; its problems are shown with file and field."""
    form = UploadForm()
    if form.validate_on_submit():
        data, name = _uploaded(form.file.data)
        source: str | None = None
        try:
            source = decode(data, name)
            stored = store_source(
                source, name, actor=signed_in_user(), action="questionnaire uploaded"
            )
        except QuestionnaireError as problem:
            form.file.errors = [*form.file.errors, *problem_texts(problem, source)]
        else:
            return show_stored(stored)
    page = render_template(
        "manage/questionnaires/upload.html",
        form=form,
        page_title="Upload a questionnaire",
    )
    return page, 422 if form.errors else 200


@bp.get("/questionnaires/<int:version_id>")
@role_required("core")
def questionnaire(version_id: int) -> str:
    """One version: its wording, scales and licences, and the waves using it."""
    version = db.get_or_404(QuestionnaireVersion, version_id)
    return render_template(
        "manage/questionnaires/version.html",
        version=version,
        q=definition(version),
        waves=_waves_by_version().get(version.id, []),
        page_title=f"{version.key} version {version.version}",
    )


@bp.get("/questionnaires/<int:version_id>/preview")
@role_required("core")
def preview_questionnaire(version_id: int) -> str:
    """Every page as a phone shows it, read-only."""
    version = db.get_or_404(QuestionnaireVersion, version_id)
    q = definition(version)
    return render_template(
        "manage/questionnaires/preview.html",
        version=version,
        q=q,
        pages=preview_pages(q),
        preview=True,
        page_title=f"Preview: {q.title}",
    )


@bp.get("/questionnaires/preview.css")
@role_required("core")
def preview_stylesheet() -> Response:
    """The phone-width frame of the preview page (a file, as the CSP allows no inline style)."""
    css = render_template("manage/questionnaires/preview.css")
    return Response(css, mimetype="text/css")


@bp.get("/questionnaires/<int:version_id>/download")
@role_required("core")
def download_questionnaire(version_id: int) -> Response:
    """The YAML source of a version, exactly as stored."""
    version = db.get_or_404(QuestionnaireVersion, version_id)
    response = Response(version.source, mimetype="application/yaml")
    filename = f"{version.key}-v{version.version}.yaml"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/questionnaires/<int:version_id>/edit", methods=["GET", "POST"])
@role_required("core")
def edit_questionnaire(version_id: int) -> Page:
    """Edit a version's YAML in the page; a change is stored as a new version."""
    version = db.get_or_404(QuestionnaireVersion, version_id)
    form = EditForm()
    if not form.is_submitted():
        form.source.data = version.source
    if form.validate_on_submit():
        label = f"{version.key} v{version.version} (edited)"
        try:
            stored = store_source(
                form.source.data, label, actor=signed_in_user(), action="questionnaire edited"
            )
        except QuestionnaireError as problem:
            form.source.errors = [*form.source.errors, *problem_texts(problem, form.source.data)]
        else:
            return show_stored(stored)
    page = render_template(
        "manage/questionnaires/edit.html",
        version=version,
        form=form,
        waves=_waves_by_version().get(version.id, []),
        page_title=f"Edit {version.key}",
    )
    return page, 422 if form.errors else 200


@bp.route("/questionnaires/<int:version_id>/wording", methods=["GET", "POST"])
@role_required("core")
def import_questionnaire_wording(version_id: int) -> Page:
    """Import licensed item wording for one scale; the template's licence is shown beside it."""
    version = db.get_or_404(QuestionnaireVersion, version_id)
    q = definition(version)
    form = WordingForm()
    form.scale.choices = [SelectChoice(s.key, f"{s.key} ({s.template.name})") for s in q.scales]
    if form.validate_on_submit():
        data, name = _uploaded(form.file.data)
        try:
            stored = import_wording(version, form.scale.data, data, name, actor=signed_in_user())
        except QuestionnaireError as problem:
            form.file.errors = [*form.file.errors, *problem_texts(problem)]
        else:
            return show_stored(stored)
    page = render_template(
        "manage/questionnaires/wording.html",
        version=version,
        q=q,
        form=form,
        page_title=f"Import wording for {version.key}",
    )
    return page, 422 if form.errors else 200
