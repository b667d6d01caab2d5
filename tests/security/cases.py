"""A tally of the hostile requests tried, reported at the end of the run."""

from __future__ import annotations

from collections import Counter

_tried: Counter[str] = Counter()


def tried(kind: str, n: int = 1) -> None:
    """Count `n` cases of one kind."""
    _tried[kind] += n


def total() -> int:
    """How many cases were tried in this run."""
    return sum(_tried.values())


def summary() -> str:
    """One line: the total, then each kind."""
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(_tried.items()))
    return f"{total()} bad-input cases tried ({parts})"
