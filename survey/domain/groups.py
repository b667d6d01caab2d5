"""The groups a release can show, and the additive relations between them.

A *cell* is the finest partition of a wave's respondents: organisation, team, and the
respondent's value for every declared quasi-identifier question ("(not answered)" when
skipped). The release step adds each response to exactly one cell; nothing here ever sees
a respondent.

Groups are the alliance, each organisation, each team, and for each of those, each single
quasi-identifier `q` and each value `v`, the subgroup "G where q = v" (one attribute at a
time: no cross-tabs). Partitions are the additive relations a reader can use:

- alliance = sum of organisations; organisation = sum of its teams;
- G = sum over v of G[q=v], for every base group G and attribute q;
- organisation[q=v] = sum of its teams' [q=v]; alliance[q=v] = sum of organisations' [q=v].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

NOT_ANSWERED = "(not answered)"

ALLIANCE = "alliance"
ORGANISATION = "organisation"
TEAM = "team"
LEVELS = (ALLIANCE, ORGANISATION, TEAM)

Attrs = tuple[tuple[str, str], ...]
Cell = tuple[str, str, Attrs]
Partition = tuple["GroupKey", tuple["GroupKey", ...]]


@dataclass(frozen=True)
class GroupKey:
    """A releasable group: a base group (alliance, organisation or team), maybe filtered."""

    level: str
    id: str | None = None
    attribute: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown group level {self.level!r}")
        if (self.level == ALLIANCE) != (self.id is None):
            raise ValueError("only the alliance has no id")
        if (self.attribute is None) != (self.value is None):
            raise ValueError("a subgroup needs both an attribute and a value")

    @property
    def base(self) -> GroupKey:
        """The unfiltered group this key belongs to."""
        return GroupKey(self.level, self.id)

    @property
    def is_subgroup(self) -> bool:
        """Whether this key filters its base group on one attribute."""
        return self.attribute is not None

    def subgroup(self, attribute: str, value: str) -> GroupKey:
        """The subgroup of this (base) group where `attribute` equals `value`."""
        return GroupKey(self.level, self.id, attribute, value)

    def __str__(self) -> str:
        # Stable, reversible and JSON-friendly: every free-text part is percent-encoded, so
        # ids or values holding ':', '|' or '=' cannot make two keys collide.
        text = self.level if self.id is None else f"{self.level}:{quote(self.id, safe='')}"
        if self.attribute is not None and self.value is not None:
            text += f"|{quote(self.attribute, safe='')}={quote(self.value, safe='')}"
        return text

    @classmethod
    def from_str(cls, text: str) -> GroupKey:
        """Parse the string form produced by `str(key)`."""
        head, _, tail = text.partition("|")
        level, _, ident = head.partition(":")
        attribute = value = None
        if tail:
            raw_attribute, sep, raw_value = tail.partition("=")
            if not sep:
                raise ValueError(f"malformed group key {text!r}")
            attribute, value = unquote(raw_attribute), unquote(raw_value)
        key = cls(level, unquote(ident) if ":" in head else None, attribute, value)
        if str(key) != text:
            raise ValueError(f"malformed group key {text!r}")
        return key


ALLIANCE_KEY = GroupKey(ALLIANCE)


def sort_key(key: GroupKey) -> str:
    """Deterministic order for ties: the stable string form."""
    return str(key)


def normalise_cell(cell: Cell) -> Cell:
    """Validate a cell and put its attributes in name order, so equal cells compare equal."""
    org, team, attrs = cell
    if not isinstance(org, str) or not isinstance(team, str):
        raise ValueError(f"cell {cell!r}: organisation and team ids must be strings")
    pairs = tuple(sorted((str(q), str(v)) for q, v in attrs))
    names = [q for q, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"cell {cell!r}: an attribute appears twice")
    return (org, team, pairs)


@dataclass(frozen=True)
class Structure:
    """All groups over a set of cells, which cells each holds, and the partitions."""

    cells: tuple[Cell, ...]
    groups: tuple[GroupKey, ...]
    members: Mapping[GroupKey, tuple[int, ...]]
    partitions: tuple[Partition, ...]

    def count(self, key: GroupKey, counts: Mapping[Cell, int]) -> int:
        """The number of responses in `key`, given counts per cell (absent cells are 0)."""
        return sum(counts.get(self.cells[i], 0) for i in self.members[key])


def build_structure(cells: Iterable[Cell]) -> Structure:
    """Enumerate groups and partitions over already normalised cells."""
    ordered = tuple(sorted(set(cells)))
    org_of: dict[str, str] = {}
    names: set[tuple[str, ...]] = set()
    values: dict[str, set[str]] = {}
    for org, team, attrs in ordered:
        if org_of.setdefault(team, org) != org:
            raise ValueError(f"team {team!r} appears under two organisations")
        names.add(tuple(q for q, _ in attrs))
        for q, v in attrs:
            values.setdefault(q, set()).add(v)
    if len(names) > 1:
        raise ValueError("every cell must carry the same quasi-identifier attributes")
    attributes = sorted(values)
    orgs = sorted(set(org_of.values()))
    teams_of = {org: sorted(t for t, o in org_of.items() if o == org) for org in orgs}

    bases = [ALLIANCE_KEY]
    bases += [GroupKey(ORGANISATION, org) for org in orgs]
    bases += [GroupKey(TEAM, team) for org in orgs for team in teams_of[org]]
    members: dict[GroupKey, list[int]] = {}
    for base in bases:
        members[base] = []
        for q in attributes:
            for v in sorted(values[q]):
                members[base.subgroup(q, v)] = []
    for index, (org, team, attrs) in enumerate(ordered):
        for base in (ALLIANCE_KEY, GroupKey(ORGANISATION, org), GroupKey(TEAM, team)):
            members[base].append(index)
            for q, v in attrs:
                members[base.subgroup(q, v)].append(index)

    partitions: list[Partition] = []
    org_keys = tuple(GroupKey(ORGANISATION, org) for org in orgs)
    if org_keys:
        partitions.append((ALLIANCE_KEY, org_keys))
    for org in orgs:
        partitions.append((GroupKey(ORGANISATION, org), _teams(teams_of[org])))
    for base in bases:
        for q in attributes:
            partitions.append((base, tuple(base.subgroup(q, v) for v in sorted(values[q]))))
    for q in attributes:
        for v in sorted(values[q]):
            partitions.append(
                (ALLIANCE_KEY.subgroup(q, v), tuple(o.subgroup(q, v) for o in org_keys))
            )
            for org in orgs:
                children = tuple(t.subgroup(q, v) for t in _teams(teams_of[org]))
                partitions.append((GroupKey(ORGANISATION, org).subgroup(q, v), children))
    return Structure(
        cells=ordered,
        groups=tuple(sorted(members, key=sort_key)),
        members={key: tuple(cells) for key, cells in members.items()},
        partitions=tuple(partitions),
    )


def _teams(team_ids: Iterable[str]) -> tuple[GroupKey, ...]:
    return tuple(GroupKey(TEAM, team) for team in team_ids)
