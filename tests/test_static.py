"""Static files are served compressed, cacheable, and without leaking open files."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient


def test_stylesheet_is_gzipped_and_cacheable(client: FlaskClient) -> None:
    # pytest turns an unclosed file (ResourceWarning) into an error, so this also proves
    # the file is closed after the compressed copy is sent.
    page = client.get("/static/lantern.css", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(page.get_data())
    assert body.startswith(b"/* Lantern")
    assert len(page.get_data()) < len(body) / 2
    assert "max-age=86400" in page.headers["Cache-Control"]
    page.close()


def test_pages_are_never_cached_but_static_files_are(client: FlaskClient) -> None:
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    script = client.get("/static/exit.js")
    assert "no-store" not in script.headers["Cache-Control"]
    script.close()
