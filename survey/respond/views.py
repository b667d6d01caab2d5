"""Respondent views: parse, call one service, redirect or render. Nothing here opens answers.

Every step is Post/Redirect/Get: a post saves the page's answers into the person's
sealed cookie (survey/respond/draft.py) and answers 303 with the next page's address,
so Back, Forward and refresh are ordinary page loads. Nothing readable is stored on
the server before Finish, and no answer is ever put in an address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    session,
)
from flask_limiter.errors import RateLimitExceeded

from survey.access import public
from survey.domain.feedback import outcomes
from survey.domain.questionnaire_model import AnswerError, Answers, Questionnaire
from survey.errors import render_error
from survey.limits import survey_post_limits
from survey.question_pages import from_the_wire
from survey.respond import bp, device, draft, formkey, pages
from survey.respond.draft import Draft
from survey.respond.forms import ANSWER_PREFIX, WORDINGS, StepForm
from survey.services.codes import CodeRejected, code_is_live
from survey.services.integrity import WaveKeyRefused
from survey.services.questionnaires import definition_by_fingerprint
from survey.services.responses import LiveLink, ReplayedForm, find_link, record_response

# A page never has more fields than its questions and a few controls; a post with
# more is refused before any of them is read (the parse below is one pass anyway).
CONTROL_FIELDS = 8
# The wave's key or tally in the database is not the one Lantern made: seal nothing to it.
_NOT_STORED = "Nothing was stored. Please try again later."


def _today() -> datetime:
    return datetime.now(UTC)


def live_link(token: str) -> LiveLink:
    """The link behind a token, or a friendly page (unknown and revoked look the same)."""
    link = find_link(token)
    if link is None:
        abort(404)
    today = _today().date()
    wave = link.wave
    # Closed first: a wave closed before its opening day (cancelled) never opens.
    if wave.archived or today > wave.last_day:
        abort(410)
    if today < wave.opens_on:
        # A person who follows the link early has done nothing wrong: 200, kind words.
        page, _ = render_error(
            200,
            "This survey round has not opened yet",
            f"It opens on {wave.opens_on:%-d %B %Y}. Please come back then: the same link "
            "will work.",
        )
        abort(make_response(page, 200))
    return link


def _definition(link: LiveLink) -> Questionnaire:
    return definition_by_fingerprint(
        link.wave.questionnaire_version_id, link.wave.questionnaire_fingerprint
    )


def _token_key() -> str:
    return str((request.view_args or {}).get("token", ""))


# --- the sealed cookie -------------------------------------------------------------


# --- reading a posted page ------------------------------------------------------------


def _posted_page_answers(
    q: Questionnaire, page: int, answers: Answers
) -> tuple[Answers, list[AnswerError]]:
    """`answers` with the posted page's questions replaced by what was sent, in one pass."""
    on_page = set(q.pages[page - 1].questions) if 1 <= page <= q.page_count else set()
    raw = {
        name[len(ANSWER_PREFIX) :]: value
        for name, value in request.form.items()
        if name.startswith(ANSWER_PREFIX) and name[len(ANSWER_PREFIX) :] in on_page
    }
    parsed, errors = q.parse_known(from_the_wire(q, raw))
    kept = {qid: value for qid, value in answers.items() if qid not in on_page}
    merged = kept | parsed
    return {qid: merged[qid] for qid in q.question_ids() if qid in merged}, errors


def _too_many_fields(q: Questionnaire) -> bool:
    return len(request.form) > len(q.question_ids()) + CONTROL_FIELDS


# --- pages ---------------------------------------------------------------------------


@bp.get("/s/<token>")
@public
def welcome(token: str) -> Response:
    """The welcome page: whose survey this is, the content note, time, and who sees what."""
    link, q, state = opened(token)
    if state is not None and state.finished:
        return make_response(pages.saved_page(link, q))
    form = StepForm(
        formdata=None, form_key=formkey.issue(current_app.config["SECRET_KEY"], link.id), page=0
    )
    ended = request.args.get("ended") == "1" and state is None
    easy = _easy_words(state)
    return make_response(pages.welcome_page(link, q, form, state, ended=ended, easy=easy))


def _easy_words(state: Draft | None) -> bool:
    """Whether to show the easy-read words: as just asked for (a link, or the welcome
    form), else as this device chose before. A survey without easy read ignores it."""
    asked = request.values.get("words")
    if asked in WORDINGS:
        return asked == "easy"
    return state is not None and state.easy


def opened(token: str) -> tuple[LiveLink, Questionnaire, Draft | None]:
    """The live link, its questionnaire, and what this device holds for it (if anything)."""
    link = live_link(token)
    q = _definition(link)
    return link, q, device.read_draft(link, q)


def _unfinished(token: str) -> tuple[LiveLink, Questionnaire, Draft] | Response:
    """The link, its questionnaire and the unfinished answers, or where to go instead.

    No answers on this device: the welcome page. Already finished: "Your answers are
    saved", never a form that could send them again.
    """
    link, q, state = opened(token)
    if state is None:
        return device.go("respond.welcome", link)
    if state.finished:
        return make_response(pages.saved_page(link, q))
    return link, q, state


@bp.get("/s/<token>/page/<int:number>")
@public
def page(token: str, number: int) -> Response:
    """One page of questions, filled in from the person's own device."""
    found = _unfinished(token)
    if isinstance(found, Response):
        return found
    link, q, state = found
    if not 1 <= number <= q.page_count:
        abort(404)
    return make_response(pages.question_page(link, q, state, number))


@bp.get("/s/<token>/check")
@public
def check(token: str) -> Response:
    """Check your answers before Finish: what was answered, what was left blank."""
    found = _unfinished(token)
    if isinstance(found, Response):
        return found
    link, q, state = found
    return make_response(pages.check_page(link, q, state))


@bp.get("/s/<token>/result")
@public
def result(token: str) -> Response:
    """The person's own result, from the figures kept on their device after Finish."""
    link, q, state = opened(token)
    if state is None or state.result is None:
        return device.go("respond.welcome", link)
    return make_response(pages.result_page(link, q, state.worded(_easy_words(state))))


@bp.get("/s/<token>/leave")
@public
def leave(token: str) -> Response:
    """Quick exit (and "Close"): forget this device's answers and result, then go elsewhere.

    A tiny page that moves on at once (a zero-second refresh, which browsers treat as a
    redirect that replaces this history entry) rather than a 303: it also empties this
    site's cache, cookies and storage (Clear-Site-Data), so Back shows nothing from memory.
    """
    link = find_link(token)
    response = make_response(
        render_template("respond/leave.html", exit_url=current_app.config["QUICK_EXIT_URL"])
    )
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    session.clear()
    if link is not None:
        device.forget(response, link)
    return response


# --- the one post --------------------------------------------------------------------


@bp.post("/s/<token>")
@public
@survey_post_limits
def step(token: str) -> Response | tuple[str, int]:
    """Save this page's answers on the device, then go on (303); on Finish, seal and store."""
    link = live_link(token)
    q = _definition(link)
    if _too_many_fields(q):
        return render_error(413)
    form = StepForm()
    if not form.validate():
        return render_error(400)
    action = form.action.data
    state = device.read_draft(link, q)
    if action in ("start", "restart"):
        return _start(link, q, form, state, restart=action == "restart")
    if state is None:
        return device.go("respond.welcome", link, ended=1)
    if state.finished:
        return device.go("respond.result", link)
    number = min(max(form.page.data or 0, 0), q.page_count + 1)
    answers, errors = _posted_page_answers(q, number, state.answers)
    if errors:
        # Show the problem beside its question; every other answer is kept on the device.
        state = state.with_page(number, answers)
        html = pages.question_page(link, q, state, number, errors=errors)
        return device.save(make_response(html, 422), link, q, state)
    return _move(link, q, state.with_page(number, answers), action)


def _move(link: LiveLink, q: Questionnaire, state: Draft, action: str) -> Response:
    """Save the page on the device and redirect to where the button leads."""
    if action == "finish":
        return _finish(link, q, state)
    number = state.page
    if action in WORDINGS:
        state = state.worded(action == "easy")  # the same page again, in the other words
    target = {"back": number - 1, "next": number + 1, "help": number}.get(action, number)
    state = state.with_page(max(target, 0), state.answers)
    if action == "help":
        response = device.go("respond.help_now", link)
    elif target <= 0:
        response = device.go("respond.welcome", link)
    elif target > q.page_count:
        response = device.go("respond.check", link)
    else:
        response = device.go("respond.page", link, number=target)
    return device.save(response, link, q, state)


def _start(
    link: LiveLink, q: Questionnaire, form: StepForm, state: Draft | None, *, restart: bool
) -> Response | tuple[str, int]:
    code = (form.code.data or "").strip()
    try:
        nonce = formkey.read(
            current_app.config["SECRET_KEY"],
            form.form_key.data or "",
            link.id,
            current_app.config["SURVEY_FORM_MAX_AGE"],
        )
    except formkey.FormKeyExpired:
        return render_error(
            400, "This page has expired", "Please open your link again to start afresh."
        )
    except formkey.FormKeyInvalid:
        return render_error(400)
    keep = state is not None and not state.finished and not restart
    easy = form.words.data == "easy"
    if link.wave.uses_codes and not code_is_live(link, code):
        # Unknown, spent and another team's codes all get this one message.
        kept = state if keep else None
        html = pages.welcome_page(link, q, form, kept, bad_code=True, easy=easy)
        return make_response(html, 422)
    if keep and state is not None:
        # Carry on where they left off (a new code, if one was typed, replaces the old).
        state = Draft(state.link_id, state.nonce, state.page, code, state.answers, easy=easy)
        target = state.page
    else:
        state = draft.begin(link.id, nonce, code, easy=easy)
        target = 1
    if target > q.page_count:
        response = device.go("respond.check", link)
    else:
        response = device.go("respond.page", link, number=max(target, 1))
    return device.save(response, link, q, state)


def _finish(link: LiveLink, q: Questionnaire, state: Draft) -> Response:
    try:
        record_response(link, state.answers, state.nonce, _today().date(), code=state.code or None)
    except ReplayedForm:
        # Stored already (a second tab, or an old cookie): say so, and keep no answers.
        page, status = render_error(409)
        return device.forget(make_response(page, status), link)
    except WaveKeyRefused:
        # The answers stay on the device, so a later try can still send them.
        page, status = render_error(503, "We could not save your answers", _NOT_STORED)
        return make_response(page, status)
    except CodeRejected:
        # Keep the answers on the device, so another code can be tried without losing them.
        form = StepForm(
            formdata=None,
            form_key=formkey.issue(current_app.config["SECRET_KEY"], link.id),
            page=0,
        )
        html = pages.welcome_page(link, q, form, state, bad_code=True, easy=state.easy)
        return device.save(
            make_response(html, 422), link, q, state.with_page(q.page_count + 1, state.answers)
        )
    done = state.finish(outcomes(q, state.answers))
    return device.save(device.go("respond.result", link), link, q, done)


# --- a busy link: never lose the page or its answers -----------------------------------


@bp.errorhandler(RateLimitExceeded)
def busy(error: RateLimitExceeded) -> Response | tuple[str, int]:
    """Too many posts at once: show the same page again, every answer kept, and a calm line."""
    token = _token_key()
    link = find_link(token)
    if link is None or request.method != "POST":
        return render_error(429)
    q = _definition(link)
    state = device.read_draft(link, q)
    if request.form.get("action") in ("start", "restart") or state is None:
        # The welcome page again, as it was (the code typed, the same form key).
        html = pages.welcome_page(link, q, StepForm(), state, busy=True, easy=_easy_words(state))
        response = make_response(html, 429)
        response.headers["Retry-After"] = "5"
        return response
    if state.finished:
        return device.go("respond.result", link)
    number = min(max(request.form.get("page", type=int) or 0, 0), q.page_count + 1)
    answers, _errors = _posted_page_answers(q, number, state.answers)
    state = state.with_page(max(number, 1), answers)
    if number > q.page_count or (request.form.get("action") == "finish" and number == q.page_count):
        html = pages.check_page(link, q, state, busy=True)
    else:
        html = pages.question_page(link, q, state, max(number, 1), busy=True)
    response = make_response(html, 429)
    response.headers["Retry-After"] = "5"
    return device.save(response, link, q, state)
