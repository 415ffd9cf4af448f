"""What the operator sees while a run goes: section, step n/N, elapsed against the estimate,
each command with its live output, and the result. Plain text under NO_COLOR or in a pipe."""

from __future__ import annotations

import os
import sys
import time
from typing import IO

from rich.console import Console
from rich.markup import escape

from golive.planview import duration
from golive.secrets import Masker

MAX_LIVE_LINES = 120  # per command; the record keeps the rest (head and tail)

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
}


def make_console(stream: IO[str] | None = None) -> Console:
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(file=stream or sys.stdout, no_color=no_color, highlight=False, soft_wrap=True, emoji=False)


class Reporter:
    def __init__(self, console: Console, total: int, estimate_s: int, masker: Masker | None = None) -> None:
        self.console = console
        self.masker = masker or Masker()  # live output is masked line by line, like everything else
        self.total = total
        self.estimate_s = estimate_s
        self.started = time.monotonic()
        self._lines = 0
        self._partial = ""

    def say(self, text: str, style: str = "") -> None:
        self.console.print(escape(text), style=style or None)

    def header(self, run_id: str, title: str, path: str, env: str, resumed: bool) -> None:
        verb = "resuming" if resumed else "run"
        self.console.print(f"golive {verb} [bold]{escape(run_id)}[/]")
        est = f", estimate {duration(self.estimate_s)}" if self.estimate_s else ""
        self.say(f"{title} ({path}, env {env}{est})", "dim")

    def section(self, title: str, estimate_s: int | None) -> None:
        elapsed = time.monotonic() - self.started
        est = f" · est. {duration(estimate_s)}" if estimate_s else ""
        budget = f" · {duration(int(elapsed))} elapsed" + (
            f" of {duration(self.estimate_s)} estimated" if self.estimate_s else ""
        )
        self.console.print()
        self.console.print(f"[bold]▶ {escape(title)}[/][dim]{escape(est + budget)}[/]")

    def step(self, index: int, label: str) -> None:
        self._lines = 0
        self._partial = ""
        self.console.print(f"[dim][{index}/{self.total}][/] {escape(label)}")

    def command(self, text: str) -> None:
        lines = text.splitlines() or [""]
        self.console.print(f"  [bold]$[/] {escape(lines[0])}")
        for line in lines[1:8]:
            self.console.print(f"    {escape(line)}")
        if len(lines) > 8:
            self.console.print(f"    [dim]… {len(lines) - 8} more lines[/]")

    def output(self, stream: str, data: bytes) -> None:
        text = self._partial + data.decode("utf-8", "replace")
        lines = text.split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._line(stream, line)

    def _line(self, stream: str, line: str) -> None:
        self._lines += 1
        if self._lines <= MAX_LIVE_LINES:
            style = "red" if stream == "err" else "dim"
            self.console.print(f"  [{style}]│[/] {escape(self.masker(line)[:400])}")
        elif self._lines == MAX_LIVE_LINES + 1:
            self.console.print("  [dim]│ … more output: the record keeps its head and tail[/]")

    def flush_output(self) -> None:
        if self._partial:
            self._line("out", self._partial)
            self._partial = ""

    def result(self, status: str, reason: str, duration_s: float | None = None, actor: str | None = None) -> None:
        self.flush_output()
        mark, style = _MARK.get(status, ("•", ""))
        who = f" by {actor}" if actor and status in ("confirmed", "skipped", "failed") else ""
        took = f" ({duration_s:.2f} s)" if duration_s is not None and duration_s >= 0.01 else ""
        why = f": {reason}" if reason else ""
        self.console.print(f"  [{style}]{mark} {status}[/]{escape(who + why + took)}")

    def paused(self, what: str, hint: str) -> None:
        self.console.print()
        self.console.print(f"[bold yellow]‖ paused[/]: waiting for {escape(what)}")
        if hint:
            self.console.print(f"  give it with: [bold]{escape(hint)}[/]")

    def finished(self, status: str, run_id: str, counts: dict[str, int]) -> None:
        elapsed = time.monotonic() - self.started
        mark, style = _MARK.get(status, ("•", "bold"))
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        self.console.print()
        self.console.print(
            f"[{style}]{mark} run {escape(run_id)} {status}[/] in {duration(int(elapsed))}"
            + (f" · {escape(summary)}" if summary else "")
        )
