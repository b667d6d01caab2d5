"""Tests for survey.keys: where the KEK comes from and every way that can go wrong."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest

from survey.keys import (
    KeyConfigError,
    create_key_file,
    describe_source,
    load_kek,
    load_previous_kek,
    previous_key_path,
)

KEY = bytes(range(32))
KEY_TEXT = base64.urlsafe_b64encode(KEY).decode()  # 44 chars, one "=" of padding
OTHER = bytes(range(100, 132))
OTHER_TEXT = base64.urlsafe_b64encode(OTHER).decode()

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def write_key(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="ascii")
    path.chmod(mode)
    return path


def test_env_var_is_used(tmp_path: Path) -> None:
    assert load_kek({"LANTERN_KEK": KEY_TEXT}, None) == KEY


def test_env_beats_file(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "lantern.key", OTHER_TEXT + "\n")
    assert load_kek({"LANTERN_KEK": KEY_TEXT}, key_file) == KEY
    assert load_kek({}, key_file) == OTHER


def test_env_var_name_is_configurable(tmp_path: Path) -> None:
    env = {"LANTERN_KEK": OTHER_TEXT, "MY_KEK": KEY_TEXT}
    assert load_kek(env, None, env_var="MY_KEK") == KEY


def test_padding_and_whitespace_are_optional() -> None:
    assert load_kek({"LANTERN_KEK": "  " + KEY_TEXT.rstrip("=") + "\n"}, None) == KEY


def test_standard_base64_alphabet_is_accepted() -> None:
    # bytes 0xfb 0xff ... encode to "+/" in standard and "-_" in urlsafe base64.
    key = bytes([0xFB, 0xFF] * 8) + bytes(range(16))  # random enough to be accepted
    assert load_kek({"LANTERN_KEK": base64.b64encode(key).decode()}, None) == key
    assert load_kek({"LANTERN_KEK": base64.urlsafe_b64encode(key).decode()}, None) == key


def test_missing_everywhere() -> None:
    with pytest.raises(KeyConfigError, match="no key-encryption key: set LANTERN_KEK"):
        load_kek({}, None)


def test_missing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "lantern.key"
    with pytest.raises(KeyConfigError, match=r"LANTERN_KEK is not set and there is no key file"):
        load_kek({}, path)


def test_empty_env_var_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "lantern.key", OTHER_TEXT)
    with pytest.raises(KeyConfigError, match="environment variable LANTERN_KEK is empty"):
        load_kek({"LANTERN_KEK": " "}, key_file)


@pytest.mark.parametrize("text", ["not base64!", "a" * 41, "é" * 44, "ab cd"])
def test_env_not_base64(text: str) -> None:
    with pytest.raises(KeyConfigError, match="LANTERN_KEK is not valid urlsafe base64") as info:
        load_kek({"LANTERN_KEK": text}, None)
    assert "token_bytes(32)" in str(info.value)  # tells how to make a good one
    assert info.value.__cause__ is None


@pytest.mark.parametrize("size", [16, 31, 33, 64])
def test_env_wrong_length(size: int) -> None:
    text = base64.urlsafe_b64encode(bytes(size)).decode()
    with pytest.raises(KeyConfigError, match=f"wrong length: it decodes to {size} bytes"):
        load_kek({"LANTERN_KEK": text}, None)


def test_file_truncated(tmp_path: Path) -> None:
    # 40 of 44 characters survive: 40 / 4 * 3 = 30 bytes.
    key_file = write_key(tmp_path / "lantern.key", KEY_TEXT[:40])
    with pytest.raises(KeyConfigError, match="looks truncated: it decodes to 30 bytes"):
        load_kek({}, key_file)


def test_file_truncated_mid_quantum(tmp_path: Path) -> None:
    # 41 characters cannot be base64 at all (41 % 4 == 1).
    key_file = write_key(tmp_path / "lantern.key", KEY_TEXT[:41])
    with pytest.raises(KeyConfigError, match=r"not valid urlsafe base64 \(it may be truncated\)"):
        load_kek({}, key_file)


def test_file_empty(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "lantern.key", "\n")
    with pytest.raises(KeyConfigError, match=r"key file .*lantern.key is empty"):
        load_kek({}, key_file)


def test_file_too_long(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "lantern.key", base64.urlsafe_b64encode(bytes(48)).decode())
    with pytest.raises(KeyConfigError, match="wrong length: it decodes to 48 bytes"):
        load_kek({}, key_file)


def test_file_not_text(tmp_path: Path) -> None:
    key_file = tmp_path / "lantern.key"
    key_file.write_bytes(b"\xff\xfe" * 22)
    key_file.chmod(0o600)
    with pytest.raises(KeyConfigError, match="not valid urlsafe base64"):
        load_kek({}, key_file)


def test_file_too_large(tmp_path: Path) -> None:
    key_file = write_key(tmp_path / "lantern.key", KEY_TEXT * 200)
    with pytest.raises(KeyConfigError, match="too large"):
        load_kek({}, key_file)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660])
def test_file_permissions_too_open(tmp_path: Path, mode: int) -> None:
    key_file = write_key(tmp_path / "lantern.key", KEY_TEXT, mode)
    with pytest.raises(KeyConfigError) as info:
        load_kek({}, key_file)
    message = str(info.value)
    assert f"mode {mode:04o}" in message
    assert f"chmod 600 {key_file}" in message
    assert KEY_TEXT not in message


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_file_private_modes_are_accepted(tmp_path: Path, mode: int) -> None:
    assert load_kek({}, write_key(tmp_path / "lantern.key", KEY_TEXT + "\n", mode)) == KEY


def test_file_is_a_directory(tmp_path: Path) -> None:
    key_dir = tmp_path / "lantern.key"
    key_dir.mkdir(mode=0o700)
    with pytest.raises(KeyConfigError, match="is not a regular file"):
        load_kek({}, key_dir)


def test_file_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Permission bits do not stop root (CI runs as root), so make the open itself fail.
    key_file = write_key(tmp_path / "lantern.key", KEY_TEXT)
    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == key_file:
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(KeyConfigError, match=r"cannot read key file .*Permission denied"):
        load_kek({}, key_file)


def test_file_unreadable_through_parent(tmp_path: Path) -> None:
    # A path through a regular file fails with ENOTDIR even for root.
    blocker = write_key(tmp_path / "blocker", "x")
    with pytest.raises(KeyConfigError, match=r"cannot read key file .*Not a directory"):
        load_kek({}, blocker / "lantern.key")


def test_create_key_file_makes_private_usable_key(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "nested" / "lantern.key"
    old_umask = os.umask(0o000)  # even a permissive umask must not widen the mode
    try:
        assert create_key_file(path) is True
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text("ascii")
    assert text.endswith("\n") and text.count("\n") == 1
    assert len(load_kek({}, path)) == 32
    assert sorted(p.name for p in path.parent.iterdir()) == ["lantern.key"]  # no temp left


def test_create_key_file_never_overwrites(tmp_path: Path) -> None:
    path = write_key(tmp_path / "lantern.key", KEY_TEXT + "\n")
    assert create_key_file(path) is False
    assert load_kek({}, path) == KEY


def test_create_key_file_gives_fresh_keys(tmp_path: Path) -> None:
    assert create_key_file(tmp_path / "a.key") and create_key_file(tmp_path / "b.key")
    assert load_kek({}, tmp_path / "a.key") != load_kek({}, tmp_path / "b.key")


def test_create_key_file_race_has_one_winner(tmp_path: Path) -> None:
    path = tmp_path / "lantern.key"
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        results.append(create_key_file(path))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(load_kek({}, path)) == 32
    assert [p.name for p in tmp_path.iterdir()] == ["lantern.key"]


def test_create_key_file_reports_unwritable_location(tmp_path: Path) -> None:
    blocker = write_key(tmp_path / "blocker", "x")
    with pytest.raises(KeyConfigError, match="cannot create key file"):
        create_key_file(blocker / "lantern.key")


def test_previous_kek_absent_is_none(tmp_path: Path) -> None:
    assert load_previous_kek({}, None) is None
    assert load_previous_kek({}, tmp_path / "lantern.key") is None


def test_previous_kek_from_sibling_file(tmp_path: Path) -> None:
    key_file = tmp_path / "lantern.key"
    assert previous_key_path(key_file) == tmp_path / "lantern.key.previous"
    write_key(previous_key_path(key_file), OTHER_TEXT)
    assert load_previous_kek({}, key_file) == OTHER


def test_previous_kek_env_beats_file(tmp_path: Path) -> None:
    key_file = tmp_path / "lantern.key"
    write_key(previous_key_path(key_file), OTHER_TEXT)
    assert load_previous_kek({"LANTERN_KEK_PREVIOUS": KEY_TEXT}, key_file) == KEY
    # The current KEK's variable is not the retired one.
    assert load_previous_kek({"LANTERN_KEK": KEY_TEXT}, None) is None


def test_previous_kek_errors_are_reported_not_ignored(tmp_path: Path) -> None:
    key_file = tmp_path / "lantern.key"
    write_key(previous_key_path(key_file), OTHER_TEXT, 0o644)
    with pytest.raises(KeyConfigError, match=r"lantern.key.previous is accessible"):
        load_previous_kek({}, key_file)
    with pytest.raises(KeyConfigError, match="LANTERN_KEK_PREVIOUS has the wrong length"):
        load_previous_kek({"LANTERN_KEK_PREVIOUS": "AAAA"}, key_file)


def test_describe_source(tmp_path: Path) -> None:
    key_file = tmp_path / "lantern.key"
    assert describe_source({"LANTERN_KEK": "x"}, key_file) == "environment variable LANTERN_KEK"
    assert describe_source({}, key_file) == f"key file {key_file}"
    assert describe_source({}, None) == "none configured"
