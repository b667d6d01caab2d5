"""The shipped nginx configuration, run for real in front of both services on loopback.

nginx (Debian's package; `.ci/run` installs it) runs unprivileged-style from a temporary
prefix with a throw-away self-signed certificate, in front of the respondent and staff
services under gunicorn with production settings. The checks: TLS and exactly one HSTS
header; HTTP redirected to HTTPS; one trusted hop (a client's own X-Forwarded-For is
replaced, the apps' per-address limits see the real address); only the survey cookie
reaches the respondent service; 413 for oversized bodies; slow bodies do not stall the
respondent service (they do without the proxy); and respondent log lines carry no address.
"""

from __future__ import annotations

import datetime
import http.client
import http.server
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.nginx_conf import render
from tests.processes import HOST, INTEGRITY_KEY, free_port, healthy, seeded_file_database

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (`.ci/run` installs Debian's nginx)"
)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 and its key (made here, never kept)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lantern-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Nginx:
    """nginx from a temporary prefix, with the shipped configuration rendered into it."""

    def __init__(self, prefix: Path, respondent: int, staff: int) -> None:
        self.prefix = prefix
        self.port, self.http_port = free_port(), free_port()
        (prefix / "logs").mkdir(parents=True)
        cert, key = self_signed(prefix)
        self.cert = cert
        site = render(
            {
                "LISTEN": f"{HOST}:{self.port}",
                "HTTP_LISTEN": f"{HOST}:{self.http_port}",
                "SERVER_NAME": HOST,
                "CERT": str(cert),
                "KEY": str(key),
                "RESPONDENT": f"{HOST}:{respondent}",
                "STAFF": f"{HOST}:{staff}",
                "LOG_DIR": str(prefix / "logs"),
            }
        )
        (prefix / "lantern.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers may read the temp prefix
        (prefix / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/logs/error.log error;\nevents {{ worker_connections 256; }}\n"
            "http {\n"
            f"    client_body_temp_path {prefix}/body;\n    proxy_temp_path {prefix}/proxy;\n"
            f"    fastcgi_temp_path {prefix}/fcgi;\n    uwsgi_temp_path {prefix}/uwsgi;\n"
            f"    scgi_temp_path {prefix}/scgi;\n    access_log off;\n"
            f"    include {prefix}/lantern.conf;\n}}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Nginx:
        assert NGINX is not None
        with (self.prefix / "logs" / "nginx.out").open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (the system nginx, our own config)
                [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")],
                stdout=log,
                stderr=log,
            )
        wait_for(lambda: port_open(self.port), "nginx", self.process, self.prefix / "logs")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def https(self, timeout: float = 10) -> http.client.HTTPSConnection:
        context = ssl.create_default_context(cafile=str(self.cert))
        return http.client.HTTPSConnection(HOST, self.port, timeout=timeout, context=context)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def wait_for(ready: object, what: str, process: subprocess.Popen[bytes], logs: Path) -> None:
    deadline = time.monotonic() + 60
    while not ready():  # type: ignore[operator]
        if process.poll() is not None:
            tails = {p.name: p.read_text()[-1500:] for p in logs.glob("*") if p.is_file()}
            pytest.fail(f"{what} exited early: {tails}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not start in 60 s")
        time.sleep(0.2)


class Service:
    """One Lantern service under gunicorn with config/gunicorn.conf.py."""

    def __init__(self, app: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.app, self.log = app, log
        self.env = env | {"LANTERN_BIND": f"{HOST}:{self.port}"}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and app)
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", self.app],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
            )
        wait_for(lambda: healthy(self.port), self.app, self.process, self.log.parent)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


@dataclass
class Stack:
    nginx: Nginx
    respondent: Service
    staff: Service
    token: str
    logs: Path


def production_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env.pop("DATABASE_URL", None)
    return env | {
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp),
        "LANTERN_ENV": "production",
        "LANTERN_CODE_PEPPER": "Jd7-wQ2zR9xK4mV8nT1bY6cH3fL5sP0gA",
        "LANTERN_INTEGRITY_KEY": INTEGRITY_KEY,
        "DATABASE_URL": f"sqlite:///{tmp / 'lantern.db'}",
        "LANTERN_WORKERS": "1",
        "LANTERN_THREADS": "2",
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("proxy")
    env = production_env(tmp)
    with pytest.MonkeyPatch.context() as monkeypatch:
        kek, token = seeded_file_database(env["DATABASE_URL"], monkeypatch)
    # Each service its own secret; only the staff one holds the key.
    respondent_env = env | {"SECRET_KEY": "Rk4-tN8wQ1zL6mX3vB9cJ2hF7dS5pG0a"}
    staff_env = env | {"SECRET_KEY": "Sy2-hK7pW4nQ9xM1vT6bL3cJ8fD5rG0e", "LANTERN_KEK": kek}
    with (
        Service("wsgi_respondent:app", respondent_env, tmp / "respondent.out") as respondent,
        Service("wsgi:app", staff_env, tmp / "staff.out") as staff,
        Nginx(tmp / "nginx", respondent.port, staff.port) as nginx,
    ):
        yield Stack(nginx, respondent, staff, token, tmp / "nginx" / "logs")


def request(
    stack: Stack,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = stack.nginx.https()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_tls_hsts_and_the_redirect_from_http(stack: Stack) -> None:
    response, _ = request(stack, "GET", f"/s/{stack.token}")
    assert response.status == 200
    assert response.headers.get_all("Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains"
    ]
    assert "lantern_survey=" in response.headers["Set-Cookie"]
    assert (
        "Secure" in response.headers["Set-Cookie"] and "Path=/s/" in response.headers["Set-Cookie"]
    )
    staff, _ = request(stack, "GET", "/auth/sign-in")
    assert staff.status == 200 and len(staff.headers.get_all("Strict-Transport-Security")) == 1
    plain = http.client.HTTPConnection(HOST, stack.nginx.http_port, timeout=10)
    plain.request("GET", f"/s/{stack.token}")
    moved = plain.getresponse()
    plain.close()
    assert moved.status == 301
    assert moved.headers["Location"].startswith("https://")


def test_oversized_bodies_are_refused_at_the_proxy(stack: Stack) -> None:
    body = b"q-1=" + b"x" * (70 * 1024)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response, _ = request(stack, "POST", f"/s/{stack.token}", body, headers)
    assert response.status == 413
    assert len(response.headers.get_all("Strict-Transport-Security")) == 1


def test_a_clients_own_forwarded_for_is_ignored(stack: Stack) -> None:
    # The respondent service limits posts per address (60 a minute). Each post claims a new
    # address in X-Forwarded-For; nginx replaces it with the real one, so the limit holds.
    statuses = []
    for n in range(62):
        headers = {"X-Forwarded-For": f"10.7.{n // 250}.{n % 250}"}
        response, _ = request(stack, "POST", f"/s/{stack.token}", b"action=finish", headers)
        statuses.append(response.status)
    assert statuses[:60] == [400] * 60
    assert statuses[60:] == [429, 429]


def test_slow_bodies_do_not_stall_the_respondent_service(stack: Stack) -> None:
    def fast_get(connect: object) -> float:
        started = time.monotonic()
        conn = connect()  # type: ignore[operator]
        try:
            conn.request("GET", f"/s/{stack.token}")
            assert conn.getresponse().status == 200
        finally:
            conn.close()
        return time.monotonic() - started

    def trickle(open_socket: object, stop: threading.Event) -> None:
        sock = open_socket()  # type: ignore[operator]
        try:
            sock.sendall(
                f"POST /s/{stack.token} HTTP/1.1\r\nHost: {HOST}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 4000\r\n\r\n".encode()
            )
            while not stop.wait(0.5):
                sock.sendall(b"a")
        except OSError:
            pass
        finally:
            sock.close()

    def slow_clients(open_socket: object) -> tuple[threading.Event, list[threading.Thread]]:
        stop = threading.Event()
        threads = [
            threading.Thread(target=trickle, args=(open_socket, stop), daemon=True)
            for _ in range(12)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # every slow client has sent its headers and is trickling
        return stop, threads

    def tls_socket() -> socket.socket:
        context = ssl.create_default_context(cafile=str(stack.nginx.cert))
        raw = socket.create_connection((HOST, stack.nginx.port), timeout=10)
        return context.wrap_socket(raw, server_hostname=HOST)

    # Through the proxy: twelve phones trickling their forms in cost the service nothing.
    stop, threads = slow_clients(tls_socket)
    try:
        elapsed = fast_get(stack.nginx.https)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    print(f"a page through nginx while 12 clients trickle bodies in: {elapsed:.2f} s")
    assert elapsed < 2.0

    # Without it, the same twelve tie up the service's threads: the control.
    port = stack.respondent.port
    stop, threads = slow_clients(lambda: socket.create_connection((HOST, port), timeout=10))
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            fast_get(lambda: http.client.HTTPConnection(HOST, port, timeout=3))
        waited = time.monotonic() - started
        print(f"the same page straight from gunicorn: no answer in {waited:.2f} s")
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def test_respondent_log_lines_carry_no_address(stack: Stack) -> None:
    request(stack, "GET", f"/s/{stack.token}")
    request(stack, "GET", "/static/lantern.css")
    request(stack, "POST", f"/s/{stack.token}", b"q-1=" + b"x" * (70 * 1024))  # a 413 error
    request(stack, "GET", "/auth/sign-in")
    time.sleep(0.5)  # nginx writes each line when its request ends
    respondent = (stack.logs / "lantern-respondent.log").read_text()
    staff = (stack.logs / "lantern-staff.log").read_text()
    assert '"GET /s/-" 200' in respondent and '"GET /static/lantern.css" 200' in respondent
    assert '"POST /s/-" 413' in respondent
    assert HOST not in respondent and stack.token not in respondent
    assert HOST not in (stack.logs / "lantern-respondent-error.log").read_text()
    assert not [line for line in staff.splitlines() if "/s/" in line or "/static/" in line]
    # The staff log keeps addresses, which shows the respondent log would show them too.
    assert f"{HOST} [" in staff and '"GET /auth/sign-in" 200' in staff


class Echo(http.server.BaseHTTPRequestHandler):
    """An upstream that answers with the headers it was sent."""

    def do_GET(self) -> None:
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


def test_only_the_survey_cookie_and_one_forwarded_hop_reach_the_services(tmp_path: Path) -> None:
    servers = [http.server.ThreadingHTTPServer((HOST, 0), Echo) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    respondent, staff = (server.server_address[1] for server in servers)
    try:
        with Nginx(tmp_path / "nginx", int(respondent), int(staff)) as nginx:

            def sent(path: str) -> dict[str, str]:
                conn = nginx.https()
                cookies = "lantern_session=staff-secret; lantern_survey=survey-form"
                conn.request("GET", path, headers={"Cookie": cookies, "X-Forwarded-For": "6.6.6.6"})
                seen: dict[str, str] = json.loads(conn.getresponse().read())
                conn.close()
                return seen

            survey, static, signed_in = sent("/s/abc"), sent("/static/x.css"), sent("/manage/")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert survey["cookie"] == "lantern_survey=survey-form"
    assert "cookie" not in static
    assert signed_in["cookie"] == "lantern_session=staff-secret; lantern_survey=survey-form"
    for seen in (survey, static, signed_in):
        assert seen["x-forwarded-for"] == HOST  # the client's own entry is dropped
        assert seen["x-forwarded-proto"] == "https"
