"""Lantern as production runs it, for the load benchmark, with one change: the survey limits.

Thirty-two simulated phones share one loopback address and the demo's two links. The real
limits (60 posts a minute per address, 240 refused posts a minute per link) would turn the
benchmark into a test of the limiter, so they are lifted here; every other setting is the
production one (LANTERN_ENV=production, durable commits, CSRF, headers).
"""

from __future__ import annotations

import os

from survey import create_app

app = create_app()
for setting in ("SURVEY_ADDRESS_RATE_LIMIT", "SURVEY_LINK_FAILURE_RATE_LIMIT"):
    app.config[setting] = os.environ.get("BENCH_SUBMIT_RATE_LIMIT", "1000000 per minute")
