"""Respondent views: parse, call one service, render. Nothing here can open stored answers."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, make_response, render_template, request, session

from survey.access import public
from survey.domain.feedback import NEXT_STEPS, NOT_A_DIAGNOSIS, feedback_for
from survey.domain.frameworks import Perspective
from survey.domain.questionnaire_model import AnswerError, Answers, Questionnaire
from survey.domain.scoring import score_questionnaire
from survey.errors import render_error
from survey.extensions import limiter
from survey.question_pages import carried, from_the_wire, shown_page
from survey.respond import bp, formkey
from survey.respond.forms import ANSWER_PREFIX, StepForm
from survey.services.codes import CodeRejected, code_is_live
from survey.services.frameworks import framework_for
from survey.services.integrity import WaveKeyRefused
from survey.services.questionnaires import definition_by_fingerprint
from survey.services.responses import LiveLink, ReplayedForm, find_link, record_response
from survey.services.signposting import routes_for

# The wave's key or tally in the database is not the one Lantern made: seal nothing to it.
_NOT_STORED = "Nothing was stored. Please try again later."


def _today() -> datetime:
    return datetime.now(UTC)


def _live_link(token: str) -> LiveLink:
    """The link behind a token, or a friendly 404/410 page (unknown and revoked look the same)."""
    link = find_link(token)
    if link is None:
        abort(404)
    today = _today().date()
    wave = link.wave
    # Closed first: a wave closed before its opening day (cancelled) never opens.
    if wave.archived or today > wave.last_day:
        abort(410)
    if today < wave.opens_on:
        page, status = render_error(
            404,
            "This survey round has not opened yet",
            f"It opens on {wave.opens_on:%-d %B %Y}. Please come back then.",
        )
        abort(make_response(page, status))
    return link


def _definition(link: LiveLink) -> Questionnaire:
    return definition_by_fingerprint(
        link.wave.questionnaire_version_id, link.wave.questionnaire_fingerprint
    )


def _token_key() -> str:
    return str((request.view_args or {}).get("token", ""))


def _submitted_answers(q: Questionnaire) -> tuple[Answers, AnswerError | None]:
    """The typed answers; a bad value is dropped (and reported) so the rest is never lost."""
    raw = from_the_wire(
        q,
        {
            name[len(ANSWER_PREFIX) :]: value
            for name, value in request.form.items()
            if name.startswith(ANSWER_PREFIX)
        },
    )
    first_error: AnswerError | None = None
    while True:
        try:
            return q.parse_answers(raw), first_error
        except AnswerError as error:
            first_error = first_error or error
            raw.pop(error.question_id, None)


def _question_page(
    link: LiveLink,
    q: Questionnaire,
    form: StepForm,
    number: int,
    answers: Answers,
    *,
    error: AnswerError | None = None,
) -> tuple[str, int]:
    shown = shown_page(q, number, answers, ANSWER_PREFIX)
    page = render_template(
        "respond/page.html",
        link=link,
        q=q,
        form=form,
        page=shown,
        hidden=carried(q, answers, ANSWER_PREFIX, shown),
        error=error,
        page_title=f"Page {number} of {shown.count}",
    )
    return page, 422 if error else 200


@bp.get("/s/<token>")
@public
def welcome(token: str) -> str:
    """The welcome page: content note, time, and the promise of who sees what."""
    link = _live_link(token)
    q = _definition(link)
    form = StepForm(
        formdata=None, form_key=formkey.issue(current_app.config["SECRET_KEY"], link.id), page=0
    )
    return _welcome_page(link, q, form, None)


def _welcome_page(
    link: LiveLink,
    q: Questionnaire,
    form: StepForm,
    answers: Answers | None,
    *,
    bad_code: bool = False,
) -> str:
    """The welcome page; back from the questions (`answers` given), it carries every one."""
    hidden = [] if answers is None else carried(q, answers, ANSWER_PREFIX)
    if q.review is not None:
        return render_template(
            "respond/review_welcome.html",
            link=link,
            q=q,
            form=form,
            hidden=hidden,
            perspective=_perspective(q),
            page_title=q.title,
        )
    return render_template(
        "respond/welcome.html",
        link=link,
        q=q,
        form=form,
        hidden=hidden,
        bad_code=bad_code,
        page_title=q.title,
    )


def _page_of(q: Questionnaire, question_id: str, fallback: int) -> int:
    """The page that shows a question (1-based), so an error is shown beside it."""
    for number, page in enumerate(q.pages, start=1):
        if question_id in page.questions:
            return number
    return max(fallback, 1)


@bp.post("/s/<token>")
@public
@limiter.limit(lambda: str(current_app.config["SURVEY_SUBMIT_RATE_LIMIT"]), key_func=_token_key)
def step(token: str) -> tuple[str, int]:
    """Move between pages carrying the answers; on finish, seal, store and show the result."""
    link = _live_link(token)
    q = _definition(link)
    form = StepForm()
    if not form.validate():
        return render_error(400)
    try:
        nonce = formkey.read(
            current_app.config["SECRET_KEY"],
            form.form_key.data,
            link.id,
            current_app.config["SURVEY_FORM_MAX_AGE"],
        )
    except formkey.FormKeyExpired:
        return render_error(
            400, "This form has expired", "Please open your link again to start afresh."
        )
    except formkey.FormKeyInvalid:
        return render_error(400)
    page = min(max(form.page.data or 0, 0), q.page_count)
    answers, error = _submitted_answers(q)
    if error is not None:
        return _question_page(
            link, q, form, _page_of(q, error.question_id, page), answers, error=error
        )

    action = form.action.data
    code = form.code.data or ""
    if action == "back":
        if page <= 1:
            return _welcome_page(link, q, form, answers), 200
        return _question_page(link, q, form, page - 1, answers)
    if action == "start" and link.wave.uses_codes and not code_is_live(link, code):
        # Unknown, spent and another team's codes all get this one message.
        return _welcome_page(link, q, form, answers, bad_code=True), 422
    if action in ("start", "next") or page < q.page_count:
        return _question_page(link, q, form, min(page + 1, q.page_count), answers)

    try:
        record_response(link, answers, nonce, _today().date(), code=code or None)
    except ReplayedForm:
        return render_error(409)
    except WaveKeyRefused:
        return render_error(503, "We could not save your answers", _NOT_STORED)
    except CodeRejected:
        # Keep the answers in the form, so another code can be tried without losing them.
        return _welcome_page(link, q, form, answers, bad_code=True), 422
    session.clear()  # no cookie outlives the form
    if q.review is not None:
        return _thanks_page(link, q), 200
    return _result_page(link, q, answers), 200


def _perspective(q: Questionnaire) -> Perspective:
    """The framework's words for a perspective survey's respondents (why, thanks)."""
    review = q.review
    if review is None:
        raise ValueError(f"{q.key} is not a review questionnaire")
    return framework_for(review.framework).perspective(review.perspective)


def _thanks_page(link: LiveLink, q: Questionnaire) -> str:
    """The end of a perspective survey: no personal result (they rated the service)."""
    always, local = routes_for(link.organisation_id, 0)
    return render_template(
        "respond/review_thanks.html",
        perspective=_perspective(q),
        always=always,
        local=local,
        page_title="Thank you",
    )


def _result_page(link: LiveLink, q: Questionnaire, answers: Answers) -> str:
    """The person's own result: computed now, shown once, never stored."""
    results = score_questionnaire(q, answers)
    shown = [feedback_for(scale, results[scale.key]) for scale in q.scales]
    level = max((f.level for f in shown), default=0)
    always, local = routes_for(link.organisation_id, level)
    return render_template(
        "respond/result.html",
        q=q,
        feedback=shown,
        always=always,
        local=local,
        lead_with_support=any(f.lead_with_support for f in shown),
        next_steps=NEXT_STEPS,
        not_a_diagnosis=NOT_A_DIAGNOSIS,
        page_title="Your result",
    )
