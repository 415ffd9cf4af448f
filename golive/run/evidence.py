"""The session's own record of each command, written by bash, so it outlives golive.

Before a command bash appends `S n time` to the session's journal, after it `E n status bgpid
time`: one small append each (O_APPEND, one write), in the page cache as soon as bash returns,
so a kill -9 of golive loses none of it. golive writes the first line itself: `B session pid
start-time`, which says whose journal it is and which bash to look for.

After a kill -9, a resume reads it: a step whose end is there finished with that status; a
step whose start is not there never ran; only a start without an end, with its bash gone, is
truly in doubt.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import psutil

JOURNAL = "journal"


@dataclass
class End:
    status: int
    background_pid: int
    at: float  # epoch seconds


@dataclass
class Journal:
    session: str
    directory: Path
    shell_pid: int = 0
    shell_started: float = 0.0
    started: dict[int, float] = field(default_factory=dict)
    ended: dict[int, End] = field(default_factory=dict)

    def shell(self) -> psutil.Process | None:
        """The session's bash, if it still lives (the same process: pid and start time)."""
        try:
            p = psutil.Process(self.shell_pid)
            if abs(p.create_time() - self.shell_started) < 0.01 and p.status() != psutil.STATUS_ZOMBIE:
                return p
        except psutil.Error:
            pass
        return None

    def output(self, n: int) -> tuple[str, str]:
        return str(self.directory / f"c{n}.out"), str(self.directory / f"c{n}.err")


def create(directory: Path, session: str, shell: psutil.Process) -> Path:
    path = directory / JOURNAL
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, f"B {session} {shell.pid} {shell.create_time():.3f}\n".encode())
    finally:
        os.close(fd)
    return path


def read(path: Path) -> Journal | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    if not lines or not lines[0].startswith("B "):
        return None
    head = lines[0].split()
    if len(head) < 4:
        return None
    journal = Journal(head[1], path.parent, int(head[2]), float(head[3]))
    for line in lines[1:]:
        parts = line.split()
        with contextlib.suppress(ValueError, IndexError):
            if parts[0] == "S":
                journal.started[int(parts[1])] = _epoch(parts[2])
            elif parts[0] == "E":
                journal.ended[int(parts[1])] = End(int(parts[2]), int(parts[3] or 0), _epoch(parts[4]))
    return journal


def _epoch(text: str) -> float:
    return float(text.replace(",", "."))  # EPOCHREALTIME follows the locale's decimal point


def of_run(run_dir: Path) -> dict[str, Journal]:
    """Every session journal of a run, by session id."""
    found = {}
    for path in sorted(run_dir.glob(f"*/{JOURNAL}")) if run_dir.is_dir() else []:
        journal = read(path)
        if journal is not None:
            found[journal.session] = journal
    return found
