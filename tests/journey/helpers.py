"""Answering a perspective survey through the real respondent pages (no JavaScript)."""

from __future__ import annotations

from flask import Flask

from tests.respond.driver import Respondent


def answer(app: Flask, token: str, rating: str, words: str = "") -> Respondent:
    """One person: every domain `rating` (a skip for ""), the free text `words`, Finish."""
    person = Respondent(app.test_client(), token)
    person.press("start")
    while 'value="finish"' not in person.html:
        here = {"q-in_your_words": words} if 'name="q-in_your_words"' in person.html else None
        person.press(
            "next",
            lambda _q, options: next((o for o in options if o.strip() == rating), ""),
            here if words else None,
        )
    person.press("finish")
    return person
