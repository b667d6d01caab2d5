"""Integrity tags: what only Lantern can write, so a database writer cannot forge it unnoticed.

Sealing (survey/domain/sealing.py) keeps answers secret; it cannot tell who wrote a row,
because anyone may seal to a public key. These tags do: each is an HMAC-SHA256 under a key
derived from a secret that is given to both apps from outside the database (and is not
the KEK, which the respondent app never holds):

* **wave key tag**: binds a wave's public key to its wave id. The respondent path checks
  it before every seal, so a public key swapped in the database is refused, not used.
* **response tag**: binds one stored response (id, wave, team, questionnaire version,
  ISO week and the sealed bytes) together. A forged, altered or moved row fails it.
* **tally tag**: binds a wave's count of stored responses and the XOR of their tags. A
  deleted row leaves the tally ahead of the rows. (A writer who restores an older copy of
  both the tally and the rows it covered rolls the wave back unnoticed: only a copy kept
  outside the database, such as a backup or an earlier release, can show that.)

Plain Python over the standard library: no Flask, no crypto library.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

__all__ = [
    "DIGEST_BYTES",
    "EMPTY_DIGEST",
    "IntegrityKeys",
    "RowFacts",
    "fold",
    "integrity_keys",
    "response_tag",
    "tag_matches",
    "tally_tag",
    "wave_key_tag",
]

DIGEST_BYTES = 32
EMPTY_DIGEST = bytes(DIGEST_BYTES)
_ROOT_LABEL = b"lantern/integrity/v1"


@dataclass(frozen=True)
class IntegrityKeys:
    """One key per use, so a tag of one kind can never pass as another."""

    wave_key: bytes
    response: bytes
    tally: bytes

    def __repr__(self) -> str:
        return "IntegrityKeys(<secret>)"


@dataclass(frozen=True)
class RowFacts:
    """Everything stored about one response that its tag covers."""

    response_id: str
    wave_id: int
    team_id: int
    questionnaire_version_id: int
    iso_week: str

    def encode(self) -> bytes:
        """Canonical bytes (sorted JSON) so the same facts always give the same tag."""
        doc = {
            "iso_week": self.iso_week,
            "questionnaire_version_id": self.questionnaire_version_id,
            "response_id": self.response_id,
            "team_id": self.team_id,
            "wave_id": self.wave_id,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def integrity_keys(secret: bytes) -> IntegrityKeys:
    """Derive the three tag keys from the app's integrity secret (HMAC-SHA256 as a PRF)."""
    if len(secret) < 16:
        raise ValueError("the integrity secret is too short")
    root = hmac.new(secret, _ROOT_LABEL, hashlib.sha256).digest()

    def derive(use: bytes) -> bytes:
        return hmac.new(root, b"lantern/integrity/" + use, hashlib.sha256).digest()

    return IntegrityKeys(derive(b"wave-key"), derive(b"response"), derive(b"tally"))


def wave_key_tag(keys: IntegrityKeys, wave_id: int, public_key: bytes) -> bytes:
    """The tag that vouches for a wave's public key."""
    message = b"wave=%d\x00" % wave_id + bytes(public_key)
    return hmac.new(keys.wave_key, message, hashlib.sha256).digest()


def response_tag(keys: IntegrityKeys, facts: RowFacts, sealed: bytes) -> bytes:
    """The tag that vouches for one stored response row."""
    body = facts.encode()
    message = len(body).to_bytes(4, "big") + body + bytes(sealed)
    return hmac.new(keys.response, message, hashlib.sha256).digest()


def tally_tag(keys: IntegrityKeys, wave_id: int, count: int, digest: bytes) -> bytes:
    """The tag that vouches for a wave's tally: how many rows, and the XOR of their tags."""
    message = b"wave=%d\x00count=%d\x00" % (wave_id, count) + bytes(digest)
    return hmac.new(keys.tally, message, hashlib.sha256).digest()


def fold(digest: bytes, tag: bytes) -> bytes:
    """Add (or, being XOR, remove) one response tag to a tally digest."""
    return bytes(a ^ b for a, b in zip(bytes(digest), bytes(tag), strict=True))


def tag_matches(expected: bytes, stored: bytes | None) -> bool:
    """Constant-time comparison; a missing tag never matches."""
    return stored is not None and hmac.compare_digest(expected, bytes(stored))
