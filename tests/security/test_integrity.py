"""A database writer can neither read new answers nor forge, move or delete stored ones unnoticed.

The attacker here can write any row of the database, but holds neither the KEK nor the
integrity secret (issue 13 §5).
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select

from survey.domain.sealing import SealContext, new_kek, new_wave_keys, seal_answers
from survey.extensions import db
from survey.models import Release, Response, ResponseTally, SurveyLink, Wave
from survey.release import IntegrityRefusal, make_release
from survey.services.batches import flush_pending
from survey.services.integrity import WaveKeyRefused
from survey.services.responses import record_response
from tests.respond.driver import Respondent, always
from tests.security.keyfixtures import add_waves, fill, live_token, run
from tests.stored import stored_count, stored_rows

PER_LINK = 3  # the demo wave has two team links


@pytest.fixture
def filled(app: Flask, demo_wave: Wave) -> Wave:
    """The demo wave with three responses per link, all moved into `response`, then closed."""
    fill(demo_wave, per_link=PER_LINK)
    flush_pending(demo_wave.id)
    demo_wave.opens_on = date.today() - timedelta(days=30)
    demo_wave.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    return demo_wave


def forge_row(wave: Wave, *, tag: bytes | None = None) -> None:
    """A row sealed with the wave's real public key, as anyone could: no KEK, no secret."""
    team_id = wave.links[0].team_id
    response_id = secrets.token_hex(16)
    sealed = seal_answers(
        wave.public_key, SealContext(wave.id, team_id, response_id), {"stss.1": 5}
    )
    db.session.add(
        Response(
            id=response_id,
            wave_id=wave.id,
            team_id=team_id,
            questionnaire_version_id=wave.questionnaire_version_id,
            iso_week="2026-W01",
            sealed=sealed,
            tag=tag,
        )
    )
    db.session.commit()


def verify(app: Flask) -> tuple[int, str]:
    result = run(app, "keys", "verify")
    return result.exit_code, result.output


def test_a_swapped_public_key_is_refused_before_sealing(app: Flask, demo_wave: Wave) -> None:
    attacker = new_wave_keys(new_kek(), demo_wave.id)
    demo_wave.public_key = attacker.public_key  # the tag still vouches for the real key
    db.session.commit()
    link = demo_wave.links[0]
    with pytest.raises(WaveKeyRefused):
        record_response(link, {"stss.1": 4}, "nonce-swapped", date.today())
    assert stored_count() == 0  # nothing sealed to the attacker's key was kept


def test_a_swapped_public_key_gives_the_respondent_a_calm_page_not_a_500(
    app: Flask, demo_wave: Wave
) -> None:
    demo_wave.public_key = new_wave_keys(new_kek(), demo_wave.id).public_key
    db.session.commit()
    finished = Respondent(app.test_client(), live_token()).complete(always("3"))
    assert finished.status_code == 503
    assert "We could not save your answers" in finished.get_data(as_text=True)
    assert stored_count() == 0


def test_a_wave_key_copied_with_its_tag_from_another_wave_is_refused(
    app: Flask, demo_wave: Wave, kek: bytes
) -> None:
    [other] = add_waves(kek, 1)
    demo_wave.public_key, demo_wave.public_key_tag = other.public_key, other.public_key_tag
    db.session.commit()
    with pytest.raises(WaveKeyRefused):
        record_response(demo_wave.links[0], {"stss.1": 4}, "nonce-copied", date.today())


def test_honest_rows_verify_clean(app: Flask, filled: Wave) -> None:
    code, output = verify(app)
    assert code == 0, output
    assert "6 response(s) opened, 0 failed" in output


def test_a_row_forged_with_the_real_public_key_is_reported(app: Flask, filled: Wave) -> None:
    forge_row(filled)
    code, output = verify(app)
    assert code == 1
    assert "1 row is forged or altered (not as Lantern stored it)" in output


def test_a_forged_row_with_a_made_up_tag_is_reported(app: Flask, filled: Wave) -> None:
    forge_row(filled, tag=secrets.token_bytes(32))
    code, output = verify(app)
    assert code == 1 and "1 row is forged or altered" in output


def test_a_deleted_row_is_reported_missing(app: Flask, filled: Wave) -> None:
    victim = stored_rows(filled.id)[0]
    db.session.execute(delete(Response).where(Response.id == victim.id))
    db.session.commit()
    code, output = verify(app)
    assert code == 1
    assert "1 row is missing (deleted, or moved to another team or wave)" in output


def test_a_row_moved_to_another_team_is_reported_moved(app: Flask, filled: Wave) -> None:
    other_team = filled.links[1].team_id
    victim = next(row for row in stored_rows(filled.id) if row.team_id != other_team)
    victim.team_id = other_team
    db.session.commit()
    code, output = verify(app)
    assert code == 1
    assert "1 row is moved here from another team or wave" in output


def test_an_altered_tally_is_reported(app: Flask, filled: Wave) -> None:
    tally = db.session.get(ResponseTally, filled.id)
    assert tally is not None
    tally.stored = tally.stored - 1  # hide a deletion by lowering the count
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "tally of this wave was altered" in output


def test_the_release_refuses_a_corrupt_row_with_a_count_and_no_traceback(
    app: Flask, filled: Wave, kek: bytes
) -> None:
    row = stored_rows(filled.id)[0]
    sealed = bytearray(row.sealed)
    sealed[-1] ^= 0x01
    row.sealed = bytes(sealed)
    db.session.commit()
    with pytest.raises(IntegrityRefusal) as refused:
        make_release(filled, kek, kind="final", today=date.today())
    assert "1 stored response(s) failed the integrity check" in str(refused.value)
    assert db.session.scalars(select(Release)).first() is None

    cli = run(app, "waves", "release", str(filled.id))
    assert cli.exit_code == 1
    assert "Traceback" not in cli.output and "OpenFailed" not in cli.output
    assert "1 stored response(s) failed the integrity check" in cli.output

    confirmed = run(app, "waves", "release", str(filled.id), "--exclude-failed")
    assert confirmed.exit_code == 0, confirmed.output
    assert db.session.scalars(select(Release)).one().kind == "final"


def test_the_release_refuses_forged_and_missing_rows(app: Flask, filled: Wave, kek: bytes) -> None:
    forge_row(filled)
    for victim in [row for row in stored_rows(filled.id) if row.tag is not None][:2]:
        db.session.delete(victim)
    db.session.commit()
    with pytest.raises(IntegrityRefusal) as refused:
        make_release(filled, kek, kind="final", today=date.today())
    message = str(refused.value)
    assert "2 stored response(s) failed the integrity check" in message
    assert "1 row is forged or altered" in message and "1 row is missing" in message


def test_keys_adopt_vouches_for_a_wave_stored_before_tags(app: Flask, filled: Wave) -> None:
    for row in stored_rows(filled.id):
        row.tag = None
    filled.public_key_tag = None
    db.session.execute(delete(ResponseTally))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "carries no valid integrity tag" in output
    with pytest.raises(WaveKeyRefused):
        record_response(filled.links[0], {"stss.1": 1}, "nonce-legacy", date.today())

    adopted = run(app, "keys", "adopt")
    assert adopted.exit_code == 0, adopted.output
    assert f"wave {filled.id}: key vouched for, 6 row(s) tagged" in adopted.output
    code, output = verify(app)
    assert code == 0, output
    again = run(app, "keys", "adopt")
    assert "adopted 0 wave(s)" in again.output  # a vouched-for wave is never re-adopted


def test_keys_adopt_refuses_a_swapped_public_key(app: Flask, filled: Wave) -> None:
    filled.public_key = new_wave_keys(new_kek(), filled.id).public_key
    filled.public_key_tag = None
    db.session.execute(delete(ResponseTally))
    db.session.commit()
    adopted = run(app, "keys", "adopt")
    assert adopted.exit_code == 1
    assert "replaced in the database; nothing was adopted" in adopted.output
    assert db.session.get(ResponseTally, filled.id) is None


def test_links_of_other_waves_do_not_open_with_this_waves_tags(app: Flask, filled: Wave) -> None:
    # The moved-row search looks only at real (wave, team) pairs and never blesses a row.
    assert db.session.scalars(select(SurveyLink)).first() is not None
    forge_row(filled, tag=stored_rows(filled.id)[0].tag)  # a real tag on a forged row
    code, output = verify(app)
    assert code == 1 and "1 row is forged or altered" in output


def test_a_forged_rows_free_text_is_never_shown(app: Flask, demo_wave: Wave, kek: bytes) -> None:
    from survey.services.free_text import free_text

    fill(demo_wave, per_link=6)  # 12 people: enough for the alliance-wide pool
    team_id = demo_wave.links[0].team_id
    response_id = secrets.token_hex(16)
    context = SealContext(demo_wave.id, team_id, response_id)
    words = {"stss.1": 3, "anything_else": "FORGED WORDS"}
    db.session.add(
        Response(
            id=response_id,
            wave_id=demo_wave.id,
            team_id=team_id,
            questionnaire_version_id=demo_wave.questionnaire_version_id,
            iso_week="2026-W01",
            sealed=seal_answers(demo_wave.public_key, context, words),
        )
    )
    demo_wave.opens_on = date.today() - timedelta(days=30)
    demo_wave.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    make_release(demo_wave, kek, kind="final", today=date.today(), exclude_failed=True)
    groups = free_text(demo_wave, kek) or []
    assert not any("FORGED WORDS" in answer for group in groups for answer in group.answers)
