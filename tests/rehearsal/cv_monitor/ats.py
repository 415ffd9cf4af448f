"""A stand-in of the ATS (the Laravel app the download monitor reports to) and its S3 bucket, on loopback.

    POST /api/cv-capture/presign   {filename, size, sha256}, Bearer token → {key, upload_url}
    PUT  /s3/<key>                 the file's bytes (the presigned upload)
    POST /api/cv-capture/complete  {key, filename, sha256, size, emp_id}, Bearer token → the stored metadata
    GET  /api/cv-capture/files     every stored CV's metadata, Bearer token
    GET  /api/health               {"status": "ok"}

A wrong or missing token gets 401 as Sanctum answers. Every request is logged (method, path, status)
for the tests; `healthy = False` makes every API call answer 503.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tests.rehearsal.loopback import JsonHandler, LoopbackServer


class Ats(LoopbackServer):
    def __init__(self, bucket: Path) -> None:
        self.token = f"{secrets.randbelow(999) + 1}|{secrets.token_urlsafe(30)}"  # a Sanctum token's shape
        self.bucket = bucket
        self.bucket.mkdir(parents=True, exist_ok=True)
        self.files: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []
        self.healthy = True
        ats = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                if self.path == "/api/health":
                    self.answer(200, {"status": "ok"})
                elif self.authorised() and self.path == "/api/cv-capture/files":
                    self.answer(200, {"files": ats.files})

            def do_POST(self) -> None:
                if not self.authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path == "/api/cv-capture/presign":
                    key = f"cvs/{secrets.token_hex(8)}/{body['filename']}"
                    self.answer(200, {"key": key, "upload_url": f"{ats.url}/s3/{quote(key)}"})
                elif self.path == "/api/cv-capture/complete":
                    if not (ats.bucket / body["key"]).is_file():
                        self.answer(422, {"message": "The file was not uploaded."})
                        return
                    ats.files.append(body)
                    self.answer(201, body)
                else:
                    self.answer(404, {"message": "Not Found"})

            def do_PUT(self) -> None:
                if not self.path.startswith("/s3/cvs/"):
                    self.answer(403, {"message": "AccessDenied"})
                    return
                target = ats.bucket / unquote(self.path.removeprefix("/s3/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                self.answer(200, {})

            def authorised(self) -> bool:
                if not ats.healthy:
                    self.answer(503, {"message": "Service Unavailable"})
                    return False
                if self.headers.get("Authorization") != f"Bearer {ats.token}":
                    self.answer(401, {"message": "Unauthenticated."})
                    return False
                return True

            def answer(self, status: int, body: dict[str, Any]) -> None:
                ats.requests.append((self.command, self.path.split("?")[0], status))
                super().answer(status, body)

        super().__init__(Handler)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"
