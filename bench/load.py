"""Load and durability benchmark: real form flow under gunicorn, a worker killed mid-run.

Run from the repository root: `.venv/bin/python -m bench.load` (about four minutes).

For each database (an SQLite file, then the local PostgreSQL in a throw-away schema of
the `test` database), it migrates and seeds a wave with `flask demo seed`, then:

1. serves a bare WSGI hello-world and a one-route Flask app with the same gunicorn
   settings and measures them;
2. serves Lantern with the production settings, measures its /healthz (Lantern's own
   floor: every hook and header, one SELECT 1), then drives 32 phone-like submitters
   through the whole form (welcome, Start, every page, Finish) for 30 s with no pause,
   SIGKILLing one worker half-way, and then the same people at a phone's pace;
3. opens every stored response with the KEK and matches it to what the clients were
   told: acknowledged, stored, lost (must be 0), duplicated (must be 0).

It prints throughput as a ratio to hello-world, p99 latency per request (saturated and
at a phone's pace), and each worker's resident memory before and after. Loopback only; it
stops by itself and drops what it created (temporary files, the PostgreSQL schema). Exit
status 1 if anything acknowledged was lost or duplicated, memory grew by 10 % or more, or
a worker loaded SciPy.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import math
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.client import HelloClient, Ledger, Submitter
from bench.server import HOST, Gunicorn, has_loaded, kill_worker, rss_mib, run_flask
from bench.verify import Reconciliation, reconcile, response_ids

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Figures:
    """What one database's run measured."""

    name: str
    durability: str
    hello_rps: float = 0.0
    hello_p99_ms: float = 0.0
    flask_rps: float = 0.0
    flask_p99_ms: float = 0.0
    floor_rps: float = 0.0
    floor_p99_ms: float = 0.0
    wrk_rps: float | None = None
    wrk_p99: str = ""
    flow_rps: float = 0.0
    submissions_per_s: float = 0.0
    p99_ms: float = 0.0
    paced_rps: float = 0.0
    paced_p99_ms: float = 0.0
    paced_p50_ms: float = 0.0
    per_kind: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    on_retry: int = 0
    killed: str = ""
    memory: list[str] = field(default_factory=list)
    max_growth: float = 0.0
    scipy_loaded: bool = False
    reconciliation: Reconciliation | None = None
    load: float = field(default_factory=lambda: os.getloadavg()[0])


def percentile_ms(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of durations in seconds, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)] * 1000


def environment(url: str, workers: int, threads: int) -> dict[str, str]:
    """The production environment for one run: fresh secrets, this database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANTERN_", "RATELIMIT_"))}
    env.update(
        LANTERN_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        LANTERN_KEK=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        DATABASE_URL=url,
        LANTERN_WORKERS=str(workers),
        LANTERN_THREADS=str(threads),
    )
    return env


@contextlib.contextmanager
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A throw-away schema in the local `test` database, dropped afterwards."""
    schema = f"lantern_bench_{os.getpid()}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        settings = [
            str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("fsync", "synchronous_commit")
        ]
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        yield url, f"fsync={settings[0]}, synchronous_commit={settings[1]}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def measure_hello(
    figures: Figures, env: dict[str, str], work: Path, args: argparse.Namespace
) -> None:
    """Hello-world through the same gunicorn settings: bare WSGI (our client, then wrk if
    installed) and a one-route Flask app."""
    with Gunicorn("bench.hello:app", env, work / "hello.log", "/") as server:
        figures.hello_rps, figures.hello_p99_ms = hello_rate(server.port, args)
        wrk = shutil.which("wrk")
        if wrk:
            seconds = f"{int(args.hello_seconds)}s"
            done = subprocess.run(
                [wrk, "-t2", f"-c{args.connections}", f"-d{seconds}", "--latency",
                 f"http://{HOST}:{server.port}/"],
                capture_output=True, text=True, timeout=args.hello_seconds + 60, check=False,
            )  # fmt: skip
            for line in done.stdout.splitlines():
                if line.startswith("Requests/sec:"):
                    figures.wrk_rps = float(line.split()[1])
                if line.strip().startswith("99%"):
                    figures.wrk_p99 = line.split()[1]
    with Gunicorn("bench.hello:flask_app", env, work / "flask.log", "/") as server:
        figures.flask_rps, figures.flask_p99_ms = hello_rate(server.port, args)


def hello_rate(port: int, args: argparse.Namespace, path: str = "/") -> tuple[float, float]:
    """Requests per second and p99 (ms) of keep-alive GETs of `path` after a short warm-up."""
    drive_hello(port, 2.0, args.connections, path)
    started = time.monotonic()
    clients = drive_hello(port, args.hello_seconds, args.connections, path)
    elapsed = time.monotonic() - started
    latencies = [value for client in clients for value in client.latencies]
    return len(latencies) / elapsed, percentile_ms(latencies, 0.99)


def drive_hello(port: int, seconds: float, connections: int, path: str) -> list[HelloClient]:
    """Keep-alive GETs of `path` from `connections` clients for `seconds`."""
    deadline = time.monotonic() + seconds
    clients = [HelloClient(HOST, port, path, deadline) for _ in range(connections)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    return clients


def drive_flow(
    port: int, tokens: list[str], ledger: Ledger, seconds: float, n: int, *, think: float = 0.0
) -> None:
    """Start `n` submitters until the deadline; wait for them all."""
    deadline = time.monotonic() + seconds
    threads = [Submitter(HOST, port, tokens, ledger, deadline, think=think) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure_flow(
    figures: Figures, env: dict[str, str], tokens: list[str], work: Path, args: argparse.Namespace
) -> set[int]:
    """The real form flow with a worker killed half-way; returns every acknowledged number."""
    workers = int(env["LANTERN_WORKERS"])
    with Gunicorn("bench.lantern_app:app", env, work / "lantern.log", "/healthz") as server:
        # Lantern's own floor: every hook and header, one SELECT 1, no page and no form.
        figures.floor_rps, figures.floor_p99_ms = hello_rate(server.port, args, "/healthz")
        warm = Ledger()
        drive_flow(server.port, tokens, warm, 3.0, args.connections)
        before = {pid: rss_mib(pid) for pid in server.workers()}
        ledger = Ledger(_next=warm._next)  # numbers continue, so none is reused
        started = time.monotonic()
        flow = threading.Thread(
            target=drive_flow,
            args=(server.port, tokens, ledger, args.seconds, args.connections),
            kwargs={"think": args.think},
        )
        flow.start()
        time.sleep(args.seconds / 2)
        victim = server.workers()[0]
        kill_worker(victim)
        killed_at = time.monotonic() - started
        replaced = server.wait_for_workers(workers)
        figures.killed = (
            f"worker {victim} SIGKILLed at {killed_at:.1f} s; gunicorn had {len(replaced)} "
            f"workers again {time.monotonic() - started - killed_at:.1f} s later"
        )
        flow.join()
        elapsed = time.monotonic() - started
        after = {pid: rss_mib(pid) for pid in server.workers()}
        figures.scipy_loaded = any(has_loaded(pid, "scipy") for pid in after)
        paced = Ledger(_next=ledger._next + 1)
        if args.paced_seconds > 0:
            # The same 32 people at a phone's pace: a moment on each page between requests.
            drive_flow(server.port, tokens, paced, args.paced_seconds, args.connections,
                       think=args.paced_think)  # fmt: skip
            values = paced.all_latencies()
            figures.paced_rps = paced.requests / args.paced_seconds
            figures.paced_p50_ms = percentile_ms(values, 0.5)
            figures.paced_p99_ms = percentile_ms(values, 0.99)

    latencies = ledger.all_latencies()
    figures.flow_rps = ledger.requests / elapsed
    figures.submissions_per_s = len(ledger.acknowledged) / elapsed
    figures.p99_ms = percentile_ms(latencies, 0.99)
    figures.per_kind = {
        kind: (len(values), percentile_ms(values, 0.5), percentile_ms(values, 0.99))
        for kind, values in sorted(ledger.latencies.items())
    }
    figures.failures = dict(ledger.failures)
    figures.on_retry = len(ledger.acknowledged_on_retry)
    for pid, mib in before.items():
        end = after.get(pid)
        if pid == victim or mib is None:
            figures.memory.append(f"worker {pid}: {mib or 0:.1f} MiB before, killed mid-run")
        elif end is not None:
            growth = (end - mib) / mib
            figures.max_growth = max(figures.max_growth, growth)
            figures.memory.append(f"worker {pid}: {mib:.1f} -> {end:.1f} MiB ({growth:+.1%})")
    for pid in sorted(set(after) - set(before)):
        figures.memory.append(f"worker {pid} (replacement): {after[pid] or 0:.1f} MiB at the end")
    return warm.acknowledged | ledger.acknowledged | paced.acknowledged


def run_database(name: str, url: str, durability: str, args: argparse.Namespace) -> Figures:
    """Migrate, seed, measure hello-world and the form flow, then reconcile."""
    figures = Figures(name, durability)
    env = environment(url, args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="lantern-bench-logs-") as logs:
        work = Path(args.logs or logs)
        work.mkdir(parents=True, exist_ok=True)
        run_flask(env, "db", "upgrade")
        # The demo is never created in production, so seed as development would; the key
        # file setting only keeps the demo sign-ins file out of this checkout's instance/.
        seeding = dict(env, LANTERN_ENV="development", LANTERN_KEK_FILE=str(work / "kek"))
        seeded = run_flask(seeding, "demo", "seed")
        tokens = [line.rsplit("/s/", 1)[1] for line in seeded.splitlines() if "/s/" in line]
        history = response_ids(env)  # the demo's synthetic earlier rounds
        measure_hello(figures, env, work, args)
        acknowledged = measure_flow(figures, env, tokens, work, args)
        figures.reconciliation = reconcile(env, tokens, acknowledged, history)
    return figures


def report(f: Figures, args: argparse.Namespace) -> bool:
    """Print one database's figures; True if every durability and memory check held."""
    r = f.reconciliation
    assert r is not None
    print(f"\n== {f.name} ({f.durability}) ==")
    think = f", {args.think:g} s on each page" if args.think else ", no pause between pages"
    print(f"gunicorn: {args.workers} gthread workers x {args.threads} threads; "
          f"{args.connections} submitters for {args.seconds:.0f} s{think}; {f.killed}")  # fmt: skip
    print(f"machine load average at the start: {f.load:.1f} (2 cores; other work shares them)")
    print(
        f"hello-world, bare WSGI: {f.hello_rps:.0f} req/s, p99 {f.hello_p99_ms:.1f} ms "
        "(same client as the survey run)"
        + (f"; with wrk: {f.wrk_rps:.0f} req/s, p99 {f.wrk_p99}" if f.wrk_rps else "")
    )
    print(f"hello-world, one Flask route: {f.flask_rps:.0f} req/s, p99 {f.flask_p99_ms:.1f} ms")  # fmt: skip
    print(f"Lantern /healthz (every hook, SELECT 1): {f.floor_rps:.0f} req/s, "
          f"p99 {f.floor_p99_ms:.1f} ms, {f.floor_rps / f.hello_rps:.2f} of bare WSGI")  # fmt: skip
    print(f"survey form: {f.flow_rps:.0f} req/s ({f.submissions_per_s:.1f} finished "
          f"submissions/s), p99 {f.p99_ms:.1f} ms per request")  # fmt: skip
    for kind, (count, p50, p99) in f.per_kind.items():
        print(f"  {kind:<15} {count:>6} requests  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    if args.paced_seconds > 0:
        print(f"at a phone's pace ({args.connections} people, {args.paced_think:g} s on each "
              f"page, {args.paced_seconds:.0f} s): {f.paced_rps:.0f} req/s, "
              f"p50 {f.paced_p50_ms:.1f} ms, p99 {f.paced_p99_ms:.1f} ms per request")  # fmt: skip
    ratio = f.flow_rps / f.hello_rps if f.hello_rps else math.nan
    line = f"throughput ratio, form requests / bare WSGI hello-world: {ratio:.2f}"
    if f.wrk_rps:
        line += f" (against wrk's hello-world figure: {f.flow_rps / f.wrk_rps:.2f})"
    print(line)
    if f.flask_rps:
        print(
            f"throughput ratio, form requests / Flask hello-world: {f.flow_rps / f.flask_rps:.2f}"
        )
    print(f"acknowledged {r.acknowledged} ({f.on_retry} on a retried Finish), stored {r.stored}, "
          f"lost {r.lost}, duplicated {r.duplicated}, unreadable {r.unreadable}, "
          f"not ours {r.foreign}, misfiled {r.misfiled}, "
          f"stored but not acknowledged {r.stored_not_acknowledged}")  # fmt: skip
    failed = sum(f.failures.values())
    detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(f.failures.items()))
    print(
        f"failed submissions (the person saw an error): {failed}"
        + (f" ({detail})" if detail else "")
    )
    for line in f.memory:
        print(f"  {line}")
    print(f"largest memory growth {f.max_growth:+.1%}; SciPy loaded in a worker: {f.scipy_loaded}")
    return (
        r.lost == 0
        and r.duplicated == 0
        and r.unreadable == 0
        and r.foreign == 0
        and r.misfiled == 0
        and f.max_growth < 0.10
        and not f.scipy_loaded
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on SQLite and PostgreSQL; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="form-flow run length")
    parser.add_argument("--hello-seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each person spends on a page (0: none)"
    )
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=15.0,
        help="then run the same people at a phone's pace for this long (0: skip)",
    )
    parser.add_argument("--paced-think", type=float, default=1.0,
                        help="seconds on each page in the paced run")  # fmt: skip
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LANTERN_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("LANTERN_THREADS", "4")))
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--logs", default=None, help="keep gunicorn logs in this folder")
    args = parser.parse_args(argv)
    results: list[bool] = []
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="lantern-bench-") as directory:
            url = f"sqlite:///{Path(directory) / 'lantern.db'}"
            figures = run_database("SQLite file", url, "WAL, synchronous=FULL", args)
            results.append(report(figures, args))
    if args.only in (None, "postgresql"):
        try:
            schema = postgres_schema()
            url, durability = schema.__enter__()
        except Exception as error:  # no server here: say so, and do not count it as a pass
            print(f"\n== PostgreSQL skipped: {type(error).__name__}: {error} ==")
            results.append(False)
        else:
            try:
                results.append(report(run_database("PostgreSQL", url, durability, args), args))
            finally:
                schema.__exit__(None, None, None)
    ok = all(results)
    print("\nall checks held" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
