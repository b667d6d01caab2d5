"""A respondent worker stays light and unprivileged: no statistics stack, no staff module, no key.

The child runs the respondent service as production starts it (`wsgi_respondent:app`, no
key material in its environment), answers the whole survey, and reports what it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import INTEGRITY_KEY, seeded_file_database

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("scipy", "numpy", "pandas", "matplotlib")

# Modules the public-facing process must never import: staff blueprints, the key loaders,
# the release step (which opens responses) and the demo seeding (which makes releases).
STAFF = (
    "survey.auth",
    "survey.manage",
    "survey.results",
    "survey.api",
    "survey.release",
    "survey.keyring",
    "survey.keys",
    "survey.cli",
    "survey.services.keyops",
    "survey.services.demo",
    "survey.services.wave_admin",
)

# Runs in a fresh interpreter, as a gunicorn worker would: load the service, answer the survey.
CHILD = r"""
import json, os, sys
from wsgi_respondent import app
from tests.respond.driver import Respondent, always
page = Respondent(app.test_client(), sys.argv[3]).complete(always("3"))
loaded = set(sys.modules)
heavy = sorted({m.split(".")[0] for m in loaded} & set(sys.argv[1].split(",")))
staff = sorted(
    m for m in loaded for s in sys.argv[2].split(",") if m == s or m.startswith(s + ".")
)
keys = sorted(name for name in os.environ if "KEK" in name)
# Only now, after measuring: with no key configured, nothing here can open an answer.
from survey.keyring import configured_kek
from survey.keys import KeyConfigError
try:
    configured_kek(app.config)
    opened = "the KEK loaded"
except KeyConfigError:
    opened = "no key"
print(json.dumps({"status": page.status_code, "heavy": heavy, "staff": staff, "keys": keys,
                  "key": opened, "modules": len(loaded)}))
"""


def test_the_respondent_service_imports_no_statistics_no_staff_module_and_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "lantern.db"
    env = {
        "LANTERN_ENV": "production",
        "SECRET_KEY": "Qm3v9Tz-Lp2xW8rK5nY1cJ7hF4dS6aG0e",
        "LANTERN_CODE_PEPPER": "Jd7-wQ2zR9xK4mV8nT1bY6cH3fL5sP0gA",
        "DATABASE_URL": f"sqlite:///{database}",
        # Shared by the staff side (which opened the wave) and the respondent side (which
        # checks the wave key's tag before sealing); each keeps its own SECRET_KEY.
        "LANTERN_INTEGRITY_KEY": INTEGRITY_KEY,
    }
    _kek, token = seeded_file_database(env["DATABASE_URL"], monkeypatch)

    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    child_env.update(env, PYTHONPATH=str(ROOT))
    done = subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", CHILD, ",".join(HEAVY), ",".join(STAFF), token],
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
    assert report["staff"] == []
    assert report["keys"] == []
    assert report["key"] == "no key"
