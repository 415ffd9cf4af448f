"""A stand-in Telegram Bot API on loopback: `getMe` and `getUpdates` for one bot token.

The bot (bot.py) talks to TELEGRAM_API_URL, which the rehearsal profile points here. A wrong token
gets Telegram's own 401 answer. Every call is kept (with the token masked) for the tests to read.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from tests.rehearsal.loopback import JsonHandler, LoopbackServer

BOT = {"id": 7001234567, "is_bot": True, "first_name": "RecruitSmart", "username": "recruitsmart_rehearsal_bot"}
POLL_S = 0.5


class FakeBotApi(LoopbackServer):
    def __init__(self) -> None:
        self.token = f"{BOT['id']}:{secrets.token_urlsafe(26)}"
        self.calls: list[str] = []
        api = self

        class Handler(JsonHandler):
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

        super().__init__(Handler)
