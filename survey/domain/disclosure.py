"""Disclosure rules: which group counts a release may show (DESIGN.md, "Disclosure rules").

`plan_release` decides, from counts per cell (see `groups`), which groups are visible:

1. a group is shown only if it holds at least k responses (k >= 3);
2. complement: in every partition whose parent is shown, the hidden children together hold
   0 or at least k; otherwise the smallest shown child is hidden too (ties by key), until
   the fixpoint. A hidden parent whose children are all shown would be their sum, so its
   smallest shown child is hidden as well;
3. time: against every earlier release of the wave, a group shown then and now must have
   grown by 0 or at least k, and in every partition whose parent is shown then and now, the
   children not shown at both must together have grown by 0 or at least k (otherwise the
   child with the smallest growth is hidden). Rules 2 and 3 iterate to a joint fixpoint;
4. finally an exact audit (`audit`) checks every sum and difference of every figure shown,
   now and before, and hides more until no set of 1..k-1 people can be isolated.

Hiding only ever grows, so every loop ends. Every hidden figure reads `SUPPRESSED_TEXT`,
whatever the reason, and nothing public says why a group was hidden (rule 6). Band
breakdowns (rule 4 of DESIGN) are in `coding`; free text (rule 5) is `free_text_allowed`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from survey.domain.audit import audit
from survey.domain.groups import (
    Cell,
    GroupKey,
    Partition,
    Structure,
    build_structure,
    normalise_cell,
    sort_key,
)

SUPPRESSED_TEXT = "hidden to protect anonymity"
MIN_K = 3
FREE_TEXT_MIN = 10
LEDGER_VERSION = 1
# An interim release shows a group only if it gained at least INTERIM_PACE * k responses
# since the wave's previous release (at the first release: holds that many). A group shown
# now is hidden at any later release until it has grown by k more (rule 3), and late in a
# wave few groups still grow by k, so showing slow groups at an interim would cost the final
# release far more than it gives the interim. Safety never depends on this: it only hides.
INTERIM_PACE = 2
# Exposures the audit reports per component and round (all are hidden for in one round).
PER_ROUND = 32
# Quasi-identifier questions (role, years in role...) split every group into one subgroup
# per answer, each a family of its own. The release audit is measured to finish with two
# such questions and ran out of budget with three (DESIGN.md, README "bench"), and every
# subgroup needs k answers of its own, which a team of typical size (median 8) cannot reach
# for many answers. The questionnaire editor holds every questionnaire to these limits.
MAX_QUASI_IDENTIFIERS = 2
MAX_QUASI_IDENTIFIER_OPTIONS = 5


@dataclass(frozen=True)
class Ledger:
    """What one release showed, kept internally so later releases can respect rule 3.

    Holds every group's count (hidden ones too) and the counts per cell; none of this is
    ever shown, and it must be stored where leads cannot read it.
    """

    k: int
    cells: Mapping[Cell, int]
    counts: Mapping[GroupKey, int]
    shown: frozenset[GroupKey]

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (for the release's internal record)."""
        return {
            "version": LEDGER_VERSION,
            "k": self.k,
            "cells": [
                [org, team, [list(pair) for pair in attrs], n]
                for (org, team, attrs), n in sorted(self.cells.items())
            ],
            "groups": [
                [str(key), self.counts[key], key in self.shown]
                for key in sorted(self.counts, key=sort_key)
            ],
        }

    @classmethod
    def from_json(cls, data: str | Mapping[str, Any]) -> Ledger:
        """Rebuild a ledger from `to_json()` output (or its JSON text); checks consistency."""
        raw: Mapping[str, Any] = json.loads(data) if isinstance(data, str) else data
        if raw.get("version") != LEDGER_VERSION:
            raise ValueError("unknown ledger version")
        cells: dict[Cell, int] = {}
        for org, team, attrs, n in raw["cells"]:
            cell = normalise_cell((org, team, tuple((q, v) for q, v in attrs)))
            cells[cell] = _count(n)
        counts = {GroupKey.from_str(key): _count(n) for key, n, _ in raw["groups"]}
        shown = frozenset(GroupKey.from_str(key) for key, _, was in raw["groups"] if was)
        structure = build_structure(cells)
        for key, n in counts.items():
            if key not in structure.members or structure.count(key, cells) != n:
                raise ValueError(f"ledger group {key} does not match its cells")
        return cls(k=_count(raw["k"]), cells=cells, counts=counts, shown=shown)


@dataclass(frozen=True)
class Plan:
    """Which groups a release shows, their counts, and the ledger to keep for next time."""

    k: int
    visible: frozenset[GroupKey]
    counts: Mapping[GroupKey, int]
    groups: tuple[GroupKey, ...]
    partitions: tuple[Partition, ...]
    ledger: Ledger = field(repr=False)
    # Audit components that ran out of search budget (each was hidden for, not trusted).
    undecided: int = 0

    def is_visible(self, key: GroupKey) -> bool:
        """Whether the release may show this group (unknown groups are never visible)."""
        return key in self.visible

    def display_count(self, key: GroupKey) -> str:
        """The count as shown: the number, or the one wording used for every hidden cell."""
        return str(self.counts[key]) if key in self.visible else SUPPRESSED_TEXT


def plan_release(
    cell_counts: Mapping[Cell, int],
    k: int,
    history: Sequence[Ledger] = (),
    *,
    final: bool = True,
) -> Plan:
    """Decide which groups this release shows; `history` holds the wave's earlier ledgers.

    `final` is False for an interim release (more releases of the wave will follow).
    """
    return _plan(cell_counts, k, history, final=final)


def free_text_allowed(n: int, audience: str) -> bool:
    """Free text is never shown to leads; the core team sees it for groups of 10 or more."""
    if audience not in ("lead", "core"):
        raise ValueError(f"unknown audience {audience!r}")
    return audience == "core" and n >= FREE_TEXT_MIN


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a count must be a non-negative whole number, not {value!r}")
    return value


@dataclass
class _State:
    """Working data for one planning run."""

    structure: Structure
    k: int
    now: dict[GroupKey, int]
    before: list[dict[GroupKey, int]]
    shown_before: list[frozenset[GroupKey]]
    visible: set[GroupKey]
    undecided: int = 0

    def order(self, key: GroupKey) -> tuple[int, str]:
        return self.now[key], sort_key(key)

    def hide(self, key: GroupKey) -> bool:
        if key in self.visible:
            self.visible.discard(key)
            return True
        return False


def _plan(
    cell_counts: Mapping[Cell, int],
    k: int,
    history: Sequence[Ledger],
    *,
    complement: bool = True,
    time: bool = True,
    exact: bool = True,
    final: bool = True,
) -> Plan:
    """`plan_release` with switches, so tests can show each rule is needed. Not public."""
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(f"k must be a whole number of at least {MIN_K}")
    now_cells: dict[Cell, int] = {}
    for cell, n in cell_counts.items():
        normal = normalise_cell(cell)
        if normal in now_cells:
            raise ValueError(f"cell {cell!r} given twice")
        now_cells[normal] = _count(n)
    every = set(now_cells).union(*(ledger.cells for ledger in history))
    structure = build_structure(every)
    cumulative = [dict(ledger.cells) for ledger in history] + [now_cells]
    for earlier, later in pairwise(cumulative):
        if any(later.get(cell, 0) < n for cell, n in earlier.items()):
            raise ValueError("a cell has fewer responses than at an earlier release")
    for ledger in history:
        if not ledger.shown <= set(structure.members):
            raise ValueError("an earlier release showed a group this wave does not have")
    state = _State(
        structure=structure,
        k=k,
        now={g: structure.count(g, now_cells) for g in structure.groups},
        before=[{g: structure.count(g, c) for g in structure.groups} for c in cumulative[:-1]],
        shown_before=[ledger.shown for ledger in history],
        visible=set(),
    )
    state.visible = {g for g, n in state.now.items() if n >= k}
    if not final:
        # An interim release keeps back groups that grow slowly (see INTERIM_PACE).
        last = state.before[-1] if state.before else {}
        pace = INTERIM_PACE * k
        state.visible = {g for g in state.visible if state.now[g] - last.get(g, 0) >= pace}
    safe: set[object] = set()
    fixed = _atoms(state, cumulative) if exact else None
    while True:
        _fixpoint(state, complement=complement, time=time)
        if fixed is None or not _audit_round(state, fixed, safe):
            break
    visible = frozenset(state.visible)
    ledger = Ledger(k=k, cells=now_cells, counts=dict(state.now), shown=visible)
    return Plan(
        k=k,
        visible=visible,
        counts={g: state.now[g] for g in sorted(visible, key=sort_key)},
        groups=structure.groups,
        partitions=structure.partitions,
        ledger=ledger,
        undecided=state.undecided,
    )


def _fixpoint(state: _State, *, complement: bool, time: bool) -> None:
    changed = True
    while changed:
        changed = False
        if complement:
            for partition in state.structure.partitions:
                changed |= _complement(state, partition)
        if time:
            for r in range(len(state.before)):
                changed |= _growth(state, r)
                for partition in state.structure.partitions:
                    changed |= _growth_complement(state, r, partition)


def _complement(state: _State, partition: Partition) -> bool:
    parent, children = partition
    changed = False
    if parent in state.visible:
        while 0 < _hidden(state, children) < state.k:
            shown = [c for c in children if c in state.visible]
            changed |= state.hide(min(shown, key=state.order))
    elif state.now[parent] > 0 and _hidden(state, children) == 0:
        # Every non-empty child is shown, so the hidden parent is their sum: hide one.
        shown = [c for c in children if c in state.visible]
        changed |= state.hide(min(shown, key=state.order))
    return changed


def _hidden(state: _State, children: Sequence[GroupKey]) -> int:
    return sum(state.now[c] for c in children if c not in state.visible)


def _growth(state: _State, r: int) -> bool:
    changed = False
    for key in sorted(state.visible & state.shown_before[r], key=sort_key):
        if 0 < state.now[key] - state.before[r][key] < state.k:
            changed |= state.hide(key)
    return changed


def _growth_complement(state: _State, r: int, partition: Partition) -> bool:
    parent, children = partition
    then = state.shown_before[r]
    if parent not in state.visible or parent not in then:
        return False

    def growth(key: GroupKey) -> int:
        return state.now[key] - state.before[r][key]

    changed = False
    while True:
        both = [c for c in children if c in state.visible and c in then]
        hidden = sum(growth(c) for c in children if c not in both)
        if hidden == 0 or hidden >= state.k:
            return changed
        candidates = [c for c in both if growth(c) > 0]
        if not candidates:
            # Cannot happen while the parent's own growth is 0 or >= k; stay safe anyway.
            return state.hide(parent) or changed
        changed |= state.hide(min(candidates, key=lambda c: (growth(c), state.now[c], sort_key(c))))


@dataclass
class _Atoms:
    """The audit's fixed inputs for one planning run: atom sizes and earlier releases' rows."""

    counts: list[int]
    earlier: list[frozenset[int]]
    current: dict[GroupKey, frozenset[int]]


def _atoms(state: _State, cumulative: Sequence[Mapping[Cell, int]]) -> _Atoms:
    structure = state.structure
    atom_of: dict[tuple[int, int], int] = {}
    counts: list[int] = []
    for c, cell in enumerate(structure.cells):
        previous = 0
        for j, totals in enumerate(cumulative):
            n = totals.get(cell, 0)
            if n > previous:
                atom_of[(c, j)] = len(counts)
                counts.append(n - previous)
            previous = n

    def atoms(key: GroupKey, release: int) -> frozenset[int]:
        return frozenset(
            atom_of[(c, j)]
            for c in structure.members[key]
            for j in range(release + 1)
            if (c, j) in atom_of
        )

    earlier: dict[frozenset[int], None] = {}
    for r, shown in enumerate(state.shown_before):
        earlier.update(dict.fromkeys(atoms(key, r) for key in sorted(shown, key=sort_key)))
    last = len(cumulative) - 1
    current = {key: atoms(key, last) for key in state.structure.groups if state.now[key] >= state.k}
    return _Atoms(counts, list(earlier), current)


def _audit_round(state: _State, fixed: _Atoms, safe: set[object]) -> bool:
    """Run the exact audit once and hide for every exposure found. True if anything hid.

    Identical rows are audited once (a duplicate adds nothing to the span), so the groups
    behind one row are hidden together. Among the exposures found, the row that takes part
    in most of them is hidden first (then the smallest group), until each is touched.
    """
    seen = set(fixed.earlier)
    by_row: dict[frozenset[int], list[GroupKey]] = {}
    for key in sorted(state.visible, key=sort_key):
        row = fixed.current[key]
        if row not in seen:
            by_row.setdefault(row, []).append(key)
    current = list(by_row)
    rows = fixed.earlier + current
    first = len(fixed.earlier)
    suppressible = frozenset(range(first, len(rows)))
    findings = audit(
        fixed.counts, rows, suppressible, state.k, safe_cache=safe, per_component=PER_ROUND
    )
    state.undecided += sum(1 for f in findings if f.atoms is None)
    open_sets = [{i - first for i in f.rows} for f in findings]
    open_sets = [s for s in open_sets if s]
    changed = False
    while open_sets:
        hits: dict[int, int] = {}
        for s in open_sets:
            for i in s:
                hits[i] = hits.get(i, 0) + 1

        ranked = sorted((_row_order(state, by_row[current[i]], n), i) for i, n in hits.items())
        victim = ranked[0][1]
        for key in by_row[current[victim]]:
            changed |= state.hide(key)
        open_sets = [s for s in open_sets if victim not in s]
    return changed


def _row_order(state: _State, keys: Sequence[GroupKey], hits: int) -> tuple[int, int, str]:
    return (-hits, state.now[keys[0]], sort_key(keys[0]))
