"""Bounded capture of a command's output: the first and last bytes, and how much was cut.

1 GB of output costs golive the head, the tail and one read buffer, never the whole stream,
in memory and on disk: once the head is kept, what lies more than the tail's length before the
end of the file can never be part of the tail, so it is skipped unread (counted as cut) and its
disk blocks are given back; the file under .golive holds little more than the tail.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
from dataclasses import dataclass

HEAD_BYTES = 512 * 1024
TAIL_BYTES = 512 * 1024
READ_CHUNK = 256 * 1024
PUNCH_AFTER = 8 * 1024 * 1024  # give disk back once this much of an output file was read
SKIP_AFTER = 4 * 1024 * 1024  # skip the middle of a flood once this much of it is beyond the tail

_FALLOC_FL_KEEP_SIZE = 0x01
_FALLOC_FL_PUNCH_HOLE = 0x02
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def punch_hole(fd: int, length: int) -> None:
    """Free the disk blocks of an output file's first `length` bytes (already read). Best effort."""
    with contextlib.suppress(AttributeError, OSError):
        _libc.fallocate(fd, _FALLOC_FL_PUNCH_HOLE | _FALLOC_FL_KEEP_SIZE, ctypes.c_long(0), ctypes.c_long(length))


class Capture:
    """Keeps the head and the tail of a byte stream."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        self._head_max = head
        self._tail_max = tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self._head_max - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self._tail_max:
                del self.tail[: len(self.tail) - self._tail_max]

    @property
    def head_full(self) -> bool:
        return len(self.head) >= self._head_max

    def skip(self, n: int) -> None:
        """`n` bytes of the middle went by unread: counted, and the tail starts again after them."""
        self.total += n
        self.tail.clear()

    @property
    def cut(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def text(self) -> str:
        """All that was kept, with a marker where the middle was cut."""
        head = self.head.decode("utf-8", "replace")
        if not self.tail:
            return head
        tail = self.tail.decode("utf-8", "replace")
        if self.cut:
            return f"{head}\n[… {self.cut:,} bytes not kept …]\n{tail}"
        return head + tail

    def parts(self) -> tuple[str, str]:
        return self.head.decode("utf-8", "replace"), self.tail.decode("utf-8", "replace")


@dataclass
class FileTail:
    """Follows a file that another process writes, from where we stopped last time."""

    path: str
    offset: int = 0
    fd: int = -1
    last_read: int = 0  # bytes read by the last read_new: a flood is read again without waiting

    def read_new(self, capture: Capture, limit: int | None = 64 * READ_CHUNK) -> bytes:
        """Feed new bytes to `capture` (at most `limit`, None: to the end); returns the first READ_CHUNK of
        them for live display. The limit keeps a flood from starving the loop that watches timeouts."""
        if self.fd < 0:
            try:
                self.fd = os.open(self.path, os.O_RDWR)  # write access: punching holes needs it
            except FileNotFoundError:
                return b""
        shown = b""
        read = 0
        if capture.head_full:
            ahead = os.fstat(self.fd).st_size - self.offset - capture._tail_max
            if ahead > SKIP_AFTER:  # those bytes can never be in the tail: skip them, give their disk back
                capture.skip(ahead)
                self.offset += ahead
        while limit is None or read < limit:
            chunk = os.pread(self.fd, READ_CHUNK, self.offset)
            if not chunk:
                break
            self.offset += len(chunk)
            read += len(chunk)
            capture.feed(chunk)
            if len(shown) < READ_CHUNK:
                shown += chunk[: READ_CHUNK - len(shown)]
        if self.offset >= PUNCH_AFTER:
            punch_hole(self.fd, self.offset)
        self.last_read = read
        return shown

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
