"""The key health page: the last key check (no response counts), and waves on a retired KEK."""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask

from survey.extensions import db
from survey.keys import create_key_file, load_kek, previous_key_path
from survey.models import KeyCheck, SurveyLink, Wave
from tests.manage.conftest import Staff, audit, text_of
from tests.security.keyfixtures import add_waves, fill, run

PAGE = "/manage/keys"


def _numbers(page: str) -> set[str]:
    """The numbers a page shows, leaving out the date and time of the check."""
    undated = re.sub(r"\d+ \w+ \d{4} at \d\d:\d\d", "", page)
    return set(re.findall(r"\b\d+\b", undated))


def test_the_page_says_the_check_never_ran_then_runs_it_without_counts(
    app: Flask, as_core: Staff, demo_wave: Wave, kek: bytes
) -> None:
    assert "The key check has never run." in text_of(as_core.get(PAGE))
    stored = fill(demo_wave, per_link=7)  # 14 responses: a number the page must not show
    done = as_core.post(f"{PAGE}/check", follow_redirects=True)
    shown = text_of(done)
    assert "Every stored response opened." in shown
    assert "every stored response of all 1 wave opened" in shown
    assert "All opened" in shown and "the current KEK" in shown
    assert str(stored) not in _numbers(shown) and "7" not in _numbers(shown)
    check = db.session.query(KeyCheck).one()
    assert (check.source, check.waves, check.waves_failed, check.user_id) == (
        "key health page",
        1,
        0,
        as_core.user.id,
    )
    assert "14" not in check.detail
    assert audit("keys verified")[-1].detail == "key health page: 1 wave(s), all opened"


def test_the_command_line_check_is_recorded_too(
    app: Flask, as_core: Staff, demo_wave: Wave
) -> None:
    fill(demo_wave, per_link=2)
    result = run(app, "keys", "verify")
    assert result.exit_code == 0, result.output
    shown = text_of(as_core.get(PAGE))
    assert "on the command line" in shown and "every stored response of all 1 wave opened" in shown


def test_waves_on_a_retired_key_are_listed_until_rotated(
    app: Flask, as_core: Staff, key_file: Path, demo_wave: Wave, kek: bytes
) -> None:
    add_waves(kek, 1)
    os.rename(key_file, previous_key_path(key_file))
    create_key_file(key_file)
    page = text_of(as_core.get(PAGE))
    assert "These waves are still locked by a key-encryption key other than the current one" in page
    names = [w.name for w in db.session.query(Wave).order_by(Wave.id)]
    assert all(name in page for name in names)
    checked = text_of(as_core.post(f"{PAGE}/check", follow_redirects=True))
    assert "the previous KEK" in checked
    assert run(app, "keys", "rotate").exit_code == 0
    after = text_of(as_core.get(PAGE))
    assert "Every wave is locked by the current key-encryption key" in after
    assert "flask --app wsgi keys rotate" in after  # rotation stays on the command line


def test_a_wave_whose_key_cannot_open_is_reported(
    app: Flask, as_core: Staff, key_file: Path, demo_wave: Wave
) -> None:
    fill(demo_wave, per_link=1)
    os.remove(key_file)
    create_key_file(key_file)  # the old key is lost: nothing configured opens the wave
    assert load_kek({}, key_file)
    shown = text_of(as_core.post(f"{PAGE}/check", follow_redirects=True))
    assert "1 wave(s) had problems" in shown
    assert "Problem: no configured key-encryption key wraps this wave's key" in shown
    assert db.session.query(SurveyLink).count() > 0


def test_key_health_is_for_the_core_team_only(as_lead: Staff) -> None:
    assert as_lead.get(PAGE).status_code == 403
    assert as_lead.post(f"{PAGE}/check").status_code == 403
