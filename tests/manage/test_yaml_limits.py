"""YAML from people (uploads, edits, wording imports) is bounded before any value is built.

A small file can neither expand through aliases into a huge value or message, nor nest
deeply enough to exhaust the stack (issue 13 §3): each gives one short, clear refusal.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from survey.domain.questionnaire import QuestionnaireError, load_questionnaire
from survey.models import QuestionnaireVersion
from tests.manage.conftest import Staff, count, field_error, text_of
from tests.manage.test_questionnaires import import_wording, upload
from tests.manage.test_waves import demo_version


def alias_bomb(levels: int) -> str:
    """A flow list whose aliases expand to 10**levels strings (about 35 bytes per level)."""
    names = "abcdefghijklmnop"
    parts = ['&a ["x","x","x","x","x","x","x","x","x","x"]']
    for n in range(1, levels):
        parts.append(f"&{names[n]} [" + ",".join([f"*{names[n - 1]}"] * 10) + "]")
    return "[" + ", ".join(parts) + "]"


# 10**9 strings: built, it would need tens of gigabytes; shown with repr, a longer message.
BOMB = alias_bomb(9)
# 10**6 strings: small enough that the old code built it and quoted all 5 MB in its message.
MEDIUM_BOMB = alias_bomb(6)
DEEP = "[" * 1000 + "]" * 1000


def bounded(call: Callable[[], object], *, seconds: float = 2.0, megabytes: int = 20) -> None:
    """Run `call` and check it stayed within time and memory bounds."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < megabytes * 2**20, f"peaked at {peak / 2**20:.0f} MB"


def refusal(text: str) -> str:
    with pytest.raises(QuestionnaireError) as refused:
        bounded(lambda: load_questionnaire(text, "upload.yaml"))
    return str(refused.value)


@pytest.fixture
def demo(app: Flask) -> str:
    """The stored demo questionnaire's text."""
    return demo_version(app).source


@pytest.mark.parametrize("bomb", [BOMB, MEDIUM_BOMB], ids=["10^9", "10^6"])
def test_an_alias_bomb_in_a_real_field_is_refused_before_it_expands(demo: str, bomb: str) -> None:
    text = demo.replace("minutes: 4", f"minutes: {bomb}")
    assert text != demo and len(bomb) < 400
    message = refusal(text)
    assert "expands to more than" in message and "aliases" in message
    assert len(message) < 300


def test_too_many_aliases_are_refused(demo: str) -> None:
    many = "[&a x, " + ", ".join(["*a"] * 500) + "]"
    message = refusal(demo.replace("minutes: 4", f"minutes: {many}"))
    assert "too many YAML aliases" in message


def test_a_long_value_in_a_message_is_cut_and_says_so(demo: str) -> None:
    long = "9" * 10_000
    message = refusal(demo.replace("minutes: 4", f'minutes: "{long}"'))
    assert "(cut; 10000 characters)" in message and len(message) < 300
    huge_number = refusal(demo.replace("minutes: 4", f"minutes: {long}"))
    assert "a number too long" in huge_number and len(huge_number) < 300
    big = refusal(demo.replace("minutes: 4", f"minutes: {'9' * 4000}"))
    assert "got a number" in big and len(big) < 300  # read, but never printed whole
    bad_date = refusal(demo.replace("minutes: 4", "minutes: 2026-13-45"))
    assert "a date that does not exist" in bad_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [(DEEP, "nested too deeply"), ("&a [*a]", "not complete"), ("*nowhere", "not complete")],
    ids=["1000-brackets", "self-alias", "undefined-alias"],
)
def test_deep_nesting_and_looping_aliases_are_refused_not_a_crash(
    demo: str, value: str, expected: str
) -> None:
    assert expected in refusal(demo.replace("minutes: 4", f"minutes: {value}"))


def check_refused(result: TestResponse, field: str, expected: str) -> None:
    assert result.status_code == 422
    message = field_error(result, field)
    assert expected in message and len(message) < 400
    assert count(QuestionnaireVersion) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(BOMB, "expands to more than"), (DEEP, "nested too deeply")],
    ids=["alias-bomb", "deep"],
)
def test_upload_edit_and_wording_import_refuse_bombs_with_a_form_error(
    app: Flask, as_core: Staff, demo: str, value: str, expected: str
) -> None:
    version = demo_version(app)
    text = demo.replace("minutes: 4", f"minutes: {value}").replace("key: demo-sts", "key: other")
    check_refused(upload(as_core, text), "file", expected)
    edit = as_core.post(f"/manage/questionnaires/{version.id}/edit", {"source": text})
    check_refused(edit, "source", expected)
    wording = "".join(f"{n}: Wording {n}\n" for n in range(2, 18)) + f"1: {value}\n"
    check_refused(import_wording(as_core, version, wording, "w.yaml"), "file", expected)


def test_a_nul_in_an_uploaded_file_is_a_clear_error_not_a_crash(as_core: Staff, demo: str) -> None:
    # Found by the fuzzer: PyYAML's reader refused it before the parse's error handling.
    text = demo.replace("minutes: 4", "minutes: \x00").replace("key: demo-sts", "key: other")
    assert "unacceptable character #x0000" in refusal(text)
    result = upload(as_core, text)
    assert result.status_code == 422, text_of(result)[:800]
    check_refused(result, "file", "unacceptable character")
