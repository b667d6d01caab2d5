"""Single-use codes: one response per person, without knowing who the person is.

The core team prints a sheet of random codes for a team and hands the slips out shuffled.
A sheet's codes are derived from a random void key printed on the sheet; the server keeps
only a peppered hash of that key (`CodeBatch`), so no code row names its sheet, and only
the person holding a sheet that was never handed out can void it.
The server keeps only HMAC-SHA256(pepper, code) of each unspent code and how many codes
each team was given: never the code itself, never which response spent one, never when.
Spending deletes the code's row, so no live row carries the spend's transaction.

Why no `hmac.compare_digest`: a typed code is never compared with a stored secret in
Python. It is first hashed with the secret pepper, and the hash is looked up as part of
the primary key. Any timing difference in that lookup depends on the HMAC output, which
nobody can steer towards a stored hash without the pepper, so it leaks nothing usable
about any real code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import CursorResult, delete, select

from survey.extensions import db
from survey.models import CodeBatch, CodeTally, SingleUseCode, SurveyLink, Team, Wave
from survey.models.core import utcnow

if TYPE_CHECKING:  # responses imports this module, so only for the type
    from survey.services.responses import LiveLink

# No look-alikes: without 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V, so a code copied by hand from a
# slip still works. 22 symbols, 10 long: about 2^44 codes, against a rate-limited guesser.
ALPHABET = "ACDEFGHJKMNPRTWXY34679"
CODE_LENGTH = 10
GROUP = 5
MAX_BATCH = 500
# A sheet's void key: 20 symbols, about 2^89, printed on the sheet and never stored.
VOID_KEY_LENGTH = 20
_PEPPER_LABEL = b"lantern.single-use-code-pepper"


class CodeRejected(Exception):
    """The code is unknown, spent, or another team's; deliberately not saying which."""


def pepper(config: Mapping[str, Any]) -> bytes:
    """The secret mixed into every code hash: CODE_PEPPER, else derived from SECRET_KEY."""
    configured = config.get("CODE_PEPPER")
    if configured:
        return str(configured).encode("utf-8")
    secret = str(config["SECRET_KEY"]).encode("utf-8")
    # Derived, not the session key itself, so the two uses never share a value.
    return hmac.new(secret, _PEPPER_LABEL, hashlib.sha256).digest()


def normalise(typed: str) -> str | None:
    """The code as stored for hashing (upper case, no spaces or dashes), or None if malformed."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code


def code_hash(code: str, key: bytes) -> str:
    """Hex HMAC-SHA256 of a normalised code under the pepper."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def shown(code: str) -> str:
    """A normalised code grouped for reading aloud and copying: ABCDE-FGHJK."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def _hash_typed(typed: str) -> str | None:
    code = normalise(typed)
    return None if code is None else code_hash(code, pepper(current_app.config))


def _random_key() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(VOID_KEY_LENGTH))


def derived_codes(void_key: str, size: int) -> list[str]:
    """The `size` codes of a sheet, derived from its void key (HMAC-SHA256, no modulo bias)."""
    key = void_key.encode("ascii")
    codes = []
    for index in range(size):
        symbols: list[str] = []
        block = 0
        while len(symbols) < CODE_LENGTH:
            digest = hmac.new(key, f"{index}:{block}".encode(), hashlib.sha256).digest()
            # 220 = 10 x 22: bytes from 220 up are dropped, so every symbol is equally likely.
            symbols += [ALPHABET[byte % len(ALPHABET)] for byte in digest if byte < 220]
            block += 1
        codes.append("".join(symbols[:CODE_LENGTH]))
    return codes


def void_key_hash(void_key: str, key: bytes) -> str:
    """The peppered hash by which a sheet's void key is checked (the key itself is not kept)."""
    return hmac.new(key, b"code-batch:" + void_key.encode("ascii"), hashlib.sha256).hexdigest()


def add_batch(wave: Wave, team: Team, count: int, today: date) -> tuple[CodeBatch, str, list[str]]:
    """Add a sheet of `count` fresh codes for a team (the caller commits).

    Returns the batch, its void key and its codes as shown: print them now. The server
    keeps the codes' hashes and the key's hash, never the key, so it cannot print them again.
    """
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"make between 1 and {MAX_BATCH} codes at a time")
    key = pepper(current_app.config)
    while True:
        void_key = _random_key()
        codes = derived_codes(void_key, count)
        digests = [code_hash(code, key) for code in codes]
        # A clash (inside the sheet or with a code of the wave) is astronomically unlikely;
        # a fresh key then makes a wholly fresh sheet.
        if len(set(digests)) < count:
            continue
        taken = db.session.scalar(
            select(SingleUseCode.code_hash)
            .where(SingleUseCode.wave_id == wave.id, SingleUseCode.code_hash.in_(digests))
            .limit(1)
        )
        if taken is None:
            break
    for digest in digests:
        db.session.add(SingleUseCode(wave_id=wave.id, team_id=team.id, code_hash=digest))
    _tally(wave.id, team.id).made += count
    batch = CodeBatch(
        wave_id=wave.id,
        team_id=team.id,
        size=count,
        made_on=today,
        key_hash=void_key_hash(void_key, key),
    )
    db.session.add(batch)
    return batch, shown_key(void_key), sorted(shown(code) for code in codes)


def shown_key(void_key: str) -> str:
    """A void key grouped for reading: ABCDE-FGHJK-MNPRT-WXY34."""
    return shown(void_key)


def _tally(wave_id: int, team_id: int) -> CodeTally:
    tally = db.session.get(CodeTally, (wave_id, team_id))
    if tally is None:
        tally = CodeTally(wave_id=wave_id, team_id=team_id, made=0)
        db.session.add(tally)
    return tally


def _checked_key(batch: CodeBatch, typed: str) -> str | None:
    key = "".join(typed.split()).replace("-", "").upper()
    if len(key) != VOID_KEY_LENGTH or any(symbol not in ALPHABET for symbol in key):
        return None
    expected = void_key_hash(key, pepper(current_app.config))
    return key if hmac.compare_digest(expected, batch.key_hash) else None


def batch_sheet(batch: CodeBatch, void_key: str) -> list[str] | None:
    """The codes of a sheet again from its void key (None if the key is not this sheet's)."""
    key = _checked_key(batch, void_key)
    return None if key is None else sorted(shown(code) for code in derived_codes(key, batch.size))


def void_batch(batch: CodeBatch, void_key: str, today: date) -> bool:
    """Stop every code of the sheet (the caller commits); False if the key is not its key.

    Its unspent codes are deleted and the team's tally drops by the sheet's size, so the
    figures never say how many of its codes had been spent.
    """
    key = _checked_key(batch, void_key)
    if key is None or batch.voided_on is not None:
        return False
    pep = pepper(current_app.config)
    digests = [code_hash(code, pep) for code in derived_codes(key, batch.size)]
    db.session.execute(
        delete(SingleUseCode)
        .where(SingleUseCode.wave_id == batch.wave_id, SingleUseCode.code_hash.in_(digests))
        .execution_options(synchronize_session=False)
    )
    tally = _tally(batch.wave_id, batch.team_id)
    tally.made = max(tally.made - batch.size, 0)
    batch.voided_on = today
    return True


def add_codes(wave: Wave, team: Team, count: int) -> list[str]:
    """Add one sheet of `count` fresh codes for a team (the caller commits); the codes shown."""
    return add_batch(wave, team, count, utcnow().date())[2]


def code_is_live(link: LiveLink | SurveyLink, typed: str) -> bool:
    """Whether this code belongs to the link's team in its wave and is not spent yet."""
    digest = _hash_typed(typed)
    if digest is None:
        return False
    row = db.session.get(SingleUseCode, (link.wave_id, digest))
    return row is not None and row.team_id == link.team_id


def spend_code(link: LiveLink | SurveyLink, typed: str) -> None:
    """Spend (delete) the code inside the caller's transaction, or raise CodeRejected.

    One conditional DELETE does check and spend together: of two posts racing with the same
    code, the database lets exactly one delete it.
    """
    digest = _hash_typed(typed)
    if digest is None:
        raise CodeRejected
    result = db.session.execute(
        delete(SingleUseCode)
        .where(
            SingleUseCode.wave_id == link.wave_id,
            SingleUseCode.code_hash == digest,
            SingleUseCode.team_id == link.team_id,
        )
        .execution_options(synchronize_session=False)
    )
    if not isinstance(result, CursorResult) or result.rowcount != 1:
        raise CodeRejected


def codes_made(wave: Wave) -> dict[int, int]:
    """How many codes each team of a wave has been given (spent or not, never which)."""
    rows = db.session.execute(
        select(CodeTally.team_id, CodeTally.made).where(CodeTally.wave_id == wave.id)
    )
    return {int(team_id): int(made) for team_id, made in rows if made}
