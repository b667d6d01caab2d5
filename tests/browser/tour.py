"""Driving the respondent pages in a browser, and a tour that stops on every one of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tests.browser.live import LiveSite

if TYPE_CHECKING:
    from playwright.sync_api import Page

FINISH = "Finish and see my result"
CHECK = "Check your answers"  # the last question page's button
PAGES = 4  # the demo: 17 scale items in pages of 5, 6 and 6, then the context questions
# Every page a respondent can meet, in the order the tour reaches them.
TOUR = (
    "welcome",
    "question-1",
    "question-2",
    "question-3",
    "question-4",
    "validation-error",
    "check",
    "result-low",
    "saved",
    "help",
    "privacy",
    "result-high",
    "not-found",
    "closed",
)


def radio(question_id: str, value: str) -> str:
    """A selector for one answer's radio (values are padded with spaces to one length)."""
    name = f'input[name="q-{question_id}"]'
    return f'{name}[value="{value}"], {name}[value^="{value} "]'


def option(question_id: str, value: str) -> str:
    """A selector for the tappable row (label) of one answer."""
    return f"label.opt:has({radio(question_id, value)})"


def answer(value: str) -> str:
    """A radio's value as the survey reads it: padding stripped, "" when skipped ("-")."""
    value = value.strip()
    return "" if value == "-" else value


def checked(page: Page) -> dict[str, str]:
    """The chosen answer of every question on the page ("" when skipped)."""
    values: dict[str, str] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('input[type=radio]:checked')]
              .map(r => [r.name.slice(2), r.value]))"""
    )
    return {name: answer(value) for name, value in values.items()}


def submit(page: Page, button: str, status: int = 200) -> None:
    """Press a form button and wait for the next page, checking its status."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    assert response is not None and response.status == status, (button, response)


def visit(page: Page, url: str, status: int) -> None:
    """Open an address, checking its status."""
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response)


def answer_all(page: Page, value: str) -> None:
    """Choose `value` for every question on the page that offers it."""
    for radio in page.locator(f'input[type=radio][value="{value}"]').all():
        radio.check()


def finish_with(page: Page, site: LiveSite, value: str) -> None:
    """Start afresh and answer every scale question with `value`, up to the result."""
    visit(page, f"{site.survey_url}/leave", 200)  # forget anything from before
    page.wait_for_url(site.quick_exit_url)  # the leave page moves on by itself
    visit(page, site.survey_url, 200)
    submit(page, "Start")
    for number in range(1, PAGES + 1):
        answer_all(page, value)
        submit(page, "Next" if number < PAGES else CHECK)
    submit(page, FINISH)


def tour(page: Page, site: LiveSite) -> Iterator[str]:
    """Reach every respondent page in turn and yield its name (see TOUR) while on it."""
    visit(page, site.survey_url, 200)
    yield "welcome"
    submit(page, "Start")
    for number in range(1, PAGES + 1):
        assert page.inner_text("#progress-label") == f"Page {number} of {PAGES}"
        answer_all(page, "1")
        yield f"question-{number}"
        if number < PAGES:
            submit(page, "Next")
    # A value no option offers (a tampered or stale form) is refused beside its question.
    page.evaluate(
        """() => { const r = document.querySelector('input[name="q-role_group"]');
                   r.value = 'not-an-option'; r.checked = true; }"""
    )
    submit(page, CHECK, status=422)
    assert page.get_by_role("alert").is_visible()
    yield "validation-error"
    page.locator(option("role_group", "prefer_not_to_say")).click()
    submit(page, CHECK)
    yield "check"
    submit(page, FINISH)
    # 17 items x 1 = 17: the lowest band.
    assert "few or no signs of secondary traumatic stress" in page.inner_text("main")
    yield "result-low"
    visit(page, f"{site.survey_url}/page/2", 200)
    assert "Your answers are saved" in page.inner_text("h1")
    yield "saved"
    visit(page, f"{site.survey_url}/help", 200)
    yield "help"
    visit(page, f"{site.survey_url}/about/privacy", 200)
    yield "privacy"
    finish_with(page, site, "5")
    # 17 items x 5 = 85: the highest band, which leads with next steps.
    assert "a lot of signs of secondary traumatic stress" in page.inner_text("main")
    yield "result-high"
    visit(page, f"{site.base_url}/s/not-a-real-token", 404)
    yield "not-found"
    site.close_wave()
    visit(page, site.survey_url, 410)
    yield "closed"
