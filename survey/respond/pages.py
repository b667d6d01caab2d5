"""Rendering the respondent's pages (the views decide which, and when)."""

from __future__ import annotations

from flask import render_template

from survey.domain.feedback import NEXT_STEPS, NOT_A_DIAGNOSIS, feedback_for, skips_note
from survey.domain.frameworks import Perspective
from survey.domain.perspectives import in_easy_read, offers_easy_read, wording_of
from survey.domain.questionnaire_model import AnswerError, Questionnaire
from survey.models import SignpostResource
from survey.question_pages import review, shown_page
from survey.respond import draft
from survey.respond.draft import Draft
from survey.respond.forms import ANSWER_PREFIX, StepForm
from survey.services.frameworks import framework_for
from survey.services.link_names import names_for_team
from survey.services.responses import LiveLink
from survey.services.signposting import routes_for


def welcome_page(
    link: LiveLink,
    q: Questionnaire,
    form: StepForm,
    state: Draft | None,
    *,
    bad_code: bool = False,
    ended: bool = False,
    busy: bool = False,
    easy: bool = False,
) -> str:
    """The welcome page: whose survey, the content note, the promises, Start or Carry on."""
    if q.review is not None:
        easy = easy and offers_easy_read(q)
        words = wording_of(q, perspective_of(q), easy=easy)
        return render_template(
            "respond/review_welcome.html",
            link=link,
            names=names_for_team(link.team_id),
            q=_worded(q, easy),
            form=form,
            state=state,
            bad_code=bad_code,
            busy=busy,
            words=words,
            offer_easy=offers_easy_read(q),
            page_title=words.title,
        )
    return render_template(
        "respond/welcome.html",
        link=link,
        names=names_for_team(link.team_id),
        q=q,
        form=form,
        state=state,
        bad_code=bad_code,
        ended=ended,
        busy=busy,
        minutes=draft.MINUTES,
        skips=[skips_note(scale) for scale in q.scales],
        page_title=q.title,
    )


def question_page(
    link: LiveLink,
    q: Questionnaire,
    state: Draft,
    number: int,
    *,
    errors: list[AnswerError] | None = None,
    busy: bool = False,
) -> str:
    """One question page with the answers kept on the device, and any problem named."""
    q = _worded(q, state.easy)
    shown = shown_page(q, number, state.answers, ANSWER_PREFIX)
    first_error = errors[0] if errors else None
    return render_template(
        "respond/page.html",
        link=link,
        q=q,
        form=StepForm(formdata=None, page=number),
        page=shown,
        error=first_error,
        busy=busy,
        offer_easy=offers_easy_read(q),
        easy=state.easy,
        page_title=f"Page {number} of {shown.count}",
    )


def check_page(link: LiveLink, q: Questionnaire, state: Draft, *, busy: bool = False) -> str:
    """Check your answers: every question with its answer, and how many were left blank."""
    q = _worded(q, state.easy)
    rows = review(q, state.answers)
    return render_template(
        "respond/check.html",
        link=link,
        q=q,
        form=StepForm(formdata=None, page=q.page_count + 1),
        rows=rows,
        skipped=sum(1 for row in rows if not row.answer),
        busy=busy,
        offer_easy=offers_easy_read(q),
        easy=state.easy,
        page_title="Check your answers",
    )


def result_page(link: LiveLink, q: Questionnaire, state: Draft) -> str:
    """The person's own result: worked out at Finish, kept only on their device.

    A perspective survey has none (the person rated the service): a thank-you instead.
    """
    if q.review is not None:
        always, local = support_routes(link, q)
        easy = state.easy and offers_easy_read(q)
        return render_template(
            "respond/review_thanks.html",
            link=link,
            words=wording_of(q, perspective_of(q), easy=easy),
            offer_easy=offers_easy_read(q),
            always=always,
            local=local,
            page_title="Thank you",
        )
    shown = [
        feedback_for(scale, outcome)
        for scale, outcome in zip(q.scales, state.result or (), strict=True)
    ]
    level = max((f.level for f in shown), default=0)
    always, local = routes_for(link.organisation_id, level)
    return render_template(
        "respond/result.html",
        link=link,
        q=q,
        feedback=shown,
        always=always,
        local=local,
        lead_with_support=any(f.lead_with_support for f in shown),
        next_steps=NEXT_STEPS,
        not_a_diagnosis=NOT_A_DIAGNOSIS,
        minutes=draft.MINUTES,
        page_title="Your result",
    )


def saved_page(link: LiveLink, q: Questionnaire) -> str:
    """After Finish, any earlier page says truthfully that the answers are saved."""
    return render_template(
        "respond/saved.html", link=link, q=q, page_title="Your answers are saved"
    )


def support_routes(
    link: LiveLink, q: Questionnaire
) -> tuple[list[SignpostResource], list[SignpostResource]]:
    """The routes to support for this survey's respondents: the 24/7 routes, then local ones.

    The local routes the core team enters are for staff (employee assistance, occupational
    health), so people who use the service (a plain perspective) get the 24/7 routes only.
    """
    always, local = routes_for(link.organisation_id, 0)
    if q.review is not None and perspective_of(q).plain:
        return always, []
    return always, local


def _worded(q: Questionnaire, easy: bool) -> Questionnaire:
    """The questionnaire in the words the person chose (easy read only where offered)."""
    return in_easy_read(q, perspective_of(q)) if easy and offers_easy_read(q) else q


def perspective_of(q: Questionnaire) -> Perspective:
    """The framework's words for a perspective survey's respondents (why, thanks)."""
    review = q.review
    if review is None:
        raise ValueError(f"{q.key} is not a review questionnaire")
    return framework_for(review.framework).perspective(review.perspective)
