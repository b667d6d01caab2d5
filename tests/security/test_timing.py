"""Unknown and revoked links look the same from outside; secrets are compared in constant time."""

from __future__ import annotations

import hmac
import secrets
import statistics
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import Wave
from tests.formtools import only_form

PAIRS = 200


def test_revoked_and_unknown_links_give_identical_responses(
    client: FlaskClient, demo_wave: Wave
) -> None:
    revoked = sorted(demo_wave.links, key=lambda link: link.id)[1]
    revoked.revoked = True
    db.session.commit()
    unknown = secrets.token_urlsafe(16)  # same shape as a real token
    for method in ("GET", "POST", "HEAD"):
        a = client.open(f"/s/{revoked.token}", method=method, data={"action": "start"})
        b = client.open(f"/s/{unknown}", method=method, data={"action": "start"})
        assert (a.status_code, a.get_data()) == (b.status_code, b.get_data()), method
        assert sorted(a.headers.items()) == sorted(b.headers.items()), method


def test_revoked_and_unknown_links_take_the_same_time(client: FlaskClient, demo_wave: Wave) -> None:
    revoked = sorted(demo_wave.links, key=lambda link: link.id)[1]
    revoked.revoked = True
    db.session.commit()
    times: dict[str, list[float]] = {"revoked": [], "unknown": []}
    for _ in range(PAIRS):  # interleaved, so drift in machine load hits both alike
        for kind, token in (("revoked", revoked.token), ("unknown", secrets.token_urlsafe(16))):
            started = time.perf_counter()
            client.get(f"/s/{token}")
            times[kind].append(time.perf_counter() - started)
    revoked_ms = statistics.median(times["revoked"]) * 1000
    unknown_ms = statistics.median(times["unknown"]) * 1000
    print(f"median: revoked {revoked_ms:.3f} ms, unknown {unknown_ms:.3f} ms over {PAIRS} each")
    # Both run the same indexed lookup and render the same page; allow scheduler noise only.
    assert abs(revoked_ms - unknown_ms) < max(0.5, 0.25 * unknown_ms)


def test_form_keys_and_csrf_tokens_are_compared_in_constant_time(
    app: Flask, monkeypatch: pytest.MonkeyPatch, demo_wave: Wave
) -> None:
    link = demo_wave.links[0]
    client = app.test_client()
    fields = only_form(client.get(f"/s/{link.token}").get_data(as_text=True)).fields
    compared: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: object, b: object) -> bool:
        compared.append((a, b))
        return real(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(hmac, "compare_digest", spy)
    forged_csrf = dict(fields, csrf_token=fields["csrf_token"][:-3] + "AAA", action="start")
    assert client.post(f"/s/{link.token}", data=forged_csrf).status_code == 400
    assert compared, "the CSRF signature was not compared with hmac.compare_digest"
    compared.clear()
    forged_key = dict(fields, form_key=fields["form_key"][:-3] + "AAA", action="start")
    assert client.post(f"/s/{link.token}", data=forged_key).status_code == 400
    # The CSRF token (valid) and then the form key's signature are both compared safely.
    assert len(compared) >= 2
