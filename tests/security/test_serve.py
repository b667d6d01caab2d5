"""`make run`'s launcher (config/serve.py) as processes: two gunicorns, the key in one only.

Starts `python -m config.serve` with a production environment that holds `LANTERN_KEK`,
as an operator's shell might, and reads `/proc/<pid>/environ` of every gunicorn master and
worker: the respondent service's processes must not have it, the staff service's must
(which also shows the check reads the right thing). Neither opens a control socket.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.serve import respondent_environment
from tests.processes import CODE_PEPPER, HOST, INTEGRITY_KEY, SECRET_KEY, free_port, healthy

ROOT = Path(__file__).resolve().parents[2]
KEK = base64.urlsafe_b64encode(os.urandom(32)).decode()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


def test_the_respondent_environment_drops_every_key_variable() -> None:
    given = {"LANTERN_KEK": KEK, "LANTERN_KEK_PREVIOUS": KEK, "LANTERN_KEK_FILE": "/k", "A": "b"}
    assert respondent_environment(given) == {"A": "b", "LANTERN_BIND": "127.0.0.1:8000"}


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_make_run_gives_the_respondent_processes_no_key(tmp_path: Path) -> None:
    ports = {"respondent": free_port(), "staff": free_port()}
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.pop("XDG_RUNTIME_DIR", None)
    env |= {
        "HOME": str(home),  # gunicorn's default control socket would go under here
        "PYTHONPATH": str(ROOT),
        "LANTERN_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "LANTERN_CODE_PEPPER": CODE_PEPPER,
        "LANTERN_INTEGRITY_KEY": INTEGRITY_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'lantern.db'}",
        "LANTERN_KEK": KEK,
        "LANTERN_WORKERS": "1",
        "LANTERN_THREADS": "1",
        "LANTERN_RESPONDENT_BIND": f"{HOST}:{ports['respondent']}",
        "LANTERN_STAFF_BIND": f"{HOST}:{ports['staff']}",
    }
    log = (tmp_path / "serve.log").open("wb")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "config.serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while not all(healthy(port) for port in ports.values()):
            assert launcher.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the two services did not start in 60 s"
            time.sleep(0.3)
        found: dict[str, list[dict[str, str]]] = {"respondent": [], "staff": []}
        for master in children(launcher.pid):
            command = Path(f"/proc/{master}/cmdline").read_bytes().split(b"\0")
            service = "respondent" if b"wsgi_respondent:app" in command else "staff"
            for pid in [master, *children(master)]:
                found[service].append(environ_of(pid))
        assert len(found["respondent"]) >= 2 and len(found["staff"]) >= 2  # master + worker
        for process in found["respondent"]:
            assert not [name for name in process if name.startswith("LANTERN_KEK")]
            assert process["LANTERN_BIND"] == f"{HOST}:{ports['respondent']}"
        for process in found["staff"]:
            assert process["LANTERN_KEK"] == KEK
        # No control socket anywhere: two copies on one host must not take over each other's.
        assert not (home / ".gunicorn").exists()
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=40)
        log.close()
    assert not (home / ".gunicorn").exists()


def test_the_systemd_examples_give_the_key_to_the_staff_service_only() -> None:
    units = ROOT / "config" / "systemd"
    respondent = (units / "lantern-respondent.service").read_text()
    staff = (units / "lantern-staff.service").read_text()
    settings = [line for line in respondent.splitlines() if not line.startswith("#")]
    assert (
        "ExecStart=/opt/lantern/.venv/bin/gunicorn -c config/gunicorn.conf.py wsgi_respondent:app"
        in settings
    )
    assert "EnvironmentFile=/etc/lantern/respondent.env" in settings
    assert not [line for line in settings if "KEK" in line or "staff.env" in line.split("=")[0]]
    assert "InaccessiblePaths=-/etc/lantern/staff.env -/etc/lantern/lantern.key" in settings
    assert "wsgi:app" in staff and "EnvironmentFile=/etc/lantern/staff.env" in staff
