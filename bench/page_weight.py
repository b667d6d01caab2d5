"""Page weight, speed and accessibility of every respondent page on a slow mobile network.

Run `python -m bench.page_weight` from the repository root (needs Debian's chromium:
`.ci/install-browser`). It serves the demo on 127.0.0.1, drives a phone-sized
headless Chromium through the survey with the network throttled over the DevTools
protocol (Network.emulateNetworkConditions: 400 kbit/s each way, 400 ms latency),
starting with a cold cache as a first visit does, and prints per page: requests
(and how many were not served from the browser's cache), bytes on the wire
(compressed, with headers), bytes after decoding, first contentful paint and the
load event. Every step of the survey is Post/Redirect/Get: a post answered 303 and
its GET are one navigation (one DevTools request id) with two round trips.

Then, without throttling, it runs axe-core (WCAG 2.2 A/AA) on every page of the
tour at 360 and 390 CSS px wide and at 390 px with text at 200 %, and looks for
sideways overflow at 320 px. It exits 1 if any budget is broken.
"""

from __future__ import annotations

import functools
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.audit import axe
from tests.browser.live import PHONE, Browsing, chromium_missing, launch_options, serve_demo
from tests.browser.tour import CHECK, FINISH, PAGES, answer_all, submit, tour

KB = 1024
FIRST_PAGE_BYTES = 14 * KB  # about what fits in TCP's first round trip (10 x 1460 B)
FIRST_PAGE_REQUESTS = 3
LATER_PAGE_REQUESTS = 1  # not served from the cache
PAGE_BYTES = 50 * KB
LOAD_SECONDS = 3.0
FCP_MS = 1100.0
HTTP_ARCHIVE_MOBILE_MEDIAN = 2_300_000  # bytes: median mobile page weight, for scale
COMPRESS_MIN_SIZE = 500  # Flask-Compress leaves smaller bodies alone
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg")
# 400 kbit/s = 50,000 bytes/s each way; latency is added to every request.
SLOW_MOBILE = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


@dataclass
class Fetch:
    """One request the page made, as the DevTools protocol reported it."""

    url: str
    mime: str = ""
    encoding: str = ""
    wire: int = 0
    body: int = 0
    done: bool = False
    cached: bool = False


@dataclass
class PageLoad:
    """The figures of one page load."""

    name: str
    fetches: list[Fetch]
    load_ms: float
    fcp_ms: float = 0.0

    @property
    def network_requests(self) -> int:
        """Requests not served from the browser's cache."""
        return sum(1 for f in self.fetches if not f.cached)

    @property
    def requests(self) -> int:
        """How many requests the page made."""
        return len(self.fetches)

    @property
    def wire(self) -> int:
        """Bytes transferred, compressed, headers included."""
        return sum(f.wire for f in self.fetches)

    @property
    def body(self) -> int:
        """Bytes after decoding."""
        return sum(f.body for f in self.fetches)


@dataclass
class Meter:
    """Counts the requests of the current page from DevTools network events."""

    fetches: dict[str, Fetch] = field(default_factory=dict)

    def listen(self, cdp: Any) -> None:
        """Subscribe to the network events of one page."""
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _cached(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            fetch.cached = True

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.fetches[event["requestId"]] = Fetch(event["request"]["url"])

    def _response(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            fetch.mime = event["response"]["mimeType"]
            fetch.encoding = headers.get("content-encoding", "")
            response = event["response"]
            if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
                fetch.cached = True

    def _data(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            fetch.body += event["dataLength"]

    def _finished(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            fetch.wire = int(event["encodedDataLength"])
            fetch.done = True

    def _failed(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            fetch.done = True

    def measure(self, page: Any, name: str, navigate: Callable[[], None]) -> PageLoad:
        """Run one navigation and return what it cost."""
        self.fetches = {}
        navigate()
        deadline = time.monotonic() + 5
        while not all(f.done for f in self.fetches.values()) and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # let the last protocol events arrive
        page.wait_for_load_state("load")
        # The paint entry can arrive just after the load event: wait for it (buffered).
        timing = page.evaluate(
            """() => new Promise(resolve => {
              const load = performance.getEntriesByType('navigation')[0].loadEventEnd;
              const done = fcp => resolve({load, fcp});
              new PerformanceObserver(list => {
                const hit = list.getEntriesByName('first-contentful-paint')[0];
                if (hit) done(hit.startTime);
              }).observe({type: 'paint', buffered: true});
              setTimeout(() => done(-1), 3000);
            })"""
        )
        return PageLoad(name, list(self.fetches.values()), float(timing["load"]), timing["fcp"])


def journey(page: Any, site: Any, meter: Meter) -> list[PageLoad]:
    """Welcome, every question page, check, the result, a page after Finish, an error."""
    loads = [meter.measure(page, "welcome", lambda: _goto(page, site.survey_url))]
    loads.append(meter.measure(page, "question-1", lambda: submit(page, "Start")))
    for number in range(1, PAGES + 1):
        answer_all(page, "5")  # the highest band: the longest result page
        name = "check" if number == PAGES else f"question-{number + 1}"
        button = CHECK if number == PAGES else "Next"
        loads.append(meter.measure(page, name, functools.partial(submit, page, button)))
    loads.append(meter.measure(page, "result-high", functools.partial(submit, page, FINISH)))
    saved = f"{site.survey_url}/page/{PAGES}"
    loads.append(meter.measure(page, "saved", lambda: _goto(page, saved)))
    help_now = f"{site.survey_url}/help"
    loads.append(meter.measure(page, "help", lambda: _goto(page, help_now)))
    unknown = f"{site.base_url}/s/not-a-real-token"
    loads.append(meter.measure(page, "not-found", lambda: _goto(page, unknown, 404)))
    return loads


def _goto(page: Any, url: str, status: int = 200) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == status, (url, response)


def problems(loads: list[PageLoad], base_url: str) -> list[str]:
    """Every broken budget, in words."""
    found = []
    for n, load in enumerate(loads):
        if n == 0 and load.wire > FIRST_PAGE_BYTES:
            found.append(f"{load.name}: {load.wire:,} B over the first-page {FIRST_PAGE_BYTES:,} B")
        if n == 0 and load.requests > FIRST_PAGE_REQUESTS:
            found.append(f"{load.name}: {load.requests} requests, over {FIRST_PAGE_REQUESTS}")
        if n > 0 and load.network_requests > LATER_PAGE_REQUESTS:
            found.append(f"{load.name}: {load.network_requests} requests not from the cache")
        if not 0 <= load.fcp_ms <= FCP_MS:
            found.append(f"{load.name}: first contentful paint {load.fcp_ms:,.0f} ms")
        if load.wire >= PAGE_BYTES:
            found.append(f"{load.name}: {load.wire:,} B, not under {PAGE_BYTES:,} B")
        if load.load_ms >= LOAD_SECONDS * 1000:
            found.append(f"{load.name}: loaded in {load.load_ms:,.0f} ms, not under 3 s")
        for fetch in load.fetches:
            if not fetch.url.startswith(base_url + "/"):
                found.append(f"{load.name}: third-party request {fetch.url}")
    return found


def uncompressed(loads: list[PageLoad]) -> list[str]:
    """Text responses big enough to compress that were sent as they are."""
    found = []
    for load in loads:
        for fetch in load.fetches:
            text = fetch.mime.startswith(TEXT_TYPES)
            if text and fetch.body >= COMPRESS_MIN_SIZE and not fetch.encoding:
                found.append(f"{load.name}: {fetch.url} ({fetch.body:,} B) sent uncompressed")
    return found


def report(loads: list[PageLoad]) -> str:
    """The table people read: figures and their ratio to each budget."""
    lines = [
        "Respondent pages on a slow mobile profile (400 kbit/s down and up, 400 ms latency,",
        "cache cold at the first page, phone viewport). Ratios are figure / budget: 1.00 is",
        f"at the limit. Budgets: first contentful paint <= {FCP_MS:,.0f} ms on every page; after",
        "the first page, at most 1 request not served from the cache.",
        "",
        f"{'page':<12} {'requests (not cached)':>22} {'bytes on wire':>26} {'decoded':>9} "
        f"{'FCP':>8} {'load':>22}  encodings",
    ]
    for n, load in enumerate(loads):
        byte_budget = FIRST_PAGE_BYTES if n == 0 else PAGE_BYTES
        requests = f"{load.requests} ({load.network_requests})"
        if n == 0:
            requests += f" {load.requests / FIRST_PAGE_REQUESTS:.2f} of 3"
        kb = byte_budget // KB
        wire = f"{load.wire:,} B ({load.wire / byte_budget:.2f} of {kb} KB)"
        timing = f"{load.load_ms:,.0f} ms ({load.load_ms / (LOAD_SECONDS * 1000):.2f} of 3 s)"
        fcp = f"{load.fcp_ms:,.0f} ms"
        encodings = ",".join(sorted({f.encoding or "identity" for f in load.fetches}))
        lines.append(
            f"{load.name:<12} {requests:>22} {wire:>26} {load.body:>7,} B "
            f"{fcp:>8} {timing:>22}  {encodings}"
        )
    first = loads[0]
    lines += ["", f"{first.name}, request by request:"]
    lines += [
        f"  {f.wire:>6,} B on wire, {f.body:>6,} B decoded, {f.encoding or 'identity':<8} "
        f"{f.url.rsplit('/', 1)[-1] if '/static/' in f.url else '(the page)'}"
        for f in first.fetches
    ]
    total = sum(load.wire for load in loads)
    lines += [
        "",
        f"The whole journey ({len(loads) - 1} pages and an error page) moves {total:,} B, "
        f"{total / HTTP_ARCHIVE_MOBILE_MEDIAN:.3f} of one median mobile page "
        f"(HTTP Archive, about 2.3 MB).",
    ]
    return "\n".join(lines)


ZOOM_200 = "() => { document.documentElement.style.fontSize = '200%'; }"
OVERFLOW = """() => document.documentElement.scrollWidth > document.documentElement.clientWidth
    ? [`${location.pathname}: ${document.documentElement.scrollWidth} px wide`] : []"""


def accessibility(browser: Any, site: Any) -> dict[str, list[str]]:
    """axe at 360 and 390 px and at 200 % text; sideways overflow at 320 px."""
    runs: dict[str, tuple[int, Callable[[Any], list[str]]]] = {
        "axe at 360 px": (360, axe),
        "axe at 390 px": (390, axe),
        "axe at 390 px, text 200 %": (390, lambda page: (page.evaluate(ZOOM_200), axe(page))[1]),
        "overflow at 320 px": (320, lambda page: list(page.evaluate(OVERFLOW))),
    }
    found: dict[str, list[str]] = {}
    for name, (width, check) in runs.items():
        browsing = Browsing(browser, site)
        try:
            page = browsing.page(**{**PHONE, "viewport": {"width": width, "height": 800}})
            found[name] = [
                f"{name} [{stop}] {line}" for stop in tour(page, site) for line in check(page)
            ]
            found[name] += [f"{name}: third-party request {url}" for url in browsing.foreign]
        finally:
            browsing.close()
        site.reopen_wave()  # the tour ends by closing the wave
    return found


def main() -> int:
    """Measure, print, and return 0 if every budget holds."""
    missing = chromium_missing()
    if missing:
        print(f"page_weight: cannot run: {missing}", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory() as workdir,
        # Always a throwaway SQLite file: never DATABASE_URL, which the demo set-up empties.
        serve_demo(Path(workdir), f"sqlite:///{workdir}/bench.db") as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(**launch_options())
        try:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE)
            meter = Meter()
            meter.listen(cdp)
            loads = journey(page, site, meter)
            context.close()
            site.app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "10000 per minute"
            audits = accessibility(browser, site)
        finally:
            browser.close()
        found = problems(loads, site.base_url) + [
            line for lines in audits.values() for line in lines
        ]
    print(report(loads))
    print("\nAccessibility of every page of the tour (axe-core WCAG 2.2 A/AA; overflow):")
    for check, lines in audits.items():
        print(f"  {check}: {len(lines)} finding{'s' if len(lines) != 1 else ''}")
    notes = uncompressed(loads)
    if notes:
        # Not a budget: Flask-Compress never compresses non-2xx responses (error pages).
        print("\nNOTE, not compressed:\n  " + "\n  ".join(notes))
    if found:
        print("\nBUDGET BROKEN:\n  " + "\n  ".join(found))
        return 1
    print("\nEvery budget holds, and no request left 127.0.0.1.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
