"""Lantern as production runs it, for the load benchmark, with one change: the per-link limit.

Thirty-two simulated phones share the demo's two links. The real limit (120 posts a minute
per link) would turn the benchmark into a test of the limiter, so it is lifted here; every
other setting is the production one (LANTERN_ENV=production, durable commits, CSRF, headers).
"""

from __future__ import annotations

import os

from survey import create_app

app = create_app()
app.config["SURVEY_SUBMIT_RATE_LIMIT"] = os.environ.get(
    "BENCH_SUBMIT_RATE_LIMIT", "1000000 per minute"
)
