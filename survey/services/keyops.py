"""Key operations for the core team: rotate the KEK, check every response still opens.

Rotation re-wraps each wave's private key from the previous key-encryption key
to the current one, one wave per commit, so an interrupted rotation loses
nothing and a re-run carries on where it stopped (``Wave.kek_id`` says which
KEK wraps each wave). Nothing here reads or prints an answer: verification
only counts what opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from survey.domain.integrity import tag_matches
from survey.domain.sealing import (
    KeyMaterialError,
    OpenFailed,
    SealContext,
    kek_id,
    open_wave,
    rewrap_wave_key,
)
from survey.extensions import db
from survey.models import PendingResponse, Response, ResponseTally, Wave
from survey.models.core import _SealedRow
from survey.services.integrity import (
    IntegrityReport,
    RowAudit,
    StoredRow,
    WaveKeyRefused,
    add_to_tally,
    check_wave_key,
    configured_keys,
    stored_rows_and_tally,
    tag_row,
    vouch_for_wave,
)

__all__ = [
    "Adoption",
    "KeyOpsError",
    "RotationPlan",
    "WaveCheck",
    "adopt_wave",
    "check_new_kek_is_safe",
    "plan_rotation",
    "rotate_wave",
    "verify_wave",
    "verify_waves",
]

T = TypeVar("T")

_KEY_UNTAGGED = (
    "this wave's public key carries no valid integrity tag, so Finish refuses to seal to it "
    "(if the key is genuine, `flask keys adopt` vouches for it)"
)
# Responses are streamed in batches so verifying a large wave needs little memory.
_BATCH = 500


class KeyOpsError(Exception):
    """A key operation cannot go ahead; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class RotationPlan:
    """Which waves a rotation will re-wrap, and how many are on the current KEK already."""

    to_rewrap: tuple[int, ...]
    already_current: int


@dataclass(frozen=True)
class WaveCheck:
    """How many of one wave's stored responses opened, and whether its key unwrapped."""

    wave_id: int
    name: str
    opened: int
    failed: int
    problem: str = ""
    on_previous_kek: bool = False
    integrity: IntegrityReport | None = None

    @property
    def ok(self) -> bool:
        """True when the wave key unwrapped, every response opened and every tag held."""
        return (
            not self.problem and self.failed == 0 and (self.integrity is None or self.integrity.ok)
        )

    def findings(self) -> list[str]:
        """The integrity findings in plain words (empty when every row is Lantern's own)."""
        return [] if self.integrity is None else self.integrity.findings()


def plan_rotation(current: bytes, previous: bytes | None) -> RotationPlan:
    """Check that every wave is wrapped by the current or the previous KEK; list the work.

    Refuses (changing nothing) if a wave is wrapped by a KEK that is neither, or if
    waves still need the previous KEK and none is configured.
    """
    current_id = kek_id(current)
    previous_id = kek_id(previous) if previous is not None else None
    rows = _database_call(lambda: db.session.execute(select(Wave.id, Wave.kek_id)).all())
    to_rewrap = tuple(sorted(wave_id for wave_id, kid in rows if kid != current_id))
    strangers = sorted({kid for _, kid in rows if kid not in (current_id, previous_id)})
    if to_rewrap and previous is None:
        raise KeyOpsError(
            f"{len(to_rewrap)} wave(s) are not wrapped by the current key-encryption key, and "
            "no previous key is configured: put the retired key in '<key file>.previous' or "
            "set LANTERN_KEK_PREVIOUS. Nothing was changed."
        )
    if strangers:
        raise KeyOpsError(
            f"some waves are wrapped by a key-encryption key that is neither the current nor "
            f"the previous one (key id {', '.join(strangers)}). Nothing was changed: restore "
            "that key (from backup) as the previous key and run the rotation again."
        )
    return RotationPlan(to_rewrap, len(rows) - len(to_rewrap))


def rotate_wave(wave_id: int, previous: bytes, current: bytes) -> bool:
    """Re-wrap one wave's private key under the current KEK and commit; False if already done.

    The new wrapping is checked against the wave's public key before it is
    stored, and the update only applies if the wave is still on the previous
    KEK, so two rotations running at once cannot undo each other.
    """
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        return False
    current_id, previous_id = kek_id(current), kek_id(previous)
    if wave.kek_id == current_id:
        return False
    try:
        rewrapped = rewrap_wave_key(wave.wrapped_private_key, previous, current, wave.id)
        unwrapped_again = open_wave(rewrapped, current, wave.id)
    except KeyMaterialError:
        raise KeyOpsError(
            f"wave {wave.id}: the previous key-encryption key cannot unwrap this wave's key. "
            "Nothing was changed for this wave."
        ) from None
    if unwrapped_again.public_key != bytes(wave.public_key):
        raise KeyOpsError(f"wave {wave.id}: the wave's key does not match its public key")

    def store() -> bool:
        result = db.session.execute(
            update(Wave)
            .where(Wave.id == wave_id, Wave.kek_id == previous_id)
            .values(wrapped_private_key=rewrapped, kek_id=current_id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.expire_all()
        return bool(getattr(result, "rowcount", 0) == 1)

    return _database_call(store)


def verify_waves(current: bytes, previous: bytes | None) -> Iterator[WaveCheck]:
    """Open every stored response of every wave with the configured KEKs; yield counts."""
    keks = {kek_id(current): current}
    if previous is not None:
        keks.setdefault(kek_id(previous), previous)
    wave_ids = _database_call(lambda: list(db.session.scalars(select(Wave.id).order_by(Wave.id))))
    for wave_id in wave_ids:
        wave = db.session.get(Wave, wave_id)
        if wave is not None:
            yield verify_wave(wave, keks, on_previous=wave.kek_id != kek_id(current))


def verify_wave(wave: Wave, keys: Mapping[str, bytes], *, on_previous: bool = False) -> WaveCheck:
    """Open every stored response of one wave and check each against its integrity tag."""
    # Pending responses (waiting for their batch) are stored responses too: check them all.
    stream = stored_rows_and_tally(wave.id)
    total = _database_call(
        lambda: int(
            db.session.scalar(
                select(func.count()).select_from(stream.subquery()).where(text("kind != 'tally'"))
            )
            or 0
        )
    )
    kek = keys.get(wave.kek_id)
    if kek is None:
        problem = "no configured key-encryption key wraps this wave's key"
        return WaveCheck(wave.id, wave.name, 0, total, problem)
    try:
        opener = open_wave(wave.wrapped_private_key, kek, wave.id)
    except KeyMaterialError:
        problem = "the key-encryption key cannot unwrap this wave's key"
        return WaveCheck(wave.id, wave.name, 0, total, problem)
    if opener.public_key != bytes(wave.public_key):
        problem = "this wave's private key does not match its public key"
        return WaveCheck(wave.id, wave.name, 0, total, problem)
    query = stream.execution_options(yield_per=_BATCH)

    def check_all() -> tuple[int, int, IntegrityReport]:
        audit = RowAudit(wave.id)
        opened = failed = unopened = 0
        for row in db.session.execute(query):
            stored = StoredRow(*row)
            authentic = audit.admit(stored)
            if stored.kind == "tally":
                continue
            try:
                opener.open(SealContext(wave.id, stored.team_id, str(stored.id)), stored.sealed)
            except OpenFailed:
                failed += 1
                unopened += authentic
            else:
                opened += authentic
                failed += not authentic
        return opened, failed, audit.report(unopened=unopened)

    opened, failed, report = _database_call(check_all)
    try:
        check_wave_key(configured_keys(), wave.id, bytes(wave.public_key), wave.public_key_tag)
    except WaveKeyRefused:
        report = replace(report, key_problem=_KEY_UNTAGGED)
    return WaveCheck(
        wave.id, wave.name, opened, failed, on_previous_kek=on_previous, integrity=report
    )


def check_new_kek_is_safe(previous: bytes | None) -> None:
    """Refuse to make a new KEK while waves are wrapped by a KEK that is not configured.

    A new key file beside a database whose waves need a lost one would look like
    a fresh start while every stored response became unreadable. A retired KEK
    kept as the previous key (a rotation in progress) makes it safe.
    """

    def wrapped_by() -> set[str]:
        if not inspect(db.engine).has_table(Wave.__tablename__):
            return set()  # no schema yet: nothing to lose
        return set(db.session.scalars(select(Wave.kek_id).distinct()))

    covered = {kek_id(previous)} if previous is not None else set()
    missing = sorted(_database_call(wrapped_by) - covered)
    if missing:
        raise KeyOpsError(
            "refusing to create a new key-encryption key: the database holds waves wrapped "
            f"by a key that is not configured (key id {', '.join(missing)}). A new key could "
            "not open their responses. Restore the key file from backup, or set LANTERN_KEK; "
            "to rotate, keep the old key as '<key file>.previous' first."
        )


def _database_call(call: Callable[[], T]) -> T:
    """Run a database step; turn a driver failure into one clear message (no traceback)."""
    try:
        return call()
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = str(error.orig) if isinstance(error, DBAPIError) else type(error).__name__
        raise KeyOpsError(f"the database refused the operation: {reason}") from None


@dataclass(frozen=True)
class Adoption:
    """What `adopt_wave` vouched for in one wave stored before integrity tags."""

    wave_id: int
    tagged: int
    left_untagged: int


def adopt_wave(wave: Wave, kek: bytes) -> Adoption | None:
    """Vouch once for a wave stored before integrity tags existed; commits; None if not needed.

    Its public key is tagged only if it matches the private key the KEK unwraps (so a key
    swapped in the database is not adopted). Each untagged row that opens is tagged, and the
    tally starts from the rows that then carry a valid tag. A row forged before now, with the
    genuine public key, cannot be told from a real one: the command says so.
    """
    if db.session.get(ResponseTally, wave.id) is not None:
        return None
    try:
        opener = open_wave(wave.wrapped_private_key, kek, wave.id)
    except KeyMaterialError:
        raise KeyOpsError(f"wave {wave.id}: the key-encryption key cannot unwrap its key") from None
    if opener.public_key != bytes(wave.public_key):
        raise KeyOpsError(
            f"wave {wave.id}: its public key does not match its private key, so it was "
            "replaced in the database; nothing was adopted"
        )
    keys = configured_keys()

    def adopt() -> Adoption:
        vouch_for_wave(wave, keys)
        tags: list[bytes] = []
        tagged = untagged = 0
        for model in (Response, PendingResponse):
            for row in db.session.scalars(select(model).where(model.wave_id == wave.id)):
                if row.tag is None:
                    try:
                        opener.open(SealContext(wave.id, row.team_id, row.id), row.sealed)
                    except OpenFailed:
                        untagged += 1
                        continue
                    row.tag = tag_row(keys, _columns(row))
                    tagged += 1
                if tag_matches(tag_row(keys, _columns(row)), row.tag):
                    tags.append(bytes(row.tag))
        db.session.flush()
        add_to_tally(db.session.connection(), keys, wave.id, tags)
        db.session.commit()
        return Adoption(wave.id, tagged, untagged)

    return _database_call(adopt)


def _columns(row: _SealedRow) -> dict[str, object]:
    names = ("id", "wave_id", "team_id", "questionnaire_version_id", "iso_week", "sealed")
    return {name: getattr(row, name) for name in names}
