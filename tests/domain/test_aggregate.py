"""The release's fast aggregation agrees with a person's own scored result, answer for answer."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain.aggregate import ScaleScorer, WaveAggregate
from survey.domain.figures import scale_figures
from survey.domain.magnitude import FULL, RANGES
from survey.domain.questionnaire import load_questionnaire_file
from survey.domain.questionnaire_model import Scale, ScaleItem
from survey.domain.scale_types import ScaleTemplate
from survey.domain.scoring import score_questionnaire
from survey.domain.templates import TEMPLATES

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
    merged = aggregate.merged(aggregate.cells)["stss"]
    figures = scale_figures(DEMO.scales[0], merged, FULL)
    assert figures["headline"]["n"] == 5
    assert {s["summary"]["n"] for s in figures["subscales"]} == {5}
    # Mean of 34, 51, 68, 34, 51 is 47.6.
    assert figures["headline"]["mean"] == 47.6
    # As ranges: the grid step of a 17-85 total is 5 (the first round step of at least
    # 68 / 20), so 47.6 lies in 45 to 50.
    ranged = scale_figures(DEMO.scales[0], merged, RANGES)["headline"]
    assert (ranged["low"], ranged["high"], "mean" in ranged) == (45, 50, False)


def _scale(template: ScaleTemplate) -> Scale:
    items = tuple(
        ScaleItem(f"{template.key}.{n}", template.key, n, "demo wording")
        for n in template.item_numbers
    )
    return Scale(key=template.key, template=template, intro="", items=items)


@st.composite
def scale_and_answers(draw: st.DrawFn) -> tuple[Scale, dict[str, int | str]]:
    """A scale of any bundled template, and answers with any pattern of skips."""
    template = draw(st.sampled_from(sorted(TEMPLATES.values(), key=lambda t: t.key)))
    scale = _scale(template)
    skipped = draw(st.sets(st.sampled_from([item.id for item in scale.items]), max_size=8))
    values = st.sampled_from(template.values)
    answers: dict[str, int | str] = {
        item.id: draw(values) for item in scale.items if item.id not in skipped
    }
    return scale, answers


@settings(max_examples=600, deadline=None)
@given(scale_and_answers())
def test_the_compiled_scorer_gives_exactly_the_reference_figures(
    drawn: tuple[Scale, dict[str, int | str]],
) -> None:
    # Every template (reverse keys in ProQOL, a total of prorated parts in STSS and PCL-5,
    # a subscale headline in ProQOL), every skip pattern: the same tenths and item values.
    scale, answers = drawn
    scorer = ScaleScorer(scale)
    assert scorer.score(answers) == scorer.reference(answers)


def test_a_prorated_total_is_rounded_from_its_exact_sum_not_from_rounded_parts() -> None:
    scorer = ScaleScorer(DEMO.scales[0])
    answers: dict[str, int | str] = dict.fromkeys(ITEMS, 3)
    # Skip one item in each subscale: Intrusion 5 items, Avoidance 7, Arousal 5.
    for item in ("stss.2", "stss.1", "stss.4"):
        del answers[item]
    answers["stss.3"] = 4  # Intrusion 13 / 4 * 5 = 16.25 -> 16.3
    answers["stss.5"] = 4  # Avoidance 19 / 6 * 7 = 22.1666... -> 22.2
    figures = scorer.score(answers)
    assert figures is not None
    scores, _ = figures
    # Arousal 12 / 4 * 5 = 15; the total is 53.41666..., so 534 tenths (parts sum to 535).
    assert scores[0] == 534 and sorted(scores[1:4]) == sorted([163, 222, 150])
    assert scorer.score(answers) == scorer.reference(answers)


@pytest.mark.parametrize("odd", [True, 6, 0, "3"])
def test_a_value_outside_the_scale_is_refused_as_a_persons_own_scoring_refuses_it(
    odd: object,
) -> None:
    answers = cast(dict[str, int | str], dict.fromkeys(ITEMS, 3) | {"stss.7": odd})
    with pytest.raises(ValueError, match=r"stss|item 7"):
        WaveAggregate(DEMO).add("1", "2", answers)
