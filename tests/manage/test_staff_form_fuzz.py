"""Property-based fuzzing of the core team's forms: no 500, no partial write, a clear message.

Each form gets hostile values (NUL and other control characters, lone combining marks,
right-to-left overrides, huge and odd numbers, dates that do not exist, unknown ids), one
post per example, within a time bound. A refusal (400/422) must change no row anywhere;
a 422 names the problem on the form.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from tests.manage.conftest import Members, Staff
from tests.manage.test_signposting import typed as resource

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECONDS = 5.0  # generous for a loaded, shared machine; a blow-up takes far longer
REFUSED = {400, 404, 422}
DONE = {200, 303}

text = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.sampled_from(["\x00", "a\x00b", "\x1b[31m", "\u202e", "\u0301", " ", "x" * 5000]),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["2026-02-30", "0000-00-00", "9999-99-99", "-1", "1e9", "NaN", "０"]),
)


def snapshot() -> dict[str, int]:
    """How many rows every table holds."""
    db.session.expire_all()
    return {
        table.name: int(db.session.scalar(select(func.count()).select_from(table)) or 0)
        for table in db.metadata.sorted_tables
    }


def post_checked(staff: Staff, path: str, data: dict[str, object]) -> None:
    """One post: never a 500; refused means nothing written; within the time bound."""
    before = snapshot()
    started = time.perf_counter()
    result = staff.post(path, data)
    elapsed = time.perf_counter() - started
    assert result.status_code in REFUSED | DONE, (path, result.status_code)
    assert "Traceback" not in result.get_data(as_text=True)
    assert elapsed < SECONDS, f"{path} took {elapsed:.2f} s"
    if result.status_code in REFUSED:
        db.session.rollback()
        assert snapshot() == before, path  # no partial write
    if result.status_code == 422:
        assert 'class="error"' in result.get_data(as_text=True), path


def forms(members: Members) -> dict[str, Callable[[str, str], tuple[str, dict[str, object]]]]:
    """Each staff form with two fuzzed values put in its fields."""
    return {
        "organisation": lambda a, b: (
            "/manage/organisations/new",
            {"name": a, "sector": b, "joined_on": b, "pledge_status": a},
        ),
        "team": lambda a, b: (f"/manage/organisations/{members.north.id}/teams", {"name": a}),
        "rename": lambda a, b: (f"/manage/teams/{members.day.id}/rename", {"name": a}),
        "invite": lambda a, b: (
            "/manage/leads/invite",
            {"display_name": a, "email": b, "access": f"team:{members.day.id}"},
        ),
        "signpost": lambda a, b: (
            "/manage/signposting/new",
            resource(name=a, contact=b, phone=b, url=a, min_level=b, last_checked=b),
        ),
        "wave": lambda a, b: (
            "/manage/waves/new",
            {"name": a, "questionnaire": b, "teams": [b], "opens_on": b, "closes_on": a, "k": b},
        ),
    }


@FUZZ
@given(
    form=st.sampled_from(["organisation", "team", "rename", "invite", "signpost", "wave"]),
    a=text,
    b=text,
)
def test_every_staff_form_refuses_cleanly_or_saves_whole(
    as_core: Staff, members: Members, form: str, a: str, b: str
) -> None:
    path, data = forms(members)[form](a, b)
    post_checked(as_core, path, data)


@FUZZ
@given(source=text)
def test_the_questionnaire_edit_form_refuses_cleanly(
    app: Flask, as_core: Staff, source: str
) -> None:
    from tests.manage.test_waves import demo_version

    version = demo_version(app)
    post_checked(as_core, f"/manage/questionnaires/{version.id}/edit", {"source": source})
