"""What the operator sees while a run goes: section, step n/N, elapsed against the estimate,
each command with its live output, and the result.

At a terminal it is styled with rich; under NO_COLOR or in a pipe it is plain text written
straight to the stream (no markup to parse, nothing to escape, and it costs microseconds).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

from rich.console import Console
from rich.text import Text

from golive.planview import duration
from golive.secrets import LineStream, Masker

MAX_LIVE_LINES = 120  # per command; the record keeps the rest (head and tail)
MAX_HELD_BYTES = 256 * 1024

_MARK = {
    "passed": ("✓", "green"),
    "confirmed": ("✓", "green"),
    "set": ("✓", "green"),
    "observed": ("◉", "cyan"),
    "prechecked": ("☑", "dim"),
    "skipped": ("↷", "yellow"),
    "not_run": ("·", "dim"),
    "failed": ("✗", "bold red"),
    "paused": ("‖", "yellow"),
    "rolled_back": ("↺", "yellow"),
    "aborted": ("✗", "bold red"),
}

Segment = tuple[str, str]  # (text, rich style)
QUIET_AFTER_S = 5.0  # a command silent this long gets a line saying how long it has run
QUIET_EVERY_S = 30.0
PROMPT_OPEN = threading.Event()  # a prompt waits for the operator: nothing else writes then


def background(target: Callable[[], None], name: str) -> None:
    """A daemon thread that never takes Ctrl-C. The kernel hands SIGINT to any thread that does not
    block it; only a main thread interrupted in its read() sees it at once, so a prompt waiting
    there stays stopped by Ctrl-C."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        threading.Thread(target=target, name=name, daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def make_console(stream: IO[str] | None = None) -> Console:
    """A console for golive's output; under NO_COLOR no escape code at all (no bold either)."""
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(
        file=stream or sys.stdout,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


class Reporter:
    def __init__(self, console: Console, total: int, estimate_s: int, masker: Masker | None = None) -> None:
        self.console = console
        self.total = total
        self.estimate_s = estimate_s
        self.masker = masker or Masker()  # live output is masked line by line, like everything else
        self.started = time.monotonic()
        self.plain = not console.is_terminal or console.no_color
        self._lines = 0
        self._partial = ""
        self._write = threading.Lock()  # the quiet-command ticker writes from its own thread
        self._ticker: threading.Event | None = None
        self._last_output = 0.0
        self._streams: dict[str, LineStream] = {}
        self._held: list[tuple[str, bytes]] | None = None  # output of a command that sets a secret
        self._held_bytes = 0
        self._pending: list[tuple[Segment, ...]] = []  # lines a signal handler could not write at once

    def _emit(self, *segments: Segment) -> None:
        with self._write:
            self._write_line(segments)
            self._write_pending()

    def _write_line(self, segments: tuple[Segment, ...]) -> None:
        # Everything the operator sees is masked here, in one place: step titles quote commands,
        # pauses quote placeholders, results quote reasons.
        segments = tuple((self.masker(text), style) for text, style in segments)
        if self.plain:
            self.console.file.write("".join(text for text, _style in segments) + "\n")
            self.console.file.flush()
        else:
            self.console.print(Text.assemble(*segments))

    def _write_pending(self) -> None:
        while self._pending:
            self._write_line(self._pending.pop(0))

    def say(self, text: str, style: str = "") -> None:
        self._emit((text, style))

    def say_from_signal_handler(self, text: str, style: str = "") -> None:
        """A line from a signal handler, which may have interrupted this very thread inside `_emit`:
        waiting for the lock there would wait forever, so the line then goes out with the next one."""
        self._pending.append(((text, style),))
        if self._write.acquire(blocking=False):
            try:
                self._write_pending()
            finally:
                self._write.release()

    def header(self, run_id: str, title: str, path: str, env: str, resumed: bool) -> None:
        self._emit((f"golive {'resuming' if resumed else 'run'} ", ""), (run_id, "bold"))
        est = f", estimate {duration(self.estimate_s)}" if self.estimate_s else ""
        self._emit((f"{title} ({path}, env {env}{est})", "dim"))

    def section(self, title: str, estimate_s: int | None) -> None:
        elapsed = time.monotonic() - self.started
        est = f" · est. {duration(estimate_s)}" if estimate_s else ""
        budget = f" · {duration(int(elapsed))} elapsed"
        if self.estimate_s:
            budget += f" of {duration(self.estimate_s)} estimated"
        self._emit(("", ""))
        self._emit((f"▶ {title}", "bold"), (est + budget, "dim"))

    def step(self, index: int, label: str) -> None:
        self._lines = 0
        self._partial = ""
        self._streams = {}
        self._emit((f"[{index}/{self.total}] ", "dim"), (label, ""))

    def command(self, text: str) -> None:
        self._start_ticker()
        lines = self.masker(text).splitlines() or [""]  # masked whole first: a secret may span lines
        self._emit(("  $ ", "bold"), (lines[0], ""))
        for line in lines[1:8]:
            self._emit((f"    {line}", ""))
        if len(lines) > 8:
            self._emit((f"    … {len(lines) - 8} more lines", "dim"))

    def hold(self, names: list[str]) -> None:
        """Keep a command's output until it ends: it sets secret variables (`TOKEN=$(…); echo $TOKEN`)
        whose values golive learns only when the command is over, from the session's state."""
        self._held, self._held_bytes = [], 0
        self._emit((f"  (its output shows when it ends: it sets {', '.join(sorted(set(names)))})", "dim"))

    def release(self, show: bool = True) -> None:
        """Show what `hold` kept, masked with what golive knows now; `show=False` when it learned nothing."""
        held, self._held = self._held, None
        if held is None:
            return
        if not show:
            self._emit(("  (its output is not shown: the session ended before golive could learn the secret)", "dim"))
            return
        for stream, data in held:
            self.output(stream, data)

    def output(self, stream: str, data: bytes) -> None:
        self._last_output = time.monotonic()
        if self._held is not None:
            if self._held_bytes < MAX_HELD_BYTES:  # the terminal shows MAX_LIVE_LINES anyway; the record keeps all
                self._held.append((stream, data))
                self._held_bytes += len(data)
            return
        if self._lines > MAX_LIVE_LINES:
            return  # nothing more is shown for this command: nothing more to mask
        text = self._partial + data.decode("utf-8", "replace")
        lines = text.split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._masked(stream, self._stream(stream).feed(line))

    def _stream(self, stream: str) -> LineStream:
        """Each stream is masked as it comes: a line that may begin a secret waits for the next one."""
        if stream not in self._streams:
            self._streams[stream] = self.masker.stream()
        return self._streams[stream]

    def _masked(self, stream: str, lines: list[str]) -> None:
        for line in lines:
            self._line(stream, line)

    def _line(self, stream: str, line: str) -> None:
        self._lines += 1
        if self._lines <= MAX_LIVE_LINES:
            self._emit(("  │ ", "red" if stream == "err" else "dim"), (line[:400], ""))
        elif self._lines == MAX_LIVE_LINES + 1:
            self._emit(("  │ … more output: the record keeps its head and tail", "dim"))

    def flush_output(self) -> None:
        if self._partial:
            self._masked("out", self._stream("out").feed(self._partial))
            self._partial = ""
        for stream, held in self._streams.items():
            self._masked(stream, held.flush())

    def result(self, status: str, reason: str, duration_s: float | None = None, actor: str | None = None) -> None:
        self.stop_ticker()
        self.flush_output()
        if status == "paused":
            return  # the pause itself says what the run waits for
        mark, style = _MARK.get(status, ("•", ""))
        who = f" by {actor}" if actor and status in ("confirmed", "skipped", "failed") else ""
        took = f" ({duration_s:.2f} s)" if duration_s is not None and duration_s >= 0.01 else ""
        why = f": {reason}" if reason else ""
        self._emit((f"  {mark} {status}", style), (who + why + took, ""))

    def _start_ticker(self) -> None:
        """While a command runs without output, say now and then how long it has run."""
        self.stop_ticker()
        stop = threading.Event()
        started = self._last_output = time.monotonic()

        def tick() -> None:
            next_at = QUIET_AFTER_S
            while not stop.wait(1.0):
                now = time.monotonic()
                if now - self._last_output < next_at or PROMPT_OPEN.is_set():
                    continue
                self._emit((f"  … {duration(int(now - started))} running, no output yet", "dim"))
                next_at = now - self._last_output + QUIET_EVERY_S

        background(tick, "golive-quiet")
        self._ticker = stop

    def stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.set()
            self._ticker = None

    def paused(self, what: str, hint: str) -> None:
        self.stop_ticker()
        self._emit(("", ""))
        self._emit(("‖ paused", "bold yellow"), (f": waiting for {what}", ""))
        if hint:
            self._emit(("  give it with: ", ""), (hint, "bold"))

    def finished(self, status: str, run_id: str, counts: dict[str, int], took: str, reason: str = "") -> None:
        self.stop_ticker()
        mark, style = _MARK.get(status, ("•", "bold"))
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        self._emit(("", ""))
        self._emit(
            (f"{mark} run {run_id} {status}", style),
            (f" in {took}", ""),
            (f" · {summary}" if summary else "", ""),
        )
        if reason and status != "passed":
            self._emit((f"  {reason}", ""))
