"""Single-use codes: one response per person, without knowing who the person is.

The core team prints a sheet of random codes for a team and hands the slips out shuffled.
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
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import CursorResult, delete, select

from survey.extensions import db
from survey.models import CodeTally, SingleUseCode, SurveyLink, Team, Wave

if TYPE_CHECKING:  # responses imports this module, so only for the type
    from survey.services.responses import LiveLink

# No look-alikes: without 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V, so a code copied by hand from a
# slip still works. 22 symbols, 10 long: about 2^44 codes, against a rate-limited guesser.
ALPHABET = "ACDEFGHJKMNPRTWXY34679"
CODE_LENGTH = 10
GROUP = 5
MAX_BATCH = 500
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


def _random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _hash_typed(typed: str) -> str | None:
    code = normalise(typed)
    return None if code is None else code_hash(code, pepper(current_app.config))


def add_codes(wave: Wave, team: Team, count: int) -> list[str]:
    """Add `count` fresh codes for a team to the session (the caller commits); the codes shown.

    The returned codes exist nowhere else: print them now, they cannot be shown again.
    """
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"make between 1 and {MAX_BATCH} codes at a time")
    key = pepper(current_app.config)
    fresh: dict[str, str] = {}
    while len(fresh) < count:
        for _ in range(count - len(fresh)):
            code = _random_code()
            fresh[code_hash(code, key)] = code
        # A clash with an earlier batch of this wave is astronomically unlikely; drop it anyway.
        taken = db.session.scalars(
            select(SingleUseCode.code_hash).where(
                SingleUseCode.wave_id == wave.id, SingleUseCode.code_hash.in_(list(fresh))
            )
        ).all()
        for digest in taken:
            del fresh[digest]
    for digest in fresh:
        db.session.add(SingleUseCode(wave_id=wave.id, team_id=team.id, code_hash=digest))
    tally = db.session.get(CodeTally, (wave.id, team.id))
    if tally is None:
        tally = CodeTally(wave_id=wave.id, team_id=team.id, made=0)
        db.session.add(tally)
    tally.made += count
    return sorted(shown(code) for code in fresh.values())


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
