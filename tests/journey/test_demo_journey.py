"""The `make run` demo shows a member's journey at once: baseline, actions, follow-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Organisation
from survey.services import accounts, demo, journey
from survey.services.demo_history import DEMO_CORE_EMAIL, DEMO_LEAD_EMAIL
from survey.services.free_text import free_text
from survey.services.release_access import scope_for
from tests.conftest import TODAY


def test_the_demo_member_has_a_baseline_actions_and_a_follow_up(app: Flask, kek: bytes) -> None:
    assert demo.seed_demo(kek, Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml", TODAY)
    member = db.session.scalars(select(Organisation)).one()
    core = accounts.get_user(DEMO_CORE_EMAIL)
    view = journey.journey_for(member, scope_for(core), TODAY)
    assert [v.review.kind for v in view.reviews] == ["baseline", "follow-up"]
    assert all(v.review.synthetic for v in view.reviews)
    moved = {c.key: c.moved for c in view.comparison or []}
    assert moved["safety"] == "up" and moved["whole-system"] == "same"
    assert sorted(a.status for a in view.actions) == [
        "done",
        "done",
        "done",
        "in progress",
        "planned",
    ]
    assert len(view.sessions) == 5
    # The synthetic screening rounds sit beside the reviews (released headlines only).
    assert len(view.sts) == 2 and all(p.synthetic for p in view.sts)
    # Both synthetic rounds fall in the period from the baseline to the follow-up.
    assert view.sts_of_the_period == view.sts
    assert view.stage == "action" and view.due_on is not None and view.due_on > TODAY
    assert member.joined_on is not None and member.joined_on < view.reviews[0].review.opened_on


def test_the_demo_reviews_show_perspectives_beside_the_agreed_ratings(
    app: Flask, kek: bytes
) -> None:
    assert demo.seed_demo(kek, Path(app.config["QUESTIONNAIRE_DIR"]) / "demo-sts.yaml", TODAY)
    member = db.session.scalars(select(Organisation)).one()
    core = accounts.get_user(DEMO_CORE_EMAIL)
    view = journey.journey_for(member, scope_for(core), TODAY)
    for review in view.reviews:
        staff, users = view.perspectives[review.review.id]
        assert (staff.perspective, users.perspective) == ("staff", "service_user")
        assert staff.shown and users.shown and staff.n == 16 and users.n == 16
        assert all(p.wave.synthetic and p.kind == "final" for p in (staff, users))
        # Every domain's split is released, coded as ranges beside the agreed rating.
        for cell in review.cells:
            for result in (staff, users):
                shares = result.shares(cell.key)
                assert [s.label for s in shares] == ["Red", "Amber", "Green", "Not answered"]
                assert all("%" in s.text for s in shares), (cell.key, shares)
        # Staff answered through a link per team, both big enough to be shown on their own;
        # people who use the service through one link for the organisation: no team at all.
        assert [(t.label, t.n) for t in staff.teams] == [
            ("District nursing", 9),
            ("Family support", 7),
        ]
        assert users.teams == ()
    # The timeline says when each survey was released, before the session that used it.
    released = [e for e in view.timeline if e.what.startswith("Perspective survey released")]
    assert [e.what for e in released][:2] == [
        "Perspective survey released: staff (baseline review)",
        "Perspective survey released: people who use the service (baseline review)",
    ]
    assert all(e.on < view.reviews[0].review.agreed_on for e in released[:2])  # type: ignore[operator]
    # The core team can read the service users' free text: a pool of 10 or more, demo words.
    users_wave = view.perspectives[view.reviews[0].review.id][1].wave
    [pool] = free_text(users_wave, kek) or []
    assert len(pool.answers) >= 10 and all(a.startswith("Demo:") for a in pool.answers)
    # The journey page shows them to the demo lead too (never the free text).
    lead = accounts.get_user(DEMO_LEAD_EMAIL)
    lead_view = journey.journey_for(member, scope_for(lead), TODAY)
    assert [p.n for p in lead_view.perspectives[view.reviews[-1].review.id]] == [16, 16]
