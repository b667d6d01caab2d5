"""An attacker cannot lock a real person out of signing in (issue 13, §4).

Behind the TLS proxy every request comes from the proxy's address; the app reads the real
client address from the one trusted hop (LANTERN_PROXY_HOPS=1 here, as in production).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.models import User
from tests.auth.conftest import page_csrf, sign_in

PROXY = "127.0.0.1"


@pytest.fixture
def app_env() -> dict[str, str]:
    """The app behind exactly one trusted proxy."""
    return {"LANTERN_PROXY_HOPS": "1"}


def through_proxy(app: Flask, client_address: str, spoofed: str = "") -> FlaskClient:
    """A browser at `client_address`, reaching the app through the proxy (which appends it)."""
    client = app.test_client()
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    client.environ_base |= {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}
    return client


def sign_out(client: FlaskClient) -> None:
    assert client.post("/auth/sign-out", data={"csrf_token": page_csrf(client)}).status_code == 303


def test_one_address_behind_the_proxy_cannot_lock_out_everyone(
    app: Flask, lead: User, core: User
) -> None:
    app.config["SIGNIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    attacker = through_proxy(app, "203.0.113.66")
    statuses = [sign_in(attacker, f"guess{n}@example.org").status_code for n in range(5)]
    assert statuses == [422] * 5
    assert sign_in(attacker, "guess-more@example.org").status_code == 429
    # Made-up X-Forwarded-For entries before the proxy's own do not give a fresh budget.
    for n in range(3):
        spoofing = through_proxy(app, "203.0.113.66", spoofed=f"10.9.9.{n}")
        assert sign_in(spoofing, "guess@example.org").status_code == 429
    # Everyone else, arriving through the same proxy, signs in as usual.
    assert sign_in(through_proxy(app, "198.51.100.20"), "lead@example.org").status_code == 303
    assert sign_in(through_proxy(app, "198.51.100.21"), "core@example.org").status_code == 303


def test_guessing_from_many_addresses_cannot_lock_the_owner_out(app: Flask, lead: User) -> None:
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] = "10 per hour"
    owner = through_proxy(app, "198.51.100.20")
    assert sign_in(owner, "lead@example.org").status_code == 303  # the lead's own browser
    sign_out(owner)
    # 40 addresses, three wrong passwords each, for the lead's account.
    refused = []
    for n in range(40):
        attacker = through_proxy(app, f"203.0.113.{n + 1}")
        refused += [sign_in(attacker, "lead@example.org", "wrong guess").status_code]
        refused += [sign_in(attacker, "lead@example.org", "wrong guess").status_code]
        refused += [sign_in(attacker, "lead@example.org", "wrong guess").status_code]
    # Guessing is slowed: after the account's ceiling every attempt waits, right or wrong.
    assert refused.count(422) == 10 and refused.count(429) == 110
    assert sign_in(through_proxy(app, "203.0.113.200"), "lead@example.org").status_code == 429
    # The owner's browser is not locked out, from home or from a new address.
    assert sign_in(owner, "lead@example.org").status_code == 303
    sign_out(owner)
    owner.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.44"
    assert sign_in(owner, "lead@example.org").status_code == 303


def test_a_known_browser_is_still_limited_and_only_for_its_own_account(
    app: Flask, lead: User, core: User
) -> None:
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] = "3 per hour"
    browser = through_proxy(app, "198.51.100.30")
    assert sign_in(browser, "core@example.org").status_code == 303
    sign_out(browser)
    # A stolen known-device cookie still allows only a few guesses a minute at its account.
    for _ in range(3):
        assert sign_in(browser, "core@example.org", "wrong guess").status_code == 422
    assert sign_in(browser, "core@example.org").status_code == 429
    # ...and exempts nothing for another account: the lead's ceiling applies to it as usual.
    for n in range(3):
        assert (
            sign_in(through_proxy(app, f"203.0.113.{n + 1}"), "lead@example.org", "x").status_code
            == 422
        )
    assert sign_in(browser, "lead@example.org").status_code == 429


def test_successful_sign_ins_use_up_no_budget(app: Flask, lead: User) -> None:
    app.config["SIGNIN_RATE_LIMIT"] = "2 per minute"
    app.config["SIGNIN_ADDRESS_RATE_LIMIT"] = "2 per minute"
    app.config["SIGNIN_ACCOUNT_RATE_LIMIT"] = "2 per hour"
    for n in range(6):  # six people at one office address, one after another
        person = through_proxy(app, "198.51.100.40")
        assert sign_in(person, "lead@example.org").status_code == 303, n
