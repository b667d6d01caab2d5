"""A post stuffed with thousands of fields costs no more than reading them once.

Once, `_submitted_answers` dropped one bad field per pass and `parse_answers` rebuilt
its list of unknown fields every pass: about 7,800 `q-N` fields (61 KB) took 4 s of
CPU. Now a post with more fields than the page could hold is refused before any is
parsed, and answers are parsed in one pass. The checks count work, and compare a
stuffed post with a small one in the same run, rather than trusting a wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from survey.domain.questionnaire import load_questionnaire_file
from survey.domain.questionnaire_model import Questionnaire
from survey.models import SurveyLink
from survey.respond.views import CONTROL_FIELDS
from tests.formtools import only_form
from tests.respond.driver import Respondent
from tests.stored import stored_count

DEMO = load_questionnaire_file(Path(__file__).parents[2] / "questionnaires" / "demo-sts.yaml")


def _fastest(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many fields each call of `parse_known` was given."""
    seen: list[int] = []
    original = Questionnaire.parse_known

    def counted(self: Questionnaire, raw: dict[str, str]) -> object:
        seen.append(len(raw))
        return original(self, raw)

    monkeypatch.setattr(Questionnaire, "parse_known", counted)
    return seen


def test_a_stuffed_post_is_refused_before_parsing_and_costs_like_a_small_one(
    client: FlaskClient, link: SurveyLink, parses: list[int]
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    fields = dict(only_form(person.html).fields)
    small = urlencode({**fields, "action": "next"})
    stuffed = small + "&" + "&".join(f"q-{n}=" for n in range(7_800))
    assert 60_000 < len(stuffed) < 64 * 1024  # the attack's size, under the body limit

    def post(body: str) -> int:
        page = client.post(
            f"/s/{link.token}", data=body, content_type="application/x-www-form-urlencoded"
        )
        return page.status_code

    assert post(stuffed) == 413
    assert not any(parses)  # refused before a single answer was read
    assert "more than we can accept" in client.post(
        f"/s/{link.token}", data=stuffed, content_type="application/x-www-form-urlencoded"
    ).get_data(as_text=True)
    # Within one run: reading 7,800 fields once costs tens of small posts (about 28 ms
    # here, against 2 ms), not the thousands the quadratic loop cost (4 s).
    slow, quick = _fastest(lambda: post(stuffed)), _fastest(lambda: post(small))
    assert slow < 50 * quick, (slow, quick)
    assert stored_count() == 0


def test_the_largest_post_a_page_accepts_is_parsed_once(
    client: FlaskClient, link: SurveyLink, parses: list[int]
) -> None:
    person = Respondent(client, link.token)
    person.press("start")
    fields = dict(only_form(person.html).fields)
    # As many fields as the cap allows, every one a bad answer to a question on this page
    # or no question at all: the old loop would have re-parsed once per bad field.
    cap = len(DEMO.question_ids()) + CONTROL_FIELDS
    extra = cap - len(fields) - 1
    bad = [(f"q-stss.{1 + n % 5}", "9") for n in range(extra)]
    body = urlencode([*fields.items(), ("action", "next"), *bad])
    page = client.post(
        f"/s/{link.token}", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 422
    # One pass over the page's five questions (the first value of each); the other calls
    # read the (still empty) answers back from the cookie.
    assert [n for n in parses if n] == [5]


def test_parse_known_is_one_pass_over_the_fields() -> None:
    many = {f"x{n}": "1" for n in range(7_800)} | {"stss.1": "9", "stss.2": "3"}
    answers, errors = DEMO.parse_known(many)
    assert answers == {"stss.2": 3}
    assert len(errors) == 7_801  # each bad field reported once, in one pass
    # One call, one error per bad field: the old loop re-parsed everything once per
    # bad field (7,800 passes), which the view test above rules out by counting calls.
