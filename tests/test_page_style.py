"""Respondent pages carry their stylesheet inline, admitted by the CSP by its hash alone."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.models import SurveyLink
from survey.page_style import STYLESHEET, load

STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _html(response: TestResponse) -> str:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def _style_sources(response: TestResponse) -> list[str]:
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    return directives["style-src"]


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("encoding", ["gzip", ""])
def test_respondent_pages_inline_the_stylesheet_the_csp_names_by_hash(
    client: FlaskClient, link: SurveyLink, encoding: str
) -> None:
    headers = {"Accept-Encoding": encoding}
    for path in (f"/s/{link.token}", f"/s/{link.token}/help", "/s/not-a-real-token"):
        page = client.get(path, headers=headers)
        html = _html(page)
        styles = STYLE.findall(html)
        assert len(styles) == 1, path
        # The one inline style is admitted by its own hash; no other inline style would be.
        assert _style_sources(page) == ["'self'", _sha256(styles[0])], path
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
        assert 'rel="stylesheet"' not in html, path  # no second request before the first paint
        assert ".exit{" in styles[0] and "/*" not in styles[0], path


def test_the_inline_text_is_the_shared_stylesheet_without_its_comments(app: Flask) -> None:
    assert app.static_folder is not None
    source = (Path(app.static_folder) / STYLESHEET).read_text(encoding="utf-8")
    inline = load(app.static_folder).css
    assert source.startswith("/* Lantern") and not inline.startswith("/*")
    rules = [line for line in source.splitlines() if line and not line.startswith("/*")]
    assert inline.splitlines() == rules


def test_a_stylesheet_that_would_close_its_style_element_is_refused(tmp_path: Path) -> None:
    (tmp_path / STYLESHEET).write_text("body{color:red}</style><script>alert(1)</script>")
    with pytest.raises(ValueError, match="</"):
        load(tmp_path)


def test_staff_pages_link_the_shared_stylesheet_then_their_own(client: FlaskClient) -> None:
    html = client.get("/auth/sign-in").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert links[:2] == ["/static/lantern.css", "/static/staff.css"]
    assert "<style>" not in html
    for path in links[:2]:
        sheet = client.get(path)
        assert sheet.status_code == 200, path
        sheet.close()
