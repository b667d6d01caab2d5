"""Each release's sealed record of the truth of every cell, for the joint check of later ones.

The joint check (`survey.domain.joint_audit`) reads a large wave one team, then one
organisation, at a time, holding everyone else at the truth; for the people who arrived
before earlier releases that truth is what each release recorded of its cells. The
record is sealed to the wave key like the answers it sums (a copy of the database learns
nothing from it) and opened only by the release step, which holds the KEK.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from survey.domain.joint_truth import Truth, cells_from_json, cells_to_json
from survey.domain.sealing import OpenFailed, WaveOpener, seal_document
from survey.models.releases import Release


def _label(sequence: int) -> str:
    return f"release {sequence}: the truth of each cell"


def seal_truth(opener: WaveOpener, sequence: int, truth: dict[Any, Truth]) -> bytes:
    """The truth of every cell at release `sequence`, sealed to the wave's own key."""
    # The opener's own public key, not the stored one: a swapped stored key cannot
    # redirect the record to someone else.
    payload = json.dumps(cells_to_json(truth), separators=(",", ":")).encode()
    return seal_document(opener.public_key, opener.wave_id, _label(sequence), payload)


def truth_history(
    opener: WaveOpener, earlier: Sequence[Release], now: dict[Any, Truth]
) -> list[dict[Any, Truth]] | None:
    """Each cell's truth at every release of the wave, this one last; None if one lacks it.

    A release made before truths were kept (or one whose record fails to open) leaves the
    joint check to read the wave as one programme, which is slower but as strict.
    """
    found = []
    for release in earlier:
        if release.sealed_truth is None:
            return None
        try:
            raw = opener.open_document(_label(release.sequence), release.sealed_truth)
            found.append(cells_from_json(json.loads(raw)))
        except (OpenFailed, ValueError, KeyError, TypeError):
            return None
    return [*found, now]
