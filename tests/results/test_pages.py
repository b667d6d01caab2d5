"""The results pages and CSV export, through the app: who sees what, and how it reads."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.domain.disclosure import SUPPRESSED_TEXT
from survey.extensions import db
from survey.models import AuditEvent, User, Wave
from survey.results.wording import HIDDEN_STATUS
from survey.services import accounts
from tests.auth.conftest import PASSWORD, sign_in
from tests.results.conftest import staff_client
from tests.results.html import every_chart_has_a_table, outline
from tests.results.world import World, address


def page(client: FlaskClient, path: str) -> str:
    result = client.get(path)
    assert result.status_code == 200, path
    return result.get_data(as_text=True)


def csv_rows(client: FlaskClient, path: str) -> tuple[str, list[dict[str, str]]]:
    result = client.get(path)
    assert result.status_code == 200, path
    text = result.get_data().decode("utf-8-sig")
    first, _, rest = text.partition("\r\n")
    return first, list(csv.DictReader(io.StringIO(rest)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, world: World) -> None:
    for path in (
        "/results/",
        f"/results/release/{address(world.this_year)}",
        f"/results/release/{address(world.this_year)}.csv",
    ):
        result = client.get(path)
        assert result.status_code == 302, path
        assert result.headers["Location"].startswith("/auth/sign-in?next="), path
    assert events("release.viewed") == events("release.exported") == []


def test_staff_land_on_the_results_list(app: Flask, lead_a1: User) -> None:
    result = sign_in(app.test_client(), "a1@example.org", PASSWORD)
    assert result.headers["Location"] == "/results/"


def test_the_list_shows_only_waves_a_lead_took_part_in(
    app: Flask, world: World, lead_a1: User
) -> None:
    html = page(staff_client(app, "a1@example.org"), "/results/")
    assert "This year" in html and "Last year" in html
    assert "B only" not in html
    assert html.index("This year") < html.index("Last year")  # newest first
    assert f'href="/results/release/{address(world.this_year)}"' in html
    assert f'href="/results/release/{address(world.b_only)}"' not in html
    assert events("release.viewed") == []  # lists are not audited


def test_the_core_team_lists_every_wave(app: Flask, world: World, core_user: User) -> None:
    html = page(staff_client(app, "core@example.org"), "/results/")
    waves = ["B only", "This year", "Last year"]
    assert sorted(waves, key=html.index) == waves  # newest first


def test_a_lead_without_grants_is_told_so(app: Flask, world: World) -> None:
    accounts.create_user("new@example.org", "New Lead", PASSWORD, "lead")
    html = page(staff_client(app, "new@example.org"), "/results/")
    assert "not been given access to any team yet" in html
    assert "This year" not in html


def test_a_team_lead_sees_only_their_team(app: Flask, world: World, lead_a1: User) -> None:
    html = page(staff_client(app, "a1@example.org"), f"/results/release/{address(world.this_year)}")
    assert "Org A: A one" in html
    for other in ("A two", "A three", "B one", "Org B", "All member organisations"):
        assert other not in html, other
    # Organisation A's own figures need an organisation grant.
    assert 'id="group-organisation-' not in html
    assert "10 people answered" in html


def test_changing_the_release_id_reaches_nothing_of_another_team(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    missing = client.get("/results/release/999999/1")
    mine = world.this_year
    for path in (
        f"/results/release/{address(world.b_only)}",
        f"/results/release/{address(world.b_only)}.csv",
        f"/results/release/{mine.wave_id}/2",  # a release of my wave not made yet
        "/results/release/999999/1.csv",
        f"/results/release/{mine.wave_id}/{2**40}",
        f"/results/release/{2**40}/1",
        f"/results/release/{mine.wave_id}/0",
        f"/results/release/{mine.id}",  # the old global id
    ):
        result = client.get(path)
        assert result.status_code == 404, path
        # A foreign id reads as missing (the sign-out form's token carries a timestamp).
        token = re.compile(rb'name="csrf_token" value="[^"]*"')
        assert token.sub(b"", result.get_data()) == token.sub(b"", missing.get_data()), path
    assert events("release.viewed") == events("release.exported") == []


def test_query_strings_do_not_widen_what_a_lead_sees(
    app: Flask, world: World, lead_a1: User
) -> None:
    client = staff_client(app, "a1@example.org")
    plain = page(client, f"/results/release/{address(world.this_year)}")
    probe = f"?team={world.b1.id}&organisation={world.org_b.id}&level=alliance&core=1"
    widened = page(client, f"/results/release/{address(world.this_year)}{probe}")
    # The form token carries a timestamp, so two renders a second apart differ there only.
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", widened) == token.sub("", plain)
    _, rows = csv_rows(client, f"/results/release/{address(world.this_year)}-long.csv{probe}")
    assert {row["group"] for row in rows} == {"Org A: A one"}


def test_an_organisation_lead_sees_the_organisation_and_its_teams(
    app: Flask, world: World, lead_org_a: User
) -> None:
    html = page(
        staff_client(app, "orga@example.org"), f"/results/release/{address(world.this_year)}"
    )
    for mine in (
        "Org A: A one",
        "Org A: A two",
        "Org A: A three",
        f"group-organisation-{world.org_a.id}",
    ):
        assert mine in html, mine
    for other in ("B one", "Org B", "All member organisations"):
        assert other not in html, other
    assert "Side by side" in html


def test_the_core_team_sees_everything_including_the_alliance(
    app: Flask, world: World, core_user: User
) -> None:
    client = staff_client(app, "core@example.org")
    html = page(client, f"/results/release/{address(world.this_year)}")
    for group in ("All member organisations", "Org A: A one", "Org A: A two", "Org B: B one"):
        assert group in html, group
    assert "B one" in page(client, f"/results/release/{address(world.b_only)}")


def test_hidden_groups_all_read_the_same_and_show_no_count(
    app: Flask, world: World, core_user: User
) -> None:
    html = page(
        staff_client(app, "core@example.org"), f"/results/release/{address(world.this_year)}"
    )
    # Team A three sent nobody: its status is the one shared line.
    start = html.index(f'id="group-team-{world.a3.id}"')
    section = html[start : html.index("</section>", start)]
    assert HIDDEN_STATUS in section and "people answered" not in section
    assert "<svg" not in section and "<table" not in section
    # Two people in B one named a management role: every such row reads the same wording.
    rows = [row for row in outline(html).rows if row[0] == "Management or supervision"]
    assert rows, "the management subgroups are listed"
    assert all(row == ["Management or supervision", SUPPRESSED_TEXT] for row in rows)


def test_a_release_page_has_every_part_a_lead_needs(
    app: Flask, world: World, lead_a1: User
) -> None:
    html = page(staff_client(app, "a1@example.org"), f"/results/release/{address(world.this_year)}")
    text = outline(html).text
    # A one this year: (34*5 + 51*5)/10 = 42.5; last year (51*4 + 68*4 + 34*2)/10 = 54.4.
    assert "42.5" in text and "54.4" in text
    assert "Lower than in the previous round (Last year), by 11.9 points" in text
    assert "larger than chance alone would usually give" in text
    assert "How scores spread across the bands" in text
    assert "By role group" in text and "average answer to each of the 17 questions" in text
    assert "not a diagnosis" in text and "too many skipped questions" in text
    assert "at least 5 people" in text
    assert "synthetic" not in text.lower()
    assert f'href="/results/release/{address(world.this_year)}.csv"' in html


def test_synthetic_waves_say_so(app: Flask, world: World, core_user: User) -> None:
    wave = db.session.get(Wave, world.this_year.wave_id)
    assert wave is not None
    wave.synthetic = True  # the wave, not the immutable release
    db.session.commit()
    client = staff_client(app, "core@example.org")
    assert "Synthetic demonstration data" in page(client, "/results/")


@pytest.mark.usefixtures("lead_a1", "lead_org_a", "core_user")
@pytest.mark.parametrize("who", ["a1@example.org", "orga@example.org", "core@example.org"])
def test_every_results_page_has_one_h1_and_a_table_behind_every_chart(
    app: Flask, world: World, who: str
) -> None:
    client = staff_client(app, who)
    paths = ["/results/"] + [
        f"/results/release/{address(r)}" for r in (world.last_year, world.this_year, world.b_only)
    ]
    charts = 0
    for path in paths:
        result = client.get(path)
        if result.status_code == 404:
            continue  # a release this person may not see
        found = outline(result.get_data(as_text=True))
        assert len(found.h1) == 1, path
        assert every_chart_has_a_table(found), path
        assert all(label for kind, label in found.blocks if kind == "chart"), path
        charts += sum(kind == "chart" for kind, _ in found.blocks)
    assert charts > 0


def test_viewing_and_exporting_are_audited(app: Flask, world: World, lead_a1: User) -> None:
    client = staff_client(app, "a1@example.org")
    page(client, f"/results/release/{address(world.this_year)}")
    csv_rows(client, f"/results/release/{address(world.this_year)}.csv")
    (viewed,) = events("release.viewed")
    (exported,) = events("release.exported")
    for event in (viewed, exported):
        assert event.user_id == lead_a1.id
        assert event.target == f"release:{world.this_year.id}"


def test_the_csv_holds_the_leads_figures_only(app: Flask, world: World, lead_a1: User) -> None:
    client = staff_client(app, "a1@example.org")
    result = client.get(f"/results/release/{address(world.this_year)}-long.csv")
    assert result.mimetype == "text/csv"
    assert "attachment" in result.headers["Content-Disposition"]
    first, rows = csv_rows(client, f"/results/release/{address(world.this_year)}-long.csv")
    assert first.startswith("# Lantern results | wave: This year | release ")
    assert "k = 5" in first
    assert {row["group"] for row in rows} == {"Org A: A one"}
    figures = {(row["subgroup"], row["figure"]): row["value"] for row in rows}
    assert figures[("", "responses counted")] == "10"
    assert figures[("", "score mean")] == "42.5"
    assert figures[("", "change since previous round")] == "-11.9"
    # Subgroups of A one with nobody in them are hidden, in the shared wording.
    assert figures[("role_group: Management or supervision", "status")] == SUPPRESSED_TEXT
