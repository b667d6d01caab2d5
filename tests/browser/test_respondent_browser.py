"""The respondent journey in a real browser: phone taps (JavaScript on and off), keyboard only."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.live import LAPTOP, PHONE, Browsing, LiveSite
from tests.browser.tour import CHECK, FINISH, PAGES, TOUR, answer, checked, option, tour, visit

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# Where the focused element is, and how it is drawn; used after every key press.
FOCUS = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {tag: el.tagName, type: el.type || "", name: el.name || "", value: el.value ?? "",
          checked: !!el.checked, text: (el.innerText || "").trim(), id: el.id,
          inMain: !!el.closest("main"), outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
          boxShadow: s.boxShadow, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          width: r.width, height: r.height, viewWidth: innerWidth, viewHeight: innerHeight};
}"""


def tap_button(page: Page, name: str) -> None:
    """Tap a form button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name, exact=True).tap()
    response = navigation.value
    assert response is not None and response.status == 200, (name, response)


def progress(page: Page) -> str:
    """The progress label of a question page."""
    return page.inner_text("#progress-label")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_phone_journey_with_taps(browsing: Browsing, site: LiveSite, javascript: bool) -> None:
    page = browsing.page(**PHONE, java_script_enabled=javascript)
    visit(page, site.survey_url, 200)
    promise = page.inner_text("main")
    assert "Before you start" in promise  # the content note
    assert f"at least {site.k} people" in promise
    assert "We keep no copy of it" in promise
    tap_button(page, "Start")

    # Page 1 holds items 1-5: skip 1, 2 and 4 (one in each subscale), answer 3 and 5.
    assert progress(page) == f"Page 1 of {PAGES}"
    for item in (3, 5):
        page.locator(option(f"stss.{item}", "2")).tap()
    page_one = {"stss.3": "2", "stss.5": "2"}  # nothing is chosen for a question not tapped
    assert checked(page) == page_one
    tap_button(page, "Next")
    for item in range(6, 12):
        page.locator(option(f"stss.{item}", "2")).tap()
    page_two = checked(page)
    assert page_two == {f"stss.{n}": "2" for n in range(6, 12)}

    # Back keeps what was chosen on both pages.
    tap_button(page, "Back")
    assert progress(page) == f"Page 1 of {PAGES}"
    assert checked(page) == page_one
    tap_button(page, "Next")
    assert checked(page) == page_two
    tap_button(page, "Next")
    for item in range(12, 18):
        page.locator(option(f"stss.{item}", "2")).tap()
    tap_button(page, "Next")
    assert progress(page) == f"Page {PAGES} of {PAGES}"
    page.locator(option("role_group", "prefer_not_to_say")).tap()  # years in role: skipped
    tap_button(page, CHECK)
    assert "You left 5 questions blank" in page.inner_text("main")  # with the free text
    tap_button(page, FINISH)

    result = page.inner_text("main")
    # One item skipped per subscale, every other answer 2: each subscale is prorated to
    # 2 x its item count, so the total is 2 x 17 = 34, in the Mild band (28-37).
    assert "some signs of secondary traumatic stress" in result
    assert "call this range “mild”" in result
    assert "not a diagnosis" in result
    assert "Samaritans" in result  # a 24/7 route
    assert "Support from your organisation" in result
    # Subscale detail only when asked for.
    table = page.locator("details table").first
    assert not table.is_visible()
    page.locator("details summary").first.tap()
    assert table.is_visible()

    history_before = page.evaluate("history.length")
    page.locator("#quick-exit").tap()
    page.wait_for_url(site.quick_exit_url)  # through Lantern's own leave page
    assert page.inner_text("h1") == "Weather stub"
    # With JavaScript the exit replaces the page in history, so Back cannot return to it.
    expected_history = history_before if javascript else history_before + 1
    assert page.evaluate("history.length") == expected_history
    # And whichever way it left, Back finds nothing of the answers or the result.
    page.go_back()
    assert "Your answers" not in page.inner_text("main")
    assert checked(page) == {}

    assert site.stored_count() == 1
    answers: dict[str, int | str] = {f"stss.{n}": 2 for n in (3, 5, *range(6, 18))}
    answers["role_group"] = "prefer_not_to_say"
    assert site.stored_answers() == [answers]
    assert browsing.foreign == []


def focus_after(page: Page, key: str) -> dict[str, Any]:
    """Press a key and describe the focused element, which must show a visible focus."""
    page.keyboard.press(key)
    focus: dict[str, Any] = page.evaluate(FOCUS)
    assert focus["tag"] != "BODY", f"focus lost after {key}"
    drawn = (focus["outlineStyle"] != "none" and focus["outlineWidth"] != "0px") or focus[
        "boxShadow"
    ] != "none"
    assert drawn, f"no visible focus indicator on {focus}"
    assert focus["width"] > 0 and focus["height"] > 0, focus
    assert focus["bottom"] > 0 and focus["top"] < focus["viewHeight"], f"focus off screen: {focus}"
    assert focus["right"] > 0 and focus["left"] < focus["viewWidth"], f"focus off screen: {focus}"
    return focus


def tab_to(page: Page, label: str, *, field: str = "", limit: int = 40) -> dict[str, Any]:
    """Tab until a control (by its text, or by field name) has the focus."""
    for _ in range(limit):
        focus = focus_after(page, "Tab")
        if (field and focus["name"] == field) or (not field and focus["text"] == label):
            return focus
    raise AssertionError(f"{label or field} never took the focus in {limit} tabs")


def key_to_page(page: Page, key: str) -> None:
    """Press a key on the focused button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.status == 200, (key, response)


def choose_by_keys(page: Page, question_id: str, presses: int) -> str:
    """Tab to a question, move through its options with the arrow keys, confirm with Space."""
    # Nothing is chosen yet, so Tab lands on the group's first option; each arrow press
    # moves on one, so n presses less one select the n-th option.
    focus = tab_to(page, "", field=f"q-{question_id}")
    assert not focus["checked"]
    for _ in range(presses - 1):
        focus = focus_after(page, "ArrowDown")
    focus = focus_after(page, "Space")
    assert focus["checked"], focus
    assert checked(page)[question_id] == answer(focus["value"])
    return answer(focus["value"])


def test_keyboard_only_journey_with_visible_focus(browsing: Browsing, site: LiveSite) -> None:
    page = browsing.page(**LAPTOP)
    visit(page, site.survey_url, 200)
    skip = focus_after(page, "Tab")
    assert skip["text"] == "Skip to content"
    page.keyboard.press("Enter")
    first = focus_after(page, "Tab")  # the skip link moved us past the header
    assert first["inMain"]
    start = tab_to(page, "Start")
    assert start["inMain"]
    key_to_page(page, "Enter")

    # Item n gets 1 + n mod 5; item 1 is skipped (its subscale may miss one item).
    wanted = {f"stss.{n}": 1 + n % 5 for n in range(2, 18)}
    shown: dict[int, dict[str, str]] = {}
    for number in range(1, PAGES):
        names = [name.removeprefix("q-") for name in radio_groups(page)]
        for question_id in names:
            if question_id in wanted:
                # Scale options are valued 1-5 in order, so n presses choose the value n.
                value = choose_by_keys(page, question_id, wanted[question_id])
                assert value == str(wanted[question_id])
        shown[number] = checked(page)
        if number == 2:
            tab_to(page, "Back")
            key_to_page(page, "Space")
            assert progress(page) == f"Page 1 of {PAGES}"
            assert checked(page) == shown[1]
            tab_to(page, "Next")
            key_to_page(page, "Enter")
            assert checked(page) == shown[2]
        tab_to(page, "Next")
        key_to_page(page, "Enter")

    assert progress(page) == f"Page {PAGES} of {PAGES}"
    role = choose_by_keys(page, "role_group", 2)
    assert role == "non_clinical"  # the second option
    tab_to(page, CHECK)
    key_to_page(page, "Enter")
    tab_to(page, FINISH)
    key_to_page(page, "Enter")

    assert "Your answers show" in page.inner_text("main")
    summary = tab_to(page, "Show the scores for each part")
    assert summary["tag"] == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("details").first.evaluate("d => d.open")
    # Quick exit from the keyboard: Shift three times.
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(site.quick_exit_url)

    answers: dict[str, int | str] = dict(wanted)
    answers["role_group"] = role
    assert site.stored_answers() == [answers]
    assert browsing.foreign == []


def radio_groups(page: Page) -> list[str]:
    """The names of the radio groups on the page, in order."""
    names: list[str] = page.evaluate(
        """() => [...new Set([...document.querySelectorAll('input[type=radio]')]
                   .map(r => r.name))]"""
    )
    return names


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_screenshots_of_every_page_at_phone_size(
    browsing: Browsing, site: LiveSite, screenshots: Path
) -> None:
    page = browsing.page(**PHONE)
    seen = []
    for name in tour(page, site):
        path = screenshots / f"phone-{name}.png"
        path.unlink(missing_ok=True)
        page.screenshot(path=path, full_page=True)
        width, height = png_size(path)
        # Device scale 3: 390 CSS px are 1170 image px; a full page is at least a screen tall.
        assert width == 390 * 3 and height >= 844 * 3, (name, width, height)
        seen.append(name)
    assert tuple(seen) == TOUR
    assert browsing.foreign == []


COLOURS = """() => [getComputedStyle(document.body).backgroundColor,
  getComputedStyle(document.getElementById("quick-exit")).backgroundColor]"""
STYLED = ["rgb(247, 246, 242)", "rgb(29, 36, 51)"]  # --bg, and --ink behind the exit


def test_the_inline_stylesheet_applies_under_the_csp_and_an_altered_one_is_refused(
    browsing: Browsing, site: LiveSite
) -> None:
    page = browsing.page(**PHONE)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    visit(page, site.survey_url, 200)
    assert page.evaluate(COLOURS) == STYLED
    assert not [text for text in refused if "Content Security Policy" in text]
    assert not [url for url in asked if url.endswith(".css")]  # the page paints on its own

    # The same page with one rule of its style changed, headers untouched: the hash in the
    # CSP no longer matches, so Chromium refuses the whole style element.
    def altered(route: Any) -> None:
        response = route.fetch()
        html = response.text().replace("background:var(--bg)", "background:#f00", 1)
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in ("content-encoding", "content-length")
        }
        route.fulfill(status=response.status, headers=headers, body=html)

    page.route(site.survey_url, altered)
    visit(page, site.survey_url, 200)
    assert page.evaluate(COLOURS) != STYLED
    assert "background:#f00" in page.content()
    assert [text for text in refused if "Content Security Policy" in text]
