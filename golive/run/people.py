"""Asking people: what to ask (the engine), asking it (here), what it means (the engine again).

`People` is the one interface; `Terminal` asks at the operator's terminal, `Nobody` is the
non-interactive stand-in that pauses the run (exit 3) wherever a person is needed. Answers
given with `golive confirm` / `golive set` while a run is paused reach the engine through the
event log, not through this interface.
"""

from __future__ import annotations

import getpass
import os
import subprocess
from dataclasses import dataclass
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt


@dataclass(frozen=True)
class Answer:
    verb: str  # confirm skip fail abort yes step retry rollback rerun done leave stop passed failed value choose
    reason: str = ""
    value: str = ""
    option: int = -1


@dataclass(frozen=True)
class Need:
    """What a paused run waits for, and how to give it."""

    item: str
    what: str
    hint: str


class NeedPerson(Exception):
    """No one can answer here: the run pauses until someone does."""

    def __init__(self, need: Need) -> None:
        super().__init__(need.what)
        self.need = need


class People(Protocol):
    interactive: bool

    def confirm(self, item: str, text: str, what: str) -> Answer: ...
    def accept(self, item: str, commands: list[str]) -> Answer: ...
    def destructive(self, item: str, command: str, why: str) -> Answer: ...
    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer: ...
    def choose(self, item: str, title: str, labels: list[str]) -> Answer: ...
    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer: ...
    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer: ...
    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer: ...
    def services(self, lines: list[str]) -> Answer: ...
    def watch_longer(self, item: str, seconds: float) -> float: ...


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


class Nobody:
    """Non-interactive: never prompts. Manual items pause, or are skipped with --manual skip."""

    interactive = False

    def __init__(self, run_id: str, manual: str = "pause") -> None:
        self.run_id = run_id
        self.manual = manual

    def _pause(self, item: str, what: str, hint: str) -> NeedPerson:
        return NeedPerson(Need(item, what, hint))

    def confirm(self, item: str, text: str, what: str) -> Answer:
        if self.manual == "skip":
            return Answer("skip", "no person at the terminal (--manual skip)")
        raise self._pause(
            item,
            f"a person to confirm ({what.lower()}): {text}",
            f"golive confirm {self.run_id} {item} --as NAME  (or --skip REASON, --fail REASON)",
        )

    def accept(self, item: str, commands: list[str]) -> Answer:
        raise self._pause(
            item,
            f"a person to accept {len(commands)} command(s) before they run",
            f"golive confirm {self.run_id} {item}  (or run with --yes)",
        )

    def destructive(self, item: str, command: str, why: str) -> Answer:
        raise self._pause(
            item,
            f"a person to allow a destructive command ({why}): {command}",
            f"golive confirm {self.run_id} {item} --allow  (or run with --allow-destructive)",
        )

    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer:
        how = f"export {name}=… before golive resume" if secret else f"golive set {self.run_id} {name}=VALUE"
        raise self._pause(name, f"a value for {name} ({label})", f"{how}  (or --var {name}=…)")

    def choose(self, item: str, title: str, labels: list[str]) -> Answer:
        raise self._pause(
            item,
            f"a choice: {' / '.join(labels)}",
            f"golive confirm {self.run_id} {item} --choose LABEL  (or resume with --choose '{item}=LABEL')",
        )

    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer:
        raise self._pause(
            item,
            f"a person to judge the output against what the checklist expects: {expectation}",
            f"golive show {self.run_id}; then golive confirm {self.run_id} {item} (or --fail REASON)",
        )

    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer:
        return Answer("abort", reason)

    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer:
        raise self._pause(
            item,
            f"a person to say whether {item} completed before golive was interrupted",
            f"golive confirm {self.run_id} {item} --done, or --rerun, or --skip REASON",
        )

    def services(self, lines: list[str]) -> Answer:
        return Answer("leave", "non-interactive: the deployed service stays up")

    def watch_longer(self, item: str, seconds: float) -> float:
        return 0.0  # the window given with --follow-window is all there is


class Terminal:
    """Asks at the operator's terminal. End of input means nobody is there: the run pauses."""

    interactive = True

    def __init__(self, console: Console, run_id: str, manual: str = "ask") -> None:
        self.console = console
        self.nobody = Nobody(run_id, "skip" if manual == "skip" else "pause")
        self.manual = manual

    def _ask(self, question: str, choices: list[str], default: str | None = None) -> str:
        question = escape(question)  # "[y]es" is text here, not rich markup
        try:
            if default is None:
                return Prompt.ask(question, choices=choices, console=self.console)
            return Prompt.ask(question, choices=choices, default=default, console=self.console)
        except EOFError:
            raise NeedPerson(Need("", "no answer: the terminal's input ended", "")) from None

    def _reason(self, question: str) -> str:
        try:
            return Prompt.ask(escape(question), console=self.console) or "no reason given"
        except EOFError:
            return "no reason given (input ended)"

    def confirm(self, item: str, text: str, what: str) -> Answer:
        if self.manual in ("pause", "skip"):
            return self.nobody.confirm(item, text, what)
        verb = self._ask(f"  {what}? [y]es / [s]kip / [f]ailed / [a]bort", ["y", "s", "f", "a"], "y")
        return self._verb(verb, {"y": "confirm", "s": "skip", "f": "fail", "a": "abort"})

    def _verb(self, key: str, verbs: dict[str, str]) -> Answer:
        verb = verbs[key]
        reason = self._reason("  why") if verb in ("skip", "fail") else ""
        return Answer(verb, reason)

    def accept(self, item: str, commands: list[str]) -> Answer:
        key = self._ask("  run these? [y]es / [s]kip them / [a]bort", ["y", "s", "a"], "y")
        return self._verb(key, {"y": "yes", "s": "skip", "a": "abort"})

    def destructive(self, item: str, command: str, why: str) -> Answer:
        self.console.print(f"  [bold red]destructive[/] ({escape(why)}): {escape(command)}")
        key = self._ask("  really run it? [y]es / [s]kip / [a]bort", ["y", "s", "a"], "s")
        return self._verb(key, {"y": "yes", "s": "skip", "a": "abort"})

    def field(self, name: str, label: str, secret: bool, choices: tuple[str, ...], example: str) -> Answer:
        hint = f" (e.g. {example})" if example and not secret else ""
        try:
            if choices:
                value = Prompt.ask(escape(f"  {label} [{name}]"), choices=list(choices), console=self.console)
            else:
                value = Prompt.ask(escape(f"  {label} [{name}]{hint}"), password=secret, console=self.console)
        except EOFError:
            raise NeedPerson(Need(name, f"a value for {name}", "")) from None
        return Answer("value", value=value)

    def choose(self, item: str, title: str, labels: list[str]) -> Answer:
        for i, label in enumerate(labels, start=1):
            self.console.print(f"    {i}. {escape(label)}")
        key = self._ask(f"  {title}: which one runs?", [str(i) for i in range(1, len(labels) + 1)])
        return Answer("choose", option=int(key) - 1, value=labels[int(key) - 1])

    def judge(self, item: str, command: str, output: str, expectation: str) -> Answer:
        self.console.print(f"  expected: [bold]{escape(expectation)}[/]")
        key = self._ask("  does the output match? [y]es / [n]o", ["y", "n"])
        return Answer("passed") if key == "y" else Answer("failed", self._reason("  what is wrong"))

    def failure(self, item: str, reason: str, can_rollback: bool) -> Answer:
        keys = {"r": "retry", "s": "skip", "a": "abort"}
        prompt = "  [r]etry / [s]kip / [a]bort"
        if can_rollback:
            keys["b"] = "rollback"
            prompt += " / roll [b]ack"
        key = self._ask(prompt, list(keys), "r")
        return self._verb(key, keys)

    def in_doubt(self, item: str, command: str, alive: list[int]) -> Answer:
        if alive:
            self.console.print(f"  still running from before the interruption: pid {', '.join(map(str, alive))}")
        key = self._ask(
            "  it may have run: [r]un it again / [d]one, it completed / [s]kip / [a]bort", ["r", "d", "s", "a"]
        )
        return self._verb(key, {"r": "rerun", "d": "done", "s": "skip", "a": "abort"})

    def watch_longer(self, item: str, seconds: float) -> float:
        try:
            key = self._ask(
                f"  watched for {seconds:.0f} s: keep watching? [n]o, stop it / 30 [s] more / 2 [m]in more",
                ["n", "s", "m"],
                "n",
            )
        except NeedPerson:
            return 0.0  # nobody at the terminal: the window was all there is
        return {"n": 0.0, "s": 30.0, "m": 120.0}[key]

    def services(self, lines: list[str]) -> Answer:
        for line in lines:
            self.console.print(f"    {escape(line)}")
        key = self._ask("  leave them running (the deployed service) or stop them? [l]eave / [s]top", ["l", "s"], "l")
        return Answer("leave" if key == "l" else "stop")
