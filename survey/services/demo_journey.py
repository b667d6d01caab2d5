"""The demo member's journey: a baseline review, actions, sessions and a follow-up a year on,
each review with anonymous staff and service-user perspective surveys (demo_perspectives.py).

Everything is synthetic and labelled so (the reviews carry `synthetic`, the words say
"demo"). It runs through the real services, so the audit log reads as it would.
"""

from __future__ import annotations

from datetime import date, timedelta

from survey.models import Organisation, User
from survey.services import reviews
from survey.services.demo_perspectives import seed_perspectives
from survey.services.review_actions import update_action_status
from survey.services.reviews import DomainEntry

# Days before today: the baseline follows the first synthetic screening round. Each review's
# perspective surveys run for two weeks from the day after it opens, before its session.
BASELINE_OPENED, BASELINE_AGREED = 720, 700
FOLLOW_UP_OPENED, FOLLOW_UP_AGREED = 355, 340

BASELINE = {
    "safety": DomainEntry(
        "amber",
        "Demo: reception staff know people by name; lone-working checks are in place.",
        "Demo: a person waited in a corridor with no seat, next to a locked door.",
    ),
    "language": DomainEntry("red", "", "Demo: letters say 'failed to attend' and 'non-compliant'."),
    "social": DomainEntry("amber", "Demo: a walking group started by a nurse."),
    "trauma-specific-interventions": DomainEntry(
        "red", "", "Demo: no clear route to trauma-focused therapy; waits of a year."
    ),
    "empowerment": DomainEntry("red", "", "Demo: care plans are written before people are asked."),
    "whole-system": DomainEntry("amber", "Demo: the GP practices share our approach."),
    "compassionate-leadership": DomainEntry(
        "amber", "Demo: managers check in after difficult visits, but not in every team."
    ),
}
FOLLOW_UP = {
    "safety": DomainEntry("green", "Demo: seats and a quiet room; people choose where to meet."),
    "language": DomainEntry("amber", "Demo: new letters written with the service-user panel."),
    "social": DomainEntry("amber", "Demo: the walking group now runs weekly."),
    "trauma-specific-interventions": DomainEntry(
        "amber", "Demo: an agreed referral route; waits are shorter but still long."
    ),
    "empowerment": DomainEntry("amber", "Demo: the panel meets monthly and has changed two forms."),
    "whole-system": DomainEntry("amber", "", "Demo: partners not yet on board."),
    "compassionate-leadership": DomainEntry(
        "green", "Demo: reflective practice every month in every team."
    ),
}
# (domain, action, owner role, days before today it was due, final status, days it was done)
ACTIONS = (
    (
        "language",
        "Rewrite appointment letters with people who use the service",
        "Service manager",
        600,
        "done",
        610,
    ),
    (
        "trauma-specific-interventions",
        "Agree a referral route to trauma-focused therapy",
        "Clinical lead",
        500,
        "done",
        480,
    ),
    (
        "empowerment",
        "Set up a service-user panel",
        "Patient experience lead",
        450,
        "in progress",
        520,
    ),
    (
        "compassionate-leadership",
        "Monthly reflective practice for every team",
        "Head of nursing",
        620,
        "done",
        640,
    ),
    (
        "whole-system",
        "Share the approach with the two main partner agencies",
        "Director",
        200,
        "planned",
        0,
    ),
)
SESSIONS = (
    (690, "training", 24, "Demo: trauma-informed care, an introduction"),
    (600, "reflective practice", 9, "Demo: district nursing"),
    (500, "reflective practice", 11, "Demo: family support"),
    (420, "training", 18, "Demo: secondary trauma and self-care"),
    (120, "reflective practice", 10, "Demo: both teams together"),
)


def seed_journey(organisation: Organisation, today: date, *, kek: bytes, actor: User) -> None:
    """The demo member's baseline, perspectives, actions, engagement log and follow-up (all
    synthetic)."""

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    baseline = reviews.open_review(
        organisation,
        framework_key="roots",
        opened_on=ago(BASELINE_OPENED),
        actor=actor,
        synthetic=True,
    )
    baseline_agreed = {key: entry.rating for key, entry in BASELINE.items()}
    seed_perspectives(baseline, baseline_agreed, ago(BASELINE_OPENED - 1), kek=kek, actor=actor)
    reviews.record_ratings(baseline, BASELINE, agreed_on=ago(BASELINE_AGREED), actor=actor)
    for domain, title, owner, due, status, done in ACTIONS:
        action = reviews.add_domain_action(
            baseline,
            domain,
            title=title,
            owner_role=owner,
            due_on=ago(due),
            today=ago(BASELINE_AGREED - 2),
            actor=actor,
        )
        if status != "planned":
            update_action_status(action, status, today=ago(done), actor=actor)
    for days, kind, attended, note in SESSIONS:
        reviews.log_session(
            organisation, held_on=ago(days), kind=kind, attended=attended, note=note, actor=actor
        )
    follow_up = reviews.open_review(
        organisation,
        framework_key="roots",
        opened_on=ago(FOLLOW_UP_OPENED),
        actor=actor,
        synthetic=True,
    )
    follow_up_agreed = {key: entry.rating for key, entry in FOLLOW_UP.items()}
    seed_perspectives(follow_up, follow_up_agreed, ago(FOLLOW_UP_OPENED - 1), kek=kek, actor=actor)
    reviews.record_ratings(follow_up, FOLLOW_UP, agreed_on=ago(FOLLOW_UP_AGREED), actor=actor)
