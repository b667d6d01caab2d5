"""The demo set-up for `make run`: one organisation, two teams, an open wave, signposting.

It only ever runs on an empty database, so running it twice reuses the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Organisation, Review, SignpostResource, SurveyLink, Team
from survey.services.accounts import get_user
from survey.services.demo_history import (
    DEMO_CORE_EMAIL,
    DemoAccount,
    seed_accounts,
    seed_history,
)
from survey.services.demo_journey import seed_journey
from survey.services.questionnaires import store_questionnaire_file
from survey.services.waves import WavePlan, open_wave

DEMO_ORGANISATION = "Riverside Community Care (demo)"
DEMO_TEAMS = ("District nursing", "Family support")
# The UK routes were checked against ../shared/INSTRUMENTS.md on this date.
ROUTES_CHECKED = date(2026, 11, 26)
JOINED_DAYS_AGO = 760


@dataclass(frozen=True)
class Route:
    """A signposting entry to seed."""

    name: str
    contact: str
    hours: str
    description: str
    always: bool = True
    min_level: int = 0
    url: str | None = None
    phone: str | None = None
    sms: str | None = None


NATIONAL_ROUTES = (
    Route(
        "Samaritans",
        "Call 116 123 (free)",
        "24 hours, every day",
        "Someone to talk to about anything that is troubling you.",
        url="https://www.samaritans.org",
        phone="116123",
    ),
    Route(
        "Shout",
        "Text SHOUT to 85258",
        "24 hours, every day",
        "Free, confidential text support. Health and care staff can text FRONTLINE; "
        "emergency services staff can text BLUELIGHT.",
        url="https://giveusashout.org",
        sms="85258",
    ),
    Route(
        "NHS 111, mental health option",
        "Call 111 and choose the mental health option",
        "24 hours, every day",
        "Urgent mental health support in England, for any age.",
        phone="111",
    ),
    Route(
        "Emergency services",
        "Call 999, or go to A&E",
        "Any time",
        "If your life or someone else's is at risk right now.",
        phone="999",
    ),
    Route(
        "NHS Practitioner Health",
        "Call 0300 030 3300",
        "Self-referral",
        "A confidential service for doctors, dentists and some other NHS staff.",
        always=False,
        min_level=0,
        url="https://www.practitionerhealth.nhs.uk",
        phone="03000303300",
    ),
)

DEMO_LOCAL_ROUTES = (
    Route(
        "Employee assistance programme (demo entry)",
        "01632 960 123 (demo number, not in service)",
        "24 hours",
        "Free, confidential counselling for staff. Demo entry: the core team enters the real one.",
        always=False,
    ),
    Route(
        "Occupational health self-referral (demo entry)",
        "Ask your manager or email oh@example.org",
        "Weekdays",
        "Talk to someone about how work is affecting you. Demo entry.",
        always=False,
        min_level=2,
    ),
)


def _add_routes(routes: tuple[Route, ...], organisation: Organisation | None) -> None:
    for position, route in enumerate(routes, start=1):
        db.session.add(
            SignpostResource(
                organisation=organisation,
                name=route.name,
                contact=route.contact,
                hours=route.hours,
                description=route.description,
                url=route.url,
                always=route.always,
                min_level=route.min_level,
                position=position * 10,
                last_checked=ROUTES_CHECKED,
                phone=route.phone,
                sms=route.sms,
            )
        )


def is_empty() -> bool:
    """True when no organisation exists yet."""
    return not db.session.scalar(select(func.count()).select_from(Organisation))


def seed_demo(
    kek: bytes, questionnaire: Path, today: date, *, history: bool = True
) -> list[DemoAccount] | None:
    """Create the demo on an empty database; None (and nothing changed) if it has data.

    With `history`, two earlier synthetic rounds are filled and released. Returns the
    demo accounts, whose passwords exist only in this return value.
    """
    if not is_empty():
        return None
    version = store_questionnaire_file(questionnaire)
    # With history, the member joined before its first (synthetic) round two years ago.
    joined = today - timedelta(days=JOINED_DAYS_AGO) if history else today
    organisation = Organisation(
        name=DEMO_ORGANISATION, sector="health", joined_on=joined, pledge_status="memorandum signed"
    )
    teams = [Team(organisation=organisation, name=name) for name in DEMO_TEAMS]
    db.session.add_all([organisation, *teams])
    _add_routes(NATIONAL_ROUTES, None)
    _add_routes(DEMO_LOCAL_ROUTES, organisation)
    if history:
        seed_history(kek, version, teams, today)
    open_wave(
        WavePlan(
            name="Autumn check-in (demo)",
            questionnaire=version,
            teams=teams,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=60),
        ),
        kek,
    )
    made = seed_accounts(organisation.id)
    if history:
        seed_journey(organisation, today, kek=kek, actor=get_user(DEMO_CORE_EMAIL))
    return made


def demo_links() -> list[tuple[str, str]]:
    """(team and wave, token) for every live link of an open wave, for printing."""
    today = date.today()
    links = db.session.scalars(select(SurveyLink).where(SurveyLink.revoked.is_(False))).all()
    return [
        (f"{link.team.name}, {link.wave.name}", link.token)
        for link in links
        if link.wave.is_open(today)
    ]


def journey_ids() -> list[int]:
    """The organisations with a review, for printing their journey page."""
    return sorted(set(db.session.scalars(select(Review.organisation_id))))
