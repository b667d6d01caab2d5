"""The audit log viewer: who did what and when, filtered, and exported as CSV (audited)."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from survey.access import role_required, signed_in_user
from survey.manage import bp
from survey.services import audit_log
from survey.services.accounts import record_event
from survey.services.audit_log import NOBODY, AuditFilter


class AuditFilterForm(FlaskForm):  # type: ignore[misc]
    """The filters, read from the query string (a GET form needs no CSRF token)."""

    class Meta:
        csrf = False

    person = SelectField("Person", validators=[Optional()], validate_choice=True)
    action = SelectField("Action", validators=[Optional()], validate_choice=True)
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    people = [(str(user.id), f"{user.display_name} ({user.email})") for user in audit_log.people()]
    form.person.choices = [("", "Everyone"), *people, (NOBODY, "Command line and unknown sign-ins")]
    form.action.choices = [("", "Every action"), *((a, a) for a in audit_log.actions())]
    return form


def _filter(form: AuditFilterForm) -> AuditFilter:
    if not form.validate():
        return AuditFilter()
    since: date | None = form.since.data
    until: date | None = form.until.data
    return AuditFilter(form.person.data or "", form.action.data or "", since, until)


@bp.get("/audit", endpoint="audit_log")
@role_required("core")
def audit_log_page() -> ResponseReturnValue:
    """Every staff action, newest first, filterable by person, action and date."""
    form = _form()
    chosen = _filter(form)
    raw_before = request.args.get("before", "")
    before = int(raw_before) if raw_before.isdigit() and len(raw_before) < 10 else None
    rows, more = audit_log.events(chosen, before)
    page = render_template(
        "manage/audit/index.html",
        form=form,
        rows=rows,
        more=more,
        names=audit_log.target_names(rows),
        who=audit_log.who,
        query={k: v for k, v in request.args.items() if k != "before"},
        page_title="Audit log",
    )
    return page, 422 if form.errors else 200


@bp.get("/audit.csv")
@role_required("core")
def audit_log_csv() -> Response:
    """The filtered audit log as CSV (text cells defused for spreadsheets); itself audited."""
    form = _form()
    chosen = _filter(form)
    body = audit_log.audit_csv(chosen)
    shown = ", ".join(f"{k}={v}" for k, v in request.args.items() if v and k in form) or "all"
    record_event("audit log exported", user=signed_in_user(), detail=f"filters: {shown}"[:500])
    response = Response(body.encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="lantern-audit-log.csv"'
    return response
