"""The values the store keeps (Run, Event, Output) and the hash chain that links a run's events.

Each event's hash covers the hash before it and the whole event (its data as canonical JSON),
so altering, removing or inserting an event breaks the chain (`Store.verify` finds where).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from golive.secrets import redact

GENESIS = "0" * 64


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical(data: Any) -> str:
    """The JSON that is hashed and stored: sorted keys, no spaces, secrets redacted."""
    return json.dumps(redact(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(
    prev: str, run_id: str, seq: int, at: datetime, type_: str, item: str | None, actor: str | None, data: str
) -> str:
    body = "\n".join(
        [prev, run_id, str(seq), at.isoformat(timespec="microseconds"), type_, item or "", actor or "", data]
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Event:
    run_id: str
    seq: int
    at: datetime
    type: str
    item: str | None
    actor: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Run:
    id: str
    checklist_path: str
    checklist_sha256: str
    checklist_text: str
    title: str
    env: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    created_by: str
    host: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Output:
    id: int
    item: str
    attempt: int
    stream: str
    head: str
    tail: str
    total_bytes: int
    cut_bytes: int

    @property
    def text(self) -> str:
        if self.cut_bytes:
            return f"{self.head}\n[… {self.cut_bytes:,} bytes not kept …]\n{self.tail}"
        return self.head + self.tail
