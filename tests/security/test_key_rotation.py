"""`flask keys rotate` and `flask keys verify`: nothing becomes unreadable or is lost quietly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from survey.domain.sealing import KeyMaterialError, kek_id, open_wave
from survey.extensions import db
from survey.keys import create_key_file, load_kek, previous_key_path
from survey.models import Wave
from survey.services import keyops
from tests.security.keyfixtures import add_waves, fill, open_all, run
from tests.stored import stored_rows

WAVES = 4  # the demo wave and three more


@pytest.fixture
def stored(app: Flask, demo_wave: Wave, kek: bytes) -> dict[str, dict[str, int | str]]:
    """Four waves with responses on every link; what they held before any key change."""
    waves = [demo_wave, *add_waves(kek, WAVES - 1)]
    count = sum(fill(wave, per_link=3) for wave in waves)
    assert count == WAVES * 2 * 3  # 4 waves x 2 team links x 3 responses
    before = open_all(kek)
    assert len(before) == count
    return before


def retire_key(key_file: Path) -> bytes:
    """Move the current key aside as the previous key and create a new one, as documented."""
    old = load_kek({}, key_file)
    os.rename(key_file, previous_key_path(key_file))
    return old


def test_rotation_rewraps_every_wave_and_every_response_still_opens(
    app: Flask, key_file: Path, stored: dict[str, dict[str, int | str]]
) -> None:
    old = retire_key(key_file)
    init = run(app, "keys", "init")
    assert init.exit_code == 0, init.output  # safe: the previous key covers every wave
    new = load_kek({}, key_file)
    assert new != old

    rotated = run(app, "keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert f"re-wrapped {WAVES} wave key(s)" in rotated.output

    waves = list(db.session.scalars(select(Wave)))
    assert {wave.kek_id for wave in waves} == {kek_id(new)}
    assert open_all(new) == stored  # every response opens, with the same answers
    for wave in waves:
        with pytest.raises(KeyMaterialError):
            open_wave(wave.wrapped_private_key, old, wave.id)  # the old key opens nothing

    previous_key_path(key_file).unlink()  # the retired key can go once backups allow
    verified = run(app, "keys", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"{WAVES} wave(s): {len(stored)} response(s) opened, 0 failed" in verified.output


def test_a_second_rotation_run_changes_nothing(
    app: Flask, key_file: Path, stored: dict[str, dict[str, int | str]]
) -> None:
    retire_key(key_file)
    run(app, "keys", "init")
    assert run(app, "keys", "rotate").exit_code == 0
    wrapped = {
        wave.id: bytes(wave.wrapped_private_key) for wave in db.session.scalars(select(Wave))
    }
    again = run(app, "keys", "rotate")
    assert again.exit_code == 0
    assert f"nothing to rotate: {WAVES} wave(s) use the current key" in again.output
    assert {w.id: bytes(w.wrapped_private_key) for w in db.session.scalars(select(Wave))} == wrapped


def test_interrupted_rotation_loses_nothing_and_a_rerun_completes(
    app: Flask,
    key_file: Path,
    stored: dict[str, dict[str, int | str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = retire_key(key_file)
    run(app, "keys", "init")
    new = load_kek({}, key_file)
    real_rewrap = keyops.rewrap_wave_key
    calls = 0

    def interrupted(*args: object, **kwargs: object) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt  # the operator presses Ctrl-C during the second wave
        return real_rewrap(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(keyops, "rewrap_wave_key", interrupted)
    broken = run(app, "keys", "rotate")
    assert broken.exit_code != 0
    monkeypatch.setattr(keyops, "rewrap_wave_key", real_rewrap)

    # The first wave is on the new key, committed; the rest are untouched on the old one.
    by_kek = [wave.kek_id for wave in db.session.scalars(select(Wave).order_by(Wave.id))]
    assert by_kek == [kek_id(new)] + [kek_id(old)] * (WAVES - 1)
    half = run(app, "keys", "verify")  # both keys configured: everything still opens
    assert half.exit_code == 0, half.output
    assert half.output.count("still on the previous key") == WAVES - 1

    resumed = run(app, "keys", "rotate")
    assert resumed.exit_code == 0, resumed.output
    assert f"re-wrapped {WAVES - 1} wave key(s); 1 already used the current key" in resumed.output
    assert open_all(new) == stored


def test_rotation_without_the_previous_key_refuses_and_changes_nothing(
    app: Flask, key_file: Path, stored: dict[str, dict[str, int | str]]
) -> None:
    old = retire_key(key_file)
    run(app, "keys", "init")
    previous_key_path(key_file).unlink()  # the retired key was lost before the rotation
    refused = run(app, "keys", "rotate")
    assert refused.exit_code == 1
    assert "no previous key is configured" in refused.output
    assert "Nothing was changed" in refused.output
    assert "Traceback" not in refused.output
    assert open_all(old) == stored  # still recoverable with the old key, had it been kept


def test_lost_key_file_is_refused_not_silently_replaced(
    app: Flask, key_file: Path, stored: dict[str, dict[str, int | str]]
) -> None:
    old = load_kek({}, key_file)
    key_file.unlink()
    for command in (("keys", "rotate"), ("keys", "verify"), ("demo", "seed")):
        result = run(app, *command)
        assert result.exit_code == 1, command
        assert f"no key file at {key_file}" in result.output
        assert "Traceback" not in result.output
    init = run(app, "keys", "init")
    assert init.exit_code == 1
    assert "refusing to create a new key-encryption key" in init.output
    assert kek_id(old) in init.output  # which key to look for in the backups
    assert not key_file.exists()

    # Forced anyway: verification says loudly that the stored responses cannot be opened.
    assert run(app, "keys", "init", "--force").exit_code == 0
    verified = run(app, "keys", "verify")
    assert verified.exit_code == 1
    assert f"0 response(s) opened, {len(stored)} failed" in verified.output
    rotate = run(app, "keys", "rotate")
    assert rotate.exit_code == 1 and "Nothing was changed" in rotate.output


def test_truncated_and_wrong_key_files_each_give_one_clear_error(
    app: Flask, key_file: Path, stored: dict[str, dict[str, int | str]]
) -> None:
    good = key_file.read_text()
    key_file.write_text(good[:20] + "\n")  # cut short, e.g. by a full disk
    truncated = run(app, "keys", "verify")
    assert truncated.exit_code == 1
    assert "looks truncated" in truncated.output and str(key_file) in truncated.output
    assert truncated.output.count("Error:") == 1

    key_file.unlink()
    create_key_file(key_file)  # a valid key, but not the one that wraps these waves
    wrong = run(app, "keys", "verify")
    assert wrong.exit_code == 1
    assert wrong.output.count("no configured key-encryption key wraps this wave's key") == WAVES
    assert f"0 response(s) opened, {len(stored)} failed" in wrong.output


def test_verify_counts_a_damaged_response_as_failed(
    app: Flask, stored: dict[str, dict[str, int | str]]
) -> None:
    row = stored_rows()[0]
    sealed = bytearray(row.sealed)
    sealed[-1] ^= 0x01  # one flipped bit in the authentication tag
    row.sealed = bytes(sealed)
    db.session.commit()
    result = run(app, "keys", "verify")
    assert result.exit_code == 1
    assert f"{len(stored) - 1} response(s) opened, 1 failed" in result.output
