"""Long-running processes a checklist starts: is it ready, what does it listen on, stop it.

An operator who types `uvicorn app:app --port 8000` opens a second terminal for the next
step. golive does the same: the service runs in the background, its output goes to the
record, and the run goes on once it is ready (its port answers, it logs that it is ready,
or it is still alive after a settle window when there is nothing else to check).
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

import psutil

from golive.run.output import Capture, FileTail

READY_LINE = re.compile(
    r"listening on|running on|application startup complete|serving on|server started|started server|"
    r"accepting connections|ready to accept|\bready\b|\bBOOT:|booted",
    re.I,
)
_ERROR_LINE = re.compile(r"Traceback|Error:|Exception|address already in use|EADDRINUSE|fatal", re.I)


@dataclass
class Readiness:
    ready: bool
    how: str
    ports: tuple[int, ...] = ()
    exit_code: int | None = None


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def alive(pid: int) -> bool:
    try:
        p = psutil.Process(pid)
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def listening_ports(procs: list[psutil.Process]) -> tuple[int, ...]:
    ports: set[int] = set()
    for p in procs:
        try:
            for c in p.net_connections(kind="inet"):
                if c.status == psutil.CONN_LISTEN and c.laddr:
                    ports.add(c.laddr.port)
        except psutil.Error:
            continue
    return tuple(sorted(ports))


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_ready(
    pid: int, port: int | None, out_path: str, err_path: str, timeout_s: float = 60.0, settle_s: float = 3.0
) -> Readiness:
    """Wait until the service is ready, dies, or `timeout_s` passes."""
    started = time.monotonic()
    captures = {"out": Capture(), "err": Capture()}
    tails = {"out": FileTail(out_path), "err": FileTail(err_path)}
    try:
        while True:
            for stream, tail in tails.items():
                tail.read_new(captures[stream])
            log = captures["out"].text() + captures["err"].text()
            procs = tree(pid)
            if not any(alive(p.pid) for p in procs):
                return Readiness(False, "it exited before it was ready", exit_code=_exit_code(pid))
            elapsed = time.monotonic() - started
            if port is not None:
                if port_open(port):
                    return Readiness(True, f"port {port} accepts connections", (port,))
            else:
                ports = listening_ports(procs)
                if ports:
                    return Readiness(True, f"listening on {', '.join(f':{p}' for p in ports)}", ports)
                m = READY_LINE.search(log)
                if m and elapsed >= 0.5:
                    line = next((ln for ln in log.splitlines() if READY_LINE.search(ln)), m.group(0))
                    return Readiness(True, f"it logged {line.strip()[:80]!r}")
                if elapsed >= settle_s and not _ERROR_LINE.search(log):
                    return Readiness(True, f"alive after {settle_s:g} s, no errors logged (no port to check)")
            if elapsed >= timeout_s:
                how = f"port {port} never opened" if port else "no sign of readiness"
                return Readiness(False, f"{how} within {timeout_s:g} s (still running, pid {pid})")
            time.sleep(0.1)
    finally:
        for tail in tails.values():
            tail.close()


def _exit_code(pid: int) -> int | None:
    try:
        return psutil.Process(pid).wait(timeout=0.1)
    except (psutil.Error, psutil.TimeoutExpired):
        return None


def looks_like_service(procs: list[psutil.Process], out: Capture, err: Capture, context_says_server: bool) -> str:
    """Why a command still running after its start window is a service, or '' if it is not."""
    ports = listening_ports(procs)
    if ports:
        return f"still running and listening on {', '.join(f':{p}' for p in ports)}"
    if context_says_server and (out.total + err.total) > 0:
        return "still running and printing, and the checklist says it starts a server"
    return ""
