"""A stand-in Telegram Bot API on loopback: `getMe` and `getUpdates` for one bot token.

The bot (bot.py) talks to TELEGRAM_API_URL, which the rehearsal profile points here. A wrong token
gets Telegram's own 401 answer. Every call is kept (with the token masked) for the tests to read.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

BOT = {"id": 7001234567, "is_bot": True, "first_name": "RecruitSmart", "username": "recruitsmart_rehearsal_bot"}
POLL_S = 0.5


class FakeBotApi:
    def __init__(self) -> None:
        self.token = f"{BOT['id']}:{secrets.token_urlsafe(26)}"
        self.calls: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                token, _, method = path.removeprefix("/bot").partition("/")
                api.calls.append(method)
                if token != api.token:
                    self.answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                elif method == "getMe":
                    self.answer(200, {"ok": True, "result": BOT})
                elif method == "getUpdates":
                    time.sleep(POLL_S)  # a long poll with nothing to deliver
                    self.answer(200, {"ok": True, "result": []})
                else:
                    self.answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            do_POST = do_GET

            def answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeBotApi:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
