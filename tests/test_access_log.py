"""gunicorn's access log carries no address, agent, referrer, time or survey token."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from config.access_log import PrivateAccessLogger, scrub_path


def _captured(cfg: Config) -> tuple[PrivateAccessLogger, list[str]]:
    """A logger for `cfg` and the list its access lines land in."""
    logger = PrivateAccessLogger(cfg)
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger.access_log.addHandler(Capture())
    return logger, records


def test_survey_tokens_are_scrubbed_from_paths() -> None:
    assert scrub_path("/s/AbC_123-xyz") == "/s/~"
    assert scrub_path("/s/AbC_123-xyz?x=1") == "/s/~?x=1"
    assert scrub_path("/healthz") == "/healthz"
    assert scrub_path("/auth/invitation/SecretInvite_1") == "/auth/invitation/~"


def test_access_line_has_nothing_personal() -> None:
    cfg = Config()
    cfg.set("accesslog", "-")
    # Even a format that asks for the address, agent, referrer and time gets dashes, and so
    # do the request-header, response-header and environ atoms that could carry them.
    cfg.set(
        "access_log_format",
        '%(h)s %(t)s "%(r)s" %(a)s %(f)s %(U)s %(q)s %(s)s %(M)s '
        "%({user-agent}i)s %({x-forwarded-for}i)s %({set-cookie}o)s "
        "%({remote_addr}e)s %({http_user_agent}e)s %({http_x_forwarded_for}e)s %({raw_uri}e)s",
    )
    logger, records = _captured(cfg)
    environ = {
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_USER_AGENT": "DistinctivePhone/1.0",
        "HTTP_REFERER": "https://example.org/secret",
        "REQUEST_METHOD": "POST",
        "HTTP_X_FORWARDED_FOR": "198.51.100.23",
        "RAW_URI": "/s/TeamToken123?next=/s/OtherToken456",
        "PATH_INFO": "/s/TeamToken123",
        "QUERY_STRING": "next=/s/OtherToken456",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(
        status="200 OK", sent=10, headers=[("Set-Cookie", "s=CookieSecret")], response_length=10
    )
    request = SimpleNamespace(
        headers=[("USER-AGENT", "DistinctivePhone/1.0"), ("X-FORWARDED-FOR", "198.51.100.23")]
    )
    logger.access(response, request, environ, timedelta(milliseconds=5))
    line = records[-1]
    for secret in (
        "203.0.113.7",
        "198.51.100.23",
        "DistinctivePhone",
        "CookieSecret",
        "OtherToken456",
        "example.org",
        "TeamToken123",
        str(date.today().year),
    ):
        assert secret not in line, line
    assert '"POST /s/~?next=/s/~ HTTP/1.1"' in line
    assert " 200 5 " in line  # status and milliseconds still logged


def _line(path: str, sent: int, fmt: str = '"%(r)s" %(s)s %(b)s %(B)s %(M)s') -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", fmt)
    logger, records = _captured(cfg)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status="200 OK", sent=sent, headers=[], response_length=sent)
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=7))
    return records[-1]


def test_respondent_pages_log_no_size() -> None:
    # A band or a skip pattern once showed in the size of the result page: sizes of
    # respondent pages read "-" whatever the format asks for.
    for path in ("/s/TeamToken123", "/s/", "/s"):
        line = _line(path, 5160)
        assert "5160" not in line, line
        assert line.endswith(" 200 - - 7"), line


def test_staff_pages_still_log_their_size() -> None:
    assert _line("/manage/waves", 5160).endswith(" 200 5160 5160 7")
    assert _line("/static/lantern.css", 2073).endswith(" 200 2073 2073 7")
