"""The checklist as golive reads it: immutable, every part carrying its source line.

Nothing here executes or mutates. `parse/` builds these objects, `plan.py` decides
what happens to them, and run state lives in the event log, never on the model.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class SectionKind(StrEnum):
    RUN = "run"  # steps golive runs in document order
    ROLLBACK = "rollback"  # run only on rollback; may carry triggers
    SIGNOFF = "signoff"  # named people approve
    FOLLOWUP = "followup"  # due at an offset after the deployment finished
    REFERENCE = "reference"  # shown, never run
    INFO = "info"  # prose, tables, config shown for context


class Mode(StrEnum):
    """How a command executes once it is allowed to run."""

    RUN = "run"  # run to completion, judge exit status and expectations
    OBSERVE = "observe"  # never returns by itself (tail -f): bounded window
    SERVICE = "service"  # starts a long-running process: keep it in the background


class ExpectKind(StrEnum):
    JSON = "json"  # output parses as JSON containing the example as a subset
    LITERAL = "literal"  # output contains the text
    LINE = "line"  # a line of the output equals the text (numbers)
    LINES = "lines"  # each key line of a multi-line example appears
    REGEX = "regex"  # a known idiom (`1 row returned` -> `(1 row)`)
    EXIT = "exit"  # exit status equals `code`
    FAILS = "fails"  # the command is expected to fail (non-zero exit)
    PERSON = "person"  # only a person can judge: shown output + expectation
    FIELD = "field"  # output contains the value of a field (`[insert commit hash]`)


@dataclass(frozen=True)
class Expectation:
    line: int
    kind: ExpectKind
    text: str  # the expectation as written, for people and reports
    value: str = ""  # what the judge compares against (JSON text, literal, regex, field name)
    code: int | None = None  # exit status for EXIT
    http_status: int | None = None  # "Expected response (HTTP 200)"
    source: str = "comment"  # comment | bare | block | trailing


@dataclass(frozen=True)
class Placeholder:
    text: str  # as written: `<PID>`, `YOUR_TOPIC_ARN`, `[revision_id]`
    field: str  # the field that fills it: PID, TOPIC_ARN, REVISION_ID
    start: int  # offset in the command text of what gets replaced
    end: int
    quoting: str = "none"  # parse/quoting.py: none | single | double | heredoc | words | python:…
    known: str = ""  # a message field golive fills itself: run_start | now | elapsed | rollback_reason


@dataclass(frozen=True)
class OptionRef:
    """This command belongs to one option of a block of alternatives."""

    group: str  # group id, e.g. "L87"
    index: int  # 0-based option index
    label: str  # "systemd", "supervisor", "running manually"
    size: int  # how many options the group has


@dataclass(frozen=True)
class Command:
    line: int
    end_line: int
    text: str  # exact source text; multi-line commands, heredocs and continuations kept whole
    lang: str = "bash"  # bash | python | powershell
    comments: tuple[str, ...] = ()  # comment lines directly above, without '#'
    note: str = ""  # trailing comment on the command's first line
    mode: Mode = Mode.RUN
    mode_why: str = ""
    placeholders: tuple[Placeholder, ...] = ()
    destructive: str = ""  # why it is destructive, or ""
    sudo: bool = False
    platform: str = ""  # "windows" when it is for another platform
    option: OptionRef | None = None
    expectations: tuple[Expectation, ...] = ()
    port: int | None = None  # for services: the port it should listen on, when written
    optional: str = ""  # why a person decides whether it runs ("# Update if needed"), or ""


@dataclass(frozen=True)
class AlternativeGroup:
    id: str
    line: int
    labels: tuple[str, ...]
    how: str  # "# OR", "Option A/B", "prose between blocks"
    platforms: tuple[str, ...] = ()  # per option: "windows" when it is for another platform
    keys: tuple[str, ...] = ()  # per option: what it stands for (systemd, docker, pm2, manual), "" unknown
    choice: str = ""  # the one choice this group shares with others over the same options (C88), or ""


@dataclass(frozen=True)
class Item:
    line: int

    @property
    def id(self) -> str:
        return f"L{self.line}"


@dataclass(frozen=True)
class Note(Item):
    text: str
    heading: int = 0  # a heading nested in a list or quote: its level
    kind: str = "note"


@dataclass(frozen=True)
class Field(Item):
    name: str  # stable UPPER_SNAKE, exported to later commands
    label: str
    secret: bool = False
    choices: tuple[str, ...] = ()  # "[ ] Success [ ] Partial [ ] Rolled Back"
    optional: bool = False  # "(optional)", "if applicable": may stay empty
    kind: str = "field"


@dataclass(frozen=True)
class Task(Item):
    """`- [ ] item`: a person confirms it. Children run before the confirmation."""

    text: str
    checked: bool = False
    fields: tuple[Field, ...] = ()
    children: tuple[AnyItem, ...] = ()
    trigger: bool = False  # a condition under "When to Rollback", not a step
    kind: str = "task"
    due: Due | None = None  # a follow-up written as a task ("Schedule 1-week review meeting")


@dataclass(frozen=True)
class Step(Item):
    """A numbered instruction without a checkbox. With commands, the commands are the step."""

    text: str
    children: tuple[AnyItem, ...] = ()
    trigger: bool = False
    kind: str = "step"
    due: Due | None = None  # a follow-up written as a step ("Monitor First 24 Hours")


@dataclass(frozen=True)
class Signoff(Item):
    role: str
    statement: str = ""
    person_field: str = ""  # field name when the line holds `Dev Lead: ____`
    checked: bool = False
    checkbox: bool = True  # written as a task (`- [ ] QA Lead: …`)
    kind: str = "signoff"


@dataclass(frozen=True)
class Commands(Item):
    """A fenced shell block, split into single commands."""

    end_line: int
    lang: str
    info: str  # the fence's info string as written
    commands: tuple[Command, ...] = ()
    instructions: tuple[Note, ...] = ()  # trailing comment paragraphs a person acts on
    groups: tuple[AlternativeGroup, ...] = ()
    assumed: str = ""  # what golive assumed while reading it (lint reports it)
    closed: bool = True
    fenced: bool = True  # False for an indented code block
    kind: str = "commands"
    assumed_end: int = 0  # a fence left open: the line where golive took it to end (what follows never runs)


@dataclass(frozen=True)
class Content(Item):
    """A block golive shows but does not run: config to apply, a message, a log excerpt."""

    end_line: int
    lang: str
    text: str
    purpose: str = "content"  # config | message | log | code | notes | content
    platform: str = ""
    assumed: str = ""
    closed: bool = True
    fenced: bool = True  # False for an indented code block
    kind: str = "content"
    placeholders: tuple[Placeholder, ...] = ()  # a message's fields: [START TIME], [ISSUE]


@dataclass(frozen=True)
class ExpectedBlock(Item):
    """A fenced block of expected output after "Expected output:"; judges `judges`."""

    end_line: int
    text: str
    judges: int  # line of the command it judges
    closed: bool = True
    fenced: bool = True  # False for an indented code block
    kind: str = "expectation"


@dataclass(frozen=True)
class CheckSpec:
    """One typed check as written and validated (golive/checks models the options of each type)."""

    line: int  # the line of its first key
    type: str  # http, tcp, sql, …
    data: dict[str, Any] = field(compare=False)  # the YAML as written; `{{ VAR }}` filled at run time
    lines: dict[str, int] = field(compare=False)  # "expect.status" -> the line of that key
    summary: str  # what it checks, in one line, for plans and reports
    name: str = ""
    needs: tuple[str, ...] = ()  # names of checks that must pass first
    uses: tuple[str, ...] = ()  # variables its templates read
    captures: tuple[str, ...] = ()  # variables it sets (http `capture`)


@dataclass(frozen=True)
class CheckError:
    """What is wrong in an annotation: the line of the offending key, the key, and why."""

    line: int
    key: str  # "expect.status"; "" for the annotation as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


@dataclass(frozen=True)
class Check(Item):
    """A typed check annotation: its checks, validated, or what is wrong with each."""

    raw: str
    source: str  # "fence" | "comment"
    error: str = ""  # the first problem, with the line inside the file
    error_line: int = 0
    fenced: bool = True
    kind: str = "check"
    specs: tuple[CheckSpec, ...] = ()
    errors: tuple[CheckError, ...] = ()


@dataclass(frozen=True)
class Table(Item):
    end_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: str = "table"


AnyItem = Note | Field | Task | Step | Signoff | Commands | Content | ExpectedBlock | Check | Table


@dataclass(frozen=True)
class Due:
    """When a follow-up is due after the deployment finished: calendar months plus a duration."""

    months: int = 0
    seconds: int = 0
    text: str = ""  # as written: "Month 1", "First 24 Hours", "after validation period"

    def at(self, finished: datetime) -> datetime:
        """The due date: `Month 1` after Jan 31 is Feb 28 (or 29), not Mar 2."""
        month0 = finished.month - 1 + self.months
        year, month = finished.year + month0 // 12, month0 % 12 + 1
        day = min(finished.day, calendar.monthrange(year, month)[1])
        return finished.replace(year=year, month=month, day=day) + timedelta(seconds=self.seconds)

    @property
    def approx_s(self) -> int:
        """Seconds, a month taken as 30 days: for sorting and the older `due_s`."""
        return self.months * 30 * 86400 + self.seconds


@dataclass(frozen=True)
class Estimate:
    low_s: int
    high_s: int
    text: str
    line: int

    @property
    def seconds(self) -> int:
        return self.high_s


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int
    kind: SectionKind
    kind_why: str  # which rule decided the kind
    items: tuple[AnyItem, ...] = ()
    sections: tuple[Section, ...] = ()
    estimate: Estimate | None = None
    at_s: int | None = None  # schedule marker: "(T-24 hours)" -> -86400
    due_s: int | None = None  # follow-up offset after the deployment finished
    trigger: str = ""  # "If critical issues occur": the condition this section answers
    optional: str = ""  # "(Optional)", "(if applicable)" in its title: why a person decides whether it runs
    due: Due | None = None  # follow-ups: when, after the deployment finished (calendar months kept as such)
    criteria: bool = False  # "Success Criteria": its items are claims confirmed at the end, never facts

    @property
    def id(self) -> str:
        return f"L{self.line}"


@dataclass(frozen=True)
class TimelineRow:
    line: int
    at: str
    activity: str
    duration_s: int | None


@dataclass(frozen=True)
class Counts:
    headings: int = 0
    tasks: int = 0
    checked: int = 0
    fences: int = 0
    commands: int = 0
    fields: int = 0
    signoffs: int = 0
    expectations: int = 0
    placeholders: int = 0


@dataclass(frozen=True)
class Checklist:
    path: str
    title: str
    text: str
    sha256: str
    sections: tuple[Section, ...]
    items: tuple[AnyItem, ...] = ()  # before the first section
    counts: Counts = field(default_factory=Counts)
    fields: tuple[Field, ...] = ()  # every field, first occurrence per name
    timeline: tuple[TimelineRow, ...] = ()
    total_estimate: Estimate | None = None
    line_count: int = 0
    title_line: int = 0  # the H1 that gave the title, when one did

    def walk(self) -> list[tuple[Section, AnyItem]]:
        """Every item in document order with the section that holds it."""
        out: list[tuple[Section, AnyItem]] = []
        root = Section(self.title, 0, 1, SectionKind.INFO, "document", self.items)

        def visit_items(section: Section, items: tuple[AnyItem, ...]) -> None:
            for item in items:
                out.append((section, item))
                if isinstance(item, Task | Step):
                    visit_items(section, item.children)

        def visit(section: Section) -> None:
            visit_items(section, section.items)
            for child in section.sections:
                visit(child)

        visit_items(root, self.items)
        for s in self.sections:
            visit(s)
        return out

    def all_sections(self) -> list[Section]:
        out: list[Section] = []

        def visit(section: Section) -> None:
            out.append(section)
            for child in section.sections:
                visit(child)

        for s in self.sections:
            visit(s)
        return out
