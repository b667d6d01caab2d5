"""What one page load cost, counted from the DevTools protocol's network events.

Used by `bench/page_weight.py` and the browser tests: requests (and how many were not
served from the browser's cache), bytes on the wire (compressed, headers included), bytes
after decoding, first contentful paint and the load event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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
