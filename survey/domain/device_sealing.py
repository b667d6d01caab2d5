"""Short-lived state kept on a respondent's own device, sealed (see `survey.respond.draft`).

The survey pages keep a person's unfinished answers in a cookie on their own phone,
sealed with AES-256-GCM under a key derived from the app's secret (never the KEK):
nothing readable is stored on the server before Finish. Padded to DEVICE_BLOCK so the
cookie's length does not show which questions were answered.
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from survey.domain.sealing import OpenFailed

__all__ = ["DEVICE_BLOCK", "device_key", "open_from_device", "seal_for_device"]

_LENGTH_PREFIX = struct.Struct(">I")
_NONCE_BYTES = 12
_GCM_TAG_BYTES = 16
_OPEN_FAILED = "sealed state could not be opened"

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
