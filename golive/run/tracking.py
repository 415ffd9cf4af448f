"""Which processes belong to a command, even the ones that try to hide.

A command may double-fork, call setsid and clear its environment (`env -i`, `os.environ.clear()`
then exec): the GOLIVE_SESSION marker in the environment and the process tree both lose it.
What such a process cannot leave is its cgroup: where golive may create cgroups (cgroup v2,
writable), each session gets one and each command a child of it, and bash moves itself into
the command's cgroup before it starts the command, so everything the command starts is born
there. Where cgroups are not writable, the session id, the environment marker and the process
tree recorded as it grows (polled while the command runs) are the fallback; a process that
forks, setsids and clears its environment between two polls can still escape that one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import psutil

Key = tuple[int, float]  # pid and start time: a pid alone may be reused
SHELLS: set[int] = set()  # the bash of every session of this golive process
_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphans of our commands are re-parented to golive, not to init: a double fork stays in our tree."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _key(p: psutil.Process) -> Key | None:
    try:
        return p.pid, p.create_time()
    except psutil.Error:
        return None


def cgroup_root() -> Path | None:
    """The cgroup v2 directory of this process, if golive may create cgroups under it."""
    if os.environ.get("GOLIVE_NO_CGROUP"):
        return None
    try:
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
        own = next(
            (ln.split(":", 2)[2] for ln in Path("/proc/self/cgroup").read_text().splitlines() if ln.startswith("0::")),
            None,
        )
    except OSError:
        return None
    if own is None:
        return None
    for line in mounts:
        fields = line.split(" - ")
        if len(fields) == 2 and fields[1].startswith("cgroup2 "):
            mount = line.split()[4]
            path = Path(mount + own.rstrip("/")) if own != "/" else Path(mount)
            if os.access(path, os.W_OK) and (path / "cgroup.procs").exists():
                return path
    return None


class Tracker:
    """The processes of one session's commands, by cgroup where possible, else by recorded tree."""

    def __init__(self, session_id: str, root: Path | None) -> None:
        self.session_id = session_id
        self.group: Path | None = None
        if root is not None:
            sweep(root)
            group = root / f"golive-{session_id}"
            with contextlib.suppress(OSError):
                group.mkdir(exist_ok=True)
                self.group = group
        self.seen: dict[int, set[Key]] = {}  # command number -> processes seen in its tree
        self.shell_pid = 0
        if self.group is None:
            become_subreaper()

    @property
    def how(self) -> str:
        return f"cgroup {self.group}" if self.group else "session id, environment and process tree"

    def adopt_shell(self, pid: int) -> None:
        """Put the session's bash into the session's cgroup (before it runs anything)."""
        self.shell_pid = pid
        SHELLS.add(pid)
        if self.group is not None:
            try:
                (self.group / "cgroup.procs").write_text(str(pid))
            except OSError:
                self.group = None

    def enter(self, n: int) -> str:
        """Shell text that moves bash into command `n`'s cgroup (what it starts is born there)."""
        if self.group is None:
            return ""
        step = self.group / f"c{n}"
        with contextlib.suppress(OSError):
            step.mkdir(exist_ok=True)
            return f"builtin echo $BASHPID >{_q(step / 'cgroup.procs')} 2>/dev/null; "
        return ""

    def leave(self) -> str:
        if self.group is None:
            return ""
        return f"builtin echo $BASHPID >{_q(self.group / 'cgroup.procs')} 2>/dev/null; "

    def poll(self, n: int) -> None:
        """Record the tree of bash as it is now: a child that later leaves it is still known."""
        if self.group is not None or not self.shell_pid:
            return
        try:
            kids = psutil.Process(self.shell_pid).children(recursive=True)
            # Orphans re-parented to golive (the subreaper) while this command runs are its own.
            for orphan in psutil.Process().children():
                if orphan.pid not in SHELLS and orphan.status() != psutil.STATUS_ZOMBIE:
                    kids += [orphan, *orphan.children(recursive=True)]
        except psutil.Error:
            return
        seen = self.seen.setdefault(n, set())
        for p in kids:
            k = _key(p)
            if k is not None:
                seen.add(k)

    def processes(self, n: int | None) -> list[psutil.Process]:
        """What command `n` (None: any command) started and is still alive, bash itself not included."""
        found: dict[int, psutil.Process] = {}
        if self.group is not None:
            groups = [self.group / f"c{n}"] if n is not None else sorted(self.group.glob("c*"))
            for g in groups:
                for pid in _procs(g):
                    with contextlib.suppress(psutil.Error):
                        found[pid] = psutil.Process(pid)
        keys = self.seen.get(n, set()) if n is not None else set().union(*self.seen.values())
        for pid, started in keys:
            with contextlib.suppress(psutil.Error):
                p = psutil.Process(pid)
                if abs(p.create_time() - started) < 0.01 and p.status() != psutil.STATUS_ZOMBIE:
                    found[pid] = p
        found.pop(self.shell_pid, None)
        return list(found.values())

    def done(self, n: int) -> None:
        """Command `n` ended: its cgroup goes, unless something of it still runs there (a service)."""
        if self.group is not None:
            with contextlib.suppress(OSError):
                (self.group / f"c{n}").rmdir()

    def close(self) -> None:
        """Remove the cgroups that are empty (a service left running keeps its own); reap adopted orphans."""
        SHELLS.discard(self.shell_pid)
        for pid, started in set().union(*self.seen.values()) if self.seen else ():
            with contextlib.suppress(psutil.Error, ChildProcessError, OSError):
                p = psutil.Process(pid)
                ours = p.ppid() == os.getpid() and abs(p.create_time() - started) < 0.01
                if ours and p.status() == psutil.STATUS_ZOMBIE:
                    os.waitpid(pid, os.WNOHANG)
        if self.group is None:
            return
        for g in [*sorted(self.group.glob("c*")), self.group]:
            with contextlib.suppress(OSError):
                g.rmdir()


def sweep(root: Path) -> None:
    """Remove the cgroups of sessions that have ended altogether (golive killed, nothing left in them)."""
    for group in root.glob("golive-*"):
        children = sorted(group.glob("c*"))
        if any(_procs(g) for g in [group, *children]):
            continue  # a session (or a service of one) still lives there
        for g in [*children, group]:
            with contextlib.suppress(OSError):
                g.rmdir()


def _procs(group: Path) -> list[int]:
    try:
        return [int(x) for x in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _q(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def session_group_processes(session_id: str, step: int | None = None) -> list[psutil.Process]:
    """Everything alive in an earlier session's cgroup (after golive was killed), bash included, or in
    the cgroup of its command `step`."""
    root = cgroup_root()
    if root is None:
        return []
    group = root / f"golive-{session_id}"
    groups = [group, *sorted(group.glob("c*"))] if step is None else [group / f"c{step}"]
    found = []
    for g in groups if group.is_dir() else []:
        for pid in _procs(g):
            with contextlib.suppress(psutil.Error):
                found.append(psutil.Process(pid))
    return found


def run_processes(home: Path, run_id: str) -> list[psutil.Process]:
    """What of a run still lives on this host: its sessions' bash (from their journals), everything
    in their cgroups, and every process marked GOLIVE_RUN with its id. golive itself is not counted."""
    from golive.run import evidence

    found: dict[int, psutil.Process] = {}
    for session, journal in evidence.of_run(home / "runs" / run_id).items():
        shell = journal.shell()
        if shell is not None:
            found[shell.pid] = shell
        found.update((p.pid, p) for p in session_group_processes(session))
    for p in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, OSError):
            if p.environ().get("GOLIVE_RUN") == run_id:
                found[p.pid] = p
    found.pop(os.getpid(), None)
    alive = []
    for p in found.values():
        with contextlib.suppress(psutil.Error):
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
    return sorted(alive, key=lambda p: p.pid)


def describe(p: psutil.Process) -> str:
    try:
        return f"pid {p.pid} ({p.name()})"
    except psutil.Error:
        return f"pid {p.pid}"
