"""A respondent page's length on the wire tells neither band, nor skip pattern, nor answers."""

from __future__ import annotations

import gzip
import random
import zlib
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.models import SurveyLink
from survey.padding import GZIP_SIZE, PLAIN_SIZE, gzip_padded, plain_padded
from survey.respond import draft
from tests.formtools import only_form

PHONE = "gzip, deflate, br"  # what a phone's browser sends
SKIP = "-"  # the value a skipped choice sends (survey.question_pages.SKIP)
ENCODINGS = (PHONE, None)
SUBSCALES = {  # STSS items by subscale, to skip one of each (prorated) or too many
    "intrusion": (2, 3, 6, 10, 13),
    "avoidance": (1, 5, 7, 9, 12, 14, 17),
    "arousal": (4, 8, 11, 15, 16),
}
LONG_TEXT = ('She said "it\'s fine" & <left> ' * 20)[:500]  # escapes grow it in HTML
# The hardest text to compress: 500 characters drawn at random from outside the BMP
# (4 bytes each in UTF-8). Fixed seed, so the test is the same on every run.
_DRAW = random.Random(5).choices(range(0x1F300, 0x2FFFF), k=500)  # noqa: S311
HOSTILE_TEXT = "".join(chr(c) for c in _DRAW)


@dataclass(frozen=True)
class Pattern:
    """One person's answers: item number to value (absent = skipped), and context."""

    name: str
    items: dict[int, int]
    context: dict[str, str]
    band: str  # words the result page must show, so every band is covered


def _all(value: int) -> dict[int, int]:
    return {n: value for n in range(1, 18)}


def _total(total: int) -> dict[int, int]:
    """Whole-number answers 1-5 over 17 items that add up to `total`."""
    base, extra = divmod(total, 17)
    return {n: base + (1 if n <= extra else 0) for n in range(1, 18)}


NO_CONTEXT: dict[str, str] = {}
FULL_CONTEXT = {"role_group": "prefer_not_to_say", "years_in_role": "2_to_5"}
PATTERNS = [
    Pattern("lowest band", _all(1), NO_CONTEXT, "Little or no"),
    Pattern("mild", _total(34), {"role_group": "clinical"}, "Mild"),
    Pattern("moderate", _total(40), FULL_CONTEXT, "Moderate"),
    Pattern("high", _total(46), NO_CONTEXT, "High"),
    Pattern("severe", _all(5), FULL_CONTEXT | {"anything_else": LONG_TEXT}, "Severe"),
    # One item skipped in each subscale: prorated, still the lowest band.
    Pattern(
        "one skipped per part",
        {n: 1 for n in range(1, 18) if n not in (2, 1, 4)},
        NO_CONTEXT,
        "Little or no",
    ),
    Pattern("moderate, hostile text", _total(41), {"anything_else": HOSTILE_TEXT}, "Moderate"),
    Pattern("every other skipped", {n: 5 for n in range(1, 18, 2)}, NO_CONTEXT, "not"),
    Pattern("all skipped", {}, {"years_in_role": "under_2"}, "not"),
]


def _decoded(response: TestResponse) -> str:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


@dataclass(frozen=True)
class Seen:
    """One page as it crossed the wire."""

    step: str
    status: int
    body: int
    headers: int
    html: str


def _seen(step: str, response: TestResponse) -> Seen:
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items())
    return Seen(step, response.status_code, len(response.get_data()), headers, _decoded(response))


def _pick(options: list[str], wanted: str) -> str:
    """The radio a person taps: the option whose value is `wanted` (padding aside).

    A question left untouched is sent as the padded skip value, as the page's script
    does on submit (survey/static/exit.js); without JavaScript it is not sent at all.
    """
    for option in options:
        if option.strip() == wanted:
            return option
    assert wanted == SKIP, (options, wanted)
    return SKIP.ljust(len(options[0]))


def _journey(
    client: FlaskClient,
    token: str,
    pattern: Pattern,
    encoding: str | None,
    sent: dict[str, int] | None = None,
) -> list[Seen]:
    """Welcome, every page (answering as `pattern`), check, back, and Finish.

    Each post answers 303 (its headers carry the sealed cookie) and the page is then
    fetched, as a browser does; both are recorded.
    """
    headers = {"Accept-Encoding": encoding} if encoding else {}
    sent = {} if sent is None else sent
    client.get(f"/s/{token}/leave")  # the previous person on this device has gone
    seen = [_seen("welcome", client.get(f"/s/{token}", headers=headers))]

    def press(step: str, action: str) -> None:
        form = only_form(seen[-1].html)
        data = dict(form.fields)
        for name, options in form.radios.items():
            qid = name.removeprefix("q-")
            if qid.startswith("stss."):
                value = pattern.items.get(int(qid.split(".")[1]))
                wanted = SKIP if value is None else str(value)
            else:
                wanted = pattern.context.get(qid, SKIP)
            data[name] = _pick(options, wanted)
        for name in form.textareas:
            data[name] = pattern.context.get(name.removeprefix("q-"), "")
        data["action"] = action
        # What a browser sends: the fields in page order, form-encoded, and the cookie.
        cookie = client.get_cookie(draft.COOKIE, path=f"/s/{token}")
        sent[step] = len(urlencode(list(data.items()))) + len(cookie.value if cookie else "")
        posted = client.post(f"/s/{token}", data=data, headers=headers)
        seen.append(_seen(f"{step} (post)", posted))
        if posted.status_code == 303:
            seen.append(_seen(step, client.get(posted.headers["Location"], headers=headers)))

    press("page 1", "start")
    number = 1
    while "Check your answers</h1>" not in seen[-1].html:
        number += 1
        press(f"page {number}", "next")
    press(f"back to page {number - 1}", "back")  # the answers come back from the cookie
    press(f"page {number} again", "next")
    press("result", "finish")
    assert seen[-1].status == 200 and pattern.band in seen[-1].html, (pattern.name, seen[-1])
    return seen


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_page_has_one_length_whatever_the_band_and_skips(
    client: FlaskClient, link: SurveyLink, encoding: str | None
) -> None:
    journeys = {}
    for number, pattern in enumerate(PATTERNS, start=1):
        # Each pattern is another person, on a phone of their own (posts are limited per address).
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        journeys[pattern.name] = _journey(client, link.token, pattern, encoding)
    first = journeys[PATTERNS[0].name]
    size = GZIP_SIZE if encoding else PLAIN_SIZE
    for name, seen in journeys.items():
        assert [s.step for s in seen] == [s.step for s in first]
        typed = "anything_else" in next(p for p in PATTERNS if p.name == name).context
        for page, same_step in zip(seen, first, strict=True):
            # The body is byte for byte as long for everyone; so is every header, except
            # that the sealed cookie grows by whole blocks with free text (which the
            # phone sends as typed anyway, so its length says nothing new).
            assert page.body == same_step.body, (name, page.step)
            if not typed:
                assert page.headers == same_step.headers, (name, page.step)
            assert page.body == (0 if page.status == 303 else size), (name, page.step)
    # Every band and "not scored" was shown (each journey checks its own), so the pages
    # themselves differ: only their lengths do not.
    assert {p.band for p in PATTERNS} == {
        "Little or no",
        "Mild",
        "Moderate",
        "High",
        "Severe",
        "not",
    }
    assert len({seen[-1].html for seen in journeys.values()}) >= 6


def test_what_the_phone_sends_is_as_long_whatever_it_answered_or_skipped(
    client: FlaskClient, link: SurveyLink
) -> None:
    # A skipped radio once sent an empty value, a role its own length, and only answered
    # questions were carried: the length of each post showed the skips. Free text aside
    # (sent as typed), every post at the same step is now as long for everyone.
    sent: dict[str, dict[str, int]] = {}
    for number, pattern in enumerate(PATTERNS, start=1):
        if "anything_else" not in pattern.context:
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"  # another person
            sent[pattern.name] = {}
            _journey(client, link.token, pattern, PHONE, sent[pattern.name])
    lengths = list(sent.values())
    assert len(lengths) >= 6 and len(lengths[0]) == 8
    for name, steps in sent.items():
        assert steps == lengths[0], name


def test_gzip_is_sent_to_a_phone_and_plain_html_otherwise(
    client: FlaskClient, link: SurveyLink
) -> None:
    phone = client.get(f"/s/{link.token}", headers={"Accept-Encoding": PHONE})
    assert phone.headers["Content-Encoding"] == "gzip"
    assert phone.headers["Content-Length"] == str(GZIP_SIZE)
    assert "Accept-Encoding" in phone.headers["Vary"]
    assert "Before you start" in _decoded(phone)
    # Brotli only, or nothing: plain HTML, never brotli from Flask-Compress.
    for accept in ("br", "gzip;q=0, br", ""):
        plain = client.get(f"/s/{link.token}", headers={"Accept-Encoding": accept})
        assert "Content-Encoding" not in plain.headers, accept
        assert plain.headers["Content-Length"] == str(PLAIN_SIZE)
        assert plain.get_data(as_text=True).rstrip().endswith("</html>")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_error_pages_a_respondent_can_reach_are_padded_too(
    client: FlaskClient, link: SurveyLink, encoding: str | None
) -> None:
    headers = {"Accept-Encoding": encoding} if encoding else {}
    size = GZIP_SIZE if encoding else PLAIN_SIZE
    welcome = _decoded(client.get(f"/s/{link.token}", headers=headers))
    fields = dict(only_form(welcome).fields)

    def post(data: dict[str, str]) -> TestResponse:
        return client.post(f"/s/{link.token}", data=data, headers=headers)

    post(fields | {"action": "start"})
    path = f"/s/{link.token}"
    finish = {"csrf_token": fields["csrf_token"], "action": "finish", "page": "5"}
    cookie = client.get_cookie(draft.COOKIE, path=path)
    assert cookie is not None
    post(finish)
    answered = client.get(f"{path}/result", headers=headers)
    saved = client.get(f"{path}/page/1", headers=headers)
    # The phone lost the Finish answer, so it still has the old cookie and posts again.
    client.set_cookie(draft.COOKIE, cookie.value, path=path)
    replayed = post(finish)
    pages = {
        "not found": client.get("/s/not-a-real-token", headers=headers),
        "no link at all": client.get("/s/", headers=headers),
        "bad form key": post(fields | {"form_key": "forged", "action": "start"}),
        "no CSRF token": post({"action": "start"}),
        "result": answered,
        "saved": saved,
        "replayed": replayed,
    }
    expected = {
        "result": 200,
        "saved": 200,
        "replayed": 409,
        "bad form key": 400,
        "no CSRF token": 400,
    }
    for name, response in pages.items():
        assert response.status_code == expected.get(name, 404), name
        assert len(response.get_data()) == size, (name, len(response.get_data()))
    assert "We already have these answers" in _decoded(replayed)


def test_staff_pages_are_still_compressed_as_before(client: FlaskClient) -> None:
    page = client.get("/auth/sign-in", headers={"Accept-Encoding": "br"})
    assert page.headers["Content-Encoding"] == "br"


def test_padded_gzip_opens_with_any_decoder_and_has_the_exact_size() -> None:
    body = b"<!doctype html><p>" + "Résultat ".encode() * 50 + b"</p>"
    padded = gzip_padded(body, 1024)
    assert len(padded) == 1024
    # The page, then spaces after it (as the plain page has), from one ordinary deflate stream.
    for decoded in (
        gzip.decompress(padded),
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(padded),
    ):
        assert decoded.startswith(body) and decoded[len(body) :].strip(b" ") == b""
    # Too big for one size: the next multiple, still exact.
    big = random.Random(1).randbytes(5000)  # noqa: S311  (does not compress)
    grown = gzip_padded(big, 1024)
    assert len(grown) == 5 * 1024
    assert gzip.decompress(grown)[: len(big)] == big
    assert len(plain_padded(body, 512)) == 1024 and plain_padded(body, 512).startswith(body)


def test_the_padding_comes_after_the_page_so_a_slow_phone_can_paint_first() -> None:
    # Padding in the gzip header came before the page: a phone on a slow link received up
    # to 2 KB of spaces before the first byte it could show. Now the page's own bytes
    # come first: the first quarter of the padded stream already holds the whole page.
    body = b"<!doctype html><title>x</title><p>" + b"Take your time. " * 40 + b"</p>"
    padded = gzip_padded(body, 4096)
    early = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(padded[:1024])
    assert early.startswith(body), early[:80]
    assert padded[10:12] != b"  "  # no comment field of spaces after the header
