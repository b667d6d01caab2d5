"""Hand-made release payloads in the shape survey.release stores, for the pure tests."""

from __future__ import annotations

from typing import Any

from survey.domain.disclosure import SUPPRESSED_TEXT

SCALE = {
    "key": "stss",
    "name": "Secondary Traumatic Stress Scale (STSS)",
    "template": "stss",
    "headline": "total",
    "bands": ["Little or none", "Mild", "Moderate", "High", "Severe"],
    "range": [17, 85],
    "citation": "Bride et al. (2004).",
}


def summary(mean: float, low: float, high: float, n: int = 10) -> dict[str, Any]:
    """A released summary."""
    return {"n": n, "precision": "full", "mean": mean, "sd": 8.0, "ci_low": low, "ci_high": high}


def cell(label: str, text: str, lower: int, upper: int) -> dict[str, Any]:
    """A coded band cell."""
    return {
        "label": label,
        "bands": [0],
        "text": text,
        "lower": lower,
        "upper": upper,
        "lower_open": False,
        "upper_open": True,
    }


def _identity(
    level: str, ident: str | None, label: str, attribute: str | None, value: str | None
) -> dict[str, Any]:
    """The fields every released group has, shown or hidden."""
    key = level if ident is None else f"{level}:{ident}"
    if attribute is not None:
        key += f"|{attribute}={value}"
    return {
        "key": key,
        "level": level,
        "id": ident,
        "attribute": attribute,
        "value": value,
        "label": label,
    }


def shown(
    level: str,
    ident: str | None,
    label: str,
    n: int,
    mean: float,
    *,
    attribute: str | None = None,
    value: str | None = None,
    comparison: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A released group with one scale."""
    return _identity(level, ident, label, attribute, value) | {
        "shown": True,
        "n": n,
        "scales": {
            "stss": {
                "headline": summary(mean, mean - 5, mean + 5, n),
                "subscales": [
                    {
                        "key": "total",
                        "label": "Total",
                        "summary": summary(mean, mean - 5, mean + 5),
                    },
                    {"key": "intrusion", "label": "Intrusion", "summary": summary(12.5, 10, 15)},
                ],
                "items": [
                    {"id": "stss.1", "number": 1, "precision": "full", "mean": 2.5},
                    {"id": "stss.2", "number": 2, "precision": "full", "mean": 1.1},
                ],
                "bands": {
                    "n": n,
                    "cells": [
                        cell("Little or none", "20–40%", 20, 40),
                        cell("Mild", "more than 60%", 60, 100),
                    ],
                },
                "comparison": comparison,
            }
        },
    }


def hidden(
    level: str,
    ident: str | None,
    label: str,
    *,
    attribute: str | None = None,
    value: str | None = None,
) -> dict[str, Any]:
    """A suppressed group: only the shared wording."""
    return _identity(level, ident, label, attribute, value) | {
        "shown": False,
        "text": SUPPRESSED_TEXT,
    }


def sample_payload(*, synthetic: bool = False, kind: str = "final") -> dict[str, Any]:
    """Org 1 (teams 1 shown, 2 hidden) and org 2 (team 3 shown), with team 1's subgroups."""
    change = {
        "previous_wave": "Spring",
        "previous_mean": 50.0,
        "diff": -4.0,
        "ci_low": -9.5,
        "ci_high": 1.5,
        "hedges_g": -0.3,
    }
    groups = [
        shown("alliance", None, "All member organisations", 40, 47.0),
        shown("organisation", "1", "Org One", 25, 46.0),
        shown("organisation", "2", "Org Two", 15, 48.0),
        shown("team", "1", "Org One: Nursing", 18, 46.0, comparison=change),
        hidden("team", "2", "Org One: Kitchen"),
        shown("team", "3", "Org Two: Outreach", 15, 48.0),
        shown(
            "team",
            "1",
            "Org One: Nursing, Clinical role",
            12,
            44.0,
            attribute="role_group",
            value="clinical",
        ),
        hidden(
            "team", "1", "Org One: Nursing, Management", attribute="role_group", value="management"
        ),
        hidden(
            "team", "2", "Org One: Kitchen, Clinical role", attribute="role_group", value="clinical"
        ),
    ]
    return {
        "format": 1,
        "kind": kind,
        "sequence": 1,
        "k": 5,
        "made_on": "2026-03-01",
        "synthetic": synthetic,
        "wave": {"id": 7, "name": "Autumn", "opens_on": "2026-01-01", "closes_on": "2026-02-01"},
        "questionnaire": {"key": "demo-sts", "version": 1, "title": "Demo check-in"},
        "scales": [SCALE],
        "groups": {g["key"]: g for g in groups},
        "order": [g["key"] for g in groups],
    }
