"""The respondent's side pages: "Need to talk now?" and the privacy, accessibility and
contact pages. Read-only: they change nothing on the device or the server."""

from __future__ import annotations

from flask import Response, abort, current_app, make_response, render_template, url_for

from survey.access import public
from survey.respond import bp, draft
from survey.respond.pages import support_routes
from survey.respond.views import live_link, opened
from survey.services.link_names import names_for_team

ABOUT_TOPICS = ("privacy", "accessibility", "contact")


@bp.get("/s/<token>/help")
@public
def help_now(token: str) -> Response:
    """ "Need to talk now?": the routes to support, with the way back to the answers."""
    link, q, state = opened(token)
    always, local = support_routes(link, q)
    back = None
    if state is not None and not state.finished:
        back = (
            url_for("respond.check", token=link.token)
            if state.page > q.page_count
            else url_for("respond.page", token=link.token, number=state.page)
        )
    return make_response(
        render_template(
            "respond/help.html",
            link=link,
            always=always,
            local=local,
            back=back,
            page_title="Need to talk now?",
        )
    )


@bp.get("/s/<token>/about/<topic>")
@public
def about(token: str, topic: str) -> Response:
    """The privacy page, the accessibility statement and the core team's contact."""
    if topic not in ABOUT_TOPICS:
        abort(404)
    link = live_link(token)
    contact = current_app.config.get(
        "CORE_TEAM_CONTACT",
        "To reach the core team, ask the person who shared this survey link with you.",
    )
    return make_response(
        render_template(
            "respond/about.html",
            link=link,
            topic=topic,
            names=names_for_team(link.team_id),
            contact=contact,
            minutes=draft.MINUTES,
            page_title=topic.capitalize(),
        )
    )
