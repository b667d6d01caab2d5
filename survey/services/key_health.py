"""Key health for the core team: the last key check, and which waves need an old KEK.

A check opens every stored response (`keyops.verify_waves`) and keeps only what the page
may say: how many waves, and per wave whether everything opened. Exact counts of stored
responses per wave are finer than releases show (they would tell, beside a release, how
many answers could not be scored), so they stay on the command line of whoever runs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from survey import keyring
from survey.domain.sealing import kek_id
from survey.extensions import db
from survey.models import KeyCheck, User, Wave
from survey.services import keyops
from survey.services.accounts import _event
from survey.services.keyops import WaveCheck

PAGE = "key health page"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class WaveHealth:
    """One wave in a check: whether everything opened, what went wrong, which KEK wraps it."""

    wave_id: int
    name: str
    ok: bool
    problem: str
    on_previous: bool


def record_check(
    checks: Iterable[WaveCheck], *, source: str, actor: User | None = None
) -> KeyCheck:
    """Keep one run of the key check (no response counts) and audit it; commits once."""
    waves = [
        WaveHealth(
            c.wave_id,
            c.name,
            c.ok,
            c.problem or ("" if c.ok else "some did not open"),
            c.on_previous_kek,
        )
        for c in checks
    ]
    row = KeyCheck(
        user=actor,
        source=source,
        waves=len(waves),
        waves_failed=sum(not w.ok for w in waves),
        waves_on_previous=sum(w.on_previous for w in waves),
        detail=json.dumps([w.__dict__ for w in waves]),
    )
    db.session.add(row)
    outcome = "all opened" if row.waves_failed == 0 else f"{row.waves_failed} wave(s) failed"
    _event(
        "keys verified",
        user=actor,
        target="keys",
        detail=f"{source}: {len(waves)} wave(s), {outcome}",
    )
    db.session.commit()
    return row


def run_check(actor: User) -> KeyCheck:
    """Open every stored response with the configured KEKs and keep the result."""
    current = keyring.configured_kek(current_app.config)
    previous = keyring.configured_previous_kek(current_app.config)
    return record_check(list(keyops.verify_waves(current, previous)), source=PAGE, actor=actor)


def last_check() -> KeyCheck | None:
    """The most recent key check, if any has run."""
    return db.session.scalar(select(KeyCheck).order_by(KeyCheck.ran_at.desc(), KeyCheck.id.desc()))


def waves_of(check: KeyCheck) -> list[WaveHealth]:
    """The per-wave results kept with a check."""
    entries: list[dict[str, Any]] = json.loads(check.detail or "[]")
    return [WaveHealth(**entry) for entry in entries]


@dataclass(frozen=True)
class KeyState:
    """What the configured keys say now: which waves still need the previous KEK."""

    previous_configured: bool
    on_old_key: list[Wave]


def key_state() -> KeyState:
    """Waves wrapped by a KEK other than the current one (they need it kept until rotated)."""
    current = keyring.configured_kek(current_app.config)
    previous = keyring.configured_previous_kek(current_app.config)
    waves = db.session.scalars(
        select(Wave).where(Wave.kek_id != kek_id(current)).order_by(Wave.opens_on, Wave.id)
    )
    return KeyState(previous is not None, list(waves))
