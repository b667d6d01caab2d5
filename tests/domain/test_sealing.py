"""Tests for survey.domain.sealing: round trips, tampering, context binding, key wrapping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain import sealing
from survey.domain.sealing import (
    PAD_BLOCK,
    KeyMaterialError,
    OpenFailed,
    SealContext,
    SealingError,
    WaveKeys,
    kek_id,
    new_kek,
    new_wave_keys,
    open_wave,
    rewrap_wave_key,
    seal_answers,
)

WAVE = 7
CTX = SealContext(wave_id=WAVE, team_id=3, response_id="r-9f2c")
ANSWERS: dict[str, int | str] = {"stss_01": 2, "stss_02": 5, "role": "nurse", "note": "ok"}
# HPKE X25519 enc (32) + AES-GCM tag (16) + the version byte (1).
OVERHEAD = 32 + 16 + 1


@pytest.fixture(scope="module")
def kek() -> bytes:
    return new_kek()


@pytest.fixture(scope="module")
def keys(kek: bytes) -> WaveKeys:
    return new_wave_keys(kek, WAVE)


@pytest.fixture(scope="module")
def opener(keys: WaveKeys, kek: bytes) -> sealing.WaveOpener:
    return open_wave(keys.wrapped_private_key, kek, WAVE)


def test_round_trip(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    sealed = seal_answers(keys.public_key, CTX, ANSWERS)
    assert opener.open(CTX, sealed) == ANSWERS


def test_opener_public_key_matches_stored_public_key(
    keys: WaveKeys, opener: sealing.WaveOpener
) -> None:
    assert opener.public_key == keys.public_key
    assert "wave_id=7" in repr(opener)


def test_driver_buffer_types_are_accepted(keys: WaveKeys, kek: bytes) -> None:
    # Some database drivers return memoryview/bytearray for binary columns.
    sealed = seal_answers(memoryview(keys.public_key), CTX, ANSWERS)
    opener = open_wave(bytearray(keys.wrapped_private_key), kek, WAVE)
    assert opener.open(CTX, memoryview(sealed)) == ANSWERS


def test_empty_answers_round_trip(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    assert opener.open(CTX, seal_answers(keys.public_key, CTX, {})) == {}


def test_non_ascii_free_text_round_trips(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    answers: dict[str, int | str] = {"free_text": "Dw i'n iawn — ça va, 大丈夫 🙂", "q1": 0}
    assert opener.open(CTX, seal_answers(keys.public_key, CTX, answers)) == answers


def test_two_seals_of_same_answers_differ(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    first = seal_answers(keys.public_key, CTX, ANSWERS)
    second = seal_answers(keys.public_key, CTX, ANSWERS)
    assert first != second
    assert opener.open(CTX, first) == opener.open(CTX, second) == ANSWERS


def test_sealed_bytes_hide_distinctive_plaintext(keys: WaveKeys) -> None:
    marker = "ZEBRA-CROSSING-4711"
    sealed = seal_answers(keys.public_key, CTX, {"free_text": marker, "q1": 3})
    assert marker.encode() not in sealed
    assert b"free_text" not in sealed
    assert b"q1" not in sealed


def test_ciphertext_length_hides_skipped_questions(keys: WaveKeys) -> None:
    full = {f"proqol_{i:02d}": 3 for i in range(1, 31)}
    skipped = {k: v for k, v in full.items() if k not in {"proqol_04", "proqol_17", "proqol_29"}}
    # 30 items of `"proqol_NN":3,` are about 14 bytes each = ~420 bytes < one 1024-byte block.
    lengths = {len(seal_answers(keys.public_key, CTX, a)) for a in (full, skipped, {})}
    assert lengths == {OVERHEAD + PAD_BLOCK}


def test_ciphertext_length_hides_free_text_length(keys: WaveKeys) -> None:
    short = seal_answers(keys.public_key, CTX, {"free_text": "no"})
    long = seal_answers(keys.public_key, CTX, {"free_text": "x" * 900})
    assert len(short) == len(long) == OVERHEAD + PAD_BLOCK


def test_padding_grows_by_whole_blocks(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    # JSON `{"t":"xxx..."}` is 8 bytes + len(text); with the 4-byte prefix,
    # 1012 chars give 4 + 8 + 1012 = 1024 (one block), 1013 chars give 1025 (two blocks).
    one = seal_answers(keys.public_key, CTX, {"t": "x" * 1012})
    two = seal_answers(keys.public_key, CTX, {"t": "x" * 1013})
    assert len(one) == OVERHEAD + PAD_BLOCK
    assert len(two) == OVERHEAD + 2 * PAD_BLOCK
    assert opener.open(CTX, two) == {"t": "x" * 1013}


@pytest.mark.parametrize("position", [0, 1, 20, 32, 33, 50, 500, -17, -2, -1])
def test_flipped_byte_fails(keys: WaveKeys, opener: sealing.WaveOpener, position: int) -> None:
    # 0 is the version byte, 1..32 the HPKE enc, then ciphertext, -16.. the tag.
    sealed = bytearray(seal_answers(keys.public_key, CTX, ANSWERS))
    sealed[position] ^= 0x01
    with pytest.raises(OpenFailed):
        opener.open(CTX, bytes(sealed))


@pytest.mark.parametrize("keep", [0, 1, 33, OVERHEAD, OVERHEAD + PAD_BLOCK - 1])
def test_truncated_or_empty_fails(keys: WaveKeys, opener: sealing.WaveOpener, keep: int) -> None:
    sealed = seal_answers(keys.public_key, CTX, ANSWERS)
    with pytest.raises(OpenFailed):
        opener.open(CTX, sealed[:keep])


def test_appended_bytes_fail(keys: WaveKeys, opener: sealing.WaveOpener) -> None:
    sealed = seal_answers(keys.public_key, CTX, ANSWERS)
    for extra in (b"\x00", bytes(PAD_BLOCK)):
        with pytest.raises(OpenFailed):
            opener.open(CTX, sealed + extra)


@pytest.mark.parametrize(
    "moved",
    [
        SealContext(wave_id=WAVE, team_id=4, response_id="r-9f2c"),
        SealContext(wave_id=WAVE, team_id=3, response_id="r-9f2d"),
        SealContext(wave_id=WAVE + 1, team_id=3, response_id="r-9f2c"),
    ],
    ids=["other-team", "other-response", "other-wave"],
)
def test_ciphertext_moved_to_other_row_fails(
    keys: WaveKeys, opener: sealing.WaveOpener, moved: SealContext
) -> None:
    sealed = seal_answers(keys.public_key, CTX, ANSWERS)
    with pytest.raises(OpenFailed):
        opener.open(moved, sealed)


def test_ciphertext_moved_to_other_wave_with_same_key_fails(keys: WaveKeys, kek: bytes) -> None:
    # Even if the other wave's opener somehow had this wave's private key,
    # the wave id is bound into the HPKE info.
    other_opener = sealing.WaveOpener(
        WAVE + 1, open_wave(keys.wrapped_private_key, kek, WAVE)._private_key
    )
    other_ctx = SealContext(wave_id=WAVE + 1, team_id=3, response_id="r-9f2c")
    with pytest.raises(OpenFailed):
        other_opener.open(other_ctx, seal_answers(keys.public_key, CTX, ANSWERS))


def test_other_wave_key_cannot_open(kek: bytes, keys: WaveKeys) -> None:
    other = new_wave_keys(kek, WAVE)
    with pytest.raises(OpenFailed):
        open_wave(other.wrapped_private_key, kek, WAVE).open(
            CTX, seal_answers(keys.public_key, CTX, ANSWERS)
        )


def test_open_failed_message_is_uniform_and_hides_plaintext(
    keys: WaveKeys, opener: sealing.WaveOpener
) -> None:
    sealed = seal_answers(keys.public_key, CTX, {"free_text": "SECRET-WORDS"})
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    other_ctx = SealContext(wave_id=WAVE, team_id=99, response_id="r-9f2c")
    messages = set()
    for ctx, data in ((CTX, tampered), (other_ctx, sealed), (CTX, b""), (CTX, sealed[:40])):
        with pytest.raises(OpenFailed) as info:
            opener.open(ctx, data)
        assert info.value.__cause__ is None
        messages.add(str(info.value))
    assert len(messages) == 1
    assert "SECRET" not in messages.pop()


def test_context_encoding_is_canonical_and_unambiguous() -> None:
    encoded = CTX.encode()
    assert encoded == SealContext(7, 3, "r-9f2c").encode()
    assert encoded == b'{"response_id":"r-9f2c","team_id":3,"v":1,"wave_id":7}'
    # Naive concatenation would confuse (1, 23) with (12, 3); this encoding must not.
    assert SealContext(1, 23, "x").encode() != SealContext(12, 3, "x").encode()
    assert SealContext(1, 2, "3,4").encode() != SealContext(1, 2, "3").encode()


@pytest.mark.parametrize(
    ("wave_id", "team_id", "response_id"),
    [(True, 1, "r"), (1, "2", "r"), (1, 2, ""), (1, 2, 3), (1.0, 2, "r")],
)
def test_context_rejects_bad_fields(wave_id: object, team_id: object, response_id: object) -> None:
    with pytest.raises(TypeError):
        SealContext(wave_id, team_id, response_id)  # type: ignore[arg-type]


def test_wrapped_key_format(kek: bytes, keys: WaveKeys) -> None:
    # version (1) + nonce (12) + X25519 private key (32) + GCM tag (16) = 61 bytes
    assert len(keys.wrapped_private_key) == 61
    assert keys.wrapped_private_key[0] == 1
    assert len(keys.public_key) == 32
    assert keys.kek_id == kek_id(kek)
    assert new_wave_keys(kek, WAVE).wrapped_private_key[1:13] != keys.wrapped_private_key[1:13]


def test_wrapped_key_moved_to_other_wave_fails(kek: bytes, keys: WaveKeys) -> None:
    with pytest.raises(KeyMaterialError):
        open_wave(keys.wrapped_private_key, kek, WAVE + 1)


def test_wrong_kek_fails(keys: WaveKeys) -> None:
    with pytest.raises(KeyMaterialError, match="cannot unwrap"):
        open_wave(keys.wrapped_private_key, new_kek(), WAVE)


@pytest.mark.parametrize("position", [0, 1, 12, 13, 40, -1])
def test_corrupt_wrapped_key_fails(kek: bytes, keys: WaveKeys, position: int) -> None:
    wrapped = bytearray(keys.wrapped_private_key)
    wrapped[position] ^= 0x80
    with pytest.raises(KeyMaterialError):
        open_wave(bytes(wrapped), kek, WAVE)


@pytest.mark.parametrize("wrapped", [b"", b"\x01", b"\x01" + bytes(59), b"\x01" + bytes(61)])
def test_malformed_wrapped_key_fails(kek: bytes, wrapped: bytes) -> None:
    with pytest.raises(KeyMaterialError):
        open_wave(wrapped, kek, WAVE)


@pytest.mark.parametrize("bad", [b"", bytes(16), bytes(31), bytes(33)])
def test_bad_kek_length_is_rejected_everywhere(keys: WaveKeys, kek: bytes, bad: bytes) -> None:
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        new_wave_keys(bad, WAVE)
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        open_wave(keys.wrapped_private_key, bad, WAVE)
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        rewrap_wave_key(keys.wrapped_private_key, kek, bad, WAVE)
    with pytest.raises(KeyMaterialError, match="32 bytes"):
        kek_id(bad)


def test_rewrap_opens_with_new_kek_only(kek: bytes, keys: WaveKeys) -> None:
    sealed = seal_answers(keys.public_key, CTX, ANSWERS)
    fresh = new_kek()
    rewrapped = rewrap_wave_key(keys.wrapped_private_key, kek, fresh, WAVE)
    assert rewrapped != keys.wrapped_private_key
    assert open_wave(rewrapped, fresh, WAVE).open(CTX, sealed) == ANSWERS
    with pytest.raises(KeyMaterialError):
        open_wave(rewrapped, kek, WAVE)
    with pytest.raises(KeyMaterialError):
        rewrap_wave_key(keys.wrapped_private_key, new_kek(), fresh, WAVE)


def test_kek_id_is_stable_short_and_distinct() -> None:
    a, b = new_kek(), new_kek()
    assert a != b and len(a) == 32
    assert kek_id(a) == kek_id(a)
    assert kek_id(a) != kek_id(b)
    assert re.fullmatch(r"[0-9a-f]{16}", kek_id(a))
    assert kek_id(a) not in a.hex()


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33)])
def test_bad_public_key_length_is_rejected(bad: bytes) -> None:
    with pytest.raises(KeyMaterialError):
        seal_answers(bad, CTX, ANSWERS)


def test_low_order_public_key_is_rejected() -> None:
    # The all-zero X25519 point yields an all-zero shared secret; HPKE must refuse it.
    with pytest.raises(KeyMaterialError):
        seal_answers(bytes(32), CTX, ANSWERS)


@pytest.mark.parametrize(
    "answers",
    [{"q1": True}, {"q1": 1.5}, {"q1": None}, {"q1": [1]}, {1: 2}, {"q1": "\ud800"}],
)
def test_bad_answer_types_are_rejected_without_echo(keys: WaveKeys, answers: object) -> None:
    with pytest.raises(SealingError) as info:
        seal_answers(keys.public_key, CTX, answers)  # type: ignore[arg-type]
    assert "q1" not in str(info.value)


def test_oversized_answers_are_rejected(keys: WaveKeys) -> None:
    with pytest.raises(SealingError, match="too large"):
        seal_answers(keys.public_key, CTX, {"free_text": "x" * (sealing.MAX_PLAINTEXT + 1)})


def _imports_cryptography(path: Path) -> bool:
    try:
        source = path.read_text("utf-8")
    except FileNotFoundError:  # removed while we walked the tree
        return False
    return re.search(r"^\s*(from|import)\s+cryptography\b", source, re.M) is not None


def test_only_sealing_imports_cryptography() -> None:
    root = Path(__file__).resolve().parents[2] / "survey"
    offenders = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if _imports_cryptography(path)
    ]
    assert offenders == ["domain/sealing.py"]


answer_dicts = st.dictionaries(
    keys=st.text(min_size=1, max_size=20),
    values=st.one_of(st.integers(min_value=-(2**63), max_value=2**63), st.text(max_size=300)),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(answers=answer_dicts, team_id=st.integers(min_value=0, max_value=10**9))
def test_round_trip_property(
    keys: WaveKeys, opener: sealing.WaveOpener, answers: dict[str, int | str], team_id: int
) -> None:
    ctx = SealContext(wave_id=WAVE, team_id=team_id, response_id="r")
    sealed = seal_answers(keys.public_key, ctx, answers)
    assert (len(sealed) - OVERHEAD) % PAD_BLOCK == 0
    assert opener.open(ctx, sealed) == answers
