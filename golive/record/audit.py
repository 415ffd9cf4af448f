"""The audit: verify a run's record against its own chain and head, and export it for a third party.

What is checked (record/chain.py says how each hash is made):
- the events follow each other: seq 1, 2, 3… with no gap, each one's prev_hash the hash before it,
  the first one's the run's own row (chain 2), each hash recomputed from the event's contents;
- the head on the run's row (event count, last hash) is where the log ends: events removed from
  the end, appended behind golive's back or a chain recomputed after an edit all disagree with it;
- the run's status and finished_at are what its events set (chain 2);
- every output row is the one an `output_saved` event chained, and no chained output is missing.

All of this is computed from the database itself: someone who can rewrite the whole database can
recompute all of it. docs/audit.md says so, and how to anchor the head outside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from golive.record.chain import Run, chain_hash, output_digest, stamp, utc
from golive.record.events import EventType
from golive.record.schema import events, outputs
from golive.record.store import Store

EXPORT_FIELDS = ("run_id", "seq", "at", "type", "item", "actor", "data", "prev_hash", "hash", "run_status", "finished")
OUTPUT_FIELDS = ("id", "run_id", "item", "attempt", "stream", "head", "tail", "total_bytes", "cut_bytes")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record; `seq` is the event it concerns (None: the run's row or an output)."""

    what: str
    seq: int | None = None

    def __str__(self) -> str:
        return self.what


def verify_run(store: Store, run: Run) -> list[Problem]:
    """Every problem in `run`'s record, the first bad event first; empty when it is intact."""
    rows = store.rows(events, run.id)
    walk = _Walk(run)
    for row in rows:
        walk.event(row)
    problems = walk.problems
    problems += _head(run, walk)
    problems += _outputs(run, store.rows(outputs, run.id), walk.chained)
    return sorted(problems, key=lambda p: (p.seq is None, p.seq or 0))


def verify_all(store: Store) -> dict[str, list[Problem]]:
    """Every run's problems, newest run first; events whose run's row is gone count as a run of their own."""
    found = {run.id: verify_run(store, run) for run in store.runs(limit=2**31)}
    for run_id, count in store.orphan_events().items():
        found[run_id] = [Problem(f"{count} event(s) of run {run_id}, whose row is gone: the run was deleted")]
    return found


class _Walk:
    """The chain walked event by event, as the store wrote it."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.prev = run.anchor
        self.expected = 1
        self.last_seq = 0
        self.status = "running"
        self.finished_at: str | None = None
        self.chained: dict[int, tuple[int, str]] = {}  # output id -> (seq of its event, its digest)
        self.problems: list[Problem] = []

    def event(self, row: dict[str, Any]) -> None:
        seq, type_ = int(row["seq"]), str(row["type"])
        label = f"event {seq} ({type_})"
        if seq > self.expected:
            gap = f"event {self.expected} is" if seq == self.expected + 1 else f"events {self.expected}-{seq - 1} are"
            self.problems.append(Problem(f"{gap} missing: the log goes from event {self.expected - 1} to {seq}", seq))
        if row["prev_hash"] != self.prev:
            if seq == 1 and self.run.chain >= 2:
                why = "the run's row was edited (checklist, title, env, who, host, options or start time)"
                self.problems.append(Problem(f"{label} does not start at the run's own row: {why}", seq))
            else:
                why = "events were removed, inserted or reordered before it"
                self.problems.append(Problem(f"{label} does not follow the event before it: {why}", seq))
        at = utc(row["at"])
        assert at is not None
        recomputed = chain_hash(
            row["prev_hash"],
            row["run_id"],
            seq,
            at,
            type_,
            row["item"],
            row["actor"],
            row["data"],
            row["run_status"],
            bool(row["finished"]),
            chain=self.run.chain,
        )
        if recomputed != row["hash"]:
            self.problems.append(Problem(f"{label} was altered: its hash does not match its contents", seq))
        if type_ == EventType.OUTPUT_SAVED:
            self._output_event(seq, row["data"])
        if row["run_status"]:
            self.status = row["run_status"]
        if row["finished"]:
            self.finished_at = stamp(at)
        self.prev, self.expected, self.last_seq = row["hash"], seq + 1, seq

    def _output_event(self, seq: int, data: str) -> None:
        try:
            recorded = json.loads(data)
            self.chained[int(recorded["output"])] = (seq, str(recorded["sha256"]))
        except (ValueError, KeyError, TypeError):
            pass  # an event altered into nonsense: its hash already says so


def _head(run: Run, walk: _Walk) -> list[Problem]:
    """The log against the head kept on the run's row."""
    problems = []
    count, last = run.event_count, walk.last_seq
    if count > last:
        missing = f"event {count} was" if count == last + 1 else f"events {last + 1}-{count} were"
        problems.append(
            Problem(
                f"{missing} removed from the end: the run's head records {count} event(s), "
                f"the log ends at event {last}",
                last + 1,
            )
        )
    elif count < last:
        problems.append(
            Problem(
                f"event {count + 1} was appended behind golive's back: the run's head records "
                f"{count} event(s), the log goes on to event {last}",
                count + 1,
            )
        )
    elif run.last_hash != walk.prev:
        what = "the run's row was edited" if last == 0 else "the chain was rewritten (hashes recomputed)"
        head = f"the last event's hash is not the run's head ({run.last_hash[:12]}…)"
        problems.append(Problem(f"{head}: {what}", last or None))
    if run.chain >= 2:
        if run.status != walk.status:
            problems.append(
                Problem(f"the run's status is {run.status!r} but its events set {walk.status!r}: its row was edited")
            )
        finished = stamp(run.finished_at) if run.finished_at else None
        if finished != walk.finished_at:
            says = f"the run's finished_at is {finished} but its events say {walk.finished_at}"
            problems.append(Problem(f"{says}: its row was edited"))
    return problems


def _outputs(run: Run, rows: list[dict[str, Any]], chained: dict[int, tuple[int, str]]) -> list[Problem]:
    problems = []
    chained = dict(chained)
    for row in rows:
        label = f"output {row['id']} ({row['item']} {row['stream']})"
        entry = chained.pop(int(row["id"]), None)
        if entry is None:
            if run.chain >= 2:  # chain 1 outputs were never chained
                problems.append(Problem(f"{label} is not in the chain: it was added behind golive's back"))
            continue
        seq, recorded = entry
        if output_digest(*(row[k] for k in OUTPUT_FIELDS)) != recorded:
            problems.append(Problem(f"{label} was altered: it no longer matches event {seq}", seq))
    for output_id, (seq, _digest) in chained.items():
        problems.append(Problem(f"output {output_id}, chained by event {seq}, is missing: it was deleted", seq))
    return problems


# --- export ----------------------------------------------------------------------------------------------------


def export_lines(store: Store, run: Run) -> Iterator[str]:
    """The run as JSON lines: its row, its events, its outputs; exactly the values that are hashed."""
    head = {
        "record": "run",
        "chain": run.chain,
        "id": run.id,
        "checklist_path": run.checklist_path,
        "checklist_sha256": run.checklist_sha256,
        "checklist_text": run.checklist_text,
        "title": run.title,
        "env": run.env,
        "started_at": stamp(run.started_at),
        "created_by": run.created_by,
        "host": run.host,
        "options": run.options_json,
        "status": run.status,
        "finished_at": stamp(run.finished_at) if run.finished_at else None,
        "event_count": run.event_count,
        "last_hash": run.last_hash,
    }
    yield _line(head)
    for row in store.rows(events, run.id):
        at = utc(row["at"])
        assert at is not None
        event = {k: row[k] for k in EXPORT_FIELDS}
        yield _line({"record": "event", **event, "at": stamp(at), "finished": bool(row["finished"])})
    for row in store.rows(outputs, run.id):
        yield _line({"record": "output", **{k: row[k] for k in OUTPUT_FIELDS}})


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
