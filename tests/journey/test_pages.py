"""The journey pages: the core team records the cycle; a member's leads read their own journey."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import Action, Review, User
from survey.services import lead_access, reviews
from survey.services.reviews import DomainEntry
from tests.manage.conftest import Members, Staff, audit, text_of


def _reviewed(members: Members, core_user: User) -> Review:
    review = reviews.open_review(
        members.north, framework_key="roots", opened_on=date(2026, 1, 10), actor=core_user
    )
    reviews.record_ratings(
        review,
        {"safety": DomainEntry("amber", "Calm reception"), "empowerment": DomainEntry("red")},
        agreed_on=date(2026, 1, 20),
        actor=core_user,
    )
    return review


def test_the_core_team_opens_a_review_records_ratings_and_adds_an_action(
    as_core: Staff, members: Members
) -> None:
    page = as_core.get(f"/journey/organisations/{members.north.id}")
    assert page.status_code == 200 and "Open the baseline review" in text_of(page)
    opened = as_core.post(
        f"/journey/organisations/{members.north.id}/reviews",
        {"framework": "roots", "opened_on": "2026-01-10"},
    )
    assert opened.status_code == 303
    review = reviews.reviews_of(members.north.id)[0]
    assert opened.headers["Location"].endswith(f"/journey/reviews/{review.id}")
    form = as_core.get(f"/journey/reviews/{review.id}")
    assert "Compassionate Leadership" in text_of(form)
    saved = as_core.post(
        f"/journey/reviews/{review.id}",
        {
            "agreed_on": "2026-01-24",
            "safety-rating": "green",
            "safety-strengths": "Staff walk people to the door",
            "language-rating": "red",
        },
    )
    assert saved.status_code == 303
    rows = {r.domain_key: r for r in review.ratings}
    assert rows["safety"].rating == "green" and rows["language"].rating == "red"
    assert rows["safety"].strengths == "Staff walk people to the door"
    bad = as_core.post(
        f"/journey/reviews/{review.id}", {"agreed_on": "2026-01-24", "safety-rating": "blue"}
    )
    assert bad.status_code == 422 and "Choose a rating from the list." in text_of(bad)
    added = as_core.post(
        f"/journey/reviews/{review.id}/actions",
        {"domain": "language", "title": "Plain letters", "owner_role": "Admin lead"},
    )
    assert added.status_code == 303
    [action] = db.session.scalars(select(Action)).all()
    assert action.focus == "domain:language"
    changed = as_core.post(f"/journey/actions/{action.id}/status", {"status": "in progress"})
    assert changed.status_code == 303 and action.status == "in progress"
    logged = as_core.post(
        f"/journey/organisations/{members.north.id}/sessions",
        {"held_on": "2026-02-01", "kind": "training", "attended": "14", "note": ""},
    )
    assert logged.status_code == 303
    journey = text_of(as_core.get(f"/journey/organisations/{members.north.id}"))
    assert "Plain letters" in journey and "In progress" in journey
    assert "Training session (14 attending)" in journey
    assert [e.action for e in audit()][-5:] == [
        "review opened",
        "review ratings recorded",
        "action created",
        "action status changed",
        "engagement session logged",
    ]


def test_the_alliance_overview_filters_by_sector(
    as_core: Staff, members: Members, core_user: User
) -> None:
    _reviewed(members, core_user)
    page = as_core.get("/journey/")
    words = text_of(page)
    assert "North Hospice" in words and "South Food Bank" in words
    assert 'class="rating rating-amber">Amber' in page.get_data(as_text=True)
    food = text_of(as_core.get("/journey/?sector=food"))
    assert "South Food Bank" in food and "North Hospice" not in food
    # An unknown sector is ignored rather than echoed.
    assert "North Hospice" in text_of(as_core.get("/journey/?sector=%3Cb%3E"))


def test_a_lead_reads_their_own_organisations_journey_and_nothing_else(
    app: object, as_lead: Staff, members: Members, core_user: User, lead_user: User
) -> None:
    _reviewed(members, core_user)
    north, south = members.north.id, members.south.id
    assert as_lead.get(f"/journey/organisations/{north}").status_code == 404
    lead_access.change_access(lead_user, f"organisation:{north}", grant=True, actor=core_user)
    page = as_lead.get(f"/journey/organisations/{north}")
    assert page.status_code == 200
    words = text_of(page)
    assert "Calm reception" not in words  # strengths are on the board report and review page
    assert "Open the" not in words and "Log a session" not in words
    board = as_lead.get(f"/journey/organisations/{north}/board")
    assert board.status_code == 200 and "Calm reception" in text_of(board)
    assert as_lead.get(f"/journey/organisations/{south}").status_code == 404
    assert as_lead.get("/journey/").status_code == 403
    review = reviews.reviews_of(north)[0]
    assert as_lead.get(f"/journey/reviews/{review.id}").status_code == 403
    refused = as_lead.post(
        f"/journey/organisations/{north}/sessions",
        {"held_on": "2026-02-01", "kind": "training", "attended": "3"},
    )
    assert refused.status_code == 403


def test_a_team_grant_is_not_enough_for_the_journey(
    as_lead: Staff, members: Members, core_user: User, lead_user: User
) -> None:
    lead_access.change_access(lead_user, f"team:{members.day.id}", grant=True, actor=core_user)
    assert as_lead.get(f"/journey/organisations/{members.north.id}").status_code == 404


def test_the_board_report_prints_without_navigation(
    as_core: Staff, members: Members, core_user: User
) -> None:
    _reviewed(members, core_user)
    html = as_core.get(f"/journey/organisations/{members.north.id}/board").get_data(as_text=True)
    assert "journey.css" in html
    response = as_core.get("/static/journey.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and ".staff-nav" in css.split("@media print")[1]


def test_a_perspective_survey_is_opened_from_the_review_page(
    as_core: Staff, as_lead: Staff, members: Members, core_user: User
) -> None:
    review = _reviewed(members, core_user)
    path = f"/journey/reviews/{review.id}/perspectives"
    form = {"perspective": "staff", "opens_on": "2026-03-01", "closes_on": "2026-02-01"}
    refused = as_core.post(path, form)
    assert refused.status_code == 422
    assert "The closing date is before the opening date." in text_of(refused)
    assert as_lead.post(path, form).status_code == 403
    opened = as_core.post(
        path, form | {"closes_on": "2026-03-20", "easy_read": "y", "links": "team"}
    )
    assert opened.status_code == 303 and "/manage/waves/" in opened.headers["Location"]
    [link] = review.perspectives
    assert link.perspective == "staff" and len(link.wave.links) == 2  # one per team
    # Easy-read wording is for plain perspectives only: staff get their usual words.
    assert link.wave.questionnaire_version.key == "roots-staff"
    page = text_of(as_core.get(f"/journey/reviews/{review.id}"))
    assert f"{members.north.name}: staff (baseline review)" in page
