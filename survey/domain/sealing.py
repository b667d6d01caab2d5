"""Sealing of survey answers: the only module that touches the crypto library.

Model
-----
* Each wave has an X25519 key pair. The respondent path holds only the public
  key and seals answers to it with HPKE base mode (RFC 9180: DHKEM(X25519),
  HKDF-SHA256, AES-256-GCM).
* The wave's private key is stored wrapped with AES-256-GCM under a
  key-encryption key (KEK) that never enters the database.
* The release step unwraps the private key once (:func:`open_wave`) and opens
  many responses with the returned :class:`WaveOpener`.

Formats (all version-prefixed so they can evolve)
-------------------------------------------------
Sealed answers::

    0x01 || HPKE enc (32 bytes) || AES-256-GCM ciphertext+tag of the padded plaintext

    padded plaintext = uint32 big-endian length of the JSON || JSON || zero bytes,
    with the total a multiple of PAD_BLOCK (1024) bytes.

    The JSON is canonical: sorted keys, no whitespace, UTF-8. The HPKE ``info``
    is a domain label, the format version and :meth:`SealContext.encode`, so a
    ciphertext copied to another wave, team or response row does not open.

Wrapped wave private key::

    0x01 || 96-bit random nonce || AES-256-GCM(raw 32-byte X25519 private key)

    with associated data naming the format version and the wave id, so a wrapped
    key copied to another wave does not unwrap.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

__all__ = [
    "DEVICE_BLOCK",
    "DOCUMENT_BLOCK",
    "KEK_BYTES",
    "PAD_BLOCK",
    "BytesLike",
    "KeyMaterialError",
    "OpenFailed",
    "SealContext",
    "SealingError",
    "WaveKeys",
    "WaveOpener",
    "device_key",
    "kek_id",
    "new_kek",
    "new_wave_keys",
    "open_from_device",
    "open_wave",
    "rewrap_wave_key",
    "seal_answers",
    "seal_document",
    "seal_for_device",
]

KEK_BYTES = 32
# Big enough that a typical questionnaire (tens of items plus a short free-text
# answer) fits one block, so skipped items rarely move a response to another size.
PAD_BLOCK = 1024
# A generous cap: a response is a few dozen small answers, not a document.
MAX_PLAINTEXT = 64 * 1024

_SEAL_VERSION = 1
_WRAP_VERSION = 1
_CONTEXT_VERSION = 1
_NONCE_BYTES = 12
_X25519_BYTES = 32
_LENGTH_PREFIX = struct.Struct(">I")

# Database drivers may hand back memoryview or bytearray for binary columns.
BytesLike: TypeAlias = bytes | bytearray | memoryview

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_ENC_BYTES = hpke.KEM.X25519.enc_length()
_GCM_TAG_BYTES = 16
_SEAL_OVERHEAD = 1 + _ENC_BYTES + _GCM_TAG_BYTES
_MIN_SEALED = _SEAL_OVERHEAD + PAD_BLOCK

_OPEN_FAILED = "sealed response could not be opened"
_UNWRAP_FAILED = (
    "the key-encryption key cannot unwrap this wave's key "
    "(wrong KEK, key belongs to another wave, or the wrapped key is corrupt)"
)


class SealingError(Exception):
    """Base class for every error raised by this module."""


class OpenFailed(SealingError):
    """A sealed response did not open; deliberately says nothing about why."""


class KeyMaterialError(SealingError):
    """A key or wrapped key is malformed or does not match."""


def new_kek() -> bytes:
    """Return a fresh random 32-byte key-encryption key."""
    return os.urandom(KEK_BYTES)


def kek_id(kek: bytes) -> str:
    """Return a short stable fingerprint of a KEK (16 hex chars), safe to store."""
    _check_kek(kek)
    # Domain-separated so the fingerprint is useless as a hash of the key elsewhere.
    return hashlib.sha256(b"lantern/kek-id/v1\x00" + kek).hexdigest()[:16]


@dataclass(frozen=True)
class SealContext:
    """Where a sealed response belongs; bound into the ciphertext."""

    wave_id: int
    team_id: int
    response_id: str

    def __post_init__(self) -> None:
        # bool is an int subclass; True as a wave id is always a bug.
        for name in ("wave_id", "team_id"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"SealContext.{name} must be an int")
        if not isinstance(self.response_id, str) or not self.response_id:
            raise TypeError("SealContext.response_id must be a non-empty str")

    def encode(self) -> bytes:
        """Return the canonical, versioned byte encoding used as HPKE info."""
        doc = {
            "response_id": self.response_id,
            "team_id": self.team_id,
            "v": _CONTEXT_VERSION,
            "wave_id": self.wave_id,
        }
        return _canonical_json(doc)


@dataclass(frozen=True)
class WaveKeys:
    """A wave's public key and its private key wrapped under a KEK."""

    public_key: bytes
    wrapped_private_key: bytes
    kek_id: str


def new_wave_keys(kek: bytes, wave_id: int) -> WaveKeys:
    """Generate a wave key pair and wrap its private key under ``kek``."""
    _check_kek(kek)
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return WaveKeys(
        public_key=public,
        wrapped_private_key=_wrap(raw_private, kek, wave_id),
        kek_id=kek_id(kek),
    )


def rewrap_wave_key(wrapped: BytesLike, old_kek: bytes, new_kek: bytes, wave_id: int) -> bytes:
    """Re-wrap a wave's private key from ``old_kek`` to ``new_kek`` (KEK rotation)."""
    _check_kek(new_kek)
    raw_private = _unwrap(wrapped, old_kek, wave_id)
    return _wrap(raw_private, new_kek, wave_id)


def seal_answers(
    public_key: BytesLike, context: SealContext, answers: Mapping[str, int | str]
) -> bytes:
    """Seal one response's answers to a wave's public key; needs no secret."""
    recipient = _load_public_key(public_key)
    payload = _canonical_json(_checked_answers(answers))
    if len(payload) > MAX_PLAINTEXT:
        raise SealingError("answers are too large to seal")
    try:
        ciphertext = _SUITE.encrypt(_pad(payload), recipient, info=_seal_info(context))
    except ValueError:
        # e.g. a low-order point: no shared secret can be agreed with it.
        raise KeyMaterialError("the wave public key is not usable") from None
    return bytes([_SEAL_VERSION]) + ciphertext


# A release's own record of the truth of each cell (see `joint_truth`), sealed to the wave
# key like the answers it came from; compressed, then padded to DOCUMENT_BLOCK.
DOCUMENT_BLOCK = 4096
_DOCUMENT_VERSION = 1


def _document_info(wave_id: int, label: str) -> bytes:
    doc = {"label": label, "v": _DOCUMENT_VERSION, "wave_id": wave_id}
    return b"lantern/document/v%d\x00" % _DOCUMENT_VERSION + _canonical_json(doc)


def seal_document(public_key: BytesLike, wave_id: int, label: str, payload: bytes) -> bytes:
    """Seal a staff-side document (never answers) of one wave to its public key."""
    body = zlib.compress(payload, 6)
    body = _LENGTH_PREFIX.pack(len(body)) + body
    body += b"\x00" * (-len(body) % DOCUMENT_BLOCK)
    sealed = _SUITE.encrypt(body, _load_public_key(public_key), info=_document_info(wave_id, label))
    return bytes([_DOCUMENT_VERSION]) + sealed


def open_wave(wrapped_private_key: BytesLike, kek: bytes, wave_id: int) -> WaveOpener:
    """Unwrap a wave's private key once and return an opener for its responses."""
    raw_private = _unwrap(wrapped_private_key, kek, wave_id)
    return WaveOpener(wave_id, X25519PrivateKey.from_private_bytes(raw_private))


class WaveOpener:
    """Opens the sealed responses of one wave; holds the unwrapped private key."""

    __slots__ = ("_private_key", "wave_id")

    def __init__(self, wave_id: int, private_key: X25519PrivateKey) -> None:
        self.wave_id = wave_id
        self._private_key = private_key

    def __repr__(self) -> str:
        return f"WaveOpener(wave_id={self.wave_id!r})"

    @property
    def public_key(self) -> bytes:
        """The matching public key, to check it against the one stored for the wave."""
        return self._private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def open(self, context: SealContext, sealed: BytesLike) -> dict[str, int | str]:
        """Open one sealed response; raises OpenFailed on any mismatch or damage."""
        sealed = _as_bytes(sealed)
        if (
            context.wave_id != self.wave_id
            or len(sealed) < _MIN_SEALED
            or (len(sealed) - _SEAL_OVERHEAD) % PAD_BLOCK
            or sealed[0] != _SEAL_VERSION
        ):
            raise OpenFailed(_OPEN_FAILED)
        try:
            padded = _SUITE.decrypt(sealed[1:], self._private_key, info=_seal_info(context))
        except (InvalidTag, ValueError):
            raise OpenFailed(_OPEN_FAILED) from None
        return _decode_answers(padded)

    def open_document(self, label: str, sealed: BytesLike) -> bytes:
        """Open a document sealed with `seal_document` under the same label."""
        sealed = _as_bytes(sealed)
        if not sealed or sealed[0] != _DOCUMENT_VERSION:
            raise OpenFailed(_OPEN_FAILED)
        try:
            body = _SUITE.decrypt(
                sealed[1:], self._private_key, info=_document_info(self.wave_id, label)
            )
            (length,) = _LENGTH_PREFIX.unpack_from(body)
            return zlib.decompress(body[_LENGTH_PREFIX.size : _LENGTH_PREFIX.size + length])
        except (InvalidTag, ValueError, struct.error, zlib.error):
            raise OpenFailed(_OPEN_FAILED) from None


# --- short-lived state kept on a respondent's own device ------------------------
#
# The survey pages keep a person's unfinished answers in a cookie on their own phone,
# sealed with AES-256-GCM under a key derived from the app's secret (never the KEK):
# nothing readable is stored on the server before Finish. Padded to DEVICE_BLOCK so
# the cookie's length does not show which questions were answered.

DEVICE_BLOCK = 512
_DEVICE_VERSION = 1


def device_key(secret: str | bytes) -> bytes:
    """The 32-byte key for device-held state, derived from the app's secret with HKDF."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    hkdf = HKDF(SHA256(), length=32, salt=None, info=b"lantern/device-state/v1")
    return hkdf.derive(raw)


def _device_aad(label: bytes) -> bytes:
    return b"lantern/device-state/v%d\x00" % _DEVICE_VERSION + label


def seal_for_device(key: bytes, payload: bytes, label: bytes) -> bytes:
    """`payload` padded to a multiple of DEVICE_BLOCK and sealed, bound to `label`."""
    body = _LENGTH_PREFIX.pack(len(payload)) + payload
    body += b"\x00" * (-len(body) % DEVICE_BLOCK)
    nonce = os.urandom(_NONCE_BYTES)
    return bytes([_DEVICE_VERSION]) + nonce + AESGCM(key).encrypt(nonce, body, _device_aad(label))


def open_from_device(key: bytes, sealed: bytes, label: bytes) -> bytes:
    """The payload sealed by :func:`seal_for_device` with this key and label, or OpenFailed."""
    if len(sealed) < 1 + _NONCE_BYTES + _GCM_TAG_BYTES or sealed[0] != _DEVICE_VERSION:
        raise OpenFailed(_OPEN_FAILED)
    nonce, body = sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    try:
        padded = AESGCM(key).decrypt(nonce, body, _device_aad(label))
    except InvalidTag:
        raise OpenFailed(_OPEN_FAILED) from None
    (length,) = _LENGTH_PREFIX.unpack_from(padded)
    if _LENGTH_PREFIX.size + length > len(padded):
        raise OpenFailed(_OPEN_FAILED)
    return padded[_LENGTH_PREFIX.size : _LENGTH_PREFIX.size + length]


# --- helpers -----------------------------------------------------------------


def _as_bytes(value: BytesLike) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError("expected bytes")


def _check_kek(kek: bytes) -> None:
    if not isinstance(kek, bytes | bytearray | memoryview) or len(kek) != KEK_BYTES:
        raise KeyMaterialError(f"a key-encryption key must be exactly {KEK_BYTES} bytes")


def _wrap_aad(wave_id: int) -> bytes:
    return b"lantern/wave-key/v%d\x00wave=%d" % (_WRAP_VERSION, wave_id)


def _wrap(raw_private: bytes, kek: bytes, wave_id: int) -> bytes:
    _check_kek(kek)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(kek).encrypt(nonce, raw_private, _wrap_aad(wave_id))
    return bytes([_WRAP_VERSION]) + nonce + sealed


def _unwrap(wrapped: BytesLike, kek: bytes, wave_id: int) -> bytes:
    _check_kek(kek)
    wrapped = _as_bytes(wrapped)
    expected = 1 + _NONCE_BYTES + _X25519_BYTES + _GCM_TAG_BYTES
    if len(wrapped) != expected or wrapped[0] != _WRAP_VERSION:
        raise KeyMaterialError(_UNWRAP_FAILED)
    nonce, body = wrapped[1 : 1 + _NONCE_BYTES], wrapped[1 + _NONCE_BYTES :]
    try:
        return AESGCM(kek).decrypt(nonce, body, _wrap_aad(wave_id))
    except InvalidTag:
        raise KeyMaterialError(_UNWRAP_FAILED) from None


def _load_public_key(public_key: BytesLike) -> X25519PublicKey:
    if (
        not isinstance(public_key, bytes | bytearray | memoryview)
        or len(public_key) != _X25519_BYTES
    ):
        raise KeyMaterialError(f"a wave public key must be exactly {_X25519_BYTES} bytes")
    return X25519PublicKey.from_public_bytes(bytes(public_key))


def _seal_info(context: SealContext) -> bytes:
    # The version goes into info too, so the version byte itself is authenticated.
    return b"lantern/answers/v%d\x00" % _SEAL_VERSION + context.encode()


def _canonical_json(doc: Mapping[str, object]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _checked_answers(answers: Mapping[str, int | str]) -> dict[str, int | str]:
    # Messages name no key or value: both may describe the respondent.
    checked: dict[str, int | str] = {}
    for key, value in answers.items():
        if not isinstance(key, str):
            raise SealingError("answer keys must be question ids (str)")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise SealingError("answer values must be int or str")
        if isinstance(value, str) and not _is_utf8_safe(value):
            raise SealingError("answer text is not valid Unicode")
        if not _is_utf8_safe(key):
            raise SealingError("answer keys must be valid Unicode")
        checked[key] = value
    return checked


def _is_utf8_safe(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _pad(payload: bytes) -> bytes:
    body = _LENGTH_PREFIX.pack(len(payload)) + payload
    return body + b"\x00" * (-len(body) % PAD_BLOCK)


def _decode_answers(padded: bytes) -> dict[str, int | str]:
    # Authenticated data can still be malformed if sealed by a buggy writer;
    # `from None` keeps decoder errors (which quote the document) out of tracebacks.
    if len(padded) < _LENGTH_PREFIX.size or len(padded) % PAD_BLOCK:
        raise OpenFailed(_OPEN_FAILED)
    (length,) = _LENGTH_PREFIX.unpack_from(padded)
    end = _LENGTH_PREFIX.size + length
    if end > len(padded) or padded[end:].strip(b"\x00"):
        raise OpenFailed(_OPEN_FAILED)
    try:
        doc = json.loads(padded[_LENGTH_PREFIX.size : end].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise OpenFailed(_OPEN_FAILED) from None
    if not isinstance(doc, dict):
        raise OpenFailed(_OPEN_FAILED)
    answers: dict[str, int | str] = {}
    for key, value in doc.items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise OpenFailed(_OPEN_FAILED)
        answers[key] = value
    return answers
