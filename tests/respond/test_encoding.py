"""Answers that are not UTF-8 are refused with a clear page, never stored as U+FFFD."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask

from survey.form_encoding import UNREADABLE_TITLE
from survey.models import Wave
from tests.formtools import only_form
from tests.respond.driver import Respondent, always
from tests.security.keyfixtures import live_token
from tests.stored import stored_count


def finish_body(app: Flask, free_text: bytes) -> tuple[Respondent, bytes]:
    """A Finish post (every page answered) whose free-text answer is these raw bytes."""
    person = Respondent(app.test_client(), live_token())
    person.press("start")
    while 'value="finish"' not in person.html:
        person.press("next", always("3"))
    fields = dict(only_form(person.html).fields)
    fields["action"] = "finish"
    fields.pop("q-anything_else", None)
    return person, urlencode(fields).encode("ascii") + b"&q-anything_else=" + free_text


def post_raw(person: Respondent, body: bytes) -> tuple[int, str]:
    result = person.client.post(
        f"/s/{person.token}", data=body, content_type="application/x-www-form-urlencoded"
    )
    return result.status_code, result.get_data(as_text=True)


def test_latin1_bytes_in_a_typed_answer_are_refused_and_nothing_is_stored(
    app: Flask, demo_wave: Wave
) -> None:
    person, body = finish_body(app, b"caf%E9")  # "café" in Latin-1: not UTF-8
    status, page = post_raw(person, body)
    assert status == 400 and UNREADABLE_TITLE in page
    assert stored_count() == 0


def test_raw_invalid_bytes_are_refused_too(app: Flask, demo_wave: Wave) -> None:
    person, body = finish_body(app, b"\xff\xfe")
    assert post_raw(person, body)[0] == 400
    assert stored_count() == 0


def test_valid_utf8_is_kept(app: Flask, demo_wave: Wave) -> None:
    person, body = finish_body(app, b"caf%C3%A9")
    status, _ = post_raw(person, body)
    assert status == 200 and stored_count() == 1


def test_invalid_utf8_in_a_multipart_post_is_refused(app: Flask, demo_wave: Wave) -> None:
    person = Respondent(app.test_client(), live_token())
    fields = dict(only_form(person.html).fields) | {"action": "start"}
    parts = [(name.encode(), value.encode()) for name, value in fields.items()]
    parts.append((b"q-anything_else", b"caf\xe9"))
    body = b"".join(
        b'--xx\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in parts
    )
    result = person.client.post(
        f"/s/{person.token}",
        data=body + b"--xx--\r\n",
        content_type="multipart/form-data; boundary=xx",
    )
    assert result.status_code == 400 and UNREADABLE_TITLE in result.get_data(as_text=True)
