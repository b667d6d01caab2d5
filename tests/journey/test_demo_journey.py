"""The `make run` demo shows a member's journey at once: baseline, actions, follow-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Organisation
from survey.services import accounts, demo, journey
from survey.services.demo_history import DEMO_CORE_EMAIL
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
