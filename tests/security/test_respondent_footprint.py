"""A worker that serves respondents stays light: the statistics stack is never imported."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import TestingConfig
from survey import create_app
from survey.extensions import db
from tests.security.keyfixtures import seed

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scipy", "numpy", "pandas", "matplotlib")

# Runs in a fresh interpreter, as a gunicorn worker would: load wsgi, answer the survey.
CHILD = r"""
import json, sys
from wsgi import app
from tests.respond.driver import Respondent, always
from survey.services.demo import demo_links
with app.app_context():
    token = demo_links()[0][1]
page = Respondent(app.test_client(), token).complete(always("3"))
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"status": page.status_code, "heavy": heavy, "modules": len(sys.modules)}))
"""


def test_the_respondent_path_does_not_import_the_statistics_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "lantern.db"
    kek = base64.urlsafe_b64encode(os.urandom(32)).decode()
    env = {
        "LANTERN_ENV": "production",
        "SECRET_KEY": "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e",
        "DATABASE_URL": f"sqlite:///{database}",
        "LANTERN_KEK": kek,
        # Shared by the staff side (which opened the wave) and the respondent side (which
        # checks the wave key's tag before sealing); each keeps its own SECRET_KEY.
        "LANTERN_INTEGRITY_KEY": "Vx8-kP3qZ7mL1wT9rB5nH2cJ6fD4sA0gYe",
    }
    settings = TestingConfig({"DATABASE_URL": env["DATABASE_URL"]})
    settings.KEK_FILE = None
    settings.INTEGRITY_KEY = env["LANTERN_INTEGRITY_KEY"]
    monkeypatch.setenv("LANTERN_KEK", kek)  # the core-team step below seeds with this key
    seeding = create_app(settings)
    with seeding.app_context():
        db.create_all()
        seed(seeding)
        db.session.remove()
        db.engine.dispose()

    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    child_env.update(env, PYTHONPATH=str(ROOT))
    done = subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", CHILD, ",".join(HEAVY)],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"respondent worker: {report['modules']} modules loaded, heavy: {report['heavy']}")
    assert report["status"] == 200  # the result page, after the whole journey
    assert report["heavy"] == []
