"""The CSV export: exactly the visible released figures, a comment line, no formulas."""

from __future__ import annotations

import csv
import io

import pytest

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.results.export import comment_line, defuse, release_csv
from survey.services.release_access import Scope
from tests.results.payloads import sample_payload

TEAM_1 = Scope(core=False, team_ids=frozenset({1}), organisation_ids=frozenset())
ORG_1 = Scope(core=False, team_ids=frozenset({1, 2}), organisation_ids=frozenset({1}))


def read(text: str) -> tuple[str, list[dict[str, str]]]:
    first, _, rest = text.partition("\r\n")
    return first, list(csv.DictReader(io.StringIO(rest)))


def test_the_first_line_names_wave_release_and_k() -> None:
    first, _ = read(release_csv(sample_payload(synthetic=True), TEAM_1))
    assert first == (
        "# Lantern results | wave: Autumn | release number 1 of this wave (final) | "
        "made on 2026-03-01 | k = 5 (the smallest group size shown) | synthetic data"
    )


def test_the_comment_line_stays_one_cell_whatever_the_wave_is_called() -> None:
    payload = sample_payload()
    payload["wave"]["name"] = 'Spring, "2026";\n=HYPERLINK("x")'
    line = comment_line(payload)
    assert line.startswith("# ")
    assert not any(c in line for c in ',;"\n\r\t')
    assert next(csv.reader([line])) == [line]
    payload["wave"]["name"] = "Follow-up, autumn"
    assert "wave: Follow-up autumn |" in comment_line(payload)


def test_a_team_lead_gets_only_their_team_and_its_subgroups() -> None:
    _, rows = read(release_csv(sample_payload(), TEAM_1))
    assert {r["group"] for r in rows} == {"Org One: Nursing"}
    text = release_csv(sample_payload(), TEAM_1)
    assert "Kitchen" not in text and "Org Two" not in text and "All member" not in text


def test_figures_are_one_row_each() -> None:
    _, rows = read(release_csv(sample_payload(), TEAM_1))
    team = {r["figure"]: r["value"] for r in rows if r["subgroup"] == ""}
    assert team["responses counted"] == "18"
    assert team["score mean"] == "46.0"
    assert (team["score 95% CI low"], team["score 95% CI high"]) == ("41.0", "51.0")
    assert team["Intrusion score mean"] == "12.5"
    assert team["band: Little or none"] == "20–40%"
    assert team["band: Mild"] == "more than 60%"
    assert team["previous round"] == "Spring"
    assert team["change since previous round"] == "-4.0"  # a number, not a defused text
    assert team["change effect size (Hedges' g)"] == "-0.3"
    assert team["item 1 mean"] == "2.5" and team["item 2 mean"] == "1.1"
    # Only released figures: nothing the payload does not hold (no exact band counts).
    assert not any("count" in figure for figure in team if figure != "responses counted")


def test_hidden_groups_read_the_shared_wording_and_nothing_else() -> None:
    _, rows = read(release_csv(sample_payload(), ORG_1))
    kitchen = [r for r in rows if r["group"] == "Org One: Kitchen"]
    assert [(r["subgroup"], r["figure"], r["value"]) for r in kitchen] == [
        ("", "status", SUPPRESSED_TEXT),
        ("role_group: Clinical role", "status", SUPPRESSED_TEXT),
    ]
    manager = [r for r in rows if r["subgroup"] == "role_group: Management"]
    assert [(r["figure"], r["value"]) for r in manager] == [("status", SUPPRESSED_TEXT)]


def test_a_withheld_band_breakdown_reads_the_shared_wording() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["scales"]["stss"]["bands"] = {"n": 18, "cells": []}
    payload["groups"]["team:1"]["scales"]["stss"]["headline"] = {"hidden": True}
    _, rows = read(release_csv(payload, TEAM_1))
    team = {r["figure"]: r["value"] for r in rows if r["subgroup"] == ""}
    assert team["bands"] == SUPPRESSED_TEXT and team["score"] == SUPPRESSED_TEXT
    assert "score mean" not in team


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", " ="])
def test_text_that_could_run_as_a_formula_is_defused(start: str) -> None:
    assert defuse(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert defuse(-4.0) == -4.0 and defuse(3) == 3
    assert defuse("Mild") == "Mild" and defuse(None) == ""


def test_formula_labels_in_a_payload_reach_the_file_defused() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["label"] = "=cmd|' /C calc'!A0"
    payload["groups"]["team:1"]["scales"]["stss"]["bands"]["cells"][0]["label"] = "@SUM(A1)"
    _, rows = read(release_csv(payload, TEAM_1))
    assert {r["group"] for r in rows if r["subgroup"] == ""} == {"'=cmd|' /C calc'!A0"}
    assert any(r["figure"] == "band: @SUM(A1)" for r in rows)  # not at the start of a cell
    assert not any(value.startswith(("=", "+", "@")) for r in rows for value in r.values())
