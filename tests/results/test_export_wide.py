"""The spreadsheet CSV: one row per group, numbers in number columns, named by wave and group."""

from __future__ import annotations

import csv
import io

from flask import Flask

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.models import User
from survey.results.export_wide import file_name, slug, wide_csv
from survey.services.release_access import Scope
from tests.results.conftest import staff_client
from tests.results.payloads import sample_payload
from tests.results.world import World, address

CORE = Scope(core=True, team_ids=frozenset(), organisation_ids=frozenset())
TEAM_1 = Scope(core=False, team_ids=frozenset({1}), organisation_ids=frozenset())


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_group_with_the_wave_as_a_column() -> None:
    payload = sample_payload()
    payload["groups"]["team:1"]["participation"] = {"headcount": 24, "rate": 75}
    found = rows(wide_csv(payload, TEAM_1))
    assert [(r["Group"], r["Subgroup"], r["Status"]) for r in found] == [
        ("Org One: Nursing", "", "shown"),
        ("Org One: Nursing", "By role group: Clinical role", "shown"),
        ("Org One: Nursing", "By role group: Management", SUPPRESSED_TEXT),
    ]
    team = found[0]
    assert team["Wave"] == "Autumn" and team["Release"] == "1 (final)"
    assert (team["Responses"], team["Headcount"], team["Response rate (%)"]) == ("18", "24", "75")
    assert team["STSS total average"] == "46.0"
    assert team["STSS intrusion average"] == "12.5"
    assert team["STSS share in band Little or none (%) at least"] == "20"
    assert team["STSS share in band Little or none (%) at most"] == "40"
    assert team["STSS change since previous round"] == "-4.0"
    assert team["STSS question 1 average"] == "2.5"
    # No internal keys in the headers.
    assert not any("role_group" in h or "ci_low" in h for h in found[0])


def test_number_columns_hold_only_numbers() -> None:
    found = rows(wide_csv(sample_payload(), CORE))
    text_columns = {"Wave", "Release", "Release date", "Group", "Level", "Subgroup", "Status"}
    text_columns |= {h for h in found[0] if h.endswith(("as shown", "previous round"))}
    for row in found:
        for header, value in row.items():
            if header in text_columns or value == "":
                continue
            float(value.replace("−", "-"))  # raises on any text in a number column


def test_text_that_could_run_as_a_formula_is_defused() -> None:
    payload = sample_payload()
    payload["wave"]["name"] = "=HYPERLINK(1)"
    payload["groups"]["team:1"]["label"] = "+Org One: Nursing"
    found = rows(wide_csv(payload, TEAM_1))
    assert found[0]["Wave"] == "'=HYPERLINK(1)"
    assert found[0]["Group"] == "'+Org One: Nursing"


def test_the_file_is_named_by_wave_and_group() -> None:
    payload = sample_payload()
    payload["wave"]["name"] = "Autumn 2026"
    assert file_name(payload, TEAM_1, None) == "lantern-autumn-2026-nursing.csv"
    assert file_name(payload, CORE, None) == "lantern-autumn-2026-all-groups.csv"
    assert file_name(payload, CORE, "organisation:1") == "lantern-autumn-2026-org-one.csv"
    assert slug("Équipe: Soins à domicile") == "equipe-soins-a-domicile"


def test_the_download_is_the_wide_csv_of_the_leads_groups(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    result = client.get(f"/results/release/{address(world.this_year)}.csv")
    assert result.status_code == 200
    assert (
        result.headers["Content-Disposition"]
        == 'attachment; filename="lantern-this-year-a-one.csv"'
    )
    found = rows(result.get_data().decode("utf-8-sig"))
    assert {r["Group"] for r in found} == {"Org A: A one"}
    assert found[0]["Responses"] == "10"
    # Another team's group is not theirs to ask for: not found.
    other = client.get(f"/results/release/{address(world.this_year)}.csv?group=team:{world.b1.id}")
    assert other.status_code == 404


def test_each_group_of_a_page_downloads_on_its_own(
    app: Flask, world: World, lead_org_a: User
) -> None:
    client = staff_client(app, "orga@example.org")
    page = client.get(f"/results/release/{address(world.this_year)}").get_data(as_text=True)
    link = f"/results/release/{address(world.this_year)}.csv?group=team:{world.a2.id}"
    assert f'href="{link}"' in page
    result = client.get(link)
    assert result.status_code == 200
    assert result.headers["Content-Disposition"] == (
        'attachment; filename="lantern-this-year-a-two.csv"'
    )
    assert {r["Group"] for r in rows(result.get_data().decode("utf-8-sig"))} == {"Org A: A two"}
