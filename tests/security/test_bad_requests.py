"""Replayed forms, wrong methods and made-up links: a clear page each time, nothing stored."""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey.models import SurveyLink
from survey.respond import draft
from tests.security import cases
from tests.security.forms import assert_clear, is_result, open_form, row_counts

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


@SETTINGS
@given(
    answers=st.lists(
        st.tuples(
            st.sampled_from([f"q-stss.{n}" for n in range(1, 18)]),
            st.sampled_from(["1", "2", "3", "4", "5", "", "9"]),
        ),
        max_size=17,
    ),
    times=st.integers(1, 3),
)
def test_replayed_finish_never_stores_twice(
    unlimited: Flask, link: SurveyLink, answers: list[tuple[str, str]], times: int
) -> None:
    client = unlimited.test_client()
    final = open_form(client, link.token, 2)
    # The answers-so-far cookie as it was before Finish (spent nonce inside).
    path = f"/s/{link.token}"
    cookie = client.get_cookie(draft.COOKIE, path=path)
    assert cookie is not None
    before = row_counts()
    first = client.post(f"/s/{link.token}", data=dict(final, action="finish"))
    assert is_result(first)
    assert row_counts() == (before[0] + 1, before[1] + 1)
    for _ in range(times):
        # Back button, second tab or a script: the same finished form, with any answers.
        client.set_cookie(draft.COOKIE, cookie.value, path=path)
        again = client.post(
            f"/s/{link.token}", data=MultiDict([*final.items(), *answers, ("action", "finish")])
        )
        cases.tried("replayed form")
        assert_clear(again)
        assert again.status_code in (409, 422)
        assert row_counts() == (before[0] + 1, before[1] + 1)


@SETTINGS
@given(
    method=st.sampled_from(["PUT", "PATCH", "DELETE", "TRACE", "PROPFIND", "CONNECT"]),
    target=st.sampled_from(["link", "unknown", "root", "static"]),
)
def test_wrong_methods_get_405_or_404(
    unlimited: Flask, link: SurveyLink, method: str, target: str
) -> None:
    client = unlimited.test_client()
    form = open_form(client, link.token, 2)
    path = {
        "link": f"/s/{link.token}",
        "unknown": "/s/not-a-link",
        "root": "/",
        "static": "/static/lantern.css",
    }[target]
    before = row_counts()
    page = client.open(path, method=method, data=dict(form, action="finish"))
    cases.tried("wrong method")
    assert_clear(page)
    assert page.status_code in (404, 405)
    assert row_counts() == before


@SETTINGS
# A "/" changes the route (werkzeug merges doubled slashes with a redirect): not a token.
@given(
    token=any_text.filter(lambda s: s not in ("", ".", "..") and "/" not in s), post=st.booleans()
)
@example(token="\x00", post=False)  # PostgreSQL text cannot hold NUL: must not reach the query
@example(token="abc\x00def", post=True)
def test_made_up_links_look_like_unknown_ones(
    unlimited: Flask, link: SurveyLink, token: str, post: bool
) -> None:
    client = unlimited.test_client()
    path = "/s/" + quote(token, safe="")
    if post:
        unknown = client.post("/s/not-a-real-token", data={"action": "finish"})
        page = client.post(path, data={"action": "finish"})
    else:
        unknown = client.get("/s/not-a-real-token")
        page = client.get(path)
    cases.tried("made-up link")
    assert_clear(page)
    if token != link.token:
        # Whatever the made-up token, the answer is the one an unknown link gets.
        assert page.status_code == unknown.status_code == (400 if post else 404)
        assert page.get_data() == unknown.get_data()
