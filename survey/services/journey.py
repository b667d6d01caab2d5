"""What the journey pages show: one member's reviews, plan, sessions and screening trend,
and the alliance's members side by side. Read-only.

Screening figures come from releases only, cut to what the viewer may see, so a lead's
journey page shows nothing their results pages would not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from survey.domain.frameworks import NOT_DISCUSSED, Framework
from survey.domain.journey_cycle import cycle_stage, movement, next_review_due
from survey.extensions import db
from survey.models import (
    Action,
    EngagementSession,
    Organisation,
    Release,
    Review,
    ReviewWave,
    SurveyLink,
    Team,
    Wave,
)
from survey.models.plans import DOMAIN_FOCUS_PREFIX
from survey.services.frameworks import available_frameworks, framework_for
from survey.services.perspectives import PerspectiveResult, perspective_results
from survey.services.release_access import Scope
from survey.services.review_actions import actions_for_organisation
from survey.services.reviews import reviews_of, sessions_of

# A screening round belongs to a review period if it closed within this of its ends.
PERIOD_SLACK = timedelta(days=90)


def _default_framework() -> Framework:
    """The framework new reviews use and the heatmap's columns (the first discussion one)."""
    frameworks = available_frameworks()
    return next((f for f in frameworks if f.method == "discussion"), frameworks[0])


def _last_review_on(review: Review) -> date:
    return review.agreed_on or review.opened_on


def review_due_on(organisation: Organisation) -> date | None:
    """When the member's next review is due: a cycle after its latest, or soon after joining.

    The one rule behind "members due for their review" (workspace home) and the journey pages.
    """
    reviews = reviews_of(organisation.id)
    if reviews:
        latest = reviews[-1]
        months = framework_for(latest.framework_key).cycle_months
        return next_review_due(organisation.joined_on, _last_review_on(latest), months)
    return next_review_due(organisation.joined_on, None, _default_framework().cycle_months)


@dataclass(frozen=True)
class RatingCell:
    """One domain of one review as the pages show it."""

    key: str
    name: str
    rating: str
    label: str
    strengths: str
    examples: str


@dataclass(frozen=True)
class ReviewView:
    """A review with its framework and its domains in framework order."""

    review: Review
    framework: Framework
    cells: tuple[RatingCell, ...]

    def rating_of(self, domain_key: str) -> str:
        """The agreed rating of a domain ("not-discussed" when none)."""
        return next((c.rating for c in self.cells if c.key == domain_key), NOT_DISCUSSED)


@dataclass(frozen=True)
class DomainChange:
    """One domain from the baseline (or previous review) to the follow-up."""

    key: str
    name: str
    before: str
    after: str
    moved: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class StsPoint:
    """The organisation's released headline in one screening wave."""

    wave_name: str
    closes_on: date
    scale: str
    text: str
    synthetic: bool


@dataclass(frozen=True)
class TimelineEntry:
    """One dated step of the journey."""

    on: date
    what: str


@dataclass
class Journey:
    """Everything the journey page and the board report show of one member."""

    organisation: Organisation
    reviews: list[ReviewView]
    comparison: list[DomainChange] | None
    actions: list[Action]
    sessions: list[EngagementSession]
    sts: list[StsPoint]
    timeline: list[TimelineEntry]
    due_on: date | None
    stage: str
    domain_names: dict[str, str] = field(default_factory=dict)
    # Each review's released perspective surveys, by review id.
    perspectives: dict[int, list[PerspectiveResult]] = field(default_factory=dict)

    @property
    def sts_of_the_period(self) -> list[StsPoint]:
        """Screening rounds closing in the span of the last two reviews (a season either side)."""
        if len(self.reviews) < 2:
            return []
        start = self.reviews[-2].review.opened_on - PERIOD_SLACK
        end = _last_review_on(self.reviews[-1].review) + PERIOD_SLACK
        return [p for p in self.sts if start <= p.closes_on <= end]

    def focus_label(self, focus: str) -> str:
        """Words for an action's focus: the domain's name, or the focus itself."""
        if focus.startswith(DOMAIN_FOCUS_PREFIX):
            key = focus[len(DOMAIN_FOCUS_PREFIX) :]
            return self.domain_names.get(key, key)
        return focus.capitalize()


def review_view(review: Review) -> ReviewView:
    """A review's domains in the framework's order, with their labels."""
    framework = framework_for(review.framework_key)
    rows = {row.domain_key: row for row in review.ratings}
    cells = []
    for domain in framework.domains:
        row = rows.get(domain.key)
        rating = row.rating if row is not None else NOT_DISCUSSED
        cells.append(
            RatingCell(
                key=domain.key,
                name=domain.name,
                rating=rating,
                label=framework.rating.label(rating),
                strengths=row.strengths if row is not None else "",
                examples=row.examples if row is not None else "",
            )
        )
    return ReviewView(review=review, framework=framework, cells=tuple(cells))


def _comparison(
    views: Sequence[ReviewView], actions: Sequence[Action]
) -> list[DomainChange] | None:
    """The latest follow-up beside the review it follows, domain by domain."""
    if len(views) < 2:
        return None
    before, after = views[-2], views[-1]
    order = after.framework.rating.keys
    changes = []
    for cell in after.cells:
        focus = DOMAIN_FOCUS_PREFIX + cell.key
        changes.append(
            DomainChange(
                key=cell.key,
                name=cell.name,
                before=before.rating_of(cell.key),
                after=cell.rating,
                moved=movement(before.rating_of(cell.key), cell.rating, order),
                actions=tuple(a for a in actions if a.focus == focus),
            )
        )
    return changes


def _headline_text(figures: dict[str, Any]) -> str:
    """A released headline in words: the mean, the range it lies in, or hidden."""
    if figures.get("hidden"):
        return str(figures.get("text", "hidden to protect anonymity"))
    if figures.get("mean") is not None:
        return f"mean {figures['mean']:.1f} (n = {figures['n']})"
    if figures.get("low") is not None:
        return f"between {figures['low']:g} and {figures['high']:g} (n = {figures['n']})"
    return "hidden to protect anonymity"


def screening_trend(organisation: Organisation, scope: Scope) -> list[StsPoint]:
    """The organisation's released headline in each screening wave, oldest first.

    Final releases only (the figures a wave ends with), perspective waves left out; the
    organisation's group must be one the viewer may see, and hidden reads as hidden.
    """
    if not scope.sees("organisation", str(organisation.id)):
        return []
    teams = select(Team.id).where(Team.organisation_id == organisation.id)
    took_part = select(SurveyLink.wave_id).where(SurveyLink.team_id.in_(teams))
    perspective = select(ReviewWave.wave_id)
    # Only the payload column is read: the internal ledger never leaves the release step.
    rows = db.session.execute(
        select(Release.payload, Wave)
        .join(Wave, Release.wave_id == Wave.id)
        .where(Release.kind == "final", Wave.id.in_(took_part), Wave.id.not_in(perspective))
        .order_by(Wave.opens_on, Wave.id)
    ).all()
    points = []
    key = f"organisation:{organisation.id}"
    for payload_text, wave in rows:
        payload = json.loads(payload_text)
        group = payload.get("groups", {}).get(key)
        for scale in payload.get("scales", []):
            if group and group.get("shown"):
                text = _headline_text(group["scales"][scale["key"]]["headline"])
            else:
                text = "hidden to protect anonymity"
            points.append(
                StsPoint(
                    wave.name, wave.last_day, scale["name"], text, bool(payload.get("synthetic"))
                )
            )
    return points


def journey_for(organisation: Organisation, scope: Scope, today: date) -> Journey:
    """One member's journey as its pages show it."""
    views = [review_view(r) for r in reviews_of(organisation.id)]
    actions = actions_for_organisation(organisation.id)
    sessions = sessions_of(organisation.id)
    due_on = review_due_on(organisation)
    stage = cycle_stage(
        has_review=bool(views),
        agreed=bool(views) and views[-1].review.agreed_on is not None,
        action_statuses=[a.status for a in actions if a.focus.startswith(DOMAIN_FOCUS_PREFIX)],
        due_on=due_on,
        today=today,
    )
    timeline: list[TimelineEntry] = []
    if organisation.joined_on is not None:
        timeline.append(TimelineEntry(organisation.joined_on, "Joined the alliance"))
    for view in views:
        review = view.review
        timeline.append(
            TimelineEntry(review.opened_on, f"{review.kind.capitalize()} review opened")
        )
        if review.agreed_on is not None:
            timeline.append(TimelineEntry(review.agreed_on, "Ratings agreed at the review session"))
    for session in sessions:
        timeline.append(
            TimelineEntry(
                session.held_on,
                f"{session.kind.capitalize()} session ({session.attended} attending)",
            )
        )
    sts = screening_trend(organisation, scope)
    for point in sts:
        timeline.append(
            TimelineEntry(point.closes_on, f"Screening round closed: {point.wave_name}")
        )
    perspectives = {v.review.id: perspective_results(v.review, scope) for v in views}
    for view in views:
        for result in perspectives[view.review.id]:
            what = f"Perspective survey released: {result.label.lower()}"
            timeline.append(TimelineEntry(result.made_on, f"{what} ({view.review.kind} review)"))
    if due_on is not None:
        timeline.append(TimelineEntry(due_on, "Next review due"))
    timeline.sort(key=lambda entry: entry.on)
    names = {d.key: d.name for v in views for d in v.framework.domains}
    return Journey(
        organisation=organisation,
        reviews=views,
        comparison=_comparison(views, actions),
        actions=actions,
        sessions=sessions,
        sts=sts,
        timeline=timeline,
        due_on=due_on,
        stage=stage,
        domain_names=names,
        perspectives=perspectives,
    )


@dataclass(frozen=True)
class MemberRow:
    """One member on the alliance overview."""

    organisation: Organisation
    stage: str
    last_review_on: date | None
    due_on: date | None
    ratings: dict[str, str]


def alliance_overview(sector: str | None, today: date) -> tuple[Framework, list[MemberRow]]:
    """Every member (of one sector, if given) with its cycle and its latest agreed ratings."""
    framework = _default_framework()
    query = select(Organisation).order_by(Organisation.name)
    if sector:
        query = query.where(Organisation.sector == sector)
    rows = []
    for organisation in db.session.scalars(query):
        reviews = reviews_of(organisation.id)
        agreed = [
            r for r in reviews if r.agreed_on is not None and r.framework_key == framework.key
        ]
        latest = agreed[-1] if agreed else None
        due_on = review_due_on(organisation)
        actions = actions_for_organisation(organisation.id)
        rows.append(
            MemberRow(
                organisation=organisation,
                stage=cycle_stage(
                    has_review=bool(reviews),
                    agreed=bool(reviews) and reviews[-1].agreed_on is not None,
                    action_statuses=[
                        a.status for a in actions if a.focus.startswith(DOMAIN_FOCUS_PREFIX)
                    ],
                    due_on=due_on,
                    today=today,
                ),
                last_review_on=_last_review_on(reviews[-1]) if reviews else None,
                due_on=due_on,
                ratings={r.domain_key: r.rating for r in latest.ratings} if latest else {},
            )
        )
    return framework, rows
