"""The reporter writes every line the operator sees; a Ctrl-C may arrive while it writes one."""

from __future__ import annotations

import io
import threading

from golive.run.console import Reporter, make_console


class InterruptedStream(io.StringIO):
    """A terminal whose first write is interrupted by Ctrl-C: the run's handler then says a line itself."""

    def __init__(self) -> None:
        super().__init__()
        self.reporter: Reporter | None = None

    def write(self, text: str) -> int:
        reporter, self.reporter = self.reporter, None
        if reporter is not None:
            reporter.say_from_signal_handler("interrupt: stopping")
        return super().write(text)


def test_a_line_said_by_a_signal_handler_inside_a_write_follows_it_instead_of_deadlocking() -> None:
    stream = InterruptedStream()
    reporter = Reporter(make_console(stream), total=1, estimate_s=0)
    stream.reporter = reporter
    writer = threading.Thread(target=reporter.say, args=("waiting for a sign-off as QA Lead",), daemon=True)
    writer.start()
    writer.join(timeout=5)
    assert not writer.is_alive(), "the handler waited for the lock its own thread held"
    assert stream.getvalue().splitlines() == ["waiting for a sign-off as QA Lead", "interrupt: stopping"]


def test_a_line_said_by_a_signal_handler_outside_a_write_goes_out_at_once() -> None:
    stream = io.StringIO()
    reporter = Reporter(make_console(stream), total=1, estimate_s=0)
    reporter.say_from_signal_handler("interrupt: stopping")
    assert stream.getvalue() == "interrupt: stopping\n"
