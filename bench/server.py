"""Running gunicorn for the benchmark: start on loopback, find its workers, measure, stop."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always


def free_port() -> int:
    """A port on loopback that nothing is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def run_flask(env: dict[str, str], *args: str) -> str:
    """Run a `flask --app wsgi` command with the benchmark's environment; return its output."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2000:]
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{tail}")
    return done.stdout


class Gunicorn:
    """One gunicorn master with config/gunicorn.conf.py, serving `app` on a loopback port."""

    def __init__(self, app: str, env: dict[str, str], log: Path, ready_path: str) -> None:
        self.port = free_port()
        self.env = dict(env, LANTERN_BIND=f"{HOST}:{self.port}")
        self.app, self.log, self.ready_path = app, log, ready_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                # No control socket: gunicorn's default path is shared by every instance on
                # the host, so a benchmark server would take over a running one's.
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "config/gunicorn.conf.py",
                    "--no-control-socket",
                    self.app,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wait_ready(self, limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200 and len(self.workers()) >= int(self.env["LANTERN_WORKERS"]):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become ready in {limit:.0f} s; see {self.log}")

    def workers(self) -> list[int]:
        """The current worker process ids (children of the master)."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except OSError:
            return []

    def wait_for_workers(self, count: int, limit: float = 30.0) -> list[int]:
        """Wait until `count` workers run again (after one was killed)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            pids = self.workers()
            if len(pids) >= count:
                return pids
            time.sleep(0.1)
        return self.workers()

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def has_loaded(pid: int, package: str) -> bool | None:
    """Whether a process has mapped any file of a package (its compiled modules), if readable."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return None
    return f"/{package}/" in maps


def kill_worker(pid: int) -> None:
    """SIGKILL one worker: no cleanup, no goodbye, as in an out-of-memory kill."""
    os.kill(pid, signal.SIGKILL)
