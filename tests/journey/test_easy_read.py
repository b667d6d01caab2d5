"""The easy-read version of a service-user survey: the person switches, without JavaScript.

The choice travels in the address (before Start) and then in the person's own sealed
cookie, like their answers; nothing readable reaches the server before Finish. Answers
given in one version are kept in the other. Reading ages are measured on what a phone
shows (the visible text of <main>), with the formula in survey/domain/readability.py.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask import Flask

from survey.domain.frameworks import Perspective
from survey.domain.readability import reading_age
from survey.extensions import db
from survey.models import SignpostResource, SurveyLink, User, Wave
from survey.services import perspectives, reviews
from survey.services.frameworks import framework_for
from tests.manage.conftest import Members
from tests.respond.driver import Chooser, Respondent
from tests.stored import stored_count

TODAY = date.today()
# Reading ages (years): the usual service-user words aim at 9 to 11, easy read at 9 or under,
# for every page as a whole and for each of its paragraphs (the framework's own texts are
# checked one by one in tests/domain/test_readability.py).
EASY_MAX_AGE = 9
USUAL_MAX_AGE = 11
SWITCH_TO_EASY = "Easy read: simpler words"
SWITCH_BACK = "Use the usual words"


def users() -> Perspective:
    return framework_for("roots").perspective("service_user")


def _open(members: Members, core_user: User, kek: bytes, *, easy_read: bool) -> Wave:
    db.session.add(
        SignpostResource(name="Samaritans", contact="Call 116 123", always=True, phone="116123")
    )
    db.session.commit()
    review = reviews.open_review(
        members.north, framework_key="roots", opened_on=TODAY, actor=core_user
    )
    return perspectives.open_perspective_survey(
        review,
        perspective="service_user",
        easy_read=easy_read,
        teams=review.organisation.teams,
        organisation_wide=True,
        opens_on=TODAY,
        closes_on=TODAY + timedelta(days=14),
        k=5,
        kek=kek,
        actor=core_user,
    )


@pytest.fixture
def offered(members: Members, core_user: User, kek: bytes) -> Wave:
    return _open(members, core_user, kek, easy_read=True)


# Each of these is read as a line of its own on the screen (a heading, a button, an answer).
_BLOCK_END = re.compile(r"</(?:h1|h2|h3|p|li|legend|label|button|summary|dt|dd|a)>|<br>", re.I)


def visible(html: str) -> str:
    """What a phone shows in <main>, as plain text: each heading, label or button a sentence
    of its own (as a reader meets it), hidden elements left out."""
    main = re.search(r"<main[^>]*>(.*)</main>", html, flags=re.S)
    assert main is not None
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", main.group(1), flags=re.S)
    text = re.sub(r"<button[^>]*\bhidden\b[^>]*>.*?</button>", " ", text, flags=re.S)
    lines = []
    for block in _BLOCK_END.sub("\n", text).split("\n"):
        line = " ".join(unescape(re.sub(r"<[^>]+>", " ", block)).split())
        if line:
            lines.append(line if line[-1] in ".?!:" else f"{line}.")
    return " ".join(lines)


def paragraphs(html: str) -> list[str]:
    """The survey's own prose on a page: each paragraph and list item of <main> of four
    words or more, support routes left out (names and numbers are not prose)."""
    main = re.search(r"<main[^>]*>(.*)</main>", html, flags=re.S)
    assert main is not None
    body = re.sub(r'<ul class="routes">.*?</ul>', " ", main.group(1), flags=re.S)
    found = []
    for match in re.finditer(r"<(p|li)\b[^>]*>(.*?)</\1>", body, flags=re.S):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())
        if len(text.split()) >= 4:
            found.append(text)
    return found


def hardest(html: str) -> tuple[float, str]:
    """The paragraph of a page with the highest reading age, and that age."""
    return max((reading_age(text), text) for text in paragraphs(html))


def _pick(rating: str) -> Chooser:
    """Choose `rating` for every question that offers it (the values come padded)."""
    return lambda _q, options: next((o for o in options if o.strip() == rating), "")


def test_the_person_switches_to_easy_read_before_starting(app: Flask, offered: Wave) -> None:
    token = offered.links[0].token
    usual = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert SWITCH_TO_EASY in usual and f'href="/s/{token}?words=easy"' in usual
    assert "How does this service feel to you?" in usual
    easy_page = app.test_client().get(f"/s/{token}?words=easy")
    easy = easy_page.get_data(as_text=True)
    assert users().easy_read["title"] in easy and users().easy_read["why"] in easy
    assert SWITCH_BACK in easy and "alliance" not in visible(easy)
    assert reading_age(visible(easy)) <= EASY_MAX_AGE, visible(easy)
    assert hardest(easy)[0] <= EASY_MAX_AGE, hardest(easy)
    assert reading_age(visible(usual)) <= USUAL_MAX_AGE
    assert hardest(usual)[0] <= USUAL_MAX_AGE, hardest(usual)
    # The respondent page budget (compressed, as a phone fetches it) holds for easy read too.
    phone = app.test_client().get(f"/s/{token}?words=easy", headers={"Accept-Encoding": "gzip"})
    assert phone.headers["Content-Encoding"] == "gzip" and len(phone.data) <= 14 * 1024
    assert len(re.findall(r'(?:href|src)="/static/', easy)) <= 2
    # Start carries the choice into the person's cookie: every page keeps to it.
    person = Respondent(app.test_client(), token)
    person.page = person.client.get(f"/s/{token}?words=easy")
    person.press("start")
    framework = framework_for("roots")
    asked = []
    while 'value="finish"' not in person.html:
        assert SWITCH_BACK in person.html
        text = visible(person.html)
        asked.append(text)
        assert reading_age(text) <= EASY_MAX_AGE, text
        person.press("next", _pick("green"))
    for domain in framework.domains:
        assert any(domain.easy_read["service_user"] in page for page in asked), domain.key
    shown = " ".join(asked)
    assert all(domain.prompts["service_user"] not in shown for domain in framework.domains)
    check = visible(person.html)
    assert framework.domain("safety").easy_read["service_user"] in check
    assert reading_age(check) <= EASY_MAX_AGE, check
    assert hardest(person.html)[0] <= EASY_MAX_AGE, hardest(person.html)
    assert stored_count() == 0  # nothing reaches the server before Finish
    person.press("finish")
    thanks = visible(person.html)
    assert users().easy_read["thanks"] in thanks and "Samaritans" in thanks
    assert reading_age(thanks) <= EASY_MAX_AGE, thanks
    assert hardest(person.html)[0] <= EASY_MAX_AGE, hardest(person.html)
    assert stored_count() == 1
    # Back to the usual words after Finish, by a plain link.
    usual_thanks = person.client.get(f"/s/{token}/result?words=usual").get_data(as_text=True)
    assert users().thanks in unescape(usual_thanks)


def test_switching_on_a_page_keeps_its_answers_and_stores_nothing(
    app: Flask, offered: Wave
) -> None:
    token = offered.links[0].token
    person = Respondent(app.test_client(), token)
    person.press("start")
    person.press("next", _pick("red"))  # page 1 answered
    # On page 2: choose an answer, then switch words instead of pressing Next.
    person.press("easy", _pick("amber"))
    assert person.posted.status_code == 303
    assert person.posted.headers["Location"].endswith(f"/s/{token}/page/2")
    language = framework_for("roots").domain("language")
    assert language.easy_read["service_user"] in person.html
    assert re.search(r'value="amber[^"]*" checked', person.html)  # the answer is kept
    assert stored_count() == 0
    cookie = person.client.get_cookie("lantern_answers", path=f"/s/{token}")
    assert cookie is not None and "amber" not in cookie.value  # sealed, never readable
    person.press("usual")
    assert language.prompts["service_user"] in person.html
    assert re.search(r'value="amber[^"]*" checked', person.html)
    # A refresh, or a page reached by address, keeps the last choice.
    person.press("easy")
    again = person.client.get(f"/s/{token}/page/1").get_data(as_text=True)
    assert framework_for("roots").domain("safety").easy_read["service_user"] in again
    assert re.search(r'value="red[^"]*" checked', again)


def test_a_survey_without_easy_read_offers_no_switch(
    app: Flask, members: Members, core_user: User, kek: bytes
) -> None:
    wave = _open(members, core_user, kek, easy_read=False)
    token = wave.links[0].token
    client = app.test_client()
    for address in (f"/s/{token}", f"/s/{token}?words=easy"):
        html = client.get(address).get_data(as_text=True)
        assert SWITCH_TO_EASY not in html and "How does this service feel to you?" in html
    person = Respondent(client, token)
    person.press("start")
    person.press("easy")  # a hand-made post: the same page, in the only words there are
    assert SWITCH_TO_EASY not in person.html and SWITCH_BACK not in person.html
    assert framework_for("roots").domain("safety").prompts["service_user"] in person.html


def test_a_screening_survey_ignores_the_switch(app: Flask, link: SurveyLink) -> None:
    person = Respondent(app.test_client(), link.token)
    person.press("start")
    first = person.html
    person.press("easy")
    assert person.page.status_code == 200 and SWITCH_BACK not in person.html
    assert visible(person.html) == visible(first)
