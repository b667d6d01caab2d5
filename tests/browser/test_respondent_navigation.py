"""What people really do on phones: Back, Forward, refresh, exit, interruptions, a busy link."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.live import PHONE, Browsing, LiveSite
from tests.browser.tour import CHECK, FINISH, PAGES, answer_all, checked, option, submit, visit

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])


def start(page: Page, site: LiveSite) -> None:
    """Open the link and press Start."""
    visit(page, site.survey_url, 200)
    submit(page, "Start")


def shown(page: Page) -> tuple[str, dict[str, str]]:
    """The page's heading and every chosen answer on it."""
    return page.inner_text("h1"), checked(page)


def reload_ok(page: Page) -> None:
    """Refresh: an ordinary GET, never "Confirm Form Resubmission"."""
    response = page.reload()
    assert response is not None and response.status == 200, response
    assert response.request.method == "GET"


@JS
def test_back_forward_and_refresh_at_every_step_and_after_finish(
    browsing: Browsing, site: LiveSite, javascript: bool
) -> None:
    page = browsing.page(**PHONE, java_script_enabled=javascript)
    start(page, site)
    states = []
    for number in range(1, PAGES + 1):
        answer_all(page, str(1 + number % 5))
        if number == PAGES:
            page.locator(option("role_group", "clinical")).click()
        before = shown(page)
        submit(page, "Next" if number < PAGES else CHECK)
        # The page just left, and the one now shown, survive Back, Forward and refresh.
        page.go_back()
        assert shown(page) == before, number
        reload_ok(page)
        assert shown(page) == before, number
        page.go_forward()
        reload_ok(page)
        states.append(before)
    assert "Check your answers" in page.inner_text("h1")
    assert site.stored_count() == 0  # nothing on the server before Finish
    # The exit is within reach at the bottom of the longest page too (it is sticky).
    page.go_back()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["viewport"]["height"], box
    page.go_forward()

    submit(page, FINISH)
    result = page.inner_text("main")
    assert "Your answers are saved" in result
    reload_ok(page)
    assert page.inner_text("main") == result  # the same result, not "expired"
    # Back through every page: each says truthfully that the answers are saved.
    for _ in range(PAGES + 1):
        page.go_back()
        html = page.content()
        assert "Your answers are saved" in page.inner_text("h1"), page.url
        assert "expired" not in html and FINISH not in html and 'value="next"' not in html
        reload_ok(page)
    page.go_forward()
    assert site.stored_count() == 1
    assert browsing.foreign == []


@JS
def test_after_an_exit_back_shows_no_answer_on_any_page(
    browsing: Browsing, site: LiveSite, javascript: bool
) -> None:
    page = browsing.page(**PHONE, java_script_enabled=javascript)
    start(page, site)
    for _ in range(2):
        answer_all(page, "4")
        submit(page, "Next")
    answer_all(page, "4")  # page 3, chosen but not yet sent
    page.locator("#quick-exit").click()
    page.wait_for_url(site.quick_exit_url)
    seen = []
    for _ in range(4):  # back through everything the history still holds
        page.go_back()
        if site.base_url not in page.url:
            break
        seen.append(page.url)
        assert checked(page) == {}, page.url
        assert "unfinished answers" not in page.inner_text("main")
    assert seen  # Back did land on the survey's pages, and they were empty
    assert site.stored_count() == 0


def test_the_shift_shortcut_never_fires_while_typing(browsing: Browsing, site: LiveSite) -> None:
    page = browsing.page(**PHONE)
    start(page, site)
    for _ in range(PAGES - 1):
        submit(page, "Next")
    box = page.locator("textarea")
    box.click()
    box.type("Some DAYS are HARD")  # capitals: Shift pressed many times in a second
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert site.survey_url in page.url and box.input_value() == "Some DAYS are HARD"
    # Outside a text field the shortcut still leaves.
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(site.quick_exit_url)


def test_resume_after_the_tab_was_closed(browsing: Browsing, site: LiveSite) -> None:
    page = browsing.page(**PHONE)
    start(page, site)
    answer_all(page, "3")
    submit(page, "Next")
    answer_all(page, "2")
    submit(page, "Next")  # now on page 3
    context = page.context
    page.close()
    again = context.new_page()
    visit(again, site.survey_url, 200)
    welcome = again.inner_text("main")
    assert "You have unfinished answers on this device" in welcome
    assert "30 minutes" in welcome
    submit(again, "Carry on")
    assert again.inner_text("#progress-label") == f"Page 3 of {PAGES}"
    submit(again, "Back")
    assert set(checked(again).values()) == {"2"} and len(checked(again)) == 6


def test_skipped_high_answers_lead_with_support(browsing: Browsing, site: LiveSite) -> None:
    page = browsing.page(**PHONE)
    start(page, site)
    for number in range(1, PAGES + 1):
        answer_all(page, "5")
        if number == 1:  # items 2 and 3 (both Intrusion) left blank
            for item in (2, 3):
                page.locator(f'input[name="q-stss.{item}"][value^="-"]').check()
        submit(page, "Next" if number < PAGES else CHECK)
    assert "You left 5 questions blank" in page.inner_text("main")
    submit(page, FINISH)
    main = page.inner_text("main")
    assert "cannot work out a result" not in main
    summary = main.index("Even counting every blank one at its lowest")
    assert summary < main.index("Some next steps") < main.index("Support from your organisation")
    assert main.index("Support from your organisation") < main.index("talk to someone now")


def test_a_busy_link_loses_nothing(browsing: Browsing, site: LiveSite) -> None:
    site.app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "3 per hour"
    page = browsing.page(**PHONE)
    start(page, site)  # post 1
    answer_all(page, "4")
    submit(page, "Next")  # post 2
    answer_all(page, "4")
    submit(page, "Next")  # post 3
    answer_all(page, "3")
    before = checked(page)
    submit(page, "Next", status=429)
    assert "Lots of people are answering right now" in page.inner_text("main")
    assert page.inner_text("#progress-label") == f"Page 3 of {PAGES}"
    assert checked(page) == before  # the same page, every answer still chosen
    site.app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "120 per minute"
    submit(page, "Next")
    assert page.inner_text("#progress-label") == f"Page 4 of {PAGES}"
    submit(page, "Back")
    assert checked(page) == before
