"""Integrity tags in the database: vouch for wave keys, tag each stored response, audit a wave.

The tag secret is `INTEGRITY_KEY` (environment `LANTERN_INTEGRITY_KEY`), else derived from
`SECRET_KEY`. Both apps hold it; the database never does, and it is not the KEK: the
respondent app can tag what it stores but still cannot open anything. A database writer
without it cannot make a tag, so a swapped wave key is refused before sealing, and a
forged, altered, moved or deleted response row is reported by `flask keys verify` and
refused by the release (see survey/domain/integrity.py for what each tag covers).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from sqlalchemy import (
    Connection,
    Integer,
    LargeBinary,
    String,
    cast,
    literal,
    null,
    select,
    union_all,
)

from survey.domain.integrity import (
    EMPTY_DIGEST,
    IntegrityKeys,
    RowFacts,
    fold,
    integrity_keys,
    response_tag,
    tag_matches,
    tally_tag,
    wave_key_tag,
)
from survey.extensions import db
from survey.models import PendingResponse, Response, ResponseTally, SurveyLink, Wave

__all__ = [
    "IntegrityReport",
    "RowAudit",
    "StoredRow",
    "WaveKeyRefused",
    "add_to_tally",
    "check_wave_key",
    "configured_keys",
    "stored_rows_and_tally",
    "tag_row",
    "vouch_for_wave",
]

_LABEL = b"lantern.integrity-secret"
_responses, _pending, _tally = (
    Response.__table__,
    PendingResponse.__table__,
    ResponseTally.__table__,
)


class WaveKeyRefused(Exception):
    """The wave's public key has no valid tag: it was not put there by Lantern."""


def configured_keys(config: Mapping[str, Any] | None = None) -> IntegrityKeys:
    """The tag keys: from INTEGRITY_KEY if set, else derived from SECRET_KEY."""
    settings = current_app.config if config is None else config
    configured = settings.get("INTEGRITY_KEY")
    if configured:
        secret = str(configured).encode("utf-8")
    else:
        # Derived, not SECRET_KEY itself, so session signing and tags never share a value.
        key = str(settings["SECRET_KEY"]).encode("utf-8")
        secret = hmac.new(key, _LABEL, hashlib.sha256).digest()
    return integrity_keys(secret)


def vouch_for_wave(wave: Wave, keys: IntegrityKeys | None = None) -> None:
    """Tag a new wave's public key and start its tally at zero (the caller commits)."""
    keys = keys or configured_keys()
    wave.public_key_tag = wave_key_tag(keys, wave.id, bytes(wave.public_key))
    db.session.merge(
        ResponseTally(
            wave_id=wave.id,
            stored=0,
            digest=EMPTY_DIGEST,
            tag=tally_tag(keys, wave.id, 0, EMPTY_DIGEST),
        )
    )


def check_wave_key(
    keys: IntegrityKeys, wave_id: int, public_key: bytes, stored_tag: bytes | None
) -> None:
    """Refuse a wave public key that Lantern did not vouch for (checked before every seal)."""
    if not tag_matches(wave_key_tag(keys, wave_id, bytes(public_key)), stored_tag):
        raise WaveKeyRefused(f"wave {wave_id}: its public key is not the one Lantern made")


def tag_row(keys: IntegrityKeys, row: Mapping[str, Any]) -> bytes:
    """The tag of one response row given as column values (id, wave_id, team_id, ...)."""
    return response_tag(keys, _facts(row), bytes(row["sealed"]))


def add_to_tally(
    connection: Connection, keys: IntegrityKeys, wave_id: int, tags: Iterable[bytes]
) -> None:
    """Fold new rows' tags into the wave's tally, in the caller's transaction.

    The tally row is locked (on PostgreSQL) so concurrent Finishes add up; on SQLite the
    caller has already written, so it holds the database's write lock. A wave without a
    valid tally is refused: its count could not be vouched for.
    """
    row = connection.execute(
        select(_tally.c.stored, _tally.c.digest, _tally.c.tag)
        .where(_tally.c.wave_id == wave_id)
        .with_for_update()
    ).one_or_none()
    if row is None or not tag_matches(tally_tag(keys, wave_id, row.stored, row.digest), row.tag):
        raise WaveKeyRefused(f"wave {wave_id}: its tally is missing or was altered")
    count, digest = int(row.stored), bytes(row.digest)
    for tag in tags:
        count, digest = count + 1, fold(digest, tag)
    connection.execute(
        _tally.update()
        .where(_tally.c.wave_id == wave_id)
        .values(stored=count, digest=digest, tag=tally_tag(keys, wave_id, count, digest))
    )


@dataclass(frozen=True)
class StoredRow:
    """One row of a wave's audit stream: a response, a pending response, or the tally."""

    kind: str  # "response", "pending" or "tally"
    id: str | None
    team_id: int  # the tally's count, for the tally row
    questionnaire_version_id: int | None
    iso_week: str | None
    sealed: bytes  # the tally's digest, for the tally row
    tag: bytes | None


def stored_rows_and_tally(wave_id: int) -> Any:
    """One statement over a wave's responses, pending responses and tally.

    One statement, so one snapshot: a Finish or a batch move committing meanwhile cannot
    make the rows and the tally disagree.
    """
    columns = ("id", "team_id", "questionnaire_version_id", "iso_week", "sealed", "tag")
    parts = [
        select(literal(kind).label("kind"), *(table.c[name] for name in columns)).where(
            table.c.wave_id == wave_id
        )
        for kind, table in (("response", _responses), ("pending", _pending))
    ]
    tally = select(
        literal("tally").label("kind"),
        cast(null(), String).label("id"),
        _tally.c.stored.label("team_id"),
        cast(null(), Integer).label("questionnaire_version_id"),
        cast(null(), String).label("iso_week"),
        _tally.c.digest.label("sealed"),
        cast(_tally.c.tag, LargeBinary).label("tag"),
    ).where(_tally.c.wave_id == wave_id)
    return union_all(*parts, tally)


@dataclass(frozen=True)
class IntegrityReport:
    """What an audit of one wave's stored rows found, in counts only."""

    authentic: int = 0
    forged: int = 0
    moved: int = 0
    missing: int = 0
    extra: int = 0
    unopened: int = 0
    tally_problem: str = ""
    key_problem: str = ""

    @property
    def failed(self) -> int:
        """Rows that cannot be released: forged, moved, missing, copied or unopenable."""
        return self.forged + self.moved + self.missing + self.extra + self.unopened

    @property
    def ok(self) -> bool:
        """True when every row Lantern stored is there, as stored, and nothing else is."""
        return self.failed == 0 and not self.tally_problem and not self.key_problem

    def findings(self) -> list[str]:
        """Each problem in plain words (empty when all is well)."""
        words = [
            (self.forged, "forged or altered (not as Lantern stored it)"),
            (self.moved, "moved here from another team or wave"),
            (self.missing, "missing (deleted, or moved to another team or wave)"),
            (self.extra, "more than Lantern stored (copies of stored rows)"),
            (self.unopened, "tagged by Lantern but could not be opened (damaged)"),
        ]
        found = [f"{n} {'row is' if n == 1 else 'rows are'} {what}" for n, what in words if n]
        found += [problem for problem in (self.tally_problem, self.key_problem) if problem]
        return found


class RowAudit:
    """Checks a wave's rows one at a time against their tags and, at the end, the tally."""

    def __init__(self, wave_id: int, keys: IntegrityKeys | None = None) -> None:
        self.wave_id = wave_id
        self._keys = keys or configured_keys()
        self._count = 0
        self._digest = EMPTY_DIGEST
        self._tally: tuple[int, bytes, bytes | None] | None = None
        self._forged = self._moved = 0
        self._elsewhere: list[tuple[int, int]] | None = None

    def admit(self, row: StoredRow) -> bool:
        """Take one row of the stream; True if it is a response row Lantern wrote here."""
        if row.kind == "tally":
            self._tally = (row.team_id, bytes(row.sealed), row.tag)
            return False
        facts = _facts({**row.__dict__, "wave_id": self.wave_id})
        if tag_matches(response_tag(self._keys, facts, bytes(row.sealed)), row.tag):
            self._count += 1
            self._digest = fold(self._digest, bytes(row.tag or b""))
            return True
        if self._was_moved(facts, bytes(row.sealed), row.tag):
            self._moved += 1
        else:
            self._forged += 1
        return False

    def report(self, *, unopened: int = 0) -> IntegrityReport:
        """The findings, once every row of the stream has been admitted."""
        found = IntegrityReport(
            authentic=self._count, forged=self._forged, moved=self._moved, unopened=unopened
        )
        if self._tally is None:
            problem = "Lantern's tally of this wave is missing, so deleted rows cannot be counted"
            return replace(found, tally_problem=problem)
        count, digest, tag = self._tally
        if not tag_matches(tally_tag(self._keys, self.wave_id, count, digest), tag):
            return replace(found, tally_problem="Lantern's tally of this wave was altered")
        # A failing row may be one Lantern stored and someone altered or moved: count it once.
        present = self._count + self._forged + self._moved
        if count > present:
            return replace(found, missing=count - present)
        if count > self._count:
            return found
        if count < self._count:
            return replace(found, extra=self._count - count)
        if digest != self._digest:
            return replace(found, tally_problem="the rows do not match the ones Lantern stored")
        return found

    def _was_moved(self, facts: RowFacts, sealed: bytes, tag: bytes | None) -> bool:
        if tag is None:
            return False
        if self._elsewhere is None:
            pairs = db.session.execute(select(SurveyLink.wave_id, SurveyLink.team_id).distinct())
            self._elsewhere = [(int(w), int(t)) for w, t in pairs]
        for wave_id, team_id in self._elsewhere:
            if (wave_id, team_id) == (facts.wave_id, facts.team_id):
                continue
            moved = RowFacts(
                facts.response_id, wave_id, team_id, facts.questionnaire_version_id, facts.iso_week
            )
            if tag_matches(response_tag(self._keys, moved, sealed), tag):
                return True
        return False


def _facts(row: Mapping[str, Any]) -> RowFacts:
    return RowFacts(
        str(row["id"]),
        int(row["wave_id"]),
        int(row["team_id"]),
        int(row["questionnaire_version_id"]),
        str(row["iso_week"]),
    )
