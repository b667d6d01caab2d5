"""How long the whole alliance's CSV import takes: 34 organisations, 300 teams (goal under 5 s).

    .venv/bin/python -m bench.alliance_import [--organisations 34] [--teams 300] [--runs 3]

Each run starts from an empty database (an SQLite file, or DATABASE_URL when set), reads
the file and previews it (every row checked against what is stored), then stores it in
one commit, as the two pages do. It prints the preview, store and total time of each
run, and then the same file imported again (34 rows, no change) as a second preview.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from survey.models import Organisation, Team
from survey.services import accounts
from survey.services.alliance_import import apply_import, preview_import
from tests.alliance_file import alliance_rows, as_csv
from tests.auth.conftest import PASSWORD, csrf_of, sign_in
from tests.formtools import forms_in

GOAL_SECONDS = 5.0


def one_run(text: str, url: str) -> tuple[float, float, float, int, int]:
    """(preview s, store s, preview-again s, organisations, teams) on a fresh database."""
    app = create_app(TestingConfig({"DATABASE_URL": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        actor = accounts.create_user("bench@example.org", "Bench", "bench passphrase 1", "core")
        started = time.perf_counter()
        plan = preview_import(text)
        previewed = time.perf_counter()
        assert plan.ok, plan.problems[:3]
        apply_import(text, plan.digest, actor=actor)
        stored = time.perf_counter()
        again = preview_import(text)
        checked = time.perf_counter()
        assert again.ok and again.new_organisations == 0 and again.changed_organisations == 0
        organisations = db.session.scalar(select(func.count()).select_from(Organisation)) or 0
        teams = db.session.scalar(select(func.count()).select_from(Team)) or 0
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return previewed - started, stored - previewed, checked - stored, organisations, teams


def through_pages(text: str, url: str, teams: int) -> float:
    """Seconds from posting the file to the organisations page after storing, over WSGI."""
    app = create_app(TestingConfig({"DATABASE_URL": url}))
    with app.app_context():
        db.drop_all()
        db.create_all()
        accounts.create_user("bench@example.org", "Bench", PASSWORD, "core")
        db.session.remove()
    client = app.test_client()
    assert sign_in(client, "bench@example.org").status_code == 303
    token = csrf_of(client.get("/manage/organisations/import").get_data(as_text=True))
    started = time.perf_counter()
    preview = client.post(
        "/manage/organisations/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "alliance.csv")},
        content_type="multipart/form-data",
    )
    fields = forms_in(preview.get_data(as_text=True))[-1].fields
    stored = client.post("/manage/organisations/import/store", data=fields)
    listing = client.get(stored.headers["Location"])
    elapsed = time.perf_counter() - started
    assert preview.status_code == 200 and listing.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Team)) == teams
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return elapsed


def main() -> None:
    """Run the import a few times and print each run's figures and the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=34)
    parser.add_argument("--teams", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = as_csv(alliance_rows(args.organisations, args.teams))
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(
            f"alliance import: {args.organisations} organisations, {args.teams} teams, "
            f"{len(text.encode())} bytes of CSV, on {url.split(':', 1)[0]}"
        )
        totals = []
        for run in range(1, args.runs + 1):
            preview, store, again, organisations, teams = one_run(text, url)
            assert (organisations, teams) == (args.organisations, args.teams)
            totals.append(preview + store)
            print(
                f"run {run}: preview {preview:.3f} s, store {store:.3f} s, "
                f"total {preview + store:.3f} s; preview of the same file again {again:.3f} s"
            )
        pages = through_pages(text, url, args.teams)
        totals.append(pages)
        print(f"through the pages (upload, preview page, store, organisations page): {pages:.3f} s")
    best, worst = min(totals), max(totals)
    verdict = "met" if worst < GOAL_SECONDS else "NOT met"
    print(
        f"whole-alliance import (preview + store): best {best:.3f} s, worst {worst:.3f} s; "
        f"goal under {GOAL_SECONDS:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
