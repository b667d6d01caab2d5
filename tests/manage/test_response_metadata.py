"""What the database's own bookkeeping gives away about responses: no tie, no fine order.

On PostgreSQL these read the system columns (xmin, xmax, ctid) a copy of the database
carries; on SQLite the analogous checks (no rowid anywhere a respondent writes).
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from survey.extensions import db
from survey.models import PendingResponse, Response, SingleUseCode, User, Wave
from survey.services.batches import flush_pending, pending_count
from survey.services.integrity import IntegrityReport, RowAudit, StoredRow, stored_rows_and_tally
from survey.services.responses import ReplayedForm, record_response
from tests.conftest import days
from tests.manage.conftest import Members, count, stored
from tests.manage.test_codes import make
from tests.manage.test_waves import demo_version, link_of, open_test_wave
from tests.release.helpers import answers_all

K = 3


def postgresql_only() -> None:
    """Skip unless the suite runs on PostgreSQL (`.ci/run`'s second pass)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("reads PostgreSQL system columns (DATABASE_URL=postgresql+psycopg://…)")


@pytest.fixture
def wave(app: Flask, kek: bytes, members: Members, core_user: User) -> Wave:
    """An open wave with k = 3 in code mode for Day unit and Outreach."""
    teams = [members.day, members.outreach]
    return open_test_wave(kek, demo_version(app), teams, core_user, k=K, uses_codes=True)


def finish(wave: Wave, members: Members, core_user: User, n: int) -> None:
    """n people finish, each with a fresh code, alternating between the two teams."""
    for i in range(n):
        link = link_of(wave, members.day if i % 2 else members.outreach)
        [code] = make(wave, link, 1, core_user)
        record_response(link, answers_all(i % 5), secrets.token_urlsafe(16), days(0), code=code)


def xids(table: str, column: str = "xmin") -> list[str]:
    """One system column of every live row of a table, as text (0 means none)."""
    rows = db.session.execute(text(f'SELECT {column}::text FROM "{table}"'))  # noqa: S608
    return [value for (value,) in rows if value != "0"]


def batches(wave_id: int) -> list[int]:
    """How many of the wave's responses share each transaction id (PostgreSQL)."""
    rows = db.session.execute(
        text("SELECT xmin::text FROM response WHERE wave_id = :w"), {"w": wave_id}
    )
    return sorted(Counter(value for (value,) in rows).values())


def test_responses_wait_until_k_are_pending_then_move_together(
    wave: Wave, members: Members, core_user: User
) -> None:
    finish(wave, members, core_user, K - 1)
    assert (count(Response), pending_count(wave.id)) == (0, K - 1)
    finish(wave, members, core_user, 1)
    assert (count(Response), pending_count(wave.id)) == (K, 0)
    finish(wave, members, core_user, 1)
    assert (count(Response), pending_count(wave.id)) == (K, 1)
    assert flush_pending(wave.id) == 1  # what the release step does first
    assert (count(Response), count(PendingResponse)) == (K + 1, 0)
    assert count(SingleUseCode) == 0  # every code spent, each exactly once


def test_a_replayed_form_stores_nothing_after_its_batch_has_moved(
    wave: Wave, members: Members, core_user: User
) -> None:
    link = link_of(wave, members.day)
    first, second = make(wave, link, 2, core_user)
    record_response(link, answers_all(2), "the-nonce", days(0), code=first)
    flush_pending(wave.id)
    with pytest.raises(ReplayedForm):
        record_response(link, answers_all(2), "the-nonce", days(0), code=second)
    assert stored() == 1 and count(SingleUseCode) == 1  # the second code is still live


def test_sqlite_keeps_no_rowid_where_a_respondent_writes(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite storage detail")
    tables = ("response", "pending_response", "used_form", "single_use_code", "code_tally")
    for table in tables:
        sql = db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
        ).scalar_one()
        assert "WITHOUT ROWID" in sql, table


def test_sqlite_reads_responses_in_random_id_order_not_arrival_order(
    wave: Wave, members: Members, core_user: User
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite storage detail")
    finish(wave, members, core_user, 4 * K)
    flush_pending(wave.id)
    # A full scan (sealed is in no index) walks the table itself: in key order.
    ids = list(db.session.execute(text("SELECT id, sealed FROM response")).scalars())
    assert len(ids) == 4 * K and ids == sorted(ids)  # the key's order, whatever the arrival


def test_no_live_row_shares_a_transaction_with_a_nonce_or_a_code(
    wave: Wave, members: Members, core_user: User
) -> None:
    postgresql_only()
    finish(wave, members, core_user, 3 * K + 1)
    flush_pending(wave.id)
    nonces = set(xids("used_form"))
    assert len(nonces) == 3 * K + 1  # one transaction per Finish
    assert count(SingleUseCode) == 0  # spent codes are gone, not marked
    for table in inspect(db.engine).get_table_names():
        if table == "used_form":
            continue
        for column in ("xmin", "xmax"):
            shared = nonces & set(xids(table, column))
            assert not shared, f"{table}.{column} shares a Finish transaction"
    assert not set(xids("response")) & set(xids("audit_event"))
    assert batches(wave.id) == [K, K, K + 1]  # the remainder joined the latest batch


def test_every_batch_holds_k_even_when_the_first_flush_found_fewer(
    wave: Wave, members: Members, core_user: User
) -> None:
    postgresql_only()
    finish(wave, members, core_user, 1)
    flush_pending(wave.id)  # e.g. an early progress count: the wave so far is one batch
    assert batches(wave.id) == [1]
    finish(wave, members, core_user, K)  # a full batch arrives: it takes the small one in
    assert batches(wave.id) == [K + 1]
    finish(wave, members, core_user, K)
    assert batches(wave.id) == [K, K + 1]


def test_heap_order_inside_a_batch_is_not_arrival_order(app: Flask, wave: Wave) -> None:
    postgresql_only()
    arrived = [secrets.token_hex(16) for _ in range(40)]
    for response_id in arrived:  # forty Finishes, each its own transaction
        db.session.add(
            PendingResponse(
                id=response_id,
                wave_id=wave.id,
                team_id=wave.links[0].team_id,
                questionnaire_version_id=wave.questionnaire_version_id,
                iso_week="2026-W49",
                sealed=b"sealed",
            )
        )
        db.session.commit()
    flush_pending(wave.id)
    in_heap = list(db.session.execute(text("SELECT id FROM response ORDER BY ctid")).scalars())
    assert sorted(in_heap) == sorted(arrived) and in_heap != arrived
    assert batches(wave.id) == [40]


def test_finishes_racing_flushes_lose_nothing_and_store_nothing_twice(
    app: Flask, wave: Wave, members: Members, core_user: User
) -> None:
    postgresql_only()
    links = [link_of(wave, members.day), link_of(wave, members.outreach)]
    slips = [make(wave, links[i % 2], 6, core_user) for i in range(4)]
    db.session.commit()
    link_ids, wave_id = [link.id for link in links], wave.id
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def phone(i: int) -> None:
        with app.app_context():  # its own session and connection
            from survey.models import SurveyLink

            link = db.session.get(SurveyLink, link_ids[i % 2])
            assert link is not None
            start.wait()
            try:
                for code in slips[i]:
                    record_response(
                        link, answers_all(3), secrets.token_urlsafe(16), days(0), code=code
                    )
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    def release_step() -> None:
        with app.app_context():
            start.wait()
            try:
                for _ in range(10):
                    flush_pending(wave_id)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(4)]
    threads.append(threading.Thread(target=release_step))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    flush_pending(wave_id)
    assert (count(Response), count(PendingResponse), count(SingleUseCode)) == (24, 0, 0)
    assert all(size >= K for size in batches(wave_id))
    # Racing Finishes each folded their tag into the integrity tally: it adds up exactly.
    audit = RowAudit(wave_id)
    for row in db.session.execute(stored_rows_and_tally(wave_id)):
        audit.admit(StoredRow(*row))
    assert audit.report() == IntegrityReport(authentic=24)
