"""Page weight, speed and accessibility of every respondent page on a slow mobile network.

Run `python -m bench.page_weight [--runs N]` from the repository root (needs Debian's
chromium: `.ci/install-browser`). It serves the demo on 127.0.0.1 and, N times (3 unless
told), drives a phone-sized headless Chromium through the survey with the network
throttled over the DevTools protocol (Network.emulateNetworkConditions: 400 kbit/s each
way, 400 ms latency), each time in a new browser context, so the cache is cold at the
first page as on a first visit. It prints per page: requests (and how many were not
served from the browser's cache), bytes on the wire (compressed, with headers), bytes
after decoding, first contentful paint (min / median / max over the runs, since paint
times under throttling vary) and the load event. Every step of the survey is
Post/Redirect/Get: a post answered 303 and its GET are one navigation (one DevTools
request id) with two round trips.

Then, without throttling, it runs axe-core (WCAG 2.2 A/AA) on every page of the
tour at 360 and 390 CSS px wide and at 390 px with text at 200 %, and looks for
sideways overflow at 320 px. It prints PASS or FAIL for each budget, judged on the worst
run, and exits 1 if any budget is broken.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.devtools_meter import Meter, PageLoad
from tests.browser.audit import axe
from tests.browser.live import PHONE, Browsing, chromium_missing, launch_options, serve_demo
from tests.browser.tour import CHECK, FINISH, PAGES, answer_all, submit, tour

__all__ = ["FIRST_PAGE_BYTES", "FIRST_PAGE_REQUESTS", "SLOW_MOBILE", "Meter", "PageLoad"]

KB = 1024
FIRST_PAGE_BYTES = 14 * KB  # about what fits in TCP's first round trip (10 x 1460 B)
FIRST_PAGE_REQUESTS = 3
LATER_PAGE_REQUESTS = 1  # not served from the cache
PAGE_BYTES = 50 * KB
LOAD_SECONDS = 3.0
FCP_MS = 1100.0
RUNS = 3
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
Run = list[PageLoad]  # one journey, page by page


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


def throttled_runs(browser: Any, site: Any, runs: int) -> list[Run]:
    """The journey `runs` times, each in a new context: cold cache, no cookies, throttled."""
    done = []
    for _ in range(runs):
        context = browser.new_context(**PHONE)
        try:
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_MOBILE)
            meter = Meter()
            meter.listen(cdp)
            done.append(journey(page, site, meter))
        finally:
            context.close()
    return done


@dataclass(frozen=True)
class Verdict:
    """One budget, whether it held in every run, and the figure it was judged on."""

    budget: str
    held: bool
    figure: str


def _foreign(load: PageLoad, base_url: str) -> list[str]:
    return [f.url for f in load.fetches if not f.url.startswith(base_url + "/")]


def page_problems(n: int, load: PageLoad, base_url: str) -> list[str]:
    """Every budget page `n` of one run broke, in words."""
    found = []
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
    found += [f"{load.name}: third-party request {url}" for url in _foreign(load, base_url)]
    return found


def problems(runs: Sequence[Run], base_url: str) -> list[str]:
    """Every broken page budget of every run, in words."""
    return [
        f"run {number}: {line}"
        for number, loads in enumerate(runs, start=1)
        for n, load in enumerate(loads)
        for line in page_problems(n, load, base_url)
    ]


def _worst(loads: Sequence[PageLoad], figure: Callable[[PageLoad], float]) -> PageLoad:
    return max(loads, key=figure)


def verdicts(runs: Sequence[Run], base_url: str, audits: dict[str, list[str]]) -> list[Verdict]:
    """PASS or FAIL for each budget of the issue, judged on the worst page of the worst run."""
    firsts = [loads[0] for loads in runs]
    laters = [load for loads in runs for load in loads[1:]]
    every = [load for loads in runs for load in loads]
    heavy = _worst(firsts, lambda load: load.wire)
    many = _worst(firsts, lambda load: load.requests)
    uncached = _worst(laters, lambda load: load.network_requests)
    foreign = [url for load in every for url in _foreign(load, base_url)]
    # A page that never painted (-1) is the worst of all.
    slow = _worst(every, lambda load: load.fcp_ms if load.fcp_ms >= 0 else float("inf"))
    big = _worst(every, lambda load: load.wire)
    late = _worst(every, lambda load: load.load_ms)
    found = [
        Verdict(
            f"first page <= {FIRST_PAGE_BYTES // KB} KB compressed",
            heavy.wire <= FIRST_PAGE_BYTES,
            f"{heavy.wire:,} B",
        ),
        Verdict(
            f"first page <= {FIRST_PAGE_REQUESTS} requests",
            many.requests <= FIRST_PAGE_REQUESTS,
            f"{many.requests}",
        ),
        Verdict(
            f"every later page <= {LATER_PAGE_REQUESTS} request not from the cache",
            uncached.network_requests <= LATER_PAGE_REQUESTS,
            f"at most {uncached.network_requests} ({uncached.name})",
        ),
        Verdict("no third-party request", not foreign, f"{len(foreign)}"),
        Verdict(
            f"first contentful paint <= {FCP_MS:,.0f} ms on every page",
            0 <= slow.fcp_ms <= FCP_MS,
            f"worst {slow.fcp_ms:,.0f} ms ({slow.name})",
        ),
        Verdict(
            f"every page < {PAGE_BYTES // KB} KB and loaded < {LOAD_SECONDS:.0f} s",
            big.wire < PAGE_BYTES and late.load_ms < LOAD_SECONDS * 1000,
            f"worst {big.wire:,} B ({big.name}), {late.load_ms:,.0f} ms ({late.name})",
        ),
    ]
    for check, lines in audits.items():
        plural = "s" if len(lines) != 1 else ""
        found.append(Verdict(f"{check} finds nothing", not lines, f"{len(lines)} finding{plural}"))
    return found


def _spread(values: Sequence[float]) -> str:
    """min / median / max, or the one value."""
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{min(values):,.0f} / {statistics.median(values):,.0f} / {max(values):,.0f}"


def uncompressed(loads: list[PageLoad]) -> list[str]:
    """Text responses big enough to compress that were sent as they are."""
    found = []
    for load in loads:
        for fetch in load.fetches:
            text = fetch.mime.startswith(TEXT_TYPES)
            if text and fetch.body >= COMPRESS_MIN_SIZE and not fetch.encoding:
                found.append(f"{load.name}: {fetch.url} ({fetch.body:,} B) sent uncompressed")
    return found


def report(runs: Sequence[Run], base_url: str) -> str:
    """The table people read: figures, their ratio to each budget, and PASS/FAIL per page."""
    first_run = runs[0]
    lines = [
        "Respondent pages on a slow mobile profile (400 kbit/s down and up, 400 ms latency,",
        "cache cold at the first page, phone viewport). Ratios are figure / budget: 1.00 is",
        f"at the limit. FCP and load are min / median / max over {len(runs)} run(s); requests and",
        "bytes are the worst run's. A page PASSes when every budget of its own held in every run.",
        "",
        f"{'page':<12} {'requests (not cached)':>22} {'bytes on wire':>26} {'decoded':>9} "
        f"{'FCP ms':>21} {'load ms':>21}  {'':4}  encodings",
    ]
    for n, load in enumerate(first_run):
        same = [loads[n] for loads in runs]
        byte_budget = FIRST_PAGE_BYTES if n == 0 else PAGE_BYTES
        most = max(page.requests for page in same)
        requests = f"{most} ({max(page.network_requests for page in same)})"
        if n == 0:
            requests += f" {most / FIRST_PAGE_REQUESTS:.2f} of {FIRST_PAGE_REQUESTS}"
        wire = max(page.wire for page in same)
        on_wire = f"{wire:,} B ({wire / byte_budget:.2f} of {byte_budget // KB} KB)"
        fcp = _spread([page.fcp_ms for page in same])
        loaded = _spread([page.load_ms for page in same])
        held = not any(page_problems(n, page, base_url) for page in same)
        encodings = ",".join(sorted({f.encoding or "identity" for f in load.fetches}))
        lines.append(
            f"{load.name:<12} {requests:>22} {on_wire:>26} {load.body:>7,} B "
            f"{fcp:>21} {loaded:>21}  {'PASS' if held else 'FAIL'}  {encodings}"
        )
    first = first_run[0]
    lines += ["", f"{first.name}, request by request (run 1):"]
    lines += [
        f"  {f.wire:>6,} B on wire, {f.body:>6,} B decoded, {f.encoding or 'identity':<8} "
        f"{f.url.rsplit('/', 1)[-1] if '/static/' in f.url else '(the page)'}"
        for f in first.fetches
    ]
    total = sum(load.wire for load in first_run)
    lines += [
        "",
        f"The whole journey ({len(first_run) - 1} pages and an error page) moves {total:,} B, "
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


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print, and return 0 if every budget holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"throttled journeys (default {RUNS})"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
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
            runs = throttled_runs(browser, site, args.runs)
            site.app.config["SURVEY_SUBMIT_RATE_LIMIT"] = "10000 per minute"
            audits = accessibility(browser, site)
        finally:
            browser.close()
        base_url = site.base_url
    print(report(runs, base_url))
    results = verdicts(runs, base_url, audits)
    print(f"\nBudgets (worst page of the worst of {len(runs)} run(s)):")
    for verdict in results:
        print(f"  {'PASS' if verdict.held else 'FAIL'}  {verdict.budget}: {verdict.figure}")
    notes = [line for loads in runs[:1] for line in uncompressed(loads)]
    if notes:
        # Not a budget: Flask-Compress never compresses non-2xx responses (error pages).
        print("\nNOTE, not compressed:\n  " + "\n  ".join(notes))
    found = problems(runs, base_url) + [line for lines in audits.values() for line in lines]
    if found or not all(verdict.held for verdict in results):
        print("\nBUDGET BROKEN:\n  " + "\n  ".join(found))
        return 1
    print("\nEvery budget holds, and no request left 127.0.0.1.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
