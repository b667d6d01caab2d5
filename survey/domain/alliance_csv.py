"""The alliance as a CSV file: one row per organisation, its teams and their headcounts.

Pure: reads and writes the text, and checks every field of every row, collecting every
problem at once (so a person fixes the whole file in one go, not one error per upload).
The checks against what is stored (existing names, changes) live in the import service.

    name,sector,joined,pledge status,teams,headcounts
    North Hospice,hospice,2024-05-01,pledge signed,Day unit; Night unit,12; 9
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

COLUMNS = ("name", "sector", "joined", "pledge status", "teams", "headcounts")
REQUIRED = ("name", "teams")
SEPARATOR = ";"
NAME_MAX = 200
HEADCOUNT_MAX = 100_000
MAX_ROWS = 5_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class TeamEntry:
    """A team named in a row, with its headcount if one was given."""

    name: str
    headcount: int | None


@dataclass(frozen=True)
class CsvRow:
    """One organisation as the file describes it, and what is wrong with the row."""

    line: int
    name: str
    sector: str
    joined_on: date | None
    pledge_status: str
    teams: tuple[TeamEntry, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class CsvFile:
    """The rows of a file, and the problems of the file as a whole (its header, its size)."""

    rows: tuple[CsvRow, ...]
    problems: tuple[str, ...]


def _column(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").split())


def _date(text: str) -> date | None:
    for shape in DATE_FORMATS:
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(text: str, allowed: Sequence[str], default: str, what: str, problems: list[str]) -> str:
    value = " ".join(text.lower().split())
    if not value:
        return default
    if value in allowed:
        return value
    problems.append(f"the {what} “{text}” is not one of: {', '.join(allowed)}")
    return value


def _teams(names_text: str, counts_text: str, problems: list[str]) -> tuple[TeamEntry, ...]:
    names = [name.strip() for name in names_text.split(SEPARATOR)]
    names = [] if names == [""] else names
    counts = (
        [count.strip() for count in counts_text.split(SEPARATOR)] if counts_text.strip() else []
    )
    if not names:
        problems.append("name at least one team")
    if any(not name for name in names):
        problems.append(f"a team name is empty (team names are separated by “{SEPARATOR}”)")
    if any(len(name) > NAME_MAX for name in names):
        problems.append(f"a team name is longer than {NAME_MAX} characters")
    seen: set[str] = set()
    for name in names:
        if name and name.lower() in seen:
            problems.append(f"the team “{name}” is named twice")
        seen.add(name.lower())
    if counts and len(counts) != len(names):
        problems.append(
            f"{len(names)} team{'s' if len(names) != 1 else ''} but {len(counts)} "
            f"headcount{'s' if len(counts) != 1 else ''}: give one per team, in the same order "
            "(leave one empty if not known)"
        )
        counts = []
    headcounts: list[int | None] = []
    for name, count in zip(names, counts or [""] * len(names), strict=True):
        if not count:
            headcounts.append(None)
        elif count.isdigit() and int(count) <= HEADCOUNT_MAX:
            headcounts.append(int(count))
        else:
            problems.append(f"the headcount of “{name}” should be a whole number, not “{count}”")
            headcounts.append(None)
    return tuple(TeamEntry(n, c) for n, c in zip(names, headcounts, strict=True))


def _row(
    line: int, record: dict[str, str], sectors: Sequence[str], statuses: Sequence[str]
) -> CsvRow:
    problems: list[str] = []
    name = " ".join(record.get("name", "").split())
    if not name:
        problems.append("the organisation needs a name")
    elif len(name) > NAME_MAX:
        problems.append(f"the name is longer than {NAME_MAX} characters")
    sector = _choice(record.get("sector", ""), sectors, "other", "sector", problems)
    status = _choice(
        record.get("pledge status", ""), statuses, statuses[0], "pledge status", problems
    )
    joined_text = record.get("joined", "").strip()
    joined = None
    if joined_text:
        try:
            joined = _date(joined_text)
        except ValueError:
            problems.append(f"the date joined “{joined_text}” should look like 2024-05-31")
    teams = _teams(record.get("teams", ""), record.get("headcounts", ""), problems)
    return CsvRow(line, name, sector, joined, status, teams, tuple(problems))


def read_alliance_csv(text: str, sectors: Sequence[str], statuses: Sequence[str]) -> CsvFile:
    """Every row of the file, each with its problems; `statuses[0]` is the default status."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        if header is None:
            return CsvFile(
                (), ("The file is empty: it needs a header row and one row per organisation.",)
            )
        columns = [_column(cell) for cell in header]
        problems = []
        unknown = [
            cell for cell, column in zip(header, columns, strict=True) if column not in COLUMNS
        ]
        if unknown:
            problems.append(
                f"The header names unknown columns ({', '.join(unknown)}); the columns are: "
                f"{', '.join(COLUMNS)}."
            )
        missing = [column for column in REQUIRED if column not in columns]
        if missing:
            problems.append(f"The header row has no {' or '.join(missing)} column.")
        if problems:
            return CsvFile((), tuple(problems))
        rows: list[CsvRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return CsvFile((), (f"The file has more than {MAX_ROWS} rows: split it.",))
            line = reader.line_num
            if len(cells) != len(columns):
                rows.append(_short_row(line, cells, len(columns)))
                continue
            rows.append(_row(line, dict(zip(columns, cells, strict=True)), sectors, statuses))
    except csv.Error as error:
        return CsvFile((), (f"Line {reader.line_num} cannot be read as CSV ({error}).",))
    if not rows:
        return CsvFile((), ("The file has a header but no organisations.",))
    return CsvFile(tuple(rows), ())


def _short_row(line: int, cells: list[str], expected: int) -> CsvRow:
    name = " ".join(cells[0].split()) if cells else ""
    problem = (
        f"the row has {len(cells)} fields but the header has {expected} "
        "(a comma inside a name needs the name in double quotes)"
    )
    return CsvRow(line, name, "", None, "", (), (problem,))


@dataclass(frozen=True)
class ExportRow:
    """One organisation to write out."""

    name: str
    sector: str
    joined_on: date | None
    pledge_status: str
    teams: Sequence[TeamEntry]


def write_alliance_csv(rows: Iterable[ExportRow]) -> str:
    """The alliance in the same shape the import reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        counts = [str(team.headcount) if team.headcount is not None else "" for team in row.teams]
        writer.writerow(
            [
                row.name,
                row.sector,
                row.joined_on.isoformat() if row.joined_on else "",
                row.pledge_status,
                f"{SEPARATOR} ".join(team.name for team in row.teams),
                f"{SEPARATOR} ".join(counts) if any(counts) else "",
            ]
        )
    return out.getvalue()
