"""The demo's stand-in "production system": a tiny JSON HTTP service configured by a file.

`examples/deploy-demo.md` deploys to it: it edits DIR/config.json, asks the service to reload it
and checks /health and /api/items. Standard library only, so the demo needs nothing installed.

    python3 examples/standin/app.py --port PORT --dir DIR [--host 127.0.0.1]

Endpoints: GET /health, GET /api/items, POST /admin/reload; anything else answers 404.
On start it prints `standin listening on http://HOST:PORT` and writes DIR/standin.pid and
DIR/standin.port; SIGTERM or SIGINT stops it cleanly and removes both files.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

DEFAULT_CONFIG: dict[str, Any] = {"version": "1.4.2", "features": {"search": False}}
ITEM_NAMES = ("widget", "gadget", "gizmo")


class State:
    """The service's configuration and health, shared by the request threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.config: dict[str, Any] = {}
        self.error: str | None = None
        self.started = time.monotonic()
        self.lock = threading.Lock()

    @property
    def config_path(self) -> Path:
        return self.directory / "config.json"

    def reload(self) -> tuple[bool, str]:
        """Re-read config.json; keep the last good config on failure. Returns (ok, version or error)."""
        try:
            config = read_config(self.config_path)
        except ValueError as e:
            with self.lock:
                self.error = str(e)
            return False, str(e)
        with self.lock:
            self.config, self.error = config, None
        return True, version_of(config)

    def snapshot(self) -> tuple[dict[str, Any], str | None]:
        with self.lock:
            return self.config, self.error


def read_config(path: Path) -> dict[str, Any]:
    """The config file as a JSON object; ValueError with a short reason otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"cannot read {path.name}: {e.strerror or e}") from e
    try:
        config = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name} is not valid JSON: {e}") from e
    if not isinstance(config, dict):
        raise ValueError(f"{path.name} must hold a JSON object")
    return config


def version_of(config: dict[str, Any]) -> str:
    return str(config.get("version", "unknown"))


def items(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The three catalogue items; marked searchable when the search feature is on."""
    features = config.get("features")
    search = isinstance(features, dict) and features.get("search") is True
    result: list[dict[str, Any]] = []
    for i, name in enumerate(ITEM_NAMES, start=1):
        item: dict[str, Any] = {"id": i, "name": name}
        if search:
            item["searchable"] = True
        result.append(item)
    return result


def health(state: State) -> tuple[int, object]:
    config, error = state.snapshot()
    if error is not None:
        return 503, {"status": "unhealthy", "error": error}
    return 200, {
        "status": "healthy",
        "version": version_of(config),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "uptime_s": round(time.monotonic() - state.started, 3),
    }


def reload(state: State) -> tuple[int, object]:
    ok, detail = state.reload()
    if ok:
        return 200, {"reloaded": True, "version": detail}
    return 500, {"reloaded": False, "error": detail}


class Server(ThreadingHTTPServer):
    """A threading HTTP server that carries the service state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


class Handler(BaseHTTPRequestHandler):
    """Routes the three endpoints; everything else is a JSON 404."""

    server: Server
    server_version = "standin/1.0"

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/health":
            self.reply(*health(self.server.state))
        elif path == "/api/items":
            self.reply(200, items(self.server.state.snapshot()[0]))
        else:
            self.not_found()

    def do_POST(self) -> None:
        self.drain_body()
        if urlsplit(self.path).path == "/admin/reload":
            self.reply(*reload(self.server.state))
        else:
            self.not_found()

    def do_other(self) -> None:
        self.drain_body()
        self.not_found()

    do_PUT = do_DELETE = do_PATCH = do_other

    def not_found(self) -> None:
        self.reply(404, {"error": "not found"})

    def drain_body(self) -> None:
        """Read (and ignore) a request body so the connection stays usable."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > 0:
            self.rfile.read(length)

    def reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        sys.stderr.write(f"{self.command} {self.path} {code}\n")
        sys.stderr.flush()

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"standin: {format % args}\n")
        sys.stderr.flush()


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def prepare(directory: Path) -> State:
    """Create DIR and a default config.json if needed, and load it."""
    directory.mkdir(parents=True, exist_ok=True)
    state = State(directory)
    if not state.config_path.exists():
        write_atomic(state.config_path, json.dumps(DEFAULT_CONFIG) + "\n")
    state.reload()
    return state


def stop_on_signals(server: Server) -> None:
    """SIGTERM and SIGINT end serve_forever (shutdown must run outside the serving thread)."""

    def handle(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The golive demo's stand-in service.")
    parser.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
    parser.add_argument("--dir", type=Path, required=True, help="directory holding config.json")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    state = prepare(args.dir)
    try:
        server = Server((args.host, args.port), state)
    except OSError as e:
        print(f"standin: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    host, port = str(server.server_address[0]), int(server.server_address[1])
    pid_file, port_file = args.dir / "standin.pid", args.dir / "standin.port"
    write_atomic(pid_file, f"{os.getpid()}\n")
    write_atomic(port_file, f"{port}\n")
    stop_on_signals(server)
    print(f"standin listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        pid_file.unlink(missing_ok=True)
        port_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
