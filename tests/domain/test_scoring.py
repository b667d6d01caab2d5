"""Scoring: hand-worked examples for every template, band boundaries, missing items, properties."""

from __future__ import annotations

import pytest

from survey.domain.scoring import ScaleResult, score_questionnaire, score_scale
from survey.domain.templates import TEMPLATES, ScaleTemplate, get_template
from tests.domain.questionnaire_docs import document, load, wording

STSS = get_template("stss")
PROQOL = get_template("proqol5")
PCL5 = get_template("pcl5")


def _with_total(
    template: ScaleTemplate, items: tuple[int, ...], base: int, total: int
) -> dict[int, int]:
    """All `items` at `base`, then raise items in order (each up to the top value) to `total`."""
    values = dict.fromkeys(items, base)
    extra = total - base * len(items)
    for item in items:
        step = min(extra, max(template.values) - base)
        values[item] += step
        extra -= step
    assert extra == 0
    return values


def _headline_band(result: ScaleResult) -> str | None:
    return None if result.band is None else result.band.key


# STSS


def test_stss_hand_worked_full_answers() -> None:
    values = dict(
        zip(range(1, 18), [2, 3, 1, 4, 2, 3, 1, 2, 5, 4, 1, 2, 3, 2, 1, 3, 4], strict=True)
    )
    result = score_scale(STSS, values)
    # Intrusion 2,3,6,10,13: 3+1+3+4+3 = 14
    # Avoidance 1,5,7,9,12,14,17: 2+2+1+5+2+2+4 = 18
    # Arousal 4,8,11,15,16: 4+2+1+1+3 = 11
    # Total 14+18+11 = 43: moderate (38-43)
    assert [(s.key, s.score, s.prorated) for s in result.subscales] == [
        ("intrusion", 14, False),
        ("avoidance", 18, False),
        ("arousal", 11, False),
    ]
    assert (result.total, _headline_band(result), result.scored) == (43, "moderate", True)
    assert (result.answered, result.missing, result.flags) == (17, 0, ())
    assert result.scale_key == result.template_key == "stss"
    assert all(s.band is None for s in result.subscales)  # no published subscale bands


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (17, "little"),
        (27, "little"),
        (28, "mild"),
        (37, "mild"),
        (38, "moderate"),
        (43, "moderate"),
        (44, "high"),
        (48, "high"),
        (49, "severe"),
        (85, "severe"),
    ],
)
def test_stss_band_boundaries(total: int, band: str) -> None:
    result = score_scale(STSS, _with_total(STSS, tuple(STSS.item_numbers), 1, total))
    assert result.total == total
    assert _headline_band(result) == band
    assert result.band is not None and result.band.concern == (band in {"high", "severe"})


def test_stss_prorates_one_missing_item_and_rounds_half_up() -> None:
    values = dict(
        zip(range(1, 18), [2, 3, 1, 4, 2, 3, 1, 2, 5, 4, 1, 2, 3, 2, 1, 3, 4], strict=True)
    )
    del values[3]
    result = score_scale(STSS, values)
    # Intrusion without item 3: (3+3+4+3) = 13 over 4 items, x 5 = 16.25 -> 16.3 (half up).
    # Total 16.25 + 18 + 11 = 45.25 -> 45.3: high (44-48).
    intrusion = result.subscale("intrusion")
    assert (intrusion.score, intrusion.answered, intrusion.n_items, intrusion.prorated) == (
        16.3,
        4,
        5,
        True,
    )
    assert (result.total, _headline_band(result)) == (45.3, "high")
    assert (result.answered, result.missing) == (16, 1)


def test_stss_prorated_37_5_is_mild() -> None:
    # Intrusion items 2,6,10,13 = 2+3+2+3 = 10, item 3 skipped: 10 / 4 x 5 = 12.5
    # Avoidance all 2s: 7 x 2 = 14; Arousal 4,8,11,15,16 = 1+2+2+3+3 = 11
    # Total 12.5 + 14 + 11 = 37.5: above mild's top (37) but below moderate's floor (38).
    values = {2: 2, 6: 3, 10: 2, 13: 3} | dict.fromkeys((1, 5, 7, 9, 12, 14, 17), 2)
    values |= {4: 1, 8: 2, 11: 2, 15: 3, 16: 3}
    result = score_scale(STSS, values)
    assert result.total == 37.5
    assert _headline_band(result) == "mild"


def test_stss_total_is_rounded_once_from_exact_subscales() -> None:
    values = dict.fromkeys(STSS.item_numbers, 2)
    del values[3], values[4]
    values |= {2: 3, 6: 3, 10: 4, 13: 3, 8: 2, 11: 2, 15: 1, 16: 4}
    result = score_scale(STSS, values)
    # Intrusion 3+3+4+3 = 13 -> 13/4 x 5 = 16.25 (shown 16.3)
    # Arousal 2+2+1+4 = 9 -> 9/4 x 5 = 11.25 (shown 11.3); Avoidance 7 x 2 = 14
    # Total 16.25 + 11.25 + 14 = 41.5 exactly (not 16.3 + 11.3 + 14 = 41.6): moderate.
    assert (result.subscale("intrusion").score, result.subscale("arousal").score) == (16.3, 11.3)
    assert (result.total, _headline_band(result)) == (41.5, "moderate")


def test_stss_two_missing_in_one_subscale_leaves_total_unscored() -> None:
    values = dict.fromkeys(STSS.item_numbers, 3)
    del values[2], values[3]  # both intrusion: 2 missing > limit of 1
    result = score_scale(STSS, values)
    assert result.subscale("intrusion").score is None
    assert result.subscale("intrusion").answered == 3
    assert not result.subscale("intrusion").prorated
    # Avoidance and arousal are still scored in full: 7 x 3 = 21, 5 x 3 = 15.
    assert (result.subscale("avoidance").score, result.subscale("arousal").score) == (21, 15)
    assert (result.scored, result.total, result.band) == (False, None, None)


def test_stss_one_missing_in_each_subscale_is_still_scored() -> None:
    values = dict.fromkeys(STSS.item_numbers, 4)
    del values[2], values[1], values[4]
    result = score_scale(STSS, values)
    # Each subscale prorates to its full count of 4s: 20 + 28 + 20 = 68: severe.
    assert [s.prorated for s in result.subscales] == [True, True, True]
    assert (result.total, _headline_band(result)) == (68, "severe")


def test_all_skipped_is_not_scored() -> None:
    for template in TEMPLATES.values():
        result = score_scale(template, {})
        assert (result.scored, result.total, result.band, result.flags) == (False, None, None, ())
        assert (result.answered, result.missing) == (0, template.n_items)
        assert all(s.score is None and s.answered == 0 for s in result.subscales)


def test_bad_input_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no item 18"):
        score_scale(STSS, {18: 1})
    with pytest.raises(ValueError, match="not a response value"):
        score_scale(STSS, {1: 0})
    with pytest.raises(ValueError, match="not a response value"):
        score_scale(STSS, {1: True})


# ProQOL 5

BURNOUT_PLAIN = (8, 10, 19, 21, 26)
BURNOUT_REVERSED = (1, 4, 15, 17, 29)


def _proqol(**subscale_values: dict[int, int]) -> dict[int, int]:
    values = dict.fromkeys(PROQOL.item_numbers, 3)
    for part in subscale_values.values():
        values |= part
    return values


def test_proqol_all_ones_shows_reverse_keying() -> None:
    result = score_scale(PROQOL, dict.fromkeys(PROQOL.item_numbers, 1))
    # CS and STS: 10 x 1 = 10 (low). Burnout: 5 plain items x 1 + 5 reversed items 1 -> 5 = 30.
    assert [s.score for s in result.subscales] == [10, 30, 10]
    assert [s.band.key for s in result.subscales if s.band] == ["low", "moderate", "low"]
    assert result.total is None  # the ProQOL has no total
    assert (result.scored, _headline_band(result)) == (True, "low")  # headline is STS


@pytest.mark.parametrize(
    ("sts_total", "band"),
    [(10, "low"), (22, "low"), (23, "moderate"), (41, "moderate"), (42, "high"), (50, "high")],
)
def test_proqol_sts_boundaries_set_the_headline(sts_total: int, band: str) -> None:
    sts_items = PROQOL.subscale("sts").items
    result = score_scale(PROQOL, _proqol(sts=_with_total(PROQOL, sts_items, 1, sts_total)))
    assert result.subscale("sts").score == sts_total
    assert _headline_band(result) == band
    assert result.band == result.subscale("sts").band


@pytest.mark.parametrize(
    ("reversed_answers", "burnout", "band"),
    [
        # Plain items all 2 = 10. Reversed answers 3,3,4,4,4 -> 3,3,2,2,2 = 12. 10 + 12 = 22.
        ((3, 3, 4, 4, 4), 22, "low"),
        # Reversed answers 3,3,3,4,4 -> 3,3,3,2,2 = 13. 10 + 13 = 23.
        ((3, 3, 3, 4, 4), 23, "moderate"),
    ],
)
def test_proqol_burnout_low_boundary_with_reverse_keys(
    reversed_answers: tuple[int, ...], burnout: int, band: str
) -> None:
    burnout_values = dict.fromkeys(BURNOUT_PLAIN, 2) | dict(
        zip(BURNOUT_REVERSED, reversed_answers, strict=True)
    )
    result = score_scale(PROQOL, _proqol(burnout=burnout_values))
    assert result.subscale("burnout").score == burnout
    assert result.subscale("burnout").band.key == band  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("reversed_answers", "burnout", "band"),
    [
        # Plain items all 5 = 25. Reversed answers 2,2,2,4,4 -> 4,4,4,2,2 = 16. 25 + 16 = 41.
        ((2, 2, 2, 4, 4), 41, "moderate"),
        # Reversed answers 2,2,2,3,4 -> 4,4,4,3,2 = 17. 25 + 17 = 42.
        ((2, 2, 2, 3, 4), 42, "high"),
    ],
)
def test_proqol_burnout_high_boundary_with_reverse_keys(
    reversed_answers: tuple[int, ...], burnout: int, band: str
) -> None:
    burnout_values = dict.fromkeys(BURNOUT_PLAIN, 5) | dict(
        zip(BURNOUT_REVERSED, reversed_answers, strict=True)
    )
    result = score_scale(PROQOL, _proqol(burnout=burnout_values))
    assert result.subscale("burnout").score == burnout
    assert result.subscale("burnout").band.key == band  # type: ignore[union-attr]
    assert result.subscale("burnout").band.concern == (band == "high")  # type: ignore[union-attr]


def test_proqol_missing_items_per_subscale() -> None:
    values = dict.fromkeys(PROQOL.item_numbers, 4)
    del values[3], values[6], values[12]  # 3 CS items: over the limit of 2
    del values[1], values[8]  # 2 burnout items (one reversed): at the limit
    result = score_scale(PROQOL, values)
    # Burnout answered: plain 10,19,21,26 = 4 x 4 = 16;
    # reversed 4,15,17,29 answered 4 -> 2 each = 8. 24 over 8 items, x 10 = 30.
    assert result.subscale("compassion_satisfaction").score is None
    assert (result.subscale("burnout").score, result.subscale("burnout").prorated) == (30, True)
    assert result.subscale("sts").score == 40
    # The STS headline is complete, so the result is scored even without CS.
    assert (result.scored, _headline_band(result)) == (True, "moderate")


def test_proqol_unscored_sts_means_no_headline() -> None:
    values = dict.fromkeys(PROQOL.item_numbers, 2)
    del values[2], values[5], values[7]
    result = score_scale(PROQOL, values)
    assert (result.scored, result.band) == (False, None)
    assert result.subscale("burnout").score is not None


# PCL-5


@pytest.mark.parametrize(
    ("total", "band"), [(0, "below"), (32, "below"), (33, "above"), (80, "above")]
)
def test_pcl5_cut_point(total: int, band: str) -> None:
    result = score_scale(PCL5, _with_total(PCL5, tuple(PCL5.item_numbers), 0, total))
    assert result.total == total
    assert _headline_band(result) == band


def test_pcl5_provisional_rule_exactly_met() -> None:
    # Items rated 2: B item 1, C item 6, D items 8 and 9, E items 15 and 16 (B1 C1 D2 E2).
    # Total 6 x 2 = 12: below the cut-point, yet the symptom-pattern flag is set.
    values = dict.fromkeys(PCL5.item_numbers, 0) | dict.fromkeys((1, 6, 8, 9, 15, 16), 2)
    result = score_scale(PCL5, values)
    assert (result.total, _headline_band(result)) == (12, "below")
    assert result.flags == ("pcl5_provisional_criteria",)


@pytest.mark.parametrize("lowered", [1, 6, 9, 16])
def test_pcl5_provisional_rule_fails_when_any_cluster_falls_short(lowered: int) -> None:
    values = dict.fromkeys(PCL5.item_numbers, 0) | dict.fromkeys((1, 6, 8, 9, 15, 16), 2)
    values[lowered] = 1  # a 1 does not count: the rule needs a rating of 2 or more
    assert score_scale(PCL5, values).flags == ()


def test_pcl5_high_total_without_the_pattern_has_no_flag() -> None:
    # All B, D and E items at 4 but both C items 0: 5x4 + 7x4 + 6x4 = 72, above, no C symptom.
    values = dict.fromkeys(PCL5.item_numbers, 4) | {6: 0, 7: 0}
    result = score_scale(PCL5, values)
    assert (result.total, _headline_band(result), result.flags) == (72, "above", ())


def test_pcl5_missing_c_item_leaves_it_unscored_and_unflagged() -> None:
    values = dict.fromkeys(PCL5.item_numbers, 3)
    del values[7]  # cluster C has two items and allows none missing
    result = score_scale(PCL5, values)
    assert result.subscale("c").score is None
    assert (result.scored, result.total, result.flags) == (False, None, ())


def test_pcl5_prorates_other_clusters_and_counts_answered_items_for_the_flag() -> None:
    values = dict.fromkeys(PCL5.item_numbers, 2)
    del values[1], values[8], values[15]
    result = score_scale(PCL5, values)
    # B 4x2 = 8 -> 8/4 x 5 = 10; C 2x2 = 4; D 6x2 = 12 -> 12/6 x 7 = 14;
    # E 5x2 = 10 -> 10/5 x 6 = 12.
    # Total 10 + 4 + 14 + 12 = 40: above. Answered items still meet B1 C1 D2 E2.
    assert [s.score for s in result.subscales] == [10, 4, 14, 12]
    assert (result.total, _headline_band(result)) == (40, "above")
    assert result.flags == ("pcl5_provisional_criteria",)


# Questionnaire-level scoring


def test_score_questionnaire_keys_results_by_scale_key() -> None:
    scales = [
        {"template": "stss", "key": "sts_now", "items": wording("stss")},
        {"template": "pcl5", "items": wording("pcl5")},
    ]
    q = load(document(scales=scales))
    raw = {f"sts_now.{n}": "2" for n in range(1, 18)} | {"pcl5.1": "4", "role": "a"}
    results = score_questionnaire(q, q.parse_answers(raw))
    assert list(results) == ["sts_now", "pcl5"]
    # STSS 17 x 2 = 34: mild. PCL-5: only item 1 answered, far beyond the limits: not scored.
    assert (results["sts_now"].scale_key, results["sts_now"].total) == ("sts_now", 34)
    assert _headline_band(results["sts_now"]) == "mild"
    assert (results["pcl5"].scored, results["pcl5"].answered) == (False, 1)


def test_score_questionnaire_rejects_text_for_a_scale_item() -> None:
    q = load(document())
    with pytest.raises(ValueError, match="whole-number"):
        score_questionnaire(q, {"stss.1": "3"})
