"""The release button never shows a 500: a corrupt row or key gives a clear refusal."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from survey.extensions import db
from survey.models import Release, Wave
from tests.conftest import days
from tests.manage.conftest import Members, Staff, audit, count, text_of
from tests.manage.test_waves import demo_version, link_of, open_test_wave
from tests.release.helpers import answers_all, submit
from tests.stored import stored_rows


def closed_wave(app: Flask, kek: bytes, members: Members, as_core: Staff) -> Wave:
    wave = open_test_wave(kek, demo_version(app), [members.day], as_core.user)
    for _ in range(6):
        submit(link_of(wave, members.day), answers_all(3), days(0))
    wave.opens_on, wave.closes_on = days(-30), days(-1)
    db.session.commit()
    return wave


def test_a_corrupt_row_is_refused_with_a_count_then_released_without_it_on_confirmation(
    app: Flask, kek: bytes, members: Members, as_core: Staff
) -> None:
    wave = closed_wave(app, kek, members, as_core)
    row = stored_rows(wave.id)[0]
    row.sealed = bytes(row.sealed[:-1]) + bytes([row.sealed[-1] ^ 1])
    db.session.commit()

    refused = as_core.post(f"/manage/waves/{wave.id}/release")
    assert refused.status_code == 422
    page = text_of(refused)
    assert "Nothing was released: 1 stored response(s) failed the integrity check" in page
    assert "Release without the stored responses that failed the integrity check" in page
    assert count(Release) == 0

    confirmed = as_core.post(f"/manage/waves/{wave.id}/release", data={"exclude_failed": "y"})
    assert confirmed.status_code == 303
    release = db.session.scalars(select(Release)).one()
    [event] = audit("release made")
    assert event.detail.endswith("without the rows that failed the integrity check")
    assert release.kind == "final"


def test_a_corrupt_wave_key_is_a_clear_refusal_not_a_500(
    app: Flask, kek: bytes, members: Members, as_core: Staff
) -> None:
    wave = closed_wave(app, kek, members, as_core)
    wave.wrapped_private_key = bytes(len(wave.wrapped_private_key))
    db.session.commit()
    refused = as_core.post(f"/manage/waves/{wave.id}/release")
    assert refused.status_code == 422
    assert "cannot unwrap this wave's key; nothing was released" in text_of(refused)
    assert count(Release) == 0
