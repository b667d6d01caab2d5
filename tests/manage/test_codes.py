"""Single-use codes: made and printed once, kept only as peppered hashes, spent with the response.

Nothing may tie a spent code to the response it allowed, and every refused code reads the
same, so a respondent learns nothing about which codes exist or were used.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from survey.extensions import db
from survey.models import CodeBatch, SingleUseCode, SurveyLink, UsedForm, User, Wave
from survey.services import codes, wave_admin
from survey.services.codes import CodeRejected, code_hash, normalise, pepper, shown, spend_code
from survey.services.responses import record_response
from tests.conftest import days
from tests.manage.conftest import Members, Staff, audit, count, stored, text_of
from tests.manage.test_waves import demo_version, link_of, open_test_wave
from tests.release.helpers import answers_all
from tests.respond.driver import Respondent, always

REFUSED = "We could not accept that code"


@pytest.fixture
def coded(app: Flask, kek: bytes, members: Members, core_user: User) -> Wave:
    """An open wave in code mode for Day unit and Outreach."""
    version = demo_version(app)
    return open_test_wave(kek, version, [members.day, members.outreach], core_user, uses_codes=True)


def make(wave: Wave, team_link: SurveyLink, n: int, actor: User) -> list[str]:
    """Codes for the link's team, through the service the page uses."""
    return wave_admin.make_codes(wave, team_link.team, n, days(0), actor=actor)


def start(client: FlaskClient, link: SurveyLink, code: str) -> Respondent:
    """Open the link and press Start with this code."""
    person = Respondent(client, link.token)
    person.press("start", extra={"code": code})
    return person


def refusal(html: str) -> str:
    """The message a refused code gets (the error paragraph, whole)."""
    found = re.search(r'<p class="error" id="code-error"[^>]*>(.*?)</p>', html, flags=re.S)
    assert found is not None
    return found.group(1)


# The codes themselves


def test_codes_avoid_look_alike_symbols_and_read_in_two_groups() -> None:
    for symbol in "0O1IL2Z5S8BUVQ":
        assert symbol not in codes.ALPHABET
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 22
    assert shown("ACDEFGHJKM") == "ACDEF-GHJKM"


def test_a_typed_code_is_read_generously_but_never_loosely() -> None:
    assert normalise(" acdef-ghjkm ") == "ACDEFGHJKM"
    assert normalise("ACDEF GHJKM") == "ACDEFGHJKM"
    assert normalise("ACDEF-GHJK") is None  # nine symbols
    assert normalise("ACDEF-GHJK0") is None  # a zero is never in a code
    assert normalise("") is None


def test_the_pepper_is_its_own_setting_or_derived_from_the_secret_key() -> None:
    derived = pepper({"SECRET_KEY": "k" * 40})
    assert (
        derived == hmac.new(b"k" * 40, b"lantern.single-use-code-pepper", hashlib.sha256).digest()
    )
    assert derived != b"k" * 40
    assert pepper({"SECRET_KEY": "k" * 40, "CODE_PEPPER": "pepper"}) == b"pepper"
    # The stored hash is the HMAC of the code, and depends on the pepper.
    assert (
        code_hash("ACDEFGHJKM", b"pepper")
        == hmac.new(b"pepper", b"ACDEFGHJKM", hashlib.sha256).hexdigest()
    )
    assert code_hash("ACDEFGHJKM", b"pepper") != code_hash("ACDEFGHJKM", b"other")


# Making and printing codes


def printed_codes(html: str) -> list[str]:
    """The codes on a sheet page."""
    return re.findall(r'<span class="slip-code">([A-Z0-9-]+)</span>', html)


def test_the_sheet_shows_the_codes_once_and_only_their_hashes_are_kept(
    app: Flask, as_core: Staff, coded: Wave, members: Members
) -> None:
    form = as_core.get(f"/manage/waves/{coded.id}/codes")
    assert form.status_code == 200 and "shown once" in text_of(form)
    made = as_core.post(f"/manage/waves/{coded.id}/codes", {f"count-{members.day.id}": "12"})
    assert made.status_code == 303  # Post/Redirect/Get
    sheet = as_core.get(made.headers["Location"])
    html = sheet.get_data(as_text=True)
    printed = printed_codes(html)
    assert sheet.status_code == 200 and len(printed) == len(set(printed)) == 12
    assert 'href="/manage/waves/print.css"' in html
    rows = db.session.scalars(select(SingleUseCode)).all()
    key = pepper(app.config)
    assert {row.code_hash for row in rows} == {code_hash(normalise(c) or "", key) for c in printed}
    assert all(row.team_id == members.day.id for row in rows)
    kept = " ".join(f"{r.wave_id} {r.code_hash} {r.team_id}" for r in rows)
    assert not any(normalise(code) in kept for code in printed)
    [event] = audit("codes made")
    assert event.detail == f"team:{members.day.id}; 12 codes"
    assert not any(normalise(code) in event.detail for code in printed)
    page = text_of(as_core.get(f"/manage/waves/{coded.id}"))
    assert "Codes made: 12" in page and "Codes made: 0" in page  # Outreach has none yet
    # Reloading the sheet shows nothing and makes nothing: 12 codes, not 24.
    again = as_core.get(made.headers["Location"])
    assert again.status_code == 410 and printed_codes(again.get_data(as_text=True)) == []
    assert "already been shown" in text_of(again)
    assert count(SingleUseCode) == 12 and codes.codes_made(coded) == {members.day.id: 12}


def test_sheets_for_several_teams_at_once_each_listed_as_a_batch(
    as_core: Staff, coded: Wave, members: Members
) -> None:
    data = {f"count-{members.day.id}": "3", f"count-{members.outreach.id}": "5"}
    made = as_core.post(f"/manage/waves/{coded.id}/codes", data)
    html = as_core.get(made.headers["Location"]).get_data(as_text=True)
    assert html.count('<section class="sheet"') == 2 and len(printed_codes(html)) == 8
    listing = text_of(as_core.get(f"/manage/waves/{coded.id}/codes"))
    assert "Day unit 3" in listing and "Outreach 5" in listing
    assert codes.codes_made(coded) == {members.day.id: 3, members.outreach.id: 5}


@pytest.mark.parametrize("count_typed", ["0", "501", "three"])
def test_a_bad_count_is_refused_beside_its_team(
    as_core: Staff, coded: Wave, members: Members, count_typed: str
) -> None:
    data = {f"count-{members.day.id}": count_typed, f"count-{members.outreach.id}": "4"}
    result = as_core.post(f"/manage/waves/{coded.id}/codes", data)
    assert result.status_code == 422
    assert "Day unit: Enter a number from 1 to 500, or leave it empty." in text_of(result)
    assert count(SingleUseCode) == 0


def test_codes_only_for_a_wave_in_code_mode_and_its_own_teams(
    as_core: Staff, coded: Wave, members: Members
) -> None:
    other_team = {f"count-{members.night.id}": "3"}
    result = as_core.post(f"/manage/waves/{coded.id}/codes", other_team)
    assert result.status_code == 422 and "for at least one team" in text_of(result)
    coded.uses_codes = False
    db.session.commit()
    assert as_core.get(f"/manage/waves/{coded.id}/codes").status_code == 404
    assert count(SingleUseCode) == 0


def test_no_codes_for_a_closed_wave(as_core: Staff, coded: Wave, members: Members) -> None:
    as_core.post(f"/manage/waves/{coded.id}/close")
    result = as_core.post(f"/manage/waves/{coded.id}/codes", {f"count-{members.day.id}": "3"})
    assert result.status_code == 422 and "has closed" in text_of(result)
    assert count(SingleUseCode) == 0


def test_a_sheet_never_handed_out_is_voided_with_its_key_only(
    client: FlaskClient, as_core: Staff, coded: Wave, members: Members
) -> None:
    made = as_core.post(f"/manage/waves/{coded.id}/codes", {f"count-{members.day.id}": "4"})
    html = as_core.get(made.headers["Location"]).get_data(as_text=True)
    key = re.search(r"Void key, keep this strip: <code>([A-Z0-9-]+)</code>", html)
    assert key is not None
    [batch] = db.session.scalars(select(CodeBatch)).all()
    assert key.group(1).replace("-", "") not in batch.key_hash  # only its peppered hash is kept
    kept = as_core.post(f"/manage/waves/{coded.id}/codes", {f"count-{members.day.id}": "2"})
    other = printed_codes(as_core.get(kept.headers["Location"]).get_data(as_text=True))
    void = f"/manage/codes/batches/{batch.id}/void"
    wrong = as_core.post(void, {"void_key": "ACDEF-GHJKM-NPRTW-XY346"})
    assert wrong.status_code == 422 and "not the void key printed on this sheet" in text_of(wrong)
    assert count(SingleUseCode) == 6
    done = as_core.post(void, {"void_key": key.group(1).lower()}, follow_redirects=True)
    assert "The sheet of 4 codes for Day unit is void" in text_of(done)
    assert count(SingleUseCode) == 2  # the other sheet still works
    assert codes.codes_made(coded) == {members.day.id: 2}
    [event] = audit("codes voided")
    assert event.detail == f"team:{members.day.id}; batch:{batch.id}; 4 codes"
    refused = start(client, link_of(coded, members.day), printed_codes(html)[0])
    assert refused.page.status_code == 422 and REFUSED in refused.html
    person = start(client, link_of(coded, members.day), other[0])
    assert person.page.status_code == 200 and "Page 1 of" in person.html
    again = as_core.post(void, {"void_key": key.group(1)})
    assert again.status_code == 422 and "already void" in text_of(again)


# Answering with a code


def test_a_code_lets_one_person_answer_once(
    client: FlaskClient, coded: Wave, members: Members, core_user: User
) -> None:
    link = link_of(coded, members.day)
    [code] = make(coded, link, 1, core_user)
    welcome = client.get(f"/s/{link.token}").get_data(as_text=True)
    assert 'name="code"' in welcome and "not linked to your answers" in welcome
    person = start(client, link, code.lower().replace("-", " "))
    assert person.page.status_code == 200 and "Page 1 of" in person.html
    while 'value="finish"' not in person.html:
        person.press("next", always("3"))
    result = person.press("finish", always("3"))
    assert result.status_code == 200 and "Your result" in person.html
    assert stored() == 1
    assert count(SingleUseCode) == 0  # spent: the row is gone, the tally stays
    assert codes.codes_made(coded) == {members.day.id: 1}
    again = start(client, link, code)
    assert again.page.status_code == 422 and REFUSED in again.html


def test_unknown_spent_and_other_teams_codes_all_read_the_same(
    client: FlaskClient, coded: Wave, members: Members, core_user: User
) -> None:
    day, outreach = link_of(coded, members.day), link_of(coded, members.outreach)
    spent, live = make(coded, day, 2, core_user)
    [theirs] = make(coded, outreach, 1, core_user)
    record_response(day, answers_all(2), "nonce-1", days(0), code=spent)
    messages = set()
    for typed in (spent, theirs, "ACDEF-GHJKM", "nonsense", ""):
        page = start(client, day, typed).page
        assert page.status_code == 422
        messages.add(refusal(page.get_data(as_text=True)))
    assert len(messages) == 1
    assert start(client, day, live).page.status_code == 200


def test_a_spent_code_stores_nothing_and_keeps_the_answers_in_the_form(
    app: Flask, coded: Wave, members: Members, core_user: User
) -> None:
    link = link_of(coded, members.day)
    [code] = make(coded, link, 1, core_user)
    # Two phones with the same code: both pass the start check, as it is not yet spent.
    first, second = start(app.test_client(), link, code), start(app.test_client(), link, code)
    for person in (first, second):
        while 'value="finish"' not in person.html:
            person.press("next", always("4"))
    assert first.press("finish", always("4")).status_code == 200
    late = second.press("finish", always("4"))
    assert late.status_code == 422 and REFUSED in second.html
    assert 'name="q-stss.1" value="4"' in second.html  # the answers travel on, unsaved
    assert stored() == 1 and count(UsedForm) == 1


def test_the_spend_is_part_of_the_response_commit(
    coded: Wave, members: Members, core_user: User
) -> None:
    link = link_of(coded, members.day)
    [code] = make(coded, link, 1, core_user)
    with pytest.raises(CodeRejected):
        record_response(link, answers_all(3), "nonce-a", days(0))  # code mode needs a code
    with pytest.raises(CodeRejected):
        record_response(link, answers_all(3), "nonce-b", days(0), code="ACDEF-GHJKM")
    assert stored() == 0 and count(UsedForm) == 0
    record_response(link, answers_all(3), "nonce-c", days(0), code=code)
    assert stored() == 1 and count(UsedForm) == 1
    with pytest.raises(CodeRejected):
        record_response(link, answers_all(3), "nonce-d", days(0), code=code)
    assert stored() == 1 and count(UsedForm) == 1


def test_two_racing_spends_of_one_code_let_exactly_one_through(
    app: Flask, coded: Wave, members: Members, core_user: User
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs separate connections (PostgreSQL); SQLite here shares one")
    link = link_of(coded, members.day)
    [code] = make(coded, link, 1, core_user)
    db.session.commit()
    link_id, outcomes, ready = link.id, [], threading.Barrier(2)

    def phone() -> None:
        with app.app_context():  # its own session and connection
            own = db.session.get(SurveyLink, link_id)
            assert own is not None
            ready.wait()
            try:
                spend_code(own, code)
                time.sleep(0.2)  # hold the row while the other phone tries
                db.session.commit()
                outcomes.append("spent")
            except CodeRejected:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "spent"]


def test_nothing_in_the_schema_ties_a_code_to_a_response(app: Flask) -> None:
    columns = {column["name"] for column in inspect(db.engine).get_columns("single_use_code")}
    assert columns == {"wave_id", "code_hash", "team_id"}
    response_columns = {column["name"] for column in inspect(db.engine).get_columns("response")}
    assert not any("code" in name for name in response_columns)


def test_a_wave_without_codes_asks_for_none(
    client: FlaskClient, app: Flask, kek: bytes, members: Members, core_user: User
) -> None:
    plain = open_test_wave(kek, demo_version(app), [members.night], core_user)
    page = client.get(f"/s/{link_of(plain, members.night).token}").get_data(as_text=True)
    assert 'name="code"' not in page
