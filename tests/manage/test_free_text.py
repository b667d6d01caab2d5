"""Free text reaches the core team only: disjoint groups of 10 or more, shuffled, no dates."""

from __future__ import annotations

from flask.testing import FlaskClient

from survey.models import Wave
from survey.release import make_release
from survey.services.free_text import free_text
from survey.services.waves import close_wave
from tests.conftest import TODAY, days
from tests.manage.conftest import Staff, audit
from tests.release.helpers import answers_all, links_by_team, submit

NURSING, FAMILY = "District nursing", "Family support"


def _fill(wave: Wave, nursing: int, family: int) -> None:
    links = links_by_team(wave)
    for i in range(nursing):
        submit(links[NURSING], answers_all(3, anything_else=f"nursing note {i}"), TODAY)
    for i in range(family):
        submit(links[FAMILY], answers_all(2, anything_else=f"family note {i}"), TODAY)


def _released(wave: Wave, kek: bytes) -> None:
    close_wave(wave, TODAY)
    make_release(wave, kek, kind="final", today=days(1))


def test_nothing_before_the_final_release(demo_wave: Wave, kek: bytes) -> None:
    _fill(demo_wave, 12, 0)
    assert free_text(demo_wave, kek) is None


def test_a_small_team_is_never_a_list_of_its_own_nor_a_difference(
    demo_wave: Wave, kek: bytes
) -> None:
    # Nursing 12 (own list); family 3: too few alone, and pooling them with nursing's
    # organisation would let a reader subtract nursing's list. So family's words are withheld.
    _fill(demo_wave, 12, 3)
    _released(demo_wave, kek)
    groups = free_text(demo_wave, kek)
    assert groups is not None
    assert [g.label for g in groups] == [f"Riverside Community Care (demo): {NURSING}"]
    assert sorted(groups[0].answers) == sorted(f"nursing note {i}" for i in range(12))
    everything = " ".join(a for g in groups for a in g.answers)
    assert "family note" not in everything


def test_small_teams_pool_together_when_the_pool_reaches_ten(demo_wave: Wave, kek: bytes) -> None:
    _fill(demo_wave, 6, 5)
    _released(demo_wave, kek)
    groups = free_text(demo_wave, kek)
    assert groups is not None and len(groups) == 1
    assert groups[0].label == "Riverside Community Care (demo)"
    assert len(groups[0].answers) == 11


def test_answers_are_shuffled(demo_wave: Wave, kek: bytes) -> None:
    _fill(demo_wave, 20, 0)
    _released(demo_wave, kek)
    orders = {free_text(demo_wave, kek)[0].answers for _ in range(5)}  # type: ignore[index]
    assert len(orders) > 1  # 20! orders: five draws agreeing by chance is negligible


def test_core_page_shows_them_and_is_audited_leads_get_nothing(
    demo_wave: Wave, kek: bytes, as_core: Staff, as_lead: Staff, client: FlaskClient
) -> None:
    _fill(demo_wave, 10, 0)
    _released(demo_wave, kek)
    path = f"/manage/waves/{demo_wave.id}/free-text"
    assert path in as_core.get(f"/manage/waves/{demo_wave.id}").get_data(as_text=True)
    page = as_core.get(path)
    assert page.status_code == 200 and "nursing note 7" in page.get_data(as_text=True)
    assert [e.target for e in audit("free text viewed")] == [f"wave:{demo_wave.id}"]
    assert as_lead.get(path).status_code == 403
    assert client.get(path).status_code == 302
