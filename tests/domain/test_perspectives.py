"""Perspective surveys: the questionnaire made from a framework, and shares coded as bands.

The red/amber/green shares of a perspective release are coded by the very coder of band
breakdowns, so the same joint rules hold: no parent less its shown children, and no group
now less the same group at an earlier release, may force everyone left into one rating.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.domain.band_release import BandRelease, code_release_bands
from survey.domain.coding import code_bands
from survey.domain.disclosure import Plan, plan_release
from survey.domain.frameworks import load_framework_file
from survey.domain.groups import GroupKey
from survey.domain.perspectives import (
    FREE_TEXT_ID,
    NOT_ANSWERED_LABEL,
    PerspectiveTally,
    coarse_runs,
    code_perspective_release,
    in_easy_read,
    offers_easy_read,
    perspective_document,
    share_labels,
    wording_of,
)
from survey.domain.questionnaire import load_questionnaire
from survey.domain.questionnaire_model import ContextQuestion, Questionnaire, to_canonical_json
from survey.domain.readability import reading_age
from tests.domain.adversary import forced_band, read_display, small_exposures

ROOTS = load_framework_file(Path(__file__).resolve().parents[2] / "frameworks" / "roots.yaml")
LEVELS = ROOTS.rating.keys  # red, amber, green
M = len(LEVELS) + 1  # and "not answered"


def _questionnaire(perspective: str, *, easy_read: bool = False) -> Questionnaire:
    document = perspective_document(ROOTS, perspective, easy_read=easy_read)
    return load_questionnaire(yaml.safe_dump(document, sort_keys=False), "made.yaml")


def test_the_service_user_survey_asks_one_thing_per_page_and_every_question_can_be_skipped() -> (
    None
):
    q = _questionnaire("service_user")
    assert q.review is not None and q.review.perspective == "service_user"
    assert q.scales == ()
    assert [len(p.questions) for p in q.pages] == [1] * 8  # seven domains, then free text
    assert q.parse_answers({}) == {}  # nothing is required
    safety = q.question("safety")
    assert [o.label for o in safety.options] == ["Yes, mostly", "Sometimes", "Not really"]
    assert [o.value for o in safety.options] == ["green", "amber", "red"]
    assert dict(q.review.domains)["whole_system"] == "whole-system"
    for question in q.context:
        assert reading_age(question.text) <= 11, question.text


def test_easy_read_is_a_version_to_switch_to_for_plain_perspectives_only() -> None:
    offered = _questionnaire("service_user", easy_read=True)
    assert offered.key == "roots-service-user-easy-read" and offers_easy_read(offered)
    safety = offered.question("safety")
    assert isinstance(safety, ContextQuestion)
    # The usual words stay the question's text; the easy-read words ride beside them.
    assert safety.text == ROOTS.domain("safety").prompts["service_user"]
    assert safety.easy_text == ROOTS.domain("safety").easy_read["service_user"]
    users = ROOTS.perspective("service_user")
    easy = in_easy_read(offered, users)
    assert easy.question("safety").text == safety.easy_text
    assert easy.question(FREE_TEXT_ID).text == users.easy_read["free_text"]
    assert easy.title == users.easy_read["title"] and easy.description == users.easy_read["intro"]
    # Only the words change, so answers given in one version fit the other.
    assert easy.question_ids() == offered.question_ids() and easy.pages == offered.pages
    assert [q.options for q in easy.context] == [q.options for q in offered.context]
    # Without the offer there is nothing to switch to.
    plain = _questionnaire("service_user")
    assert not offers_easy_read(plain) and in_easy_read(plain, users) is plain
    assert all(not q.easy_text for q in plain.context)
    staff = _questionnaire("staff", easy_read=True)
    assert staff.review is not None and not staff.review.easy_read
    assert staff.question("safety").text == ROOTS.domain("safety").prompts["staff"]
    assert [len(p.questions) for p in staff.pages] == [4, 3, 1]


def test_the_welcome_and_thank_you_words_follow_the_chosen_version() -> None:
    offered = _questionnaire("service_user", easy_read=True)
    users = ROOTS.perspective("service_user")
    usual = wording_of(offered, users, easy=False)
    assert (usual.title, usual.why, usual.thanks) == (offered.title, users.why, users.thanks)
    easy = wording_of(offered, users, easy=True)
    assert easy.easy and easy.why == users.easy_read["why"]
    assert easy.thanks == users.easy_read["thanks"] and easy.intro == users.easy_read["intro"]


def test_easy_read_words_leave_every_fingerprint_made_before_them_alone() -> None:
    plain = _questionnaire("service_user")
    assert '"easy_text"' not in to_canonical_json(plain)
    assert '"easy_text"' in to_canonical_json(_questionnaire("service_user", easy_read=True))


def test_a_screening_fingerprint_is_unchanged_by_the_review_field() -> None:
    q = _questionnaire("staff")
    root = Path(__file__).resolve().parents[2]
    demo = load_questionnaire((root / "questionnaires/demo-sts.yaml").read_text(), "demo-sts.yaml")
    assert "review" not in to_canonical_json(demo)
    assert "review" in to_canonical_json(q)


def assert_no_difference_forces(plan: Plan, coded: BandRelease, history: list[BandRelease]) -> None:
    """No shown parent less any set of its shown children (a child is its parent less its
    siblings), and no group now less itself at an earlier release, pins a rating."""
    shown = {g: read_display(d) for g, d in coded.shown.items() if not d.withheld}
    for parent, children in plan.partitions:
        if parent not in shown:
            continue
        kids = [c for c in children if c in shown]
        for size in range(len(kids) + 1):
            for taken in itertools.combinations(kids, size):
                parts = [shown[c] for c in taken]
                assert forced_band(shown[parent], parts, M) is None, (parent, taken)
    for earlier in history:
        for g, then in earlier.shown.items():
            if g in shown and not then.withheld:
                assert forced_band(shown[g], [read_display(then)], M) is None, g


def _tally(cells: dict[tuple[str, str], list[dict[str, str]]]) -> PerspectiveTally:
    q = _questionnaire("staff")
    assert q.review is not None
    tally = PerspectiveTally(q.review, LEVELS)
    for (org, team), people in cells.items():
        for answers in people:
            tally.add(org, team, answers)
    return tally


def test_a_team_that_all_said_red_is_not_given_away_by_its_organisation_less_the_other_team() -> (
    None
):
    # Team a: 5 people, all "red" on safety. Team b: 6 people, mixed. Both teams are shown.
    people_a = [{"safety": "red"}] * 5
    people_b = [{"safety": "green"}] * 3 + [{"safety": "amber"}] * 3
    tally = _tally({("o", "a"): people_a, ("o", "b"): people_b})
    plan = plan_release(tally.cell_counts(), 5)
    counts = tally.group_counts(plan)
    org, a, b = GroupKey("organisation", "o"), GroupKey("team", "a"), GroupKey("team", "b")
    assert {org, a, b} <= plan.visible
    assert counts["safety"][a] == (5, 0, 0, 0) and counts["safety"][org] == (5, 3, 3, 0)
    # Each group coded on its own: a reader takes team b from the organisation and finds
    # that everyone left (team a) said red.
    alone = {g: code_bands(counts["safety"][g], share_labels(ROOTS)) for g in (org, b)}
    assert forced_band(read_display(alone[org]), [read_display(alone[b])], M) == 0
    # Coded as a release, as band breakdowns are, nobody's rating is forced.
    coded = code_perspective_release(plan, counts, ROOTS, {})
    assert_no_difference_forces(plan, coded["safety"], [])
    # And it is the band coder itself, with the same inputs, not a second coder.
    same = code_release_bands(plan, counts["safety"], share_labels(ROOTS), (), coarse_runs(ROOTS))
    assert coded["safety"] == same
    assert share_labels(ROOTS)[-1] == NOT_ANSWERED_LABEL


def test_skipped_and_unknown_answers_count_as_not_answered() -> None:
    tally = _tally({("o", "a"): [{}, {"safety": "red"}, {"safety": "purple"}]})
    [(cell, domains)] = tally.cells.items()
    assert domains["safety"] == [1, 0, 0, 2]
    assert domains["language"] == [0, 0, 0, 3]
    assert tally.cell_counts() == {cell: 3}


@st.composite
def perspective_waves(draw: st.DrawFn) -> tuple[list[dict[tuple[str, str], list[str]]], int]:
    """One or two organisations of 1-3 teams; people arrive in clumps giving one rating."""
    teams = [
        (f"o{o}", f"t{o}{t}")
        for o in range(draw(st.integers(1, 2)))
        for t in range(draw(st.integers(1, 3)))
    ]
    total: dict[tuple[str, str], list[str]] = {team: [] for team in teams}
    releases = []
    for _ in range(draw(st.integers(1, 2))):
        for team, rating, n in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(teams),
                    st.sampled_from([*LEVELS, ""]),
                    st.integers(1, 6),
                ),
                min_size=1,
                max_size=8,
            )
        ):
            total[team] += [rating] * n
        releases.append({team: list(v) for team, v in total.items()})
    return releases, draw(st.sampled_from([3, 5]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perspective_waves())
def test_no_family_of_perspective_shares_forces_anyones_rating(
    case: tuple[list[dict[tuple[str, str], list[str]]], int],
) -> None:
    releases, k = case
    plans: list[Plan] = []
    history: dict[str, list[BandRelease]] = {}
    counted = []
    for ratings in releases:
        tally = _tally(
            {team: [{"safety": r} if r else {} for r in people] for team, people in ratings.items()}
        )
        plan = plan_release(tally.cell_counts(), k, [p.ledger for p in plans])
        coded = code_perspective_release(plan, tally.group_counts(plan), ROOTS, history)
        for domain, release in coded.items():
            assert_no_difference_forces(plan, release, history.get(domain, []))
            history.setdefault(domain, []).append(release)
        plans.append(plan)
        counted.append(tally.cell_counts())
    # And the counts of every release together isolate nobody (the same count adversary).
    assert small_exposures(plans, counted, k) == []
