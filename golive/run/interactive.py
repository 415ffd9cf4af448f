"""An interactive command at the operator's terminal: it runs in the run's one shell session, on a
pseudo-terminal golive relays to the operator (keystrokes in, output out) and records (masked, later).

Seed 001 Step 6: "This step is interactive and requires user input" — its migration asks with
`input()`; given /dev/null it dies of EOFError. Given a pty it is at a terminal: `isatty()` is
true, /dev/tty opens, echo and Ctrl-C work as at a prompt (Ctrl-C reaches the command, not golive).
Keystrokes a command reads with echo off (a password) are never echoed, so never recorded.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Callable

from golive.run.output import Capture
from golive.run.shell import CommandResult, ShellSession

TICK_S = 0.05


def has_terminal() -> bool:
    """Is there a person at a terminal to give an interactive command to?"""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_at_terminal(
    shell: ShellSession,
    text: str,
    *,
    timeout: float | None = None,
    stdin: int | None = None,
    stdout: int | None = None,
    on_start: Callable[[], None] | None = None,
) -> CommandResult:
    """Run `text` in `shell` with a pty for its terminal; the operator's `stdin`/`stdout` are relayed
    to it, raw, while it runs. Its output (stdout and stderr, as the terminal showed them) is kept
    in `result.stdout`."""
    fd_in = sys.stdin.fileno() if stdin is None else stdin
    fd_out = sys.stdout.fileno() if stdout is None else stdout
    master, slave = pty.openpty()
    path = os.ttyname(slave)
    _same_size(fd_in, slave)
    capture = Capture()
    stop = threading.Event()
    relay = threading.Thread(target=_relay, args=(master, fd_in, fd_out, capture, stop), daemon=True)
    saved = _raw(fd_in)
    with contextlib.suppress(OSError):
        sys.stdout.flush()
    resized = _follow_size(fd_in, slave)
    relay.start()
    try:
        if on_start is not None:
            on_start()
        result = shell.run(text, timeout=timeout, terminal=path)
    finally:
        stop.set()
        relay.join()
        _pump(master, fd_out, capture)  # what the command wrote last
        if saved is not None:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        if resized is not None:
            signal.signal(signal.SIGWINCH, resized)
        os.close(slave)
        os.close(master)  # the pty hangs up: the session (which ignores that hangup) lets go of it
    result.stdout = capture
    return result


def _relay(master: int, fd_in: int, fd_out: int, capture: Capture, stop: threading.Event) -> None:
    """Keystrokes to the command, its output to the operator and to the record, until `stop`."""
    reading_in = True
    while not stop.is_set():
        watch = [master, fd_in] if reading_in else [master]
        ready, _, _ = select.select(watch, [], [], TICK_S)
        if master in ready:
            _pump(master, fd_out, capture, once=True)
        if fd_in in ready:
            try:
                data = os.read(fd_in, 1024)
            except OSError:
                data = b""
            if not data:
                reading_in = False  # the operator's input ended; the command may still finish
                continue
            with contextlib.suppress(OSError):
                os.write(master, data)


def _pump(master: int, fd_out: int, capture: Capture, once: bool = False) -> None:
    while True:
        if not once and not select.select([master], [], [], 0)[0]:
            return
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: nothing has the terminal open any more
            return
        if not data:
            return
        capture.feed(data.replace(b"\r\n", b"\n"))
        with contextlib.suppress(OSError):
            os.write(fd_out, data)
        if once:
            return


def _raw(fd: int) -> list | None:  # type: ignore[type-arg]
    """The operator's terminal in raw mode (each key goes to the command as typed); its old mode."""
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return None  # not a terminal (a test's pipe): nothing to set
    tty.setraw(fd, termios.TCSANOW)
    return saved


def _follow_size(fd: int, slave: int) -> signal.Handlers | Callable[..., object] | int | None:
    """The operator resizes the window: the command's terminal follows. Returns the handler it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGWINCH, lambda *_: _same_size(fd, slave))
    return previous if previous is not None else signal.SIG_DFL


def _same_size(fd: int, slave: int) -> None:
    """The pty as wide and tall as the operator's terminal (progress bars, pagers)."""
    with contextlib.suppress(OSError):
        size = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
