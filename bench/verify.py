"""After the run: open every stored response with the KEK and match it to what clients were told."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from bench.client import number_from
from config import ProductionConfig
from survey import create_app
from survey.domain.sealing import OpenFailed, SealContext, open_wave
from survey.extensions import db
from survey.keyring import configured_kek
from survey.models import Response, SurveyLink, Wave
from survey.services.batches import flush_pending


@dataclass(frozen=True)
class Reconciliation:
    """Stored responses set against acknowledged submissions."""

    acknowledged: int
    stored: int
    lost: int
    duplicated: int
    unreadable: int
    foreign: int  # opened, but not exactly the answers of one of our submissions
    misfiled: int  # stored under another team than the link it was sent to
    stored_not_acknowledged: int


@contextlib.contextmanager
def core_team_app(env: dict[str, str]) -> Iterator[Flask]:
    """The app as the core team's side runs it (holding the KEK), inside an app context."""
    saved = os.environ.get("LANTERN_KEK")
    os.environ["LANTERN_KEK"] = env["LANTERN_KEK"]
    try:
        app = create_app(ProductionConfig(env))
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if saved is None:
            os.environ.pop("LANTERN_KEK", None)
        else:
            os.environ["LANTERN_KEK"] = saved


def _flush_every_wave() -> None:
    """Move every pending response into `response`, as the release step does first."""
    for wave_id in db.session.scalars(select(Wave.id)).all():
        flush_pending(wave_id)


def response_ids(env: dict[str, str]) -> set[str]:
    """Every stored response id (the demo's synthetic history, before the run)."""
    with core_team_app(env):
        _flush_every_wave()
        return set(db.session.scalars(select(Response.id)))


def reconcile(
    env: dict[str, str], tokens: list[str], acknowledged: set[int], before: set[str]
) -> Reconciliation:
    """Open every response stored during the run and compare with the acknowledged set."""
    with core_team_app(env) as app:
        _flush_every_wave()
        kek = configured_kek(app.config)
        links = db.session.execute(select(SurveyLink.token, SurveyLink.team_id)).tuples()
        team_of: dict[str, int] = dict(links.all())
        stored: Counter[int] = Counter()
        unreadable = foreign = misfiled = 0
        for wave in db.session.scalars(select(Wave)):
            opener = open_wave(wave.wrapped_private_key, kek, wave.id)
            rows = db.session.execute(
                select(Response.id, Response.team_id, Response.sealed).where(
                    Response.wave_id == wave.id
                )
            )
            for response_id, team_id, sealed in rows:
                if response_id in before:
                    continue
                try:
                    answers = opener.open(SealContext(wave.id, team_id, response_id), sealed)
                except OpenFailed:
                    unreadable += 1
                    continue
                number = number_from(answers)
                if number is None:
                    foreign += 1
                    continue
                stored[number] += 1
                if team_of[tokens[number % len(tokens)]] != team_id:
                    misfiled += 1
    return Reconciliation(
        acknowledged=len(acknowledged),
        stored=sum(stored.values()),
        lost=len(acknowledged - set(stored)),
        duplicated=sum(count - 1 for count in stored.values() if count > 1),
        unreadable=unreadable,
        foreign=foreign,
        misfiled=misfiled,
        stored_not_acknowledged=len(set(stored) - acknowledged),
    )
