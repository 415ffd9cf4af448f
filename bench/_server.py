"""A local HTTP service for the benchmarks: answers every GET with a small JSON body after a fixed
delay, HTTP/1.1 keep-alive, asyncio (so waiting requests cost nothing). It prints its port on the
first line of stdout; `GET /count` answers how many other requests it served (and is not counted).

    python bench/_server.py --delay-ms 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

BODY = json.dumps({"status": "healthy"}).encode()


class Service:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.served = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
                length = _content_length(head)
                if length:
                    await reader.readexactly(length)
                if path == b"/count":
                    body = str(self.served).encode()
                else:
                    self.served += 1
                    if self.delay_s:
                        await asyncio.sleep(self.delay_s)
                    body = BODY
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


async def serve(delay_ms: float) -> None:
    service = Service(delay_ms / 1000)
    server = await asyncio.start_server(service.handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, default=50.0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.delay_ms))
    except KeyboardInterrupt:
        sys.exit(0)
