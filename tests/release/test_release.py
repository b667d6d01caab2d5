"""The release step end to end: sealed responses in, an immutable k-anonymous Release out."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.extensions import db
from survey.models import Wave
from survey.models.releases import Release, ReleaseImmutable
from survey.release import ReleaseError, make_release
from survey.services.waves import close_wave
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
    # Nursing: three people answer all 2s (34), three answer all 3s (51): mean 42.5, median 42.5.
    for value in (2, 2, 2, 3, 3, 3):
        submit(links[NURSING], answers_all(value), TODAY)
    for value in (1, 1, 1, 1, 1, 1):  # family support: six at 17
        submit(links[FAMILY], answers_all(value), TODAY)
    release = make_release(closed(demo_wave), kek, kind="final", today=days(1))
    data = payload(release)
    team = next(g for g in data["groups"].values() if g["label"].endswith(NURSING))
    assert team["shown"] and team["n"] == 6
    headline = team["scales"]["stss"]["headline"]
    assert headline["mean"] == 42.5 and headline["median"] == 42.5
    # Item 1 mean: (2+2+2+3+3+3)/6 = 2.5
    assert team["scales"]["stss"]["items"][0] == {"id": "stss.1", "number": 1, "mean": 2.5}
    alliance = data["groups"]["alliance"]
    assert alliance["n"] == 12
    assert alliance["scales"]["stss"]["headline"]["mean"] == pytest.approx((42.5 * 6 + 17 * 6) / 12)


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
        submit(links[NURSING], answers_all(3, role="clinical"), TODAY)
    for _ in range(2):
        submit(links[FAMILY], answers_all(5, role="management"), TODAY)
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
