"""The values the store keeps (Run, Event, Output) and the hash chain that links a run's events.

Each event's hash covers the hash before it and the whole event (its data as canonical JSON),
so altering, removing or inserting an event breaks the chain. The chain starts at the run's own
row (`run_anchor`: checklist, its sha256, who, where, options), every saved output is an event
carrying its digest (`output_digest`), and the run's row keeps the head (event count and last
hash, updated in the same transaction as each append): removing the last events, appending
forged ones or recomputing the chain no longer matches the head. record/audit.py verifies it
all; docs/audit.md gives the same rules as a short script for a third party.

Chain 2 hashes canonical JSON lists. Chain 1 (records written before the head was anchored)
hashed newline-joined fields from a genesis of zeros; its runs are still verified that way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from golive.secrets import redact

GENESIS = "0" * 64
CHAIN = 2  # how new runs are chained


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical(data: Any) -> str:
    """The JSON that is hashed and stored: sorted keys, no spaces, secrets redacted."""
    return json.dumps(redact(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def stamp(at: datetime) -> str:
    """A time as it is hashed and exported: UTC, ISO 8601, microseconds."""
    return (utc(at) or at).isoformat(timespec="microseconds")


def digest(parts: list[Any]) -> str:
    """sha256 of a list as compact JSON (non-ASCII kept): what chain 2 hashes."""
    return hashlib.sha256(json.dumps(parts, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def chain_hash(
    prev: str,
    run_id: str,
    seq: int,
    at: datetime,
    type_: str,
    item: str | None,
    actor: str | None,
    data: str,
    run_status: str | None = None,
    finished: bool = False,
    chain: int = CHAIN,
) -> str:
    """An event's hash. `run_status`/`finished`: what the event did to the run's row (chain 2 covers it)."""
    if chain >= 2:
        return digest([prev, run_id, seq, stamp(at), type_, item, actor, data, run_status, finished])
    body = "\n".join([prev, run_id, str(seq), stamp(at), type_, item or "", actor or "", data])
    return hashlib.sha256(body.encode()).hexdigest()


def run_anchor(
    run_id: str,
    checklist_path: str,
    checklist_sha256: str,
    checklist_text: str,
    title: str,
    env: str,
    started_at: datetime,
    created_by: str,
    host: str,
    options: str,
) -> str:
    """Where a run's chain starts: the hash of the run's own row (all of it that never changes)."""
    text_sha = hashlib.sha256(checklist_text.encode()).hexdigest()
    row = [run_id, checklist_path, checklist_sha256, text_sha, title, env, stamp(started_at), created_by, host, options]
    return digest(["run", *row])


def output_digest(
    output_id: int, run_id: str, item: str, attempt: int, stream: str, head: str, tail: str, total: int, cut: int
) -> str:
    """The digest an `output_saved` event carries for the output row it records."""
    return digest(["output", output_id, run_id, item, attempt, stream, head, tail, total, cut])


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
    run_status: str | None = None  # the run status this event set, if any
    finished: bool = False  # it also set the run's finished_at


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
    chain: int = CHAIN
    # The head: how many events, and the last one's hash. It moves with every append, so two reads
    # of the same run compare equal without it.
    event_count: int = field(default=0, compare=False)
    last_hash: str = field(default=GENESIS, compare=False)
    options_json: str = ""  # the options exactly as stored (part of the anchor)

    @property
    def checklist_masked(self) -> bool:
        """The stored copy of the checklist had secrets masked: it is not the text that runs."""
        return hashlib.sha256(self.checklist_text.encode()).hexdigest() != self.checklist_sha256

    @property
    def anchor(self) -> str:
        if self.chain < 2:
            return GENESIS
        return run_anchor(
            self.id,
            self.checklist_path,
            self.checklist_sha256,
            self.checklist_text,
            self.title,
            self.env,
            self.started_at,
            self.created_by,
            self.host,
            self.options_json,
        )


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
