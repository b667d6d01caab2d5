"""The review cycle of one member: open, record agreed ratings, act, follow up a year on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from survey.domain.frameworks import NOT_DISCUSSED
from survey.domain.journey_cycle import add_months, cycle_stage, movement, next_review_due
from survey.extensions import db
from survey.models import Action, Review, User
from survey.services import journey, reviews
from survey.services.release_access import scope_for
from survey.services.review_actions import update_action_status
from survey.services.reviews import DomainEntry, ReviewError
from tests.manage.conftest import Members, audit

JAN = date(2026, 1, 15)


def _baseline(members: Members, core_user: User) -> Review:
    review = reviews.open_review(
        members.north, framework_key="roots", opened_on=JAN, actor=core_user
    )
    reviews.record_ratings(
        review,
        {
            "safety": DomainEntry("red", "Reception is calm", "A locked side door"),
            "language": DomainEntry("amber"),
        },
        agreed_on=date(2026, 2, 1),
        actor=core_user,
    )
    return review


def test_a_baseline_opens_with_every_domain_not_yet_discussed(
    members: Members, core_user: User
) -> None:
    review = reviews.open_review(
        members.north, framework_key="roots", opened_on=JAN, actor=core_user
    )
    assert review.kind == "baseline" and review.previous is None
    assert [r.rating for r in review.ratings] == [NOT_DISCUSSED] * 7
    [event] = audit("review opened")
    assert event.user == core_user and event.target == f"review:{review.id}"
    assert "baseline with roots v1" in event.detail


def test_agreed_ratings_are_recorded_in_the_organisations_words_and_audited(
    members: Members, core_user: User
) -> None:
    review = _baseline(members, core_user)
    rows = {r.domain_key: r for r in review.ratings}
    assert rows["safety"].rating == "red"
    assert rows["safety"].strengths == "Reception is calm"
    assert rows["social"].rating == NOT_DISCUSSED
    assert review.agreed_on == date(2026, 2, 1)
    [event] = audit("review ratings recorded")
    # The audit says what changed, never the organisation's own words.
    assert "safety: 'not-discussed' -> 'red'" in event.detail
    assert "safety strengths changed" in event.detail
    assert "Reception" not in event.detail
    # Saving the same again changes nothing and leaves no event.
    again = reviews.record_ratings(
        review,
        {"safety": DomainEntry("red", "Reception is calm", "A locked side door")},
        agreed_on=date(2026, 2, 1),
        actor=core_user,
    )
    assert again == "" and len(audit("review ratings recorded")) == 1


def test_a_bad_rating_changes_nothing(members: Members, core_user: User) -> None:
    review = reviews.open_review(
        members.north, framework_key="roots", opened_on=JAN, actor=core_user
    )
    with pytest.raises(ReviewError) as raised:
        reviews.record_ratings(
            review,
            {"safety": DomainEntry("green"), "language": DomainEntry("purple")},
            agreed_on=JAN,
            actor=core_user,
        )
    assert raised.value.field == "language-rating"
    assert {r.domain_key: r.rating for r in review.ratings}["safety"] == NOT_DISCUSSED
    with pytest.raises(ReviewError, match="before the review opened"):
        reviews.record_ratings(review, {}, agreed_on=date(2025, 1, 1), actor=core_user)


def test_a_follow_up_needs_the_open_review_agreed_first(members: Members, core_user: User) -> None:
    reviews.open_review(members.north, framework_key="roots", opened_on=JAN, actor=core_user)
    with pytest.raises(ReviewError, match="open review"):
        reviews.open_review(
            members.north, framework_key="roots", opened_on=date(2027, 1, 15), actor=core_user
        )
    with pytest.raises(ReviewError) as raised:
        reviews.open_review(members.south, framework_key="nope", opened_on=JAN, actor=core_user)
    assert raised.value.field == "framework"


def test_a_year_on_the_follow_up_shows_what_moved_and_what_was_done(
    members: Members, core_user: User
) -> None:
    baseline = _baseline(members, core_user)
    door = reviews.add_domain_action(
        baseline,
        "safety",
        title="Fix the side door",
        owner_role="Facilities manager",
        due_on=date(2026, 6, 1),
        today=date(2026, 2, 2),
        actor=core_user,
    )
    letters = reviews.add_domain_action(
        baseline,
        "language",
        title="Rewrite appointment letters",
        owner_role="Service manager",
        due_on=None,
        today=date(2026, 2, 2),
        actor=core_user,
    )
    assert door.focus == "domain:safety" and door.status == "planned"
    update_action_status(door, "done", today=date(2026, 5, 1), actor=core_user)
    assert [e.detail for e in audit("action status changed")] == ["planned -> done"]
    follow_up = reviews.open_review(
        members.north, framework_key="roots", opened_on=date(2027, 1, 20), actor=core_user
    )
    assert follow_up.kind == "follow-up" and follow_up.previous == baseline
    reviews.record_ratings(
        follow_up,
        {"safety": DomainEntry("green"), "language": DomainEntry("amber")},
        agreed_on=date(2027, 2, 3),
        actor=core_user,
    )
    view = journey.journey_for(members.north, scope_for(core_user), date(2027, 2, 10))
    changes = {c.key: c for c in view.comparison or []}
    assert (changes["safety"].before, changes["safety"].after) == ("red", "green")
    assert changes["safety"].moved == "up"
    assert changes["language"].moved == "same"
    assert changes["social"].moved == ""  # not discussed either time: not comparable
    assert [a.title for a in changes["safety"].actions] == ["Fix the side door"]
    assert [a.status for a in changes["language"].actions] == ["planned"]
    assert view.focus_label(letters.focus) == "Language"
    # The next review is due a cycle (12 months) after the follow-up's session.
    assert view.due_on == date(2028, 2, 3)
    assert view.stage == "action"
    assert [e.what for e in view.timeline][:2] == [
        "Baseline review opened",
        "Ratings agreed at the review session",
    ]


def test_the_engagement_log(members: Members, core_user: User) -> None:
    reviews.log_session(
        members.north, held_on=JAN, kind="training", attended=12, note="Intro", actor=core_user
    )
    reviews.log_session(
        members.north,
        held_on=date(2026, 3, 1),
        kind="reflective practice",
        attended=6,
        note="",
        actor=core_user,
    )
    assert [s.kind for s in reviews.sessions_of(members.north.id)] == [
        "reflective practice",
        "training",
    ]
    assert len(audit("engagement session logged")) == 2
    with pytest.raises(ReviewError) as raised:
        reviews.log_session(
            members.north, held_on=JAN, kind="party", attended=3, note="", actor=core_user
        )
    assert raised.value.field == "kind"


def test_review_due_on_is_one_rule_for_members_with_and_without_a_review(
    members: Members, core_user: User
) -> None:
    members.south.joined_on = date(2026, 11, 30)
    assert journey.review_due_on(members.south) == date(2027, 2, 28)
    assert journey.review_due_on(members.north) is None  # no joining date, no review
    _baseline(members, core_user)
    assert journey.review_due_on(members.north) == date(2027, 2, 1)


def test_cycle_arithmetic() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
    assert next_review_due(None, None, 12) is None
    assert next_review_due(date(2026, 1, 1), date(2026, 5, 1), 12) == date(2027, 5, 1)
    common = {"due_on": date(2027, 1, 1), "today": date(2026, 6, 1)}
    assert (
        cycle_stage(has_review=False, agreed=False, action_statuses=[], **common) == "not started"
    )
    assert cycle_stage(has_review=True, agreed=False, action_statuses=[], **common) == "mapping"
    assert cycle_stage(has_review=True, agreed=True, action_statuses=[], **common) == "planning"
    assert cycle_stage(has_review=True, agreed=True, action_statuses=["done"], **common) == "action"
    late = {"due_on": date(2026, 1, 1), "today": date(2026, 6, 1)}
    assert cycle_stage(has_review=True, agreed=True, action_statuses=[], **late) == "review due"
    assert movement("red", "amber", ("red", "amber", "green")) == "up"
    assert movement("green", "red", ("red", "amber", "green")) == "down"
    assert movement("not-discussed", "red", ("red", "amber", "green")) == ""


def test_actions_are_rows_of_the_one_plan(members: Members, core_user: User) -> None:
    review = _baseline(members, core_user)
    with pytest.raises(ReviewError):
        reviews.add_domain_action(
            review, "weather", title="x", owner_role="y", due_on=None, today=JAN, actor=core_user
        )
    reviews.add_domain_action(
        review,
        "social",
        title="Peer group",
        owner_role="Lead",
        due_on=None,
        today=JAN,
        actor=core_user,
    )
    [action] = db.session.scalars(select(Action)).all()
    assert action.organisation == members.north and action.team is None and action.wave is None
