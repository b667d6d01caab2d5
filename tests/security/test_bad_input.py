"""Hostile and malformed posts to the respondent form.

Whatever arrives: never a 500, never a partial or extra response stored (rows are
counted before and after every post), and always a clear page. Every post here is
counted in `tests.security.cases` and the total is printed at the end of the run.
"""

from __future__ import annotations

import json
import random
from urllib.parse import urlencode

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey.models import SurveyLink
from survey.services.questionnaires import definition
from tests.security import cases
from tests.security.forms import (
    assert_clear,
    expected_answers,
    is_result,
    open_form,
    opened,
    response_ids,
    row_counts,
)

EXAMPLES = 250
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Size-limit cases are simple and costly (up to 1 MiB each): fewer of them say as much.
FEW = settings(HYPOTHESIS, max_examples=40)
QUESTION_IDS = [f"stss.{n}" for n in range(1, 18)] + ["role_group", "years_in_role"]
ACTIONS = ("start", "restart", "next", "back", "help", "finish")
MOVES = ("next", "back", "help", "finish")  # the actions that read the page's answers

# Text a form can carry: anything but lone surrogates, which no browser can encode.
any_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)
answer_values = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", ""]),  # what the form offers
    st.sampled_from(["clinical", "management", "under_2", "prefer_not_to_say"]),
    st.integers(-(10**30), 10**30).map(str),  # out of range, negative, huge
    st.sampled_from(["0", "6", " 3 ", "3.0", "+3", "03", "３", "٣", "1e1", "NaN", "CLINICAL"]),
    any_text,
    st.integers(300, 5000).map(lambda n: "x" * n),  # oversized single answer
)
answer_names = st.one_of(
    st.sampled_from([f"q-{qid}" for qid in QUESTION_IDS]),
    any_text.map(lambda s: "q-" + s),  # a question this survey does not have
)
answer_fields = st.lists(st.tuples(answer_names, answer_values), max_size=40)
CONTROL_NAMES = {"csrf_token", "form_key", "page", "action"}
unknown_fields = st.lists(
    st.tuples(
        any_text.filter(lambda s: s not in CONTROL_NAMES and not s.startswith("q-")), any_text
    ),
    max_size=8,
)
# How the control fields are tampered with; "keep" sends what the page gave.
csrf_mutations = st.sampled_from(["keep", "drop", "forged", "other-session", "empty", "doubled"])
key_mutations = st.sampled_from(["keep", "drop", "forged", "tampered", "other-link", "empty"])
page_values = st.one_of(
    st.just(None), st.integers(-(10**9), 10**9).map(str), any_text.filter(lambda s: s != "")
)
action_values = st.one_of(st.sampled_from(ACTIONS), any_text)


def _control_fields(
    fields: dict[str, str],
    csrf: str,
    key: str,
    other: dict[str, str],
) -> list[tuple[str, str]]:
    """The page's own csrf_token and form_key, tampered with as asked."""
    out: list[tuple[str, str]] = []
    token = fields["csrf_token"]
    if csrf == "keep":
        out.append(("csrf_token", token))
    elif csrf == "forged":
        out.append(("csrf_token", "I" + token[1:] if token[0] != "I" else "J" + token[1:]))
    elif csrf == "other-session":
        out.append(("csrf_token", other["csrf_token"]))
    elif csrf == "empty":
        out.append(("csrf_token", ""))
    elif csrf == "doubled":  # a bad copy first: the server reads the first one
        out += [("csrf_token", "bad"), ("csrf_token", token)]
    # Only the welcome page has a form key (the one-time nonce of a new pass).
    form_key = fields.get("form_key", other["form_key"])
    middle = len(form_key) // 3  # inside the signed payload, never a padding-only character
    if key == "keep":
        if "form_key" in fields:
            out.append(("form_key", form_key))
    elif key == "forged":
        out.append(("form_key", "eyJsIjoxLCJuIjoiZm9yZ2VkIn0.forged.signature"))
    elif key == "tampered":
        swapped = "A" if form_key[middle] != "A" else "B"
        out.append(("form_key", form_key[:middle] + swapped + form_key[middle + 1 :]))
    elif key == "other-link":
        out.append(("form_key", other["form_key"]))
    elif key == "empty":
        out.append(("form_key", ""))
    return out


@HYPOTHESIS
@given(
    stage=st.sampled_from([0, 1, 2]),
    csrf=csrf_mutations,
    key=key_mutations,
    page=page_values,
    action=action_values,
    answers=answer_fields,
    extra=unknown_fields,
    seed=st.integers(0, 2**32),
)
def test_tampered_forms_store_all_or_nothing(  # noqa: PLR0917  (hypothesis fills these)
    unlimited: Flask,
    link: SurveyLink,
    kek: bytes,
    stage: int,
    csrf: str,
    key: str,
    page: str | None,
    action: str,
    answers: list[tuple[str, str]],
    extra: list[tuple[str, str]],
    seed: int,
) -> None:
    q = definition(link.wave.questionnaire_version)
    other_link = next(item for item in link.wave.links if item.id != link.id)
    client = unlimited.test_client()
    fields = open_form(client, link.token, stage)
    # Another person's form, on another team's link (its own session, its own form key).
    other = open_form(unlimited.test_client(), other_link.token, 0)

    posted = _control_fields(fields, csrf, key, other)
    posted.append(("page", fields["page"] if page is None else page))
    posted.append(("action", action))
    posted += [(name, value) for name, value in fields.items() if name.startswith("q-")]
    posted += answers + extra
    # Browsers and scripts send fields in any order (a seeded shuffle, not a secret).
    random.Random(seed).shuffle(posted)  # noqa: S311

    before_counts, before_ids = row_counts(), response_ids()
    result = client.post(f"/s/{link.token}", data=MultiDict(posted))
    cases.tried("tampered form")
    assert_clear(result)

    after_counts = row_counts()
    if is_result(result):
        # One response and one spent nonce, holding exactly the valid answers sent.
        assert after_counts == (before_counts[0] + 1, before_counts[1] + 1)
        (new_id,) = response_ids() - before_ids
        assert opened(link, kek, new_id) == expected_answers(q, posted)
    else:
        assert after_counts == before_counts

    sent = MultiDict(posted)  # the server reads the first copy of a repeated field
    starting = sent.get("action") in ("start", "restart")
    if sent.get("csrf_token") != fields["csrf_token"] or (
        starting and sent.get("form_key") != fields.get("form_key", "no valid key")
    ):
        assert result.status_code == 400
    elif csrf == "keep" and page is None and action in MOVES and stage > 0:
        if expected_answers(q, posted) is None:
            assert result.status_code == 422  # the form again, with the bad answer named
        else:
            assert result.status_code == 303  # saved on the device; on to the next page


ODD_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/json",
    "text/plain",
    "multipart/form-data",  # no boundary
    "multipart/form-data; boundary=zzz",
    "application/octet-stream",
    "",
]


def _encode(fields: list[tuple[str, str]], how: str, cut: int) -> bytes:
    """The fields as urlencoded text, re-encoded or damaged in one of several ways."""
    text = urlencode(fields)
    # Damage goes first: every question is carried in the form, and the first value wins.
    if how == "latin-1":
        return b"q-stss.1=\xe9&" + urlencode(fields, encoding="latin-1", errors="replace").encode(
            "latin-1"
        )
    if how == "truncated":
        return text.encode()[: max(cut, 0)]
    if how == "bad-percent":
        return ("q-stss.2=%ff%fe&%zz=%&" + text).encode()
    if how == "nul":
        return ("q-stss.3=3%00&" + text).encode()
    if how == "json":
        return json.dumps(dict(fields)).encode()
    return text.encode()


@HYPOTHESIS
@given(
    ctype=st.sampled_from(ODD_TYPES),
    how=st.sampled_from(["plain", "latin-1", "truncated", "bad-percent", "nul", "json"]),
    cut=st.integers(0, 400),
    encoding_header=st.sampled_from([None, "gzip", "br", "identity"]),
)
def test_odd_encodings_store_all_or_nothing(  # noqa: PLR0917  (hypothesis fills these)
    unlimited: Flask,
    link: SurveyLink,
    kek: bytes,
    ctype: str,
    how: str,
    cut: int,
    encoding_header: str | None,
) -> None:
    q = definition(link.wave.questionnaire_version)
    client = unlimited.test_client()
    fields = open_form(client, link.token, 1)  # page 1 (questions 1 to 5), then Finish
    posted = [*fields.items(), ("q-stss.4", "4"), ("action", "finish")]
    body = _encode(posted, how, cut)
    headers = {"Content-Encoding": encoding_header} if encoding_header else {}
    before = row_counts()
    result = client.post(f"/s/{link.token}", data=body, content_type=ctype, headers=headers)
    cases.tried("odd encoding")
    assert_clear(result)
    if is_result(result):
        # Only an intact urlencoded body of valid answers may be stored, and then exactly once.
        assert ctype.startswith("application/x-www-form-urlencoded")
        assert how in ("plain", "truncated")
        assert row_counts() == (before[0] + 1, before[1] + 1)
        assert expected_answers(q, posted) is not None
    else:
        assert row_counts() == before


@FEW
@given(size=st.integers(64 * 1024 + 1, 1024 * 1024), many=st.booleans())
def test_oversized_posts_are_refused_with_413(
    unlimited: Flask, link: SurveyLink, size: int, many: bool
) -> None:
    client = unlimited.test_client()
    fields = open_form(client, link.token, 2)
    # Either a huge number of small fields, or one huge answer.
    many_small = "&".join(f"f{i}=1" for i in range(size // 6))
    filler = many_small if many else "q-stss.1=" + "9" * size
    body = "&".join(f"{k}={v}" for k, v in fields.items()) + "&action=finish&" + filler
    before = row_counts()
    result = client.post(
        f"/s/{link.token}", data=body, content_type="application/x-www-form-urlencoded"
    )
    cases.tried("oversized body")
    assert result.status_code == 413
    assert_clear(result)
    assert row_counts() == before


@FEW
@given(fields=st.integers(100, 6000))
def test_huge_numbers_of_small_fields_under_the_size_limit(
    unlimited: Flask, link: SurveyLink, fields: int
) -> None:
    client = unlimited.test_client()
    form = open_form(client, link.token, 2)
    posted = [*form.items(), ("action", "finish")] + [(f"x{i}", "") for i in range(fields)]
    before = row_counts()
    result = client.post(f"/s/{link.token}", data=MultiDict(posted))
    cases.tried("many fields")
    assert_clear(result)
    # Unknown non-answer fields are ignored; the answers themselves are all valid (none given).
    if is_result(result):
        assert row_counts() == (before[0] + 1, before[1] + 1)
    else:
        assert result.status_code in (400, 413)
        assert row_counts() == before
