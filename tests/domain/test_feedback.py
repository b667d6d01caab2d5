"""The result wording: calm, never a diagnosis, leading with support for concern bands."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.domain.feedback import (
    NEXT_STEPS,
    NOT_A_DIAGNOSIS,
    Feedback,
    Outcome,
    feedback_for,
    outcome_of,
    outcomes,
    skips_note,
)
from survey.domain.questionnaire import load_questionnaire_file
from survey.domain.questionnaire_model import Scale, ScaleItem
from survey.domain.scoring import score_scale
from survey.domain.templates import PCL5

DEMO = load_questionnaire_file(Path(__file__).parents[2] / "questionnaires" / "demo-sts.yaml")
SCALE = DEMO.scales[0]
ALARMING = ("disorder", "diagnos", "danger", "warning", "alarming", "urgent", "!")


def feedback_for_all(value: int) -> Feedback:
    answers: dict[str, int | str] = {item.id: value for item in SCALE.items}
    return feedback_for(SCALE, outcomes(DEMO, answers)[0])


def feedback_from(answers: dict[str, int | str]) -> Feedback:
    return feedback_for(SCALE, outcomes(DEMO, answers)[0])


@pytest.mark.parametrize(
    ("value", "band", "leads"),
    [
        (1, "Little or no secondary traumatic stress", False),
        (2, "Mild", False),
        (4, "Severe", True),
        (5, "Severe", True),
    ],
)
def test_band_label_and_whether_support_comes_first(value: int, band: str, leads: bool) -> None:
    # 17 items: all 1 = 17 (little), all 2 = 34 (mild), all 4 = 68 and all 5 = 85 (severe).
    feedback = feedback_for_all(value)
    assert feedback.band_label == band
    assert feedback.lead_with_support is leads


def test_moderate_band_does_not_lead_with_support_but_high_does() -> None:
    # 38 = moderate (not a concern band); 44 = high (a concern band).
    base: dict[str, int | str] = {item.id: 2 for item in SCALE.items}  # 34
    moderate = dict(base, **{SCALE.items[i].id: 3 for i in range(4)})  # 34 + 4 = 38
    high = dict(base, **{SCALE.items[i].id: 3 for i in range(10)})  # 34 + 10 = 44
    fm = feedback_from(moderate)
    fh = feedback_from(high)
    assert (fm.band_label, fm.lead_with_support) == ("Moderate", False)
    assert (fh.band_label, fh.lead_with_support) == ("High", True)


def test_unscored_result_is_explained_kindly_and_never_alarms() -> None:
    feedback = feedback_from({})
    assert feedback.band_label == ""
    assert not feedback.lead_with_support
    assert "completely fine" in feedback.summary


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_no_alarming_or_diagnostic_words_in_any_band(value: int) -> None:
    feedback = feedback_for_all(value)
    text = " ".join((feedback.summary, *feedback.paragraphs)).lower()
    assert not [word for word in ALARMING if word in text]


def test_not_a_diagnosis_and_next_steps_are_plain() -> None:
    assert "not a diagnosis" in NOT_A_DIAGNOSIS
    assert len(NEXT_STEPS) >= 2
    assert all(step.endswith(".") for step in NEXT_STEPS)


def test_subscale_detail_is_offered_for_each_subscale() -> None:
    feedback = feedback_for_all(3)
    labels = [d.label for d in feedback.details]
    assert labels == ["Intrusion", "Avoidance", "Arousal", "Total"]
    assert all(d.explanation for d in feedback.details)  # each part in plain words
    assert [d.score for d in feedback.details] == [
        "15 out of 25",
        "21 out of 35",
        "15 out of 25",
        "51 out of 85",
    ]
    assert feedback.details[-1].band == "Severe"


def test_the_pcl5_symptom_pattern_leads_with_support_below_the_cut_point() -> None:
    # Items 1 (B), 6 (C), 8 and 9 (D), 15 and 16 (E) rated 2, all else 0: a total of 12,
    # far below the cut-point of 33, yet the provisional pattern (B 1, C 1, D 2, E 2) holds.
    items = tuple(ScaleItem(f"pcl5.{n}", "pcl5", n, "demo wording") for n in range(1, 21))
    scale = Scale("pcl5", PCL5, "", items)
    values = {n: (2 if n in (1, 6, 8, 9, 15, 16) else 0) for n in range(1, 21)}
    result = score_scale(PCL5, values, "pcl5")
    assert result.total == 12 and result.flags == ("pcl5_provisional_criteria",)
    feedback = feedback_for(scale, outcome_of(scale, values))
    assert feedback.band_label == "Below the screening cut-point"
    assert feedback.lead_with_support
    assert not any(word in " ".join(feedback.paragraphs).lower() for word in ALARMING)


def test_a_skipped_high_result_says_at_least_and_leads_with_support() -> None:
    # 15 of 17 "Very often", two Intrusion items skipped: not scorable, yet the lowest
    # possible total (both skipped at 1) is 77, far above the top cut-off of 49.
    answers: dict[str, int | str] = {item.id: 5 for item in SCALE.items}
    del answers["stss.2"], answers["stss.3"]
    outcome = outcomes(DEMO, answers)[0]
    assert (outcome.score, outcome.lowest, outcome.highest) == (None, 77, 85)
    feedback = feedback_for(SCALE, outcome)
    assert feedback.lead_with_support and feedback.band_label == "Severe"
    assert "Even counting every blank one at its lowest" in feedback.summary
    assert "completely fine" not in feedback.summary


def test_at_least_is_said_when_the_band_could_still_be_higher() -> None:
    # Intrusion items 2 and 3 skipped, everything else 3: lowest 47 (high), highest 55.
    answers: dict[str, int | str] = {item.id: 3 for item in SCALE.items}
    del answers["stss.2"], answers["stss.3"]
    feedback = feedback_from(answers)
    assert "at least many signs" in feedback.summary
    assert "at least the range “high”" in feedback.band_note
    assert feedback.lead_with_support


def test_a_range_that_reaches_no_band_for_certain_says_what_it_could_be() -> None:
    answers: dict[str, int | str] = {item.id: 1 for item in SCALE.items[:10]}
    feedback = feedback_from(answers)
    assert feedback.band_label == "" and not feedback.lead_with_support
    assert "could be anywhere from few or no signs" in feedback.paragraphs[0]


def test_plain_words_come_first_and_the_published_name_second() -> None:
    feedback = feedback_for_all(3)  # 51: the authors' "severe"
    assert "severe" not in feedback.summary.lower()
    assert "common among people" in " ".join(feedback.paragraphs)
    assert "call this range “severe” (49 to 85 out of 85)" in feedback.band_note


def test_the_start_says_how_many_skips_still_give_a_result() -> None:
    assert "up to 1 question in each part" in skips_note(SCALE)
    pcl = Scale("pcl5", PCL5, "", ())
    note = skips_note(pcl)
    assert "up to 1 in “Intrusion (cluster B)”, none in “Avoidance (cluster C)”" in note


def test_an_outcome_survives_the_trip_through_the_device_cookie() -> None:
    answers: dict[str, int | str] = {item.id: 4 for item in SCALE.items[2:]}
    outcome = outcomes(DEMO, answers)[0]
    assert Outcome.from_list(outcome.to_list()) == outcome
    with pytest.raises(ValueError, match="not an outcome"):
        Outcome.from_list(["stss", 1])
