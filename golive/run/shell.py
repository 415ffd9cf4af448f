"""The one persistent bash session of a run, as in an operator's terminal.

`cd`, `export`, `TOKEN=$(…)`, `source venv/bin/activate` and shell functions carry over from
command to command. Each command's stdout and stderr go to their own files, which golive
follows while the command runs; bash reports the exit status on a private control pipe.

Why files and not pipes: a background process a command leaves behind (`nohup app &`)
keeps writing its output long after golive has moved on or exited; into a file that is
harmless, into a pipe nobody reads it would block or die of SIGPIPE.

The session runs in its own session (setsid): no controlling terminal, so `sudo`, `ssh` or
`git` can never sit waiting for a password nobody can type. Every process it starts carries
GOLIVE_SESSION and GOLIVE_STEP in its environment, which is how a timeout or an abort finds
exactly the processes of one command, including ones that detached themselves.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from golive.run import evidence
from golive.run.output import Capture, FileTail
from golive.run.shellstate import SETTINGS_MARK, ShellState, parse_declarations
from golive.run.tracking import Tracker, cgroup_root
from golive.secrets import Masker

OnOutput = Callable[[str, bytes], None]  # (stream, bytes) as they arrive

DEFAULT_TIMEOUT_S = 600.0
TICK_S = 0.05
GRACE_S = 3.0
FLOOD_BYTES = 1024 * 1024  # read this much in one go: more is coming, read again at once (bounded disk)


@dataclass
class CommandResult:
    """What one command did. `command` is the text as recorded (secrets masked)."""

    command: str
    exit_code: int | None
    stdout: Capture
    stderr: Capture
    duration_s: float
    timed_out: bool = False
    stopped: bool = False  # golive stopped it on purpose (end of an observation window, or an abort)
    background_pid: int | None = None  # `$!` after the command, when it started a background process
    still_running: bool = False  # handed over as a service: the session stays with it
    cwd: str = ""
    n: int = 0  # its number in the session (GOLIVE_STEP of its processes)
    out_path: str = ""  # where its stdout and stderr went (a background process keeps writing there)
    err_path: str = ""

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @property
    def out(self) -> str:
        return self.stdout.text()

    @property
    def err(self) -> str:
        return self.stderr.text()


class ShellError(RuntimeError):
    pass


class SessionLost(ShellError):
    """The session had to be ended to stop a command; `result` is what the command did so far."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__("the shell session was ended to stop a command")
        self.result = result


class ShellSession:
    """One bash process; commands run one after another in it."""

    def __init__(
        self,
        workdir: Path,
        scratch: Path,
        env: dict[str, str] | None = None,
        session_id: str = "",
        masker: Masker | None = None,
        run_id: str = "",
    ) -> None:
        self.workdir = workdir
        self.scratch = scratch
        self.session_id = session_id or secrets.token_hex(6)
        self.masker = masker if masker is not None else Masker()  # an empty Masker is falsy: share it still
        self.env = dict(os.environ if env is None else env)
        self.env["GOLIVE_SESSION"] = self.session_id
        if run_id:
            self.env["GOLIVE_RUN"] = run_id  # how a takeover of the run's lease finds what still runs
        self.env.pop("GOLIVE_STEP", None)
        self.proc: subprocess.Popen[bytes] | None = None
        self._ctl_r = -1
        self._buffer = b""
        self._counter = 0
        self._last_rc = 0
        self._state_bytes = b""
        self.state = ShellState(str(workdir))
        self._mark = secrets.token_hex(6)  # frames the state dump on the control pipe
        self._hup_ignored = False
        self._scanned = 0  # how far the control pipe's buffer was searched for the end of a command
        self.held = False  # a foreground service owns this session now
        self.tracker = Tracker(self.session_id, None)
        self.journal = self.scratch / evidence.JOURNAL
        self._kept: set[str] = set()  # output files a background process keeps writing to

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self, restore: str = "") -> None:
        self.scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
        for d in (self.scratch, self.scratch.parent):  # runs/RUN/ and runs/RUN/sN-PID/: the owner's only
            os.chmod(d, 0o700)
        self.tracker = Tracker(self.session_id, cgroup_root())
        ctl_r, ctl_w = os.pipe()
        log_fd = os.open(self.scratch / "bash.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(log_fd, "ab") as log:  # bash's own messages outside any command
            self.proc = subprocess.Popen(
                ["bash", "--noprofile", "--norc"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
                cwd=self.workdir,
                env=self.env,
                start_new_session=True,
                pass_fds=(ctl_w,),
                close_fds=True,
            )
        os.close(ctl_w)
        self._ctl_r = ctl_r
        os.set_blocking(ctl_r, False)
        self.tracker.adopt_shell(self.proc.pid)  # before it runs anything: all it starts is tracked
        evidence.create(self.scratch, self.session_id, psutil.Process(self.proc.pid))
        # SIGINT from golive ends the command being sourced, not the session.
        setup = ['__golive_rc() { return "$1"; }', f"__golive_ctl={ctl_w}", "trap 'return 130' INT"]
        self._send("\n".join(setup) + "\n")
        if restore:
            self._source_privately(restore)
        else:
            self.run("true")

    @property
    def next_number(self) -> int:
        """The number the next command will have (recorded before it runs, to find it after a crash)."""
        return self._counter + 1

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        """End the session. Background services it started keep running; they are not its to kill."""
        if self.proc is None:
            return
        if self.proc.stdin and not self.held:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._ctl_r >= 0:
            os.close(self._ctl_r)
            self._ctl_r = -1
        if not self.held:
            self.tracker.close()
            remove_scratch(self.scratch, keep=self._kept)

    def _send(self, text: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError as exc:
            raise ShellError("the shell session ended") from exc

    # --- running ---------------------------------------------------------------------------------------

    def run(
        self,
        text: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        window: float | None = None,
        background: bool = False,
        on_output: OnOutput | None = None,
        detect_service: Callable[[CommandResult, list[psutil.Process]], bool] | None = None,
        service_after: float = 15.0,
        keep_outputs: bool = False,
        stop_requested: Callable[[], bool] | None = None,
        extend_window: Callable[[float], float] | None = None,
        terminal: str = "",
    ) -> CommandResult:
        """Run one command in the session and wait for it.

        window: stop it after this many seconds (a command that never returns by itself); when the
            window closes, `extend_window(seconds watched)` may give it more seconds (0: stop now).
        background: start it with `&` and return at once (a known service).
        detect_service: called every tick after `service_after` seconds while it runs; when it
            returns True the command is left running and the session is handed over to it.
        terminal: a pseudo-terminal's path: the command reads and writes it instead of the output files
            (an interactive command; see interactive.py, which relays it to the operator's terminal).
        """
        if not self.alive:
            raise ShellError("the shell session is not running")
        self._counter += 1
        n = self._counter
        base = self.scratch / f"c{n}"
        out_path, err_path, cmd_path = (f"{base}.out", f"{base}.err", f"{base}.sh")
        for p in (cmd_path, out_path, err_path):
            _private(Path(p))  # 0600 before bash writes: raw output may hold secrets
        Path(cmd_path).write_text(text + "\n")
        amp = " &" if background else ""
        journal, q_out, q_err = shlex.quote(str(self.journal)), shlex.quote(out_path), shlex.quote(err_path)
        io = f">{q_out} 2>{q_err} </dev/null"
        if terminal:
            # bash takes the terminal as its controlling terminal (/dev/tty, Ctrl-C work as at a prompt);
            # its hangup when golive closes it must not end the session.
            io = f"<{shlex.quote(terminal)} >{shlex.quote(terminal)} 2>&1"
        # The hangup is ignored for a command on a terminal, and only then (a checklist's own HUP trap stays).
        hup = "trap '' HUP; " if terminal else "trap - HUP; " if self._hup_ignored else ""
        self._hup_ignored = bool(terminal)
        # Two lines, builtins only (no fork but the command's own): into the command's cgroup, its start
        # in the journal, restore $?, run; then its end in the journal. While golive lives, the state goes
        # to it on the control pipe, framed by a mark (never to a file: it holds secrets); when golive is
        # gone (kill -9), the command's raw output is emptied, since nobody will mask it, and bash ends.
        mark = self._mark
        line = (
            f"{hup}export GOLIVE_STEP={n}; {self.tracker.enter(n)}"
            f"builtin printf 'S {n} %s\\n' \"$EPOCHREALTIME\" >>{journal}; __golive_rc {self._last_rc}; "
            f"source {shlex.quote(cmd_path)} {io} {{__golive_ctl}}>&-{amp}\n"
            f"__golive_st=$?; unset GOLIVE_STEP; {self.tracker.leave()}"
            f"builtin printf 'E {n} %s %s %s\\n' \"$__golive_st\" \"${{!:-0}}\" \"$EPOCHREALTIME\" >>{journal}; "
            f"if builtin kill -0 {os.getpid()} 2>/dev/null; then "
            f"{{ builtin printf 'STATE-{mark} {n}\\n'; builtin declare -p; builtin declare -f; builtin alias -p; "
            f"builtin printf '\\n{SETTINGS_MARK}\\n'; builtin set +o; builtin shopt -p; builtin trap -p; "
            f'builtin printf \'\\nEND-{mark} {n} %s %s %s\\n\' "$__golive_st" "${{!:-0}}" "$PWD"; }} '
            f">&$__golive_ctl 2>/dev/null; "
            f"else : >{q_out}; : >{q_err}; {'' if background else f': >{shlex.quote(cmd_path)}; '}builtin exit 0; fi\n"
        )
        started = time.monotonic()
        out, err = Capture(), Capture()
        tails = {"out": FileTail(out_path), "err": FileTail(err_path)}
        self._send(line)
        result = CommandResult(self.masker(text), None, out, err, 0.0, n=n, out_path=out_path, err_path=err_path)
        deadline = started + timeout if timeout else None
        window_end = started + window if window else None
        interrupt_deadline = float("inf")
        try:
            while True:
                flooding = any(t.last_read >= FLOOD_BYTES for t in tails.values())
                end = self._read_end(n, 0.0 if flooding else TICK_S)
                self._drain(tails, out, err, on_output)
                self.tracker.poll(n)
                if end is not None:
                    rc, bg, cwd = end
                    result.exit_code = rc
                    result.background_pid = bg or None
                    result.cwd = cwd
                    break
                t = time.monotonic()
                if result.stopped or result.timed_out:
                    if t >= interrupt_deadline:
                        # Bash did not come back (a builtin loop, or a command that traps SIGINT):
                        # end this session; the caller replaces it with one restored from the last state.
                        self._abandon()
                        raise SessionLost(result)
                elif window_end is not None and t >= window_end and extend_window is not None:
                    self._drain(tails, out, err, on_output)  # show everything so far before asking
                    more = extend_window(t - started)
                    window_end = time.monotonic() + more if more > 0 else t
                    extend_window = None if more <= 0 else extend_window
                elif (stop_requested is not None and stop_requested()) or (window_end is not None and t >= window_end):
                    result.stopped = True
                    self._interrupt(n)
                    interrupt_deadline = t + GRACE_S
                elif deadline is not None and t >= deadline:
                    result.timed_out = True
                    self._interrupt(n)
                    interrupt_deadline = t + GRACE_S
                elif detect_service is not None and t - started >= service_after:
                    result.duration_s = t - started
                    if detect_service(result, self.step_processes(n)):
                        result.still_running = True
                        self.held = True
                        return result
        finally:
            result.duration_s = time.monotonic() - started
            if not result.still_running:
                self._drain(tails, out, err, on_output, to_end=True)
                for tail in tails.values():
                    tail.close()
                self._cleanup(cmd_path, out_path, err_path, keep_outputs=background or keep_outputs)
                self.tracker.done(n)
            else:
                self._kept.update((out_path, err_path))
        self._last_rc = result.exit_code if result.exit_code is not None else 1
        return result

    def _read_end(self, n: int, wait: float) -> tuple[int, int, str] | None:
        ready, _, _ = select.select([self._ctl_r], [], [], wait)
        if ready:
            chunk = self._read_ready()
            if not chunk and not self.alive:
                raise ShellError("the shell session ended (a command ran `exit`?)")
            self._buffer += chunk
        elif not self.alive:
            raise ShellError("the shell session ended (a command ran `exit`?)")
        begin, end = f"STATE-{self._mark} {n}\n".encode(), f"\nEND-{self._mark} {n} ".encode()
        at = self._buffer.find(end, max(0, self._scanned - len(end)))  # not the whole dump again each tick
        if at < 0 or b"\n" not in self._buffer[at + 1 :]:
            self._scanned = len(self._buffer) if at < 0 else at
            return None
        self._scanned = 0
        start = self._buffer.find(begin)
        stop = self._buffer.index(b"\n", at + 1)
        dump = self._buffer[start + len(begin) : at] if 0 <= start < at else None
        raw, self._buffer = self._buffer[at + 1 : stop], self._buffer[stop + 1 :]
        if dump is not None:
            self._load_state(dump)
        parts = raw.decode("utf-8", "replace").split(" ", 4)
        return int(parts[2]), int(parts[3] or 0), parts[4]

    def _read_ready(self, most: int = 8 << 20) -> bytes:
        """What the control pipe holds now (a large state dump arrives in many pipe-fulls)."""
        got = bytearray()
        while len(got) < most:
            try:
                chunk = os.read(self._ctl_r, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                break
            got += chunk
        return bytes(got)

    def _drain(
        self, tails: dict[str, FileTail], out: Capture, err: Capture, on_output: OnOutput | None, to_end: bool = False
    ) -> None:
        for stream, capture in (("out", out), ("err", err)):
            shown = tails[stream].read_new(capture, None if to_end else 64 * 256 * 1024)
            if shown and on_output is not None:
                on_output(stream, shown)

    def _cleanup(self, *paths: str, keep_outputs: bool) -> None:
        for p in paths:
            if keep_outputs:
                self._kept.add(p)
                continue  # a background process keeps writing there (and may not have read its script yet)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p)

    # --- processes --------------------------------------------------------------------------------------

    def step_processes(self, n: int) -> list[psutil.Process]:
        """Processes started by command `n` of this session, detached ones included."""
        me = self.proc.pid if self.proc else -1
        found = {p.pid: p for p in marked_processes(self.session_id, n)}
        found.update((p.pid, p) for p in self.tracker.processes(n))
        return [p for pid, p in found.items() if pid != me]

    def stop_step(self, n: int, grace: float = GRACE_S) -> None:
        """Stop every process of command `n`: SIGTERM, then SIGKILL after `grace` seconds."""
        stop_processes(self.step_processes(n), grace)

    def _interrupt(self, n: int) -> None:
        """End command `n`: SIGINT to bash (its trap returns from the command), its processes stopped."""
        if self.proc is not None and self.alive:
            os.kill(self.proc.pid, signal.SIGINT)
        self.stop_step(n)

    def _abandon(self) -> None:
        """Kill this session's bash (only bash: the services it started keep running)."""
        if self.proc is not None and self.alive:
            self.proc.kill()
            self.proc.wait(timeout=5)

    # --- state ---------------------------------------------------------------------------------------------

    def _load_state(self, data: bytes) -> None:
        if data == self._state_bytes:
            return
        self._state_bytes = data
        text = data.decode("utf-8", "replace")
        variables, exported = parse_declarations(text)
        cwd = variables.get("PWD", self.state.cwd)
        self.state = ShellState(cwd, exported, variables, text)
        self.masker.add_named(variables)

    def set_variables(self, values: dict[str, str], export: bool = True) -> None:
        """Put field values into the session without their text ever reaching a record."""
        if not values:
            return
        verb = "export" if export else "declare -g"
        self._source_privately("".join(f"{verb} {name}={shlex.quote(value)}\n" for name, value in values.items()))

    def _source_privately(self, script: str) -> None:
        """Source `script` in the session through a FIFO (0600, in the 0700 scratch): it holds values
        in clear, so it never lands on disk; bash reads it to its end, as a file, mistakes and all."""
        fifo = self.scratch / f"in-{secrets.token_hex(4)}"
        os.mkfifo(fifo, 0o600)

        def feed() -> None:
            with contextlib.suppress(OSError), open(fifo, "wb") as fh:  # waits until bash opens it
                fh.write(script.encode())

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            self.run(f"source {shlex.quote(str(fifo))}")
        finally:
            if writer.is_alive():  # bash never opened it (the session died): let the writer go
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            writer.join(timeout=5)
            fifo.unlink(missing_ok=True)


def _private(path: Path) -> None:
    """Create `path` empty and readable by its owner only (bash's `>` keeps the mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)


def remove_scratch(directory: Path, keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Remove a session's scratch files (and the directory when nothing is kept in it)."""
    if not directory.is_dir():
        return
    for p in directory.iterdir():
        if str(p) not in keep:
            with contextlib.suppress(OSError):
                p.unlink()
    with contextlib.suppress(OSError):
        directory.rmdir()


def remove_run_scratch(folder: Path, keep: set[str] | frozenset[str] = frozenset()) -> None:
    """Remove a run's scratch folder: each of its sessions' files (but `keep`), then the folder."""
    if not folder.is_dir():
        return
    for session in folder.iterdir():
        if session.is_dir():
            remove_scratch(session, keep)
    remove_scratch(folder, keep)


def stop_processes(procs: list[psutil.Process], grace: float = GRACE_S) -> None:
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _gone, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


def _environ(proc: psutil.Process) -> dict[str, str]:
    try:
        return proc.environ()
    except (psutil.Error, OSError):
        return {}


def marked_processes(session_id: str, step: int | None = None) -> list[psutil.Process]:
    """Processes that carry GOLIVE_SESSION (and GOLIVE_STEP) in their environment: what a session started."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if env.get("GOLIVE_SESSION") == session_id and (step is None or env.get("GOLIVE_STEP") == str(step)):
            found.append(proc)
    return found


def kill_leftovers(session_id: str, step: int | None = None) -> int:
    """Stop what is left of an earlier session (after golive was killed) so no part of a step goes on.

    That is the session's own bash (marked GOLIVE_SESSION without GOLIVE_STEP: it may still be in the
    middle of `a; b` and would run `b` later) and the processes of `step`, or of every step.
    """
    from golive.run.tracking import session_group_processes

    shells = [p for p in marked_processes(session_id) if "GOLIVE_STEP" not in _environ(p)]
    victims = {p.pid: p for p in shells + marked_processes(session_id, step)}
    victims.update((p.pid, p) for p in session_group_processes(session_id, step))  # the hidden ones too
    stop_processes(list(victims.values()))
    return len(victims)
