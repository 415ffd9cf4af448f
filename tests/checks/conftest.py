"""Real things for the check tests: an HTTP app on loopback (a thread of the test process, port 0),
a fresh PostgreSQL and MariaDB database each, a Redis key prefix, and a way to run one check.

Under CI=true an unreachable PostgreSQL, MariaDB or Redis fails the test; elsewhere it skips.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from golive.checks.base import Context, Result
from golive.checks.execute import execute
from golive.checks.template import fill
from golive.parse.annotations import parse_specs
from tests.conftest import IN_CI

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
MARIADB_SERVER = "mysql://root@127.0.0.1:3306"
REDIS_URL = "redis://127.0.0.1:6379/0"
TOKEN = "tok-4f9a2c7e1b8d"
PASSWORD = "s3cret-pass-77"


def unreachable(what: str, exc: BaseException) -> None:
    reason = f"{what} is unreachable: {exc}"
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: these tests must run, not skip)")
    pytest.skip(reason)


# --- the HTTP app -----------------------------------------------------------------------------------


@dataclass
class App:
    """The service under check. `broken = True` makes it unhealthy: 503s, a wrong version, slow."""

    url: str = ""
    broken: bool = False
    delay_s: float = 0.0
    hits: int = 0
    in_flight: int = 0
    most_in_flight: int = 0  # how many requests it ever served at once
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            with app.lock:
                app.hits += 1
                app.in_flight += 1
                app.most_in_flight = max(app.most_in_flight, app.in_flight)
            try:
                self._get()
            finally:
                with app.lock:
                    app.in_flight -= 1

        def _get(self) -> None:
            path = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(path.query))
            if app.delay_s or "ms" in query:
                time.sleep(float(query.get("ms", 0)) / 1000 or app.delay_s)
            if path.path == "/health":
                if app.broken:
                    self._send(503, {"status": "unhealthy", "error": "database is locked"})
                else:
                    self._send(200, {"status": "healthy", "version": "1.2.3", "checked_at": "2026-11-30T10:00:00Z"})
            elif path.path == "/me":
                ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
                self._send(200 if ok else 401, {"user": "admin"} if ok else {"detail": "not authenticated"})
            elif path.path.startswith("/status/"):
                self._send(int(path.path.rsplit("/", 1)[1]), {"status": path.path})
            elif path.path == "/redirect":
                self._send(302, b"", {"Location": query.get("to", "/health")})
            elif path.path == "/text":
                self._send(200, b"Service ready\nversion 3.1.9\n", {"X-Version": "3.1.9"})
            else:
                self._send(404, {"detail": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            if self.path == "/login" and form.get("password") == PASSWORD and not app.broken:
                self._send(200, {"access_token": TOKEN, "token_type": "bearer"})
            else:
                self._send(401, {"detail": "bad credentials"})

    return Handler


def serve(app: App, tls: ssl.SSLContext | None = None) -> Iterator[App]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls else "http"
    app.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def app() -> Iterator[App]:
    yield from serve(App())


@pytest.fixture
def tls_app(tmp_path: Path) -> Iterator[App]:
    """The same app over HTTPS with a self-signed certificate valid for 30 days."""
    cert, key = self_signed(tmp_path, days=30)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    yield from serve(App(), context)


def self_signed(where: Path, days: int) -> tuple[str, str]:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = where / "cert.pem", where / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


# --- databases --------------------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database with an `employees` table of 3 rows; dropped afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(f"{PG_SERVER}/test", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unreachable("PostgreSQL at 127.0.0.1:5432", exc)
    name = f"golive_checks_{secrets.token_hex(5)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE employees (id serial primary key, name text)")
            conn.execute("INSERT INTO employees (name) VALUES ('ana'), ('bo'), ('cy')")
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh MariaDB database with a `jobs` table of 2 rows; dropped afterwards."""
    import pymysql

    try:
        admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", connect_timeout=5)
    except pymysql.err.OperationalError as exc:
        unreachable("MariaDB at 127.0.0.1:3306", exc)
    name = f"golive_checks_{secrets.token_hex(5)}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
        cur.execute(f"CREATE TABLE `{name}`.jobs (id int primary key, title varchar(50))")
        cur.execute(f"INSERT INTO `{name}`.jobs VALUES (1, 'engineer'), (2, 'analyst')")
    admin.commit()
    try:
        yield f"{MARIADB_SERVER}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique key prefix on the local Redis; its keys are deleted afterwards (never FLUSHDB)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        unreachable("Redis at 127.0.0.1:6379", exc)
    prefix = f"golive-test:{secrets.token_hex(5)}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


# --- running one check ------------------------------------------------------------------------------


def run_check(yaml_text: str, cwd: Path | None = None, env: dict[str, str] | None = None, **variables: str) -> Result:
    """Parse one check (it must be valid), fill its `{{ VARS }}`, and run it to its verdict."""
    specs, errors = parse_specs(yaml_text, 1)
    assert not errors, [str(e) for e in errors]
    assert len(specs) == 1
    data = fill(specs[0].data, variables.get)
    ctx = Context(cwd=cwd or Path.cwd(), env=dict(env or {}))

    async def go() -> Result:
        try:
            return await execute(data, ctx)
        finally:
            await ctx.close()

    return asyncio.run(go())


def errors_of(yaml_text: str, first_line: int = 10) -> list[str]:
    """`line: key: reason` for each problem of an annotation whose YAML starts on `first_line`."""
    _specs, errors = parse_specs(yaml_text, first_line)
    return [f"{e.line}: {e}" for e in errors]
