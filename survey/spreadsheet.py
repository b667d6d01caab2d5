"""Cells safe to open in a spreadsheet, for every CSV Lantern writes (results, audit log).

Shared below the blueprints, so each export uses the one guard against formula injection.
"""

from __future__ import annotations

# Leading characters a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float


def defuse(value: Cell | None) -> Cell:
    """A cell safe to open in a spreadsheet: text that could run as a formula gets a quote.

    Numbers are left as numbers: a number (even a negative one) is never a formula.
    """
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text
