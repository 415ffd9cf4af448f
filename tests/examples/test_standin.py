"""The demo's stand-in service, run as a real process on loopback (no mocks).

Each test starts `examples/standin/app.py --port 0` in its own directory, reads the port from the
line it prints, talks to it over HTTP and stops it with a signal. A stop by signal is clean: the
process exits with code 0 and removes its pid file.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

APP = Path(__file__).resolve().parents[2] / "examples" / "standin" / "app.py"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 5.0


@dataclass
class Standin:
    proc: subprocess.Popen[str]
    directory: Path
    port: int
    line: str
    started_in_s: float
    stderr_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=REQUEST_TIMEOUT_S)

    def post(self, path: str) -> httpx.Response:
        return httpx.post(self.url + path, timeout=REQUEST_TIMEOUT_S)

    def write_config(self, text: str) -> None:
        (self.directory / "config.json").write_text(text, encoding="utf-8")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=STOP_TIMEOUT_S)

    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")


def first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints, waiting at most `timeout` seconds."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"the stand-in printed nothing within {timeout} s")


def start(directory: Path) -> Standin:
    stderr_path = directory.parent / f"{directory.name}.stderr"
    began = time.monotonic()
    with stderr_path.open("w", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(APP), "--port", "0", "--dir", str(directory)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    line = first_line(proc, START_TIMEOUT_S).strip()
    elapsed = time.monotonic() - began
    prefix = "standin listening on http://127.0.0.1:"
    assert line.startswith(prefix), (line, stderr_path.read_text(encoding="utf-8"))
    return Standin(proc, directory, int(line.removeprefix(prefix)), line, elapsed, stderr_path)


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[Standin]:
    service = start(tmp_path / "svc")
    try:
        yield service
    finally:
        if service.proc.poll() is None:
            service.proc.kill()
            service.proc.wait(timeout=STOP_TIMEOUT_S)
        if service.proc.stdout is not None:
            service.proc.stdout.close()


def test_start_writes_default_config_pid_and_port(standin: Standin) -> None:
    config = json.loads((standin.directory / "config.json").read_text(encoding="utf-8"))
    assert config == {"version": "1.4.2", "features": {"search": False}}
    assert (standin.directory / "standin.pid").read_text().strip() == str(standin.proc.pid)
    assert (standin.directory / "standin.port").read_text().strip() == str(standin.port)
    assert standin.started_in_s < 5.0  # "well under a second" locally; generous for a loaded CI


def test_existing_config_is_kept(tmp_path: Path) -> None:
    directory = tmp_path / "svc"
    directory.mkdir()
    (directory / "config.json").write_text('{"version": "9.9.9"}', encoding="utf-8")
    service = start(directory)
    try:
        assert service.get("/health").json()["version"] == "9.9.9"
        assert json.loads((directory / "config.json").read_text(encoding="utf-8")) == {"version": "9.9.9"}
    finally:
        assert service.stop() == 0
        assert service.proc.stdout is not None
        service.proc.stdout.close()


def test_health(standin: Standin) -> None:
    r = standin.get("/health")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["status"] == "healthy"
    assert body["version"] == "1.4.2"
    assert isinstance(body["uptime_s"], float) and body["uptime_s"] >= 0
    assert body["timestamp"].endswith("Z")
    stamp = datetime.fromisoformat(body["timestamp"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)


def test_items_without_and_with_search(standin: Standin) -> None:
    r = standin.get("/api/items")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    items = r.json()
    assert isinstance(items, list) and len(items) == 3
    for item in items:
        assert isinstance(item["id"], int) and isinstance(item["name"], str)
        assert "searchable" not in item
    assert len({item["id"] for item in items}) == 3

    standin.write_config('{"version": "2.0.0", "features": {"search": true}}')
    assert standin.post("/admin/reload").status_code == 200
    items = standin.get("/api/items").json()
    assert len(items) == 3
    assert all(item["searchable"] is True for item in items)


def test_reload_with_a_new_version(standin: Standin) -> None:
    standin.write_config('{"version": "2.0.0", "features": {"search": true}, "deployed_by": "ana"}\n')
    r = standin.post("/admin/reload")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"reloaded": True, "version": "2.0.0"}
    health = standin.get("/health")
    assert health.status_code == 200
    assert health.json()["version"] == "2.0.0"


def test_broken_config_makes_health_503_until_a_good_reload(standin: Standin) -> None:
    standin.write_config('{"version": "2.0.0", ')
    r = standin.post("/admin/reload")
    assert r.status_code == 500
    body = r.json()
    assert body["reloaded"] is False and body["error"]

    health = standin.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "unhealthy" and health.json()["error"]
    assert len(standin.get("/api/items").json()) == 3  # still serving the last good config

    standin.write_config('{"version": "1.4.2", "features": {"search": false}}')
    assert standin.post("/admin/reload").json() == {"reloaded": True, "version": "1.4.2"}
    health = standin.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "healthy" and health.json()["version"] == "1.4.2"


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("GET", "/admin/reload"), ("POST", "/health")])
def test_unknown_routes_are_404(standin: Standin, method: str, path: str) -> None:
    r = httpx.request(method, standin.url + path, timeout=REQUEST_TIMEOUT_S)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"error": "not found"}


def test_one_log_line_per_request(standin: Standin) -> None:
    standin.get("/health")
    standin.get("/missing")
    standin.post("/admin/reload")
    assert standin.stop() == 0
    assert standin.log().splitlines() == ["GET /health 200", "GET /missing 404", "POST /admin/reload 200"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(standin: Standin, signum: int) -> None:
    pid_file = standin.directory / "standin.pid"
    assert pid_file.exists()
    assert standin.stop(signum) == 0
    assert not pid_file.exists()
    assert not (standin.directory / "standin.port").exists()
    with pytest.raises(httpx.TransportError):
        standin.get("/health")


def test_binds_loopback_only_by_default(standin: Standin) -> None:
    assert standin.line.startswith("standin listening on http://127.0.0.1:")
    if sys.platform.startswith("linux"):
        # the listening socket's local address, from the kernel's table (hex, little-endian IPv4)
        local = f"0100007F:{standin.port:04X}"
        table = Path("/proc/net/tcp").read_text(encoding="utf-8")
        assert any(row.split()[1] == local and row.split()[3] == "0A" for row in table.splitlines()[1:])
