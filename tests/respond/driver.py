"""Drive the survey like a phone browser without JavaScript: read, fill, press a button.

Every post answers 303 (Post/Redirect/Get); like a browser, the driver follows it with
a GET, and keeps the post's own status in `posted`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.formtools import only_form

Chooser = Callable[[str, list[str]], str]


_PHONES = itertools.count(1)


class Respondent:
    """One person answering through the real pages."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token
        # Each person answers on a phone of their own: its own address for the rate limits.
        if client.environ_base.get("REMOTE_ADDR", "127.0.0.1") == "127.0.0.1":
            n = next(_PHONES)
            client.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        self.page: TestResponse = client.get(f"/s/{token}")
        self.posted: TestResponse = self.page

    @property
    def html(self) -> str:
        """The current page."""
        return self.page.get_data(as_text=True)

    def press(
        self, action: str, choose: Chooser | None = None, extra: dict[str, str] | None = None
    ) -> TestResponse:
        """Fill this page's questions with `choose(question_id, options)`; press a button."""
        form = only_form(self.html)
        data = dict(form.fields)
        for name, options in form.radios.items():
            if choose is not None:
                data[name] = choose(name.removeprefix("q-"), options)
        data.update(extra or {})
        data["action"] = action
        self.posted = self.client.post(f"/s/{self.token}", data=data)
        self.page = self.posted
        if self.posted.status_code == 303:
            self.page = self.client.get(self.posted.headers["Location"])
        return self.page

    def complete(self, choose: Chooser) -> TestResponse:
        """Start, answer every page, and finish."""
        self.press("start")
        while 'value="finish"' not in self.html:
            assert self.page.status_code == 200, self.html
            self.press("next", choose)
        return self.press("finish", choose)


def always(value: str) -> Chooser:
    """Give the same answer to every scale question, and skip context questions."""

    def choose(question_id: str, options: list[str]) -> str:
        return value if value in options else ""

    return choose
