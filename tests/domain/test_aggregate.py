"""The release's fast aggregation agrees with a person's own scored result, answer for answer."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain.aggregate import WaveAggregate, scale_figures
from survey.domain.questionnaire import load_questionnaire_file
from survey.domain.scoring import score_questionnaire

DEMO = load_questionnaire_file(Path(__file__).parents[2] / "questionnaires" / "demo-sts.yaml")
ITEMS = [item.id for item in DEMO.scales[0].items]

answer_sets = st.dictionaries(st.sampled_from(ITEMS), st.integers(min_value=1, max_value=5))


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_a_response_is_included_exactly_when_every_score_exists(answers: dict[str, int]) -> None:
    aggregate = WaveAggregate(DEMO)
    included = aggregate.add("1", "2", dict(answers))
    result = score_questionnaire(DEMO, dict(answers))["stss"]
    complete = result.total is not None and all(s.score is not None for s in result.subscales)
    assert included is complete
    if included:
        acc = aggregate.merged(aggregate.cells)["stss"]
        # The histogram holds the same rounded total the person was shown, in tenths.
        assert list(acc.headline.histogram) == [round(result.total * 10)]
        for sub in result.subscales:
            assert list(acc.subscales[sub.key].histogram) == [round(sub.score * 10)]


def test_skipped_items_count_at_the_persons_own_subscale_mean() -> None:
    aggregate = WaveAggregate(DEMO)
    answers: dict[str, int | str] = dict.fromkeys(ITEMS, 4)
    # Intrusion is items 2, 3, 6, 10, 13: skip item 2 and answer item 3 with 2.
    del answers["stss.2"]
    answers["stss.3"] = 2
    assert aggregate.add("1", "2", answers)
    means = aggregate.merged(aggregate.cells)["stss"].items.means()
    # Own intrusion mean (2 + 4 + 4 + 4) / 4 = 3.5, rounded half up to 4.
    assert means["stss.2"] == 4
    assert means["stss.3"] == 2


def test_context_answers_become_the_cell_and_skips_read_not_answered() -> None:
    aggregate = WaveAggregate(DEMO)
    full = dict.fromkeys(ITEMS, 3)
    aggregate.add("1", "2", {**full, "role_group": "clinical"})
    aggregate.add("1", "2", dict(full))
    cells = sorted(aggregate.cell_counts().items())
    assert [dict(cell[2])["role_group"] for cell, _ in cells] == ["(not answered)", "clinical"]
    assert aggregate.excluded == 0


def test_figures_of_a_group_cover_everyone_in_it() -> None:
    aggregate = WaveAggregate(DEMO)
    for value in (2, 3, 4, 2, 3):
        aggregate.add("1", "2", dict.fromkeys(ITEMS, value))
    figures = scale_figures(DEMO.scales[0], aggregate.merged(aggregate.cells)["stss"])
    assert figures["headline"]["n"] == 5
    assert {s["summary"]["n"] for s in figures["subscales"]} == {5}
    # Mean of 34, 51, 68, 34, 51 is 47.6.
    assert figures["headline"]["mean"] == 47.6
