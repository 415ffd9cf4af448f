"""Asking people: what to ask (the engine), asking it (here), what it means (the engine again).

`People` is the one interface; `Terminal` asks at the operator's terminal, `Nobody` is the
non-interactive stand-in that pauses the run (exit 3) wherever a person is needed. Answers
given with `golive confirm` / `golive set` while a run is paused reach the engine through the
event log, not through this interface.

Ctrl-C at any prompt means stop: the operator is asked whether to pause the run (resumable) or
abort it, and either is recorded; it is never taken as an answer to the prompt it interrupted.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn, Protocol, TextIO, cast

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt

from golive.run.console import PROMPT_OPEN
from golive.run.outcomes import Abort, Answer

__all__ = ["Answer", "Need", "NeedPerson", "Nobody", "People", "Terminal", "identity", "shown_name"]


@dataclass(frozen=True)
class Need:
    """What a paused run waits for, and how to give it. `kind` is a key of outcomes.ANSWERS (or
    `field`, `interrupted`): `golive confirm` takes only the answers that apply to it."""

    item: str
    what: str
    hint: str
    kind: str = ""


class NeedPerson(Exception):
    """No one can answer here: the run pauses until someone does."""

    def __init__(self, need: Need) -> None:
        super().__init__(need.what)
        self.need = need


class People(Protocol):
    interactive: bool

    def confirm(self, item: str, text: str, what: str) -> Answer: ...
    def signoff(self, item: str, text: str, role: str) -> Answer: ...
    def accept(self, item: str, commands: list[str]) -> Answer: ...
    def destructive(self, item: str, command: str, why: str) -> Answer: ...
    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer: ...
    def choose(self, item: str, title: str, labels: list[str]) -> Answer: ...
    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer: ...
    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer: ...
    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer: ...
    def services(self, lines: list[str]) -> Answer: ...
    def watch_longer(self, item: str, seconds: float) -> float: ...
    def interrupted(self, item: str) -> NoReturn: ...
    def lost(self, names: list[str], setter: str, why: str) -> Answer: ...
    def by_hand(self, item: str, command: str, why: str) -> NoReturn: ...


def identity(as_: str | None = None) -> str:
    """Who is acting: --as, GOLIVE_USER, git's user.name, the OS user."""
    if as_:
        return as_
    if os.environ.get("GOLIVE_USER"):
        return os.environ["GOLIVE_USER"]
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=2).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


MANUAL_SKIP = "no person at the terminal (--manual skip)"


class Nobody:
    """Non-interactive: never prompts. Manual items pause, or are skipped with --manual skip;
    sign-offs always pause."""

    interactive = False

    def __init__(self, run_id: str, manual: str = "pause") -> None:
        self.run_id = run_id
        self.manual = manual

    def _pause(self, item: str, what: str, hint: str, kind: str) -> NeedPerson:
        return NeedPerson(Need(item, what, hint, kind))

    def confirm(self, item: str, text: str, what: str) -> Answer:
        if self.manual == "skip":
            return Answer("skip", MANUAL_SKIP, by_option="--manual skip")
        raise self._pause(
            item,
            f"a person to confirm ({what.lower()}): {text}",
            f"golive confirm {self.run_id} {item} --as NAME  (or --skip REASON, --fail REASON)",
            "confirm",
        )

    def signoff(self, item: str, text: str, role: str) -> Answer:
        raise self._pause(
            item,
            f"a sign-off as {role}: {text}",
            f"golive confirm {self.run_id} {item} --as NAME  (or --fail REASON: not approved)",
            "signoff",
        )

    def accept(self, item: str, commands: list[str]) -> Answer:
        raise self._pause(
            item,
            f"a person to accept {len(commands)} command(s) before they run",
            f"golive confirm {self.run_id} {item}  (or --skip REASON, or run with --yes)",
            "accept",
        )

    def destructive(self, item: str, command: str, why: str) -> Answer:
        raise self._pause(
            item,
            f"a person to allow a destructive command ({why}): {command}",
            f"golive confirm {self.run_id} {item} --allow  (or --skip REASON, or run with --allow-destructive)",
            "destructive",
        )

    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer:
        how = f"export {name}=… before golive resume" if secret else f"golive set {self.run_id} {name}=VALUE"
        raise self._pause(name, f"a value for {name} ({label})", f"{how}  (or --var {name}=…)", "field")

    def choose(self, item: str, title: str, labels: list[str]) -> Answer:
        raise self._pause(
            item,
            f"a choice: {' / '.join(labels)}",
            f"golive confirm {self.run_id} {item} --choose LABEL  (or resume with --choose '{item}=LABEL')",
            "choice",
        )

    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer:
        raise self._pause(
            item,
            f"a person to judge the output against what the checklist expects: {expectation}",
            f"golive show {self.run_id}; then golive confirm {self.run_id} {item}  (or --fail REASON)",
            "judge",
        )

    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer:
        return Answer("abort", reason)

    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer:
        raise self._pause(
            item,
            f"a person to say whether {item} completed before golive was interrupted",
            f"golive confirm {self.run_id} {item} --done, or --rerun, or --skip REASON",
            "in_doubt",
        )

    def services(self, lines: list[str]) -> Answer:
        return Answer("leave", "non-interactive: the deployed service stays up")

    def watch_longer(self, item: str, seconds: float) -> float:
        return 0.0  # the window given with --follow-window is all there is

    def interrupted(self, item: str) -> NoReturn:
        raise self._pause(item, "the operator, who interrupted the run", f"golive resume {self.run_id}", "interrupted")

    def lost(self, names: list[str], setter: str, why: str) -> Answer:
        """The resumed shell lacks what `setter` set (a secret, never in the record): never run on without it."""
        said = ", ".join(shown_name(n) for n in names)
        given = " ".join(f"--var {n.split(':', 1)[-1]}=…" for n in names if n.startswith("var:"))
        hint = f"golive resume {self.run_id} {given}".rstrip()
        if setter:
            hint += f"; or golive confirm {self.run_id} {setter} --rerun (runs it again first)"
        item = setter or names[0].split(":", 1)[-1]
        what = f"{said} (set by {setter or 'an earlier step'}), which the new shell could not get back: {why}"
        raise self._pause(item, what, hint, "session" if setter else "field")

    def by_hand(self, item: str, command: str, why: str) -> NoReturn:
        raise self._pause(
            item,
            f"a person at a terminal: {item} is interactive ({why}) and golive has no terminal to give it",
            f"run it yourself, then `golive confirm {self.run_id} {item} --done`  (or --fail REASON, --skip REASON)",
            "by_hand",
        )


class Terminal:
    """Asks at the operator's terminal. End of input means nobody is there: what `Nobody` does."""

    interactive = True

    def __init__(self, console: Console, run_id: str, manual: str = "ask") -> None:
        self.console = console
        self.run_id = run_id
        self.nobody = Nobody(run_id, "skip" if manual == "skip" else "pause")
        self.manual = manual
        self.stream = cast(TextIO, _TerminalInput()) if sys.stdin.isatty() else None

    # --- asking ------------------------------------------------------------------------------------------

    def _input(self, item: str, ask: Callable[[], str]) -> str | None:
        """One prompt: its answer, or None when input ended. Ctrl-C stops (see `interrupted`)."""
        try:
            with _ctrl_c_raises():
                return ask()
        except EOFError:
            return None
        except KeyboardInterrupt:
            self.console.print()
            self.interrupted(item)

    def _ask(self, item: str, question: str, choices: str | list[str], default: str | None = None) -> str | None:
        """A one-letter choice; the question shows the choices once, and what Enter means."""
        if default is not None:
            question += f" (Enter: {_word(question, default)})"
        return self._input(item, lambda: self._prompt(question, list(choices), default))

    def _prompt(
        self, question: str, choices: list[str] | None = None, default: str | None = None, password: bool = False
    ) -> str:
        """One rich prompt: "[y]es" is text, not markup; the choices are in the question, said once.
        Without a default, Enter is no answer and the question is asked again."""
        stream = None if password else self.stream
        if default is None:
            return Prompt.ask(
                escape(question), choices=choices, show_choices=False, password=password, console=self.console,
                stream=stream,
            )  # fmt: skip
        return Prompt.ask(
            escape(question), choices=choices, default=default, show_choices=False, show_default=False,
            password=password, console=self.console, stream=stream,
        )  # fmt: skip

    def _reason(self, item: str, question: str) -> str | None:
        """A reason, never empty: asked again until one is given; None when input ended."""
        while True:
            reason = self._input(item, lambda: self._prompt(question))
            if reason is None or reason.strip():
                return reason.strip() if reason else None
            self.console.print("  a reason is required")

    def _verb(self, item: str, key: str | None, verbs: dict[str, str]) -> Answer | None:
        if key is None:
            return None
        verb = verbs[key]
        if verb not in ("skip", "fail"):
            return Answer(verb)
        reason = self._reason(item, "  why")
        return None if reason is None else Answer(verb, reason)

    def interrupted(self, item: str) -> NoReturn:
        """After Ctrl-C: pause the run (golive resume continues it) or abort it; never a yes."""
        question = "  interrupted: [p]ause the run, to resume later / [a]bort it (Enter: pause)"
        try:
            with _ctrl_c_raises():
                key = self._prompt(question, ["p", "a"], "p")
        except (EOFError, KeyboardInterrupt):
            key = "p"  # Ctrl-C again, or nobody there: the safe one
        if key == "a":
            raise Abort(f"aborted by the operator (Ctrl-C) at {item}", by_person=True)
        self.nobody.interrupted(item)

    # --- the questions -----------------------------------------------------------------------------------

    def confirm(self, item: str, text: str, what: str) -> Answer:
        if self.manual in ("pause", "skip"):
            return self.nobody.confirm(item, text, what)
        key = self._ask(item, f"  {what}? [y]es / [s]kip / [f]ailed / [a]bort", "ysfa", "y")
        answer = self._verb(item, key, {"y": "confirm", "s": "skip", "f": "fail", "a": "abort"})
        return answer if answer is not None else self.nobody.confirm(item, text, what)

    def signoff(self, item: str, text: str, role: str) -> Answer:
        # No default: a sign-off is a person's decision, never an Enter.
        key = self._ask(item, f"  sign off as {role}? [y]es, approved / [n]o, not approved / [l]ater", "ynl")
        if key == "l":
            key = None
        answer = self._verb(item, key, {"y": "confirm", "n": "fail"})
        return answer if answer is not None else self.nobody.signoff(item, text, role)

    def accept(self, item: str, commands: list[str]) -> Answer:
        key = self._ask(item, "  run these? [y]es / [s]kip them / [a]bort", "ysa", "y")
        answer = self._verb(item, key, {"y": "yes", "s": "skip", "a": "abort"})
        return answer if answer is not None else self.nobody.accept(item, commands)

    def destructive(self, item: str, command: str, why: str) -> Answer:
        self.console.print(f"  [bold red]destructive[/] ({escape(why)}): {escape(command)}")
        key = self._ask(item, "  really run it? [y]es / [s]kip / [a]bort", "ysa", "s")
        answer = self._verb(item, key, {"y": "allow", "s": "skip", "a": "abort"})
        return answer if answer is not None else self.nobody.destructive(item, command, why)

    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer:
        hint = f" (e.g. {example})" if example and not secret else ""
        if choices:
            question = f"  {label} [{name}] ({' / '.join(choices)})"
            value = self._input(
                name,
                lambda: self._prompt(question, list(choices)),
            )
        else:
            question = f"  {label} [{name}]{hint}"
            value = self._input(name, lambda: self._prompt(question, password=secret))
        if value is None:
            return self.nobody.field(name, label, secret, choices, example)
        return Answer("value", value=value)

    def choose(self, item: str, title: str, labels: list[str]) -> Answer:
        for i, label in enumerate(labels, start=1):
            self.console.print(f"    {i}. {escape(label)}")
        keys = [str(i) for i in range(1, len(labels) + 1)]
        key = self._ask(item, f"  {title}: which one runs? (1-{len(labels)})", keys)
        if key is None:
            return self.nobody.choose(item, title, labels)
        return Answer("choose", option=int(key) - 1, value=labels[int(key) - 1])

    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer:
        self.console.print(f"  expected: [bold]{escape(expectation)}[/]")
        key = self._ask(item, "  does the output match? [y]es / [n]o", "yn")
        answer = self._verb(item, key, {"y": "passed", "n": "fail"})
        if answer is None:
            return self.nobody.judge(item, command, output, expectation)
        return answer if answer.verb == "passed" else Answer("failed", answer.reason)

    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer:
        keys = {"r": "retry", "s": "skip", "a": "abort"}
        prompt = "  [r]etry / [s]kip / [a]bort"
        if can_rollback:
            keys["b"] = "rollback"
            prompt += " / roll [b]ack"
        answer = self._verb(item, self._ask(item, prompt, "".join(keys), "r"), keys)
        if answer is None:
            raise NeedPerson(
                Need(
                    item,
                    f"a person to decide what follows the failure of {item}",
                    f"golive resume {self.run_id} runs it again; or golive confirm {self.run_id} {item} "
                    "--skip REASON, or --done if you did it yourself",
                    "failed",
                )
            )
        return answer

    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer:
        if alive:
            self.console.print(f"  still running from before the interruption: pid {', '.join(map(str, alive))}")
        key = self._ask(item, "  it may have run: [r]un it again / [d]one, it completed / [s]kip / [a]bort", "rdsa")
        answer = self._verb(item, key, {"r": "rerun", "d": "done", "s": "skip", "a": "abort"})
        return answer if answer is not None else self.nobody.in_doubt(item, command, alive)

    def lost(self, names: list[str], setter: str, why: str) -> Answer:
        said = ", ".join(shown_name(n) for n in names)
        self.console.print(
            f"  [yellow]{escape(said)}[/] (set by {setter or 'an earlier step'}) could not be restored: {escape(why)}"
        )
        keys = {"e": "value", "p": "pause"} | ({"r": "rerun"} if setter else {})
        question = (f"  [r]un {setter} again / " if setter else "  ") + "[e]nter the value / [p]ause the run"
        key = self._ask(setter or said, question, "".join(keys))
        if key == "e" and len(names) == 1 and names[0].startswith("var:"):
            value = self._input(said, lambda: self._prompt(f"  {said}", password=True))
            if value is not None:
                return Answer("value", value=value)
        elif key == "e":
            self.console.print("  only one variable can be typed in: run the step again, or give each with --var")
        elif key == "r":
            return Answer("rerun")
        return self.nobody.lost(names, setter, why)

    def by_hand(self, item: str, command: str, why: str) -> NoReturn:
        self.nobody.by_hand(item, command, why)

    def watch_longer(self, item: str, seconds: float) -> float:
        question = f"  watched for {seconds:.0f} s: keep watching? [n]o, stop it / 30 [s] more / 2 [m]in more"
        try:
            with _ctrl_c_raises():
                key = self._prompt(question + " (Enter: no)", ["n", "s", "m"], "n")
        except EOFError:
            return 0.0  # nobody at the terminal: the window was all there is
        except KeyboardInterrupt:
            # The command is still running: Ctrl-C here is Ctrl-C during the command, for the run to handle.
            signal.raise_signal(signal.SIGINT)
            return 0.0
        return {"n": 0.0, "s": 30.0, "m": 120.0}[key]

    def services(self, lines: list[str]) -> Answer:
        for line in lines:
            self.console.print(f"    {escape(line)}")
        key = self._ask("", "  leave them running (the deployed service) or stop them? [l]eave / [s]top", "ls", "l")
        return Answer("stop") if key == "s" else Answer("leave")


class _TerminalInput:
    """The terminal's input for prompts, read once a line is there: waiting in select() slices lets
    Python run a Ctrl-C handler within a fraction of a second. A plain blocking read() can miss a
    Ctrl-C that lands between Python's last signal check and the read, and wait for Enter."""

    def readline(self) -> str:
        while not select.select([sys.stdin.fileno()], [], [], 0.2)[0]:
            pass
        line = sys.stdin.readline()  # a terminal in line mode hands over one whole line
        if not line:
            raise EOFError
        return line.rstrip("\n")


@contextlib.contextmanager
def _ctrl_c_raises() -> Iterator[None]:
    """While a prompt waits, Ctrl-C raises KeyboardInterrupt (the run's own handler would only note it)."""
    PROMPT_OPEN.set()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        PROMPT_OPEN.clear()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def shown_name(key: str) -> str:
    """`var:TOKEN` -> TOKEN, `func:greet` -> function greet, `alias:ll` -> alias ll."""
    kind, _, name = key.partition(":")
    shown = {
        "var": name,
        "func": f"function {name}",
        "fexport": f"function {name} (exported)",
        "alias": f"alias {name}",
    }
    return shown.get(kind, key)


def _word(question: str, key: str) -> str:
    """What a key means in a question written `[y]es / [s]kip`: "yes"."""
    found = re.search(rf"\[{re.escape(key)}\](\w*)", question)
    return key + found.group(1) if found else key
