"""What the stand-in commands in this folder share: the call log and the services they manage.

Stand-in commands replace, on the rehearsal's PATH only, what cannot run on the test machine
(systemd, supervisor, sudo, a by-name pkill on a machine other people share). Each one acts on the
stand-in for real (a `systemctl stop` really stops the stand-in's process) and appends one JSON line
per call to $REHEARSAL_CALLS, which the tests read. Standard library only: these run under whatever
python3 the rehearsal's shell has on PATH (a checklist's `source venv/bin/activate` changes it).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

STOP_TIMEOUT_S = 10.0


def log_call(name: str, argv: list[str], **details: object) -> None:
    """One JSON line in $REHEARSAL_CALLS: which stand-in, its arguments, where, and what it did."""
    path = os.environ.get("REHEARSAL_CALLS")
    if not path:
        return
    entry = {"cmd": name, "argv": argv, "cwd": os.getcwd(), "at": time.time(), **details}
    with open(path, "a", encoding="utf-8") as calls:
        calls.write(json.dumps(entry) + "\n")


def fail(message: str, code: int = 1) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


class Unit:
    """A service the rehearsal manages, described by `$REHEARSAL_UNITS/NAME.service` (systemd INI).

    Only the keys a stand-in needs are read: Description, WorkingDirectory, ExecStart and
    Environment (repeatable, `K=V`). Its main pid is kept in `NAME.pid`, its output in `NAME.log`.
    """

    def __init__(self, name: str) -> None:
        self.name = name.removesuffix(".service")
        units = os.environ.get("REHEARSAL_UNITS")
        if not units:
            fail(f"{self.name}: REHEARSAL_UNITS is not set (the rehearsal profile sets it)", 1)
        self.directory = Path(units)
        self.file = self.directory / f"{self.name}.service"
        self.pidfile = self.directory / f"{self.name}.pid"
        self.logfile = self.directory / f"{self.name}.log"

    def exists(self) -> bool:
        return self.file.is_file()

    def _service(self) -> configparser.SectionProxy:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        text = self.file.read_text(encoding="utf-8")
        # systemd repeats Environment=; configparser keeps the last, so number the repeats first
        count = 0

        def number(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return f"Environment{count}="

        parser.read_string(re.sub(r"(?m)^Environment=", number, text))
        return parser["Service"]

    def description(self) -> str:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(self.file.read_text(encoding="utf-8"))
        return parser.get("Unit", "Description", fallback=self.name)

    def pid(self) -> int | None:
        """The main pid when it is alive (a zombie or a reused pid of another program counts as dead)."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return None
        return pid

    def start(self) -> int:
        pid = self.pid()
        if pid is not None:
            return pid
        service = self._service()
        env = dict(os.environ)
        for key, value in service.items():
            if key.startswith("Environment"):
                for assignment in shlex.split(value):
                    name, _, val = assignment.partition("=")
                    env[name] = val
        cwd = service.get("WorkingDirectory", str(self.directory))
        with self.logfile.open("ab") as log:
            proc = subprocess.Popen(
                ["bash", "-c", f"exec {service['ExecStart']}"],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a daemon: outlives the command that started it
            )
        self.pidfile.write_text(str(proc.pid))
        return proc.pid

    def stop(self) -> int | None:
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return None
        for signum in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pid, signum)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while time.monotonic() < deadline and self.pid() is not None:
                time.sleep(0.05)
            if self.pid() is None:
                break
        self.pidfile.unlink(missing_ok=True)
        return pid

    def log_tail(self, lines: int = 5) -> list[str]:
        try:
            return self.logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            return []
