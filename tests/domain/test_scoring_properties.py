"""Scoring properties over random answers: ranges, the missing rule, bands and monotonicity."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.domain.scoring import score_scale
from survey.domain.templates import TEMPLATES, TOTAL, ScaleTemplate, get_template

PROQOL = get_template("proqol5")
BURNOUT_REVERSED = (1, 4, 15, 17, 29)


@st.composite
def _answers(draw: st.DrawFn, template: ScaleTemplate) -> dict[int, int]:
    items = draw(st.sets(st.sampled_from(list(template.item_numbers))))
    return {item: draw(st.sampled_from(template.values)) for item in sorted(items)}


@st.composite
def _template_and_answers(draw: st.DrawFn) -> tuple[ScaleTemplate, dict[int, int]]:
    template = draw(st.sampled_from(list(TEMPLATES.values())))
    return template, draw(_answers(template))


@given(_template_and_answers())
def test_scores_stay_in_range_and_follow_the_missing_rule(
    case: tuple[ScaleTemplate, dict[int, int]],
) -> None:
    template, values = case
    result = score_scale(template, values)
    assert result.answered + result.missing == template.n_items
    for spec, sub in zip(template.subscales, result.subscales, strict=True):
        missing = spec.n_items - sub.answered
        assert (sub.score is not None) == (sub.answered > 0 and missing <= spec.max_missing)
        if sub.score is not None:
            low, high = template.score_range(spec.n_items)
            assert low <= sub.score <= high
            assert sub.prorated == (missing > 0)
    if template.has_total and result.total is not None:
        low, high = template.score_range(template.n_items)
        assert low <= result.total <= high
    headline = (
        result.total if template.headline == TOTAL else result.subscale(template.headline).score
    )
    assert result.scored == (headline is not None)
    if headline is not None:
        bands = template.headline_bands()
        assert result.band is not None
        following = [b for b in bands if b.level == result.band.level + 1]
        assert result.band.low <= headline and all(headline < b.low for b in following)


@given(st.data())
def test_raising_an_answer_never_lowers_a_plain_subscale(data: st.DataObject) -> None:
    template = data.draw(st.sampled_from(list(TEMPLATES.values())))
    values = data.draw(_answers(template))
    plain = [
        i for i in values if i not in template.reverse_items and values[i] < max(template.values)
    ]
    if not plain:
        return
    item = data.draw(st.sampled_from(plain))
    before, after = (
        score_scale(template, values),
        score_scale(template, values | {item: values[item] + 1}),
    )
    for old, new in zip(before.subscales, after.subscales, strict=True):
        if old.score is not None and new.score is not None:
            assert new.score >= old.score
    if before.total is not None and after.total is not None:
        assert after.total > before.total


@given(_answers(PROQOL), st.sampled_from(BURNOUT_REVERSED))
def test_raising_a_reverse_keyed_answer_lowers_burnout(values: dict[int, int], item: int) -> None:
    if values.get(item, 5) == 5:
        return
    before = score_scale(PROQOL, values).subscale("burnout").score
    after = score_scale(PROQOL, values | {item: values[item] + 1}).subscale("burnout").score
    if before is not None:
        assert after is not None and after < before


@given(_template_and_answers())
def test_complete_answers_score_the_plain_keyed_sum(
    case: tuple[ScaleTemplate, dict[int, int]],
) -> None:
    template, partial = case
    values = {item: partial.get(item, template.values[0]) for item in template.item_numbers}
    result = score_scale(template, values)
    for spec, sub in zip(template.subscales, result.subscales, strict=True):
        assert sub.score == sum(template.keyed_value(i, values[i]) for i in spec.items)
        assert not sub.prorated
    assert result.scored and result.missing == 0
