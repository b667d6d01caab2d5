"""Phone-like HTTP clients for the load benchmark (standard library only).

A `Submitter` is one phone after another: it opens a survey link on a fresh
connection, keeps it alive through the welcome page, Start, every page and Finish,
reads each page's hidden fields like a browser without JavaScript, and records
whether the person saw their result. Every submission carries a distinct set of
answers that encodes its number, so afterwards the stored, sealed responses can be
matched one to one with what the clients were told.
"""

from __future__ import annotations

import gzip
import html
import http.client
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import brotli  # type: ignore[import-untyped]

ITEMS = 17  # the demo questionnaire's STSS items, answered 1-5
CONTEXT = {"q-role_group": "prefer_not_to_say", "q-years_in_role": "prefer_not_to_say"}
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
# What a phone's browser sends; X-Forwarded-Proto is what the TLS proxy in front adds.
_HEADERS = {
    "Accept": "text/html",
    "Accept-Encoding": "gzip, br",
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) lantern-bench",
    "X-Forwarded-Proto": "https",
}


def answers_for(number: int) -> dict[str, str]:
    """The answers of submission `number`: its base-5 digits, one per item, plus context."""
    answers = {f"q-stss.{i}": str((number // 5 ** (i - 1)) % 5 + 1) for i in range(1, ITEMS + 1)}
    return answers | CONTEXT


def number_from(stored: dict[str, int | str]) -> int | None:
    """Which submission a stored (opened) response is, or None if it is not one of ours whole."""
    try:
        number = sum((int(stored[f"stss.{i}"]) - 1) * 5 ** (i - 1) for i in range(1, ITEMS + 1))
    except (KeyError, ValueError):
        return None
    expected = {name.removeprefix("q-"): value for name, value in answers_for(number).items()}
    as_text = {key: str(value) for key, value in stored.items()}
    return number if as_text == expected else None


class TransportError(Exception):
    """The connection failed: reset, refused, closed early or timed out."""


@dataclass(frozen=True)
class Reply:
    """One HTTP response, decoded."""

    status: int
    text: str
    seconds: float


class Browser:
    """One phone's connection and cookie jar."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookie: str | None = None
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None) -> Reply:
        """Send one request on the kept-alive connection (opening one if needed)."""
        headers = dict(_HEADERS)
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            self._conn.request(method, path, body=body, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise TransportError(type(error).__name__) from None
        seconds = time.perf_counter() - started
        encoding = response.getheader("Content-Encoding", "")
        if encoding == "gzip":
            data = gzip.decompress(data)
        elif encoding == "br":
            data = brotli.decompress(data)
        self._keep_cookie(response.getheader("Set-Cookie"))
        if response.will_close:
            self.close()
        return Reply(response.status, data.decode("utf-8", "replace"), seconds)

    def _keep_cookie(self, header: str | None) -> None:
        if not header:
            return
        pair = header.split(";", 1)[0]
        cleared = (
            pair.endswith("=") or "Max-Age=0" in header or "Expires=Thu, 01 Jan 1970" in header
        )
        self.cookie = None if cleared else pair

    def close(self) -> None:
        """Drop the connection (the cookie stays, as in a browser)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def read_form(page: str) -> tuple[list[tuple[str, str]], list[str], bool]:
    """A page's hidden fields, its radio groups, and whether it is the last page."""
    hidden: list[tuple[str, str]] = []
    radios: list[str] = []
    for tag in _INPUT.finditer(page):
        attrs = dict(_ATTR.findall(tag.group(1)))
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            continue
        if kind == "hidden":
            hidden.append((name, html.unescape(attrs.get("value", ""))))
        elif kind == "radio" and name not in radios:
            radios.append(name)
    return hidden, radios, 'value="finish"' in page


@dataclass
class Ledger:
    """What the clients saw, shared by every submitter thread."""

    acknowledged: set[int] = field(default_factory=set)
    acknowledged_on_retry: set[int] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    def all_latencies(self) -> list[float]:
        """Every request's duration, whatever its kind."""
        return [value for values in self.latencies.values() for value in values]

    def take_number(self) -> int:
        """A submission number no other submitter has."""
        with self._lock:
            self._next += 1
            return self._next

    def merge(self, latencies: dict[str, list[float]], requests: int) -> None:
        """Add one thread's timings once it stops."""
        with self._lock:
            for kind, values in latencies.items():
                self.latencies.setdefault(kind, []).extend(values)
            self.requests += requests

    def outcome(self, number: int, result: str) -> None:
        """Record how one submission ended."""
        with self._lock:
            if result == "acknowledged":
                self.acknowledged.add(number)
            elif result == "acknowledged on retry":
                self.acknowledged.add(number)
                self.acknowledged_on_retry.add(number)
            else:
                self.failures[result] += 1


class Submitter(threading.Thread):
    """One submitter: phone after phone until the deadline, each through the whole form."""

    def __init__(
        self,
        host: str,
        port: int,
        tokens: list[str],
        ledger: Ledger,
        deadline: float,
        *,
        think: float = 0.0,
    ) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.tokens = host, port, tokens
        self.ledger, self.deadline, self.think = ledger, deadline, think
        self.latencies: dict[str, list[float]] = {}
        self.requests = 0
        # People do not move in step: each pause is drawn around the mean (a benchmark's
        # pacing, not a secret, so the ordinary generator is the right one).
        self._pace = random.Random()

    def _pause(self) -> None:
        if self.think:
            time.sleep(self._pace.uniform(0.5, 1.5) * self.think)

    def run(self) -> None:
        """Submit until the deadline, then hand the timings to the ledger."""
        if self.think:
            time.sleep(self._pace.uniform(0, self.think))  # people arrive at different times
        while time.monotonic() < self.deadline:
            number = self.ledger.take_number()
            result = self.submit(number)
            self.ledger.outcome(number, result)
            if result.startswith("connection"):
                time.sleep(0.05)  # a person waits a moment before trying again
        self.ledger.merge(self.latencies, self.requests)

    def _timed(self, browser: Browser, kind: str, path: str, body: str | None) -> Reply:
        reply = browser.request("POST" if body is not None else "GET", path, body)
        self.latencies.setdefault(kind, []).append(reply.seconds)
        self.requests += 1
        return reply

    def submit(self, number: int) -> str:
        """One person's whole journey; returns how it ended, as the person would see it."""
        token = self.tokens[number % len(self.tokens)]
        path = f"/s/{token}"
        browser = Browser(self.host, self.port)
        answers = answers_for(number)
        action, body = "start", ""
        try:
            page = self._timed(browser, "welcome", path, None)
            if page.status != 200:
                return f"welcome page {page.status}"
            hidden, radios, _ = read_form(page.text)
            while True:
                self._pause()  # reading the page and choosing answers
                chosen = [(name, answers[name]) for name in radios]
                body = urlencode([*hidden, *chosen, ("action", action)])
                page = self._timed(browser, action, path, body)
                if action == "finish":
                    if page.status == 200 and "Your result" in page.text:
                        return "acknowledged"
                    return f"finish {page.status}"
                if page.status != 200:
                    return f"{action} {page.status}"
                hidden, radios, last = read_form(page.text)
                action = "finish" if last else "next"
        except TransportError as error:
            if action != "finish":
                return f"connection lost before finish ({error})"
            return self._retry_finish(browser, path, body, str(error))
        finally:
            browser.close()

    def _retry_finish(self, browser: Browser, path: str, body: str, error: str) -> str:
        """The person presses Finish again after a failed send: same form, same nonce."""
        try:
            page = self._timed(browser, "finish (retry)", path, body)
        except TransportError:
            return f"connection lost at finish, twice ({error})"
        if page.status == 200 and "Your result" in page.text:
            return "acknowledged on retry"
        if page.status == 409:  # "We already have these answers": the first send was stored
            return "acknowledged on retry"
        return f"finish retry {page.status} after {error}"


class HelloClient(threading.Thread):
    """Keep-alive GETs of one path until the deadline (the hello-world baseline)."""

    def __init__(self, host: str, port: int, path: str, deadline: float) -> None:
        super().__init__(daemon=True)
        self.browser = Browser(host, port)
        self.path, self.deadline = path, deadline
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        """GET until the deadline."""
        while time.monotonic() < self.deadline:
            try:
                reply = self.browser.request("GET", self.path)
            except TransportError:
                self.errors += 1
                continue
            if reply.status == 200:
                self.latencies.append(reply.seconds)
            else:
                self.errors += 1
        self.browser.close()
