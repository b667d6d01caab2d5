"""Import and export the alliance's organisations and teams as one CSV file.

`preview_import` reads a file and compares it with what is stored, row by row, listing
every change and every problem; it writes nothing. `apply_import` reads the same text
again, checks that the plan is still the one the person saw (its digest), and stores all
of it in one commit, or nothing. Teams are only ever added or given a headcount here:
an import never deletes or renames anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.domain.alliance_csv import (
    CsvRow,
    ExportRow,
    TeamEntry,
    read_alliance_csv,
    write_alliance_csv,
)
from survey.extensions import db
from survey.models import SECTORS, Organisation, Team, User
from survey.services.accounts import record_event
from survey.services.membership import PLEDGE_STATUSES, _note


class ImportRefused(Exception):
    """The import cannot be stored as it is; the preview says why."""


@dataclass(frozen=True)
class PlannedRow(CsvRow):
    """One row of the file: what it will change, or what is wrong with it (all of it)."""

    action: str = ""  # "new", "changed", "unchanged", or "" for a row with problems
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """The whole file as a plan: nothing is stored unless every row is free of problems."""

    rows: tuple[PlannedRow, ...]
    file_problems: tuple[str, ...]
    digest: str
    new_organisations: int = 0
    new_teams: int = 0
    changed_organisations: int = 0
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether the file can be stored as it is."""
        return not self.problems


def _existing() -> dict[str, Organisation]:
    query = select(Organisation).options(selectinload(Organisation.teams))
    return {organisation.name.lower(): organisation for organisation in db.session.scalars(query)}


def _when(day: date | None) -> str:
    return f"{day:%-d %B %Y}" if day else "not known"


def _compare(row: CsvRow, found: Organisation | None) -> tuple[str, list[str], list[str]]:
    """(action, changes, problems) of a clean row against the stored organisation."""
    if found is None:
        names = [team.name for team in row.teams]
        return "new", [f"new organisation with {len(names)} teams: {', '.join(names)}"], []
    problems: list[str] = []
    if found.name != row.name:
        problems.append(f"an organisation called “{found.name}” exists: spell it the same way")
    changes = [
        f"{label}: {before} → {after}"
        for label, before, after in (
            ("sector", found.sector, row.sector),
            ("joined", _when(found.joined_on), _when(row.joined_on)),
            ("pledge status", found.pledge_status, row.pledge_status),
        )
        if before != after
    ]
    teams = {team.name.lower(): team for team in found.teams}
    for entry in row.teams:
        team = teams.get(entry.name.lower())
        if team is None:
            changes.append(f"new team {entry.name}")
        elif team.name != entry.name:
            problems.append(f"a team called “{team.name}” exists: spell it the same way")
        elif entry.headcount is not None and entry.headcount != team.headcount:
            was = "not known" if team.headcount is None else team.headcount
            changes.append(f"headcount of {team.name}: {was} → {entry.headcount}")
    return ("changed" if changes else "unchanged"), changes, problems


def _digest(rows: list[PlannedRow]) -> str:
    text = repr([(row.line, row.name, row.action, row.changes, row.problems) for row in rows])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preview_import(text: str) -> ImportPlan:
    """What storing this CSV would change, row by row, with every problem; writes nothing."""
    parsed = read_alliance_csv(text, SECTORS, PLEDGE_STATUSES)
    stored = _existing()
    first_line: dict[str, int] = {}
    rows: list[PlannedRow] = []
    for row in parsed.rows:
        problems = list(row.problems)
        key = row.name.lower()
        if key and key in first_line:
            problems.append(f"the organisation is already on line {first_line[key]}")
        first_line.setdefault(key, row.line)
        action, changes = "", list[str]()
        if not problems:
            action, changes, extra = _compare(row, stored.get(key))
            problems += extra
            action = "" if extra else action
            changes = [] if extra else changes
        fields = {item.name: getattr(row, item.name) for item in dataclass_fields(CsvRow)}
        fields |= {"problems": tuple(problems), "action": action, "changes": tuple(changes)}
        rows.append(PlannedRow(**fields))
    every = [*parsed.problems]
    every += [f"Line {r.line} ({r.name or 'no name'}): {p}." for r in rows for p in r.problems]
    new_teams = sum(
        len(r.teams) if r.action == "new" else sum(c.startswith("new team") for c in r.changes)
        for r in rows
    )
    return ImportPlan(
        rows=tuple(rows),
        file_problems=parsed.problems,
        digest=_digest(rows),
        new_organisations=sum(r.action == "new" for r in rows),
        new_teams=new_teams,
        changed_organisations=sum(r.action == "changed" for r in rows),
        problems=tuple(every),
    )


def apply_import(text: str, digest: str, *, actor: User) -> ImportPlan:
    """Store the whole file in one commit, if it is still exactly what the preview showed."""
    plan = preview_import(text)
    if not plan.ok:
        raise ImportRefused("the file has problems, so nothing was stored")
    if plan.digest != digest:
        raise ImportRefused(
            "what is stored changed since the preview, so nothing was stored: check the new preview"
        )
    stored = _existing()
    for row in plan.rows:
        if row.action == "new":
            organisation = Organisation(
                name=row.name,
                sector=row.sector,
                joined_on=row.joined_on,
                pledge_status=row.pledge_status,
            )
            db.session.add(organisation)
            teams: dict[str, Team] = {}
        elif row.action == "changed":
            organisation = stored[row.name.lower()]
            organisation.sector = row.sector
            organisation.joined_on = row.joined_on
            organisation.pledge_status = row.pledge_status
            teams = {team.name: team for team in organisation.teams}
        else:
            continue
        for entry in row.teams:
            team = teams.get(entry.name)
            if team is None:
                db.session.add(
                    Team(organisation=organisation, name=entry.name, headcount=entry.headcount)
                )
            elif entry.headcount is not None:
                team.headcount = entry.headcount
        db.session.flush()
        verb = "organisation created" if row.action == "new" else "organisation changed"
        _note(
            verb, actor, f"organisation:{organisation.id}", f"by import; {'; '.join(row.changes)}"
        )
    detail = (
        f"{plan.new_organisations} organisations added, {plan.changed_organisations} changed, "
        f"{plan.new_teams} teams added"
    )
    record_event("alliance imported", user=actor, target="alliance", detail=detail)
    return plan


def export_csv() -> str:
    """Every organisation and its teams, in the shape the import reads."""
    organisations = db.session.scalars(
        select(Organisation).options(selectinload(Organisation.teams)).order_by(Organisation.name)
    )
    return write_alliance_csv(
        ExportRow(
            o.name,
            o.sector,
            o.joined_on,
            o.pledge_status,
            [TeamEntry(team.name, team.headcount) for team in o.teams],
        )
        for o in organisations
    )
