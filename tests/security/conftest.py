"""Fixtures for the security tests, and a count of the hostile requests they tried."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.security import cases


@pytest.fixture
def unlimited(app: Flask) -> Flask:
    """The app with the survey post limits lifted, for tests that post many times."""
    app.config["SURVEY_ADDRESS_RATE_LIMIT"] = "1000000 per minute"
    app.config["SURVEY_LINK_FAILURE_RATE_LIMIT"] = "1000000 per minute"
    return app


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many bad-input cases were tried, when any were."""
    if cases.total():
        terminalreporter.write_line(f"security: {cases.summary()}")
