"""A real webhook receiver on loopback: what apprise's `json://127.0.0.1:PORT/` delivers, byte for byte."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self) -> None:
        self.raw: list[bytes] = []  # every request as received: request line, headers and body
        self._lock = threading.Lock()

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(r.split(b"\r\n\r\n", 1)[1]) for r in self.raw]

    @property
    def titles(self) -> list[str]:
        return [m["title"] for m in self.messages]

    def all_bytes(self) -> bytes:
        with self._lock:
            return b"".join(self.raw)


@contextmanager
def receiver() -> Iterator[tuple[Receiver, str]]:
    """(the receiver, its apprise URL)."""
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            head = f"{self.requestline}\r\n{self.headers}".encode()
            with got._lock:
                got.raw.append(head + b"\r\n\r\n" + body)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got, f"json://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def dead_url() -> str:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"json://127.0.0.1:{port}/"
