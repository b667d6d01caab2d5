"""Page weight and speed of every respondent page on a slow mobile network.

Run `python -m bench.page_weight` from the repository root (needs Debian's chromium:
`.ci/install-browser`). It serves the demo on 127.0.0.1, drives a phone-sized
headless Chromium through the survey with the network throttled over the DevTools
protocol (400 kbit/s each way, 400 ms latency, cache disabled so every page pays
for its CSS and script), and prints per page: requests, bytes on the wire
(compressed, with headers), bytes after decoding, and time to the load event, each
with its ratio to the budget. It exits 1 if any budget is broken.
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

from tests.browser.live import PHONE, chromium_missing, launch_options, serve_demo
from tests.browser.tour import FINISH, PAGES, answer_all, submit

KB = 1024
FIRST_PAGE_BYTES = 14 * KB  # about what fits in TCP's first round trip (10 x 1460 B)
FIRST_PAGE_REQUESTS = 3
PAGE_BYTES = 50 * KB
LOAD_SECONDS = 3.0
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


@dataclass
class PageLoad:
    """The figures of one page load."""

    name: str
    fetches: list[Fetch]
    load_ms: float

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

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self.fetches[event["requestId"]] = Fetch(event["request"]["url"])

    def _response(self, event: dict[str, Any]) -> None:
        fetch = self.fetches.get(event["requestId"])
        if fetch is not None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            fetch.mime = event["response"]["mimeType"]
            fetch.encoding = headers.get("content-encoding", "")

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
        load_ms = float(
            page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        )
        return PageLoad(name, list(self.fetches.values()), load_ms)


def journey(page: Any, site: Any, meter: Meter) -> list[PageLoad]:
    """Welcome, every question page, the result, and the error page, one load each."""
    loads = [meter.measure(page, "welcome", lambda: _goto(page, site.survey_url))]
    loads.append(meter.measure(page, "question-1", lambda: submit(page, "Start")))
    for number in range(1, PAGES + 1):
        answer_all(page, "5")  # the highest band: the longest result page
        last = number == PAGES
        name = "result-high" if last else f"question-{number + 1}"
        button = FINISH if last else "Next"
        loads.append(meter.measure(page, name, functools.partial(submit, page, button)))
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
        "cold cache, phone viewport). Ratios are figure / budget: 1.00 is at the limit.",
        "",
        f"{'page':<12} {'requests':>13} {'bytes on wire':>26} {'decoded':>9} "
        f"{'load':>22} {'vs 2.3 MB':>10}  encodings",
    ]
    for n, load in enumerate(loads):
        byte_budget = FIRST_PAGE_BYTES if n == 0 else PAGE_BYTES
        requests = f"{load.requests}"
        if n == 0:
            requests += f" ({load.requests / FIRST_PAGE_REQUESTS:.2f} of 3)"
        kb = byte_budget // KB
        wire = f"{load.wire:,} B ({load.wire / byte_budget:.2f} of {kb} KB)"
        timing = f"{load.load_ms:,.0f} ms ({load.load_ms / (LOAD_SECONDS * 1000):.2f} of 3 s)"
        scale = f"{load.wire / HTTP_ARCHIVE_MOBILE_MEDIAN:.4f}"
        encodings = ",".join(sorted({f.encoding or "identity" for f in load.fetches}))
        lines.append(
            f"{load.name:<12} {requests:>13} {wire:>26} {load.body:>7,} B "
            f"{timing:>22} {scale:>10}  {encodings}"
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
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE)
            meter = Meter()
            meter.listen(cdp)
            loads = journey(page, site, meter)
        finally:
            browser.close()
        found = problems(loads, site.base_url)
    print(report(loads))
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
