"""The release step end to end: sealed responses in, an immutable k-anonymous Release out."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.domain.magnitude import compare_released
from survey.domain.sealing import open_wave
from survey.extensions import db
from survey.models import Wave
from survey.models.releases import Release, ReleaseImmutable
from survey.release import ReleaseError, make_release
from survey.services.release_truth import truth_history
from survey.services.waves import WavePlan, close_wave
from survey.services.waves import open_wave as open_survey_wave
from tests.conftest import TODAY, days
from tests.release.helpers import answers_all, links_by_team, submit

NURSING, FAMILY = "District nursing", "Family support"


def closed(wave: Wave) -> Wave:
    close_wave(wave, TODAY)
    return wave


def payload(release: Release) -> dict:  # type: ignore[type-arg]
    return json.loads(release.payload)


def test_final_release_waits_for_the_wave_to_close(demo_wave: Wave, kek: bytes) -> None:
    with pytest.raises(ReleaseError, match="open until"):
        make_release(demo_wave, kek, kind="final", today=TODAY)
    with pytest.raises(ReleaseError, match="released once"):
        make_release(demo_wave, kek, kind="interim", today=TODAY)


def test_team_figures_match_hand_worked_scores(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    # Nursing: five answer all 2s (34), five all 3s (51): mean 42.5, SD 8.96.
    for value in (2, 3) * 5:
        submit(links[NURSING], answers_all(value), TODAY)
    for value in (1, 2) * 3:  # family support: six people, 17 and 34
        submit(links[FAMILY], answers_all(value), TODAY)
    release = make_release(closed(demo_wave), kek, kind="final", today=days(1))
    data = payload(release)
    team = next(g for g in data["groups"].values() if g["label"].endswith(NURSING))
    assert team["shown"] and team["n"] == 10 and team["precision"] == "full"
    headline = team["scales"]["stss"]["headline"]
    assert (headline["mean"], headline["sd"]) == (42.5, 9.0)
    assert "median" not in headline
    # The CI comes from the shown mean and SD: 42.5 +/- t(9) * 9.0 / sqrt(10).
    assert (headline["ci_low"], headline["ci_high"]) == (36.1, 48.9)
    # Item 1 mean: (2 * 5 + 3 * 5) / 10 = 2.5
    assert team["scales"]["stss"]["items"][0] == {
        "id": "stss.1",
        "number": 1,
        "precision": "full",
        "mean": 2.5,
    }
    # Family support has six people: its mean 25.5 is shown only as the range 25 to 30,
    # with no SD, CI or item means.
    family = next(g for g in data["groups"].values() if g["label"].endswith(FAMILY))
    assert family["n"] == 6 and family["precision"] == "ranges"
    small = family["scales"]["stss"]["headline"]
    assert small == {"n": 6, "precision": "ranges", "low": 25.0, "high": 30.0}
    assert family["scales"]["stss"]["items"] == []
    alliance = data["groups"]["alliance"]
    assert alliance["n"] == 16
    assert alliance["scales"]["stss"]["headline"]["mean"] == round((42.5 * 10 + 25.5 * 6) / 16, 1)


def test_small_team_and_its_complement_are_hidden(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    for _ in range(6):
        submit(links[NURSING], answers_all(2), TODAY)
    for _ in range(2):
        submit(links[FAMILY], answers_all(4), TODAY)
    data = payload(make_release(closed(demo_wave), kek, kind="final", today=days(1)))
    teams = [g for g in data["groups"].values() if g["level"] == "team" and g["attribute"] is None]
    # Family support (2) is below k; showing nursing (6) beside the organisation (8) would
    # reveal family support by subtraction, so nursing is hidden too.
    assert [t["shown"] for t in teams] == [False, False]
    assert all(t["text"] == SUPPRESSED_TEXT for t in teams)
    assert all("n" not in t and "scales" not in t for t in teams)
    organisation = next(
        g
        for g in data["groups"].values()
        if g["level"] == "organisation" and g["attribute"] is None
    )
    assert organisation["shown"] and organisation["n"] == 8


def test_responses_too_incomplete_to_score_are_left_out(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    for _ in range(5):
        submit(links[NURSING], answers_all(3), TODAY)
    submit(links[NURSING], {"stss.1": 5}, TODAY)  # almost everything skipped
    data = payload(make_release(closed(demo_wave), kek, kind="final", today=days(1)))
    assert data["groups"]["alliance"]["n"] == 5
    assert "1" not in json.dumps(data["groups"]["alliance"]["n"])


def test_releases_are_immutable_and_never_remade(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    for _ in range(5):
        submit(links[NURSING], answers_all(3), TODAY)
    release = make_release(closed(demo_wave), kek, kind="final", today=days(1))
    with pytest.raises(ReleaseError, match="final release"):
        make_release(demo_wave, kek, kind="final", today=days(2))
    release.payload = "{}"
    with pytest.raises(ReleaseImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(Release, release.id))
    with pytest.raises(ReleaseImmutable):
        db.session.commit()
    db.session.rollback()
    assert len(db.session.scalars(select(Release)).all()) == 1


def test_hidden_groups_carry_only_the_shared_wording(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    for _ in range(5):
        submit(links[NURSING], answers_all(3, role_group="clinical"), TODAY)
    for _ in range(2):
        submit(links[FAMILY], answers_all(5, role_group="management"), TODAY)
    release = make_release(closed(demo_wave), kek, kind="final", today=days(1))
    data = payload(release)
    hidden = [g for g in data["groups"].values() if not g["shown"]]
    assert hidden, "some groups must be hidden in this wave"
    for group in hidden:
        assert set(group) == {"key", "level", "id", "attribute", "value", "label", "shown", "text"}
        assert group["text"] == SUPPRESSED_TEXT
    # The ledger (internal counts) is stored apart from what leads read.
    assert "groups" in json.loads(release.ledger)
    assert release.ledger not in release.payload


def test_a_summary_that_would_pin_everyones_band_is_hidden(demo_wave: Wave, kek: bytes) -> None:
    links = links_by_team(demo_wave)
    # Six people all at 17: mean 17, SD 0 tells a reader everyone is in the lowest band.
    for _ in range(6):
        submit(links[NURSING], answers_all(1), TODAY)
    data = payload(make_release(closed(demo_wave), kek, kind="final", today=days(1)))
    stss = data["groups"]["alliance"]["scales"]["stss"]
    assert stss["headline"] == {"hidden": True, "text": SUPPRESSED_TEXT}
    # Every item mean is 1, the lowest answer: shown as a bound, not as a certainty.
    assert all(item["mean"] is None for item in stss["items"])
    bands = stss["bands"]
    assert not any(cell["text"] == "100%" for cell in bands["cells"])


def test_the_comparison_with_an_earlier_wave_of_the_same_questionnaire(
    demo_wave: Wave, kek: bytes
) -> None:
    links = links_by_team(demo_wave)
    for value in (2, 3) * 5:
        submit(links[NURSING], answers_all(value), TODAY)
    first = make_release(closed(demo_wave), kek, kind="final", today=days(1))
    teams = [link.team for link in demo_wave.links]
    later = open_survey_wave(
        WavePlan("A year on", demo_wave.questionnaire_version, teams, days(1), days(30)), kek
    )
    for value in (1, 2) * 5:
        submit(links_by_team(later)[NURSING], answers_all(value), days(2))
    close_wave(later, days(3))
    second = payload(make_release(later, kek, kind="final", today=days(4)))
    before = payload(first)["groups"]["alliance"]["scales"]["stss"]["headline"]
    now = second["groups"]["alliance"]["scales"]["stss"]
    comparison = now["comparison"]
    # Before: (34 * 5 + 51 * 5) / 10 = 42.5; after: (17 * 5 + 34 * 5) / 10 = 25.5.
    assert before["mean"] == 42.5
    assert comparison["previous_mean"] == 42.5 and comparison["diff"] == -17.0
    assert comparison["ci_low"] < -17.0 < comparison["ci_high"]
    assert comparison["hedges_g"] < 0
    # Nothing but the two released summaries went into it.
    assert comparison == {
        "previous_wave": demo_wave.name,
        **compare_released(before, now["headline"]),
    }


def _interim(wave: Wave) -> Wave:
    wave.release_mode = "interim"
    db.session.commit()
    return wave


def test_interim_release_shows_a_group_again_only_after_k_more_responses(
    demo_wave: Wave, kek: bytes
) -> None:
    wave = _interim(demo_wave)
    links = links_by_team(wave)
    # An interim release shows a group only with 2k (here 10) responses new since the
    # wave's previous release: five are kept back.
    for _ in range(5):
        submit(links[NURSING], answers_all(2), TODAY)
    early = payload(make_release(wave, kek, kind="interim", today=TODAY))
    assert early["groups"]["alliance"]["shown"] is False
    for _ in range(10):
        submit(links[NURSING], answers_all(3), TODAY)
    first = payload(make_release(wave, kek, kind="interim", today=TODAY))
    assert first["groups"]["alliance"]["n"] == 15
    # Two more people: showing the alliance again would reveal those two by subtraction.
    for _ in range(2):
        submit(links[NURSING], answers_all(5), TODAY)
    second = payload(make_release(wave, kek, kind="interim", today=TODAY))
    assert second["groups"]["alliance"]["shown"] is False
    assert second["groups"]["alliance"]["text"] == SUPPRESSED_TEXT
    # Ten more since the previous release (twelve since it was last shown): shown again.
    for _ in range(10):
        submit(links[NURSING], answers_all(3), TODAY)
    third = payload(make_release(wave, kek, kind="interim", today=TODAY))
    assert third["groups"]["alliance"]["shown"] is True and third["groups"]["alliance"]["n"] == 27
    assert [r["sequence"] for r in (early, first, second, third)] == [1, 2, 3, 4]


def test_final_release_after_interims_still_respects_the_time_rule(
    demo_wave: Wave, kek: bytes
) -> None:
    wave = _interim(demo_wave)
    links = links_by_team(wave)
    for value in (2, 3) * 5:
        submit(links[NURSING], answers_all(value), TODAY)
    interim = payload(make_release(wave, kek, kind="interim", today=TODAY))
    assert interim["groups"]["alliance"]["n"] == 10
    submit(links[NURSING], answers_all(5), TODAY)
    final = payload(make_release(closed(wave), kek, kind="final", today=days(1)))
    assert final["kind"] == "final"
    assert final["groups"]["alliance"]["shown"] is False  # 1 new response only
    with pytest.raises(ReleaseError, match="final release"):
        make_release(wave, kek, kind="interim", today=days(1))


def test_each_release_keeps_its_cells_truth_sealed_for_the_next(
    demo_wave: Wave, kek: bytes
) -> None:
    wave = _interim(demo_wave)
    links = links_by_team(wave)
    for value in (2, 3) * 6:
        submit(links[NURSING], answers_all(value), TODAY)
    first = make_release(wave, kek, kind="interim", today=TODAY)
    sealed = first.sealed_truth
    assert sealed is not None and len(sealed) % 4096 > 0  # version byte + padded ciphertext
    # Nothing readable: no score histogram, item sum or cell name in the stored bytes.
    assert b"stss" not in sealed and b"District" not in sealed and b"[34," not in sealed
    opener = open_wave(wave.wrapped_private_key, kek, wave.id)
    (truth,) = truth_history(opener, [first], {})[:1]
    nursing = [t for cell, t in truth.items() if t.n]
    assert sum(t.n for t in nursing) == 12
    assert sum(t.total(("stss", "total"))[0] for t in nursing) == 6 * 34 + 6 * 51
    # Under another release's label (or damaged) it does not open, and the joint check
    # then reads the wave as one programme instead of trusting it.
    wrong = Release(wave_id=wave.id, sequence=2, kind="interim", payload="", ledger="")
    wrong.sealed_truth = sealed
    assert truth_history(opener, [wrong], {}) is None
    assert truth_history(opener, [Release(sequence=1, sealed_truth=None)], {}) is None
    # The next release reads it back and still releases.
    for value in (2, 3) * 6:
        submit(links[NURSING], answers_all(value), TODAY)
    second = make_release(wave, kek, kind="interim", today=TODAY)
    assert second.sealed_truth is not None and second.sealed_truth != sealed
