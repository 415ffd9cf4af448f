"""Model -> Plan: what golive will do with every item, and why. `plan`, `lint` and
`--dry-run` stop here; `run` walks the same steps.

A Step is one unit the engine executes and records: a command, a confirmation, a
field, a sign-off or a choice between alternatives. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from golive.model import (
    AlternativeGroup,
    AnyItem,
    Check,
    Checklist,
    CheckSpec,
    Command,
    Commands,
    Content,
    Due,
    Field,
    Mode,
    Note,
    Section,
    SectionKind,
    Signoff,
    Step,
    Task,
)
from golive.parse.hazards import is_secret_name
from golive.parse.quoting import shell_contexts
from golive.parse.sections import optional_why


class Phase(StrEnum):
    MAIN = "main"  # runs in `golive run`
    ROLLBACK = "rollback"  # runs on rollback only
    FOLLOWUP = "followup"  # due after the deployment finished
    REFERENCE = "reference"  # shown, never run
    INFO = "info"


class Kind(StrEnum):
    COMMAND = "command"
    CONFIRM = "confirm"  # a task, a numbered step, an instruction, content to apply
    FIELD = "field"
    SIGNOFF = "signoff"
    CHOOSE = "choose"  # pick one option of a block of alternatives
    CHECK = "check"  # a typed check (```golive / <!-- golive: -->): golive verifies it


# How each command is classified, in priority order (the first that applies wins).
CLASSES = ("reference", "platform", "alternative", "placeholder", "service", "observe", "run")


@dataclass(frozen=True)
class PlanStep:
    id: str  # "L65": the source line; stable within a run because the run pins the text
    line: int
    kind: Kind
    phase: Phase
    text: str
    section: Section
    command: Command | None = None
    group: AlternativeGroup | None = None
    field: Field | None = None
    signoff: Signoff | None = None
    prechecked: bool = False
    content: Content | None = None
    needs: tuple[str, ...] = ()  # fields this step needs filled before it can run
    why: tuple[str, ...] = ()  # what golive will do and why, for people
    block: int = 0  # commands: the line of their fenced block (commands are accepted a block at a time)
    check: CheckSpec | None = None
    optional: str = ""  # why a person decides whether it runs, even under --yes ("(Optional)" in its title)
    due: Due | None = None  # follow-ups: when, after the deployment finished
    claim: bool = False  # a success criterion: a claim confirmed at the end of the run, never pre-checked
    session: tuple[tuple[str, int], ...] = ()  # needs an earlier command sets in the session: (name, its line)
    interactive: str = ""  # why it needs a person at a terminal ("requires user input"), or ""

    @property
    def label(self) -> str:
        return f"{self.id} {first_line(self.text)}"


@dataclass(frozen=True)
class Choice:
    """One question for every group of alternatives over the same options (systemd / supervisor / manual)."""

    id: str  # the choice step of its first group: "C88"
    options: tuple[str, ...]  # the option keys, in the order first written
    steps: tuple[str, ...]  # the choice steps it answers: "C88", "C240", "C369"


@dataclass(frozen=True)
class Plan:
    checklist: Checklist
    steps: tuple[PlanStep, ...]
    rollback: tuple[PlanStep, ...]
    followups: tuple[PlanStep, ...]
    triggers: tuple[tuple[int, str], ...]  # rollback triggers: (line, condition)
    estimate_s: int
    estimated_sections: int
    runnable_sections: int
    choices: tuple[Choice, ...] = ()  # alternatives over the same options: one question each

    def step(self, step_id: str) -> PlanStep | None:
        for s in (*self.steps, *self.rollback, *self.followups):
            if s.id == step_id:
                return s
        return None

    def by_id(self) -> dict[str, PlanStep]:
        return {s.id: s for s in (*self.steps, *self.rollback, *self.followups)}


def is_secret(checklist: Checklist, name: str) -> bool:
    """A field or variable whose value is never written down: named like one, or declared secret."""
    return is_secret_name(name) or any(f.name == name and f.secret for f in checklist.fields)


def first_line(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line + (" …" if "\n" in text.strip() else "")


def plain(text: str) -> str:
    """Markdown emphasis removed for display: `**Notify Users**` -> `Notify Users`."""
    return re.sub(r"\*\*|__", "", text).strip()


def phase_of(kind: SectionKind) -> Phase:
    return {
        SectionKind.RUN: Phase.MAIN,
        SectionKind.SIGNOFF: Phase.MAIN,
        SectionKind.ROLLBACK: Phase.ROLLBACK,
        SectionKind.FOLLOWUP: Phase.FOLLOWUP,
        SectionKind.REFERENCE: Phase.REFERENCE,
        SectionKind.INFO: Phase.INFO,
    }[kind]


def classify_command(command: Command, section: Section) -> tuple[str, str]:
    """(class, why) for one command: run, observe, service, alternative, placeholder, platform, reference."""
    if section.kind is SectionKind.REFERENCE:
        return "reference", f"in a reference section ({section.title})"
    if section.kind is SectionKind.INFO:
        return "reference", f"in an information section ({section.title})"
    if command.platform:
        return "platform", f"written for {command.platform.title()}; not run on this platform"
    if command.option is not None:
        o = command.option
        return "alternative", f"option {o.index + 1} of {o.size} ({o.label}): runs only if chosen"
    if command.placeholders:
        names = ", ".join(sorted({p.field for p in command.placeholders}))
        shown = ", ".join(dict.fromkeys(p.text for p in command.placeholders))
        return "placeholder", f"holds {shown}: runs once {names} is filled"
    if command.mode is Mode.SERVICE:
        return "service", f"{command.mode_why}: kept running in the background"
    if command.mode is Mode.OBSERVE:
        return "observe", f"{command.mode_why}: observed for a bounded window"
    return "run", ""


def command_notes(command: Command) -> list[str]:
    """Flags that hold whatever the class: destructive, sudo, expectations."""
    notes = []
    if command.destructive:
        notes.append(f"destructive ({command.destructive}): asked again unless --allow-destructive")
    if command.sudo:
        notes.append("uses sudo: fails clearly if sudo would ask for a password")
    if command.option is not None and command.placeholders:
        notes.append("holds " + ", ".join(dict.fromkeys(p.text for p in command.placeholders)))
    if command.optional:
        notes.append(f"optional ({command.optional.strip('()')}): asked whether to run it, even with --yes")
    return notes


def build(checklist: Checklist) -> Plan:
    main: list[PlanStep] = []
    rollback: list[PlanStep] = []
    followups: list[PlanStep] = []
    triggers: list[tuple[int, str]] = []
    estimate = 0
    estimated = runnable = 0

    def visit(section: Section) -> None:
        nonlocal estimate, estimated, runnable
        phase = phase_of(section.kind)
        target = {Phase.MAIN: main, Phase.ROLLBACK: rollback, Phase.FOLLOWUP: followups}.get(phase)
        if section.trigger:
            triggers.append((section.line, section.trigger))
        has_steps = False
        if target is not None:
            before = len(target)
            _items(section.items, section, phase, target, triggers)
            has_steps = len(target) > before
        if phase is Phase.MAIN and has_steps:
            runnable += 1
            if section.estimate is not None:
                estimated += 1
                estimate += section.estimate.seconds
        for child in section.sections:
            visit(child)

    root = Section(checklist.title, 0, checklist.title_line or 1, SectionKind.RUN, "document", checklist.items)
    _items(checklist.items, root, Phase.MAIN, main, triggers)
    for s in checklist.sections:
        visit(s)
    if checklist.total_estimate is not None and estimated == 0:
        estimate = checklist.total_estimate.seconds
    main, later = (
        _claims_at_the_end([s for s in main if s.phase is Phase.MAIN]),
        [s for s in main if s.phase is not Phase.MAIN],
    )
    followups = sorted([*followups, *later], key=lambda s: s.line)
    main, rollback = _from_the_session(_once_per_group(main), _once_per_group(rollback))
    main, rollback = [_optional(s) for s in main], [_optional(s) for s in rollback]
    main, rollback = [_interactive(s) for s in main], [_interactive(s) for s in rollback]
    main, rollback, followups = _unique_check_ids(main, rollback, followups)
    return Plan(
        checklist,
        tuple(main),
        tuple(rollback),
        tuple(followups),
        tuple(triggers),
        estimate,
        estimated,
        runnable,
        _choices([*main, *rollback]),
    )


def _items(
    items: tuple[AnyItem, ...], section: Section, phase: Phase, out: list[PlanStep], triggers: list[tuple[int, str]]
) -> None:
    for item in items:
        if isinstance(item, Task | Step) and item.due is not None and phase is Phase.MAIN:
            # "Monitor First 24 Hours": a follow-up written among the steps; build() moves it.
            later: list[PlanStep] = []
            _item(item, section, Phase.FOLLOWUP, later, triggers)
            out.extend(replace(s, due=item.due, why=(*s.why, f"a follow-up: {item.due.text}")) for s in later)
            continue
        _item(item, section, phase, out, triggers)


def _item(item: AnyItem, section: Section, phase: Phase, out: list[PlanStep], triggers: list[tuple[int, str]]) -> None:
    if isinstance(item, Task):
        if item.trigger:
            triggers.append((item.line, item.text))
            return
        _items(item.children, section, phase, out, triggers)
        for f in item.fields:
            out.append(_field_step(f, section, phase))
        # `- [ ] API is up <!-- golive: {tcp: …} -->`: the check on the item's own line verifies it.
        checked_by_annotation = any(isinstance(c, Check) and c.line == item.line and c.specs for c in item.children)
        if checked_by_annotation:
            return
        if not item.fields or item.text.strip() not in {f.label for f in item.fields}:
            out.append(
                PlanStep(
                    f"L{item.line}",
                    item.line,
                    Kind.CONFIRM,
                    phase,
                    item.text,
                    section,
                    prechecked=item.checked and not section.criteria,
                    why=_task_why(item, section),
                    claim=section.criteria,
                )
            )
    elif isinstance(item, Step):
        if item.trigger:
            triggers.append((item.line, item.text))
            return
        _items(item.children, section, phase, out, triggers)
        acts = any(isinstance(c, Task | Commands | Step | Signoff | Check) for c in item.children)
        if not acts and item.text:
            out.append(PlanStep(f"L{item.line}", item.line, Kind.CONFIRM, phase, _with_bullets(item), section))
    elif isinstance(item, Commands):
        _commands(item, section, phase, out)
    elif isinstance(item, Content):
        out.append(_content_step(item, section, phase))
    elif isinstance(item, Field):
        out.append(_field_step(item, section, phase))
    elif isinstance(item, Signoff):
        out.append(
            PlanStep(
                f"L{item.line}",
                item.line,
                Kind.SIGNOFF,
                phase,
                f"{item.role}: {item.statement}" if item.statement else item.role,
                section,
                signoff=item,
                prechecked=item.checked,
            )
        )
    elif isinstance(item, Check):
        out.extend(_check_steps(item, section, phase))
    elif isinstance(item, Note):
        return


def _check_steps(item: Check, section: Section, phase: Phase) -> list[PlanStep]:
    """One step per check of an annotation; a fenced block's checks share its line as their block."""
    steps = []
    for spec in item.specs:
        why = [f"needs {', '.join(spec.needs)}"] if spec.needs else []
        if spec.captures:
            why.append(f"sets {', '.join(spec.captures)}")
        steps.append(
            PlanStep(
                f"L{spec.line}",
                spec.line,
                Kind.CHECK,
                phase,
                spec.summary,
                section,
                why=tuple(why),
                block=item.line if item.fenced else 0,
                check=spec,
            )
        )
    return steps


def _unique_check_ids(*lists: list[PlanStep]) -> list[list[PlanStep]]:
    """A check written on an item's line (`- [ ] API up <!-- golive: … -->`) gets `L12.1`, `L12.2`…"""
    taken = {s.id for steps in lists for s in steps if s.kind is not Kind.CHECK}
    out = []
    for steps in lists:
        renamed = []
        for s in steps:
            if s.kind is Kind.CHECK and s.id in taken:
                n = 1
                while f"{s.id}.{n}" in taken:
                    n += 1
                s = replace(s, id=f"{s.id}.{n}")
            taken.add(s.id)
            renamed.append(s)
        out.append(renamed)
    return out


def _task_why(item: Task, section: Section) -> tuple[str, ...]:
    if section.criteria:
        ticked = "ticked in the checklist, but " if item.checked else ""
        return (f"a success criterion: {ticked}a claim a person confirms at the end of the run",)
    return ("pre-checked in the checklist",) if item.checked else ()


def _with_bullets(item: Step) -> str:
    """A numbered step and the bullets under it: a person reads all of them before saying done."""
    bullets = [plain(c.text) for c in item.children if isinstance(c, Note) and c.text and not c.heading]
    return "\n".join([plain(item.text), *(f"- {b}" for b in bullets)])


def _field_step(f: Field, section: Section, phase: Phase) -> PlanStep:
    why = "secret: never stored or shown" if f.secret else ""
    return PlanStep(f.name, f.line, Kind.FIELD, phase, f.label, section, field=f, why=(why,) if why else ())


def _content_step(item: Content, section: Section, phase: Phase) -> PlanStep:
    if item.platform:
        why = f"{item.lang} for {item.platform.title()}: a person does it there and confirms"
    elif item.purpose == "message":
        why = "a message to send: a person sends it and confirms"
    elif item.purpose == "config":
        why = f"{item.lang} to apply: a person applies it and confirms"
    elif item.purpose == "log":
        why = "what to look for in the logs: a person checks and confirms"
    else:
        why = f"{item.lang} content: a person reads it and confirms"
    needs = tuple(dict.fromkeys(p.field for p in item.placeholders if not p.known))
    if item.placeholders:
        why += "; its fields are filled first"
    return PlanStep(
        f"L{item.line}",
        item.line,
        Kind.CONFIRM,
        phase,
        first_line(item.text),
        section,
        content=item,
        why=(why,),
        needs=needs,
    )


def _commands(block: Commands, section: Section, phase: Phase, out: list[PlanStep]) -> None:
    groups = {g.id: g for g in block.groups}
    announced: set[str] = set()
    for command in block.commands:
        option = command.option
        if option is not None and option.group not in announced:
            announced.add(option.group)
            group = groups.get(option.group) or _group_from_option(command)
            out.append(
                PlanStep(
                    choice_id(option.group),
                    group.line,
                    Kind.CHOOSE,
                    phase,
                    choice_text(group),
                    section,
                    group=group,
                    why=(choice_why(group),),
                )
            )
        _cls, why = classify_command(command, section)
        needs = tuple(dict.fromkeys(p.field for p in command.placeholders))
        needs += tuple(e.value for e in command.expectations if e.kind.value == "field" and e.value not in needs)
        reasons = tuple(r for r in (why, *command_notes(command)) if r)
        out.append(
            PlanStep(
                f"L{command.line}",
                command.line,
                Kind.COMMAND,
                phase,
                command.text,
                section,
                command=command,
                needs=needs,
                why=reasons,
                block=block.line,
            )
        )
    for note in block.instructions:
        out.append(
            PlanStep(
                f"L{note.line}",
                note.line,
                Kind.CONFIRM,
                phase,
                note.text,
                section,
                why=("an instruction written as a comment: a person does it and confirms",),
            )
        )


def _claims_at_the_end(steps: list[PlanStep]) -> list[PlanStep]:
    """Success criteria are confirmed after the last step of the run (before sign-offs that close it)."""
    claims = [s for s in steps if s.claim]
    if not claims:
        return steps
    rest = [s for s in steps if not s.claim]
    end = len(rest)
    while end > 0 and rest[end - 1].kind is Kind.SIGNOFF:
        end -= 1
    return [*rest[:end], *claims, *rest[end:]]


def _once_per_group(steps: list[PlanStep]) -> list[PlanStep]:
    """A group of alternatives spread over several blocks is chosen once, where it first appears. A
    field written at several places (seed 002's table name at L22 and L42) is one value, given where it
    first appears; its later places are steps of their own (`DYNAMODB_TABLE_NAME@L42`, shown filled),
    so every step id is unique."""
    seen: set[str] = set()
    out = []
    for s in steps:
        if s.kind is Kind.CHOOSE and s.group is not None:
            if s.group.id in seen:
                continue
            seen.add(s.group.id)
        elif s.kind is Kind.FIELD:
            if s.id in seen:
                s = replace(s, id=f"{s.id}@L{s.line}")
            seen.add(s.id)
        out.append(s)
    return out


_ASSIGNS = re.compile(
    r"(?:^|[\s;&|(])(?:(?:export|declare|local|readonly|typeset)\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=|\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)"
)


def assigned_variables(text: str) -> list[str]:
    """Variables a shell command sets in the session (`export X=…`, `X=$(…)`, `read X`), in order."""
    if "=" not in text and "read" not in text:
        return []
    matches = list(_ASSIGNS.finditer(text))
    # Only a heredoc, a comment or quotes can hide an assignment from bash: read the quoting then.
    hidden = any(c in text for c in "<#'\"")
    contexts = shell_contexts(text) if matches and hidden else []
    out = []
    for m in matches:
        name = m.group(1) or m.group(2)
        at = m.start(1) if m.group(1) else m.start(2)
        if (not contexts or contexts[at] == "none") and name not in out:
            out.append(name)
    return out


def _from_the_session(main: list[PlanStep], rollback: list[PlanStep]) -> tuple[list[PlanStep], list[PlanStep]]:
    """A placeholder an earlier command already set in the session is filled from it, not asked again."""
    assigned: dict[str, int] = {}
    if not any(s.needs for s in (*main, *rollback)):
        return main, rollback  # nothing to fill: no need to read what every command sets

    def walk(steps: list[PlanStep]) -> list[PlanStep]:
        out = []
        for s in steps:
            if s.needs:
                known = tuple((n, assigned[n]) for n in s.needs if n in assigned)
                if known:
                    s = replace(s, session=known)
            if s.command is not None and s.command.lang == "bash" and s.section.kind is not SectionKind.REFERENCE:
                for name in assigned_variables(s.command.text):
                    assigned.setdefault(name, s.line)
            out.append(s)
        return out

    return walk(main), walk(rollback)


def _optional(step: PlanStep) -> PlanStep:
    """Steps a person decides on even under --yes: an optional section's, or a command that says so."""
    if step.kind not in (Kind.COMMAND, Kind.CONFIRM):
        return step
    own = step.command.optional if step.command is not None else optional_why(step.text) if step.content is None else ""
    why = own or step.section.optional
    if not why:
        return step
    words = why.strip("()")
    said = "optional" if words.lower() == "optional" else f"optional ({words})"
    return replace(step, optional=why, why=(*step.why, f"{said}: a person decides whether it runs"))


# "This step is interactive and requires user input" (seed 001 L172), "# Follow the prompts".
_INTERACTIVE = re.compile(
    r"(?<!non-)(?<!non )\binteractive(ly)?\b|\brequires? (user |your )?input\b|\bfollow (the )?prompts?\b|"
    r"\bwhen prompted\b|\b(it|this|script) (will )?(prompt|ask)s? (you|for)\b",
    re.I,
)
# What does not read input, even in a step that does: a preview, help, a version, an unattended run.
_UNATTENDED = re.compile(r"\s(--dry-run|--help|--version|--check|--list|-h|--yes|-y|--no-input|--non-interactive)\b")


def _interactive(step: PlanStep) -> PlanStep:
    """A command that reads from a person: its own comment says so, or its section's prose does."""
    if step.kind is not Kind.COMMAND or step.command is None:
        return step
    cmd = step.command
    own = _INTERACTIVE.search(" ".join((*cmd.comments, cmd.note)))
    prose = " ".join(plain(i.text) for i in step.section.items if isinstance(i, Note))
    said = own or (None if _UNATTENDED.search(cmd.text) else _INTERACTIVE.search(prose))
    if said is None:
        return step
    why = f"interactive (“{said.group(0)}”): runs at your terminal; without one, the run pauses for you to run it"
    return replace(step, interactive=said.group(0), why=(*step.why, why))


def _choices(steps: list[PlanStep]) -> tuple[Choice, ...]:
    by_choice: dict[str, list[PlanStep]] = {}
    for s in steps:
        if s.kind is Kind.CHOOSE and s.group is not None and s.group.choice:
            by_choice.setdefault(s.group.choice, []).append(s)
    out = []
    for cid, members in by_choice.items():
        options = tuple(dict.fromkeys(k for m in members if m.group is not None for k in m.group.keys))
        out.append(Choice(cid, options, tuple(m.id for m in members)))
    return tuple(out)


def choice_why(group: AlternativeGroup) -> str:
    here = [label for label, platform in zip(group.labels, group.platforms, strict=False) if not platform]
    if group.platforms and len(here) == 1 and len(group.platforms) > 1:
        return f"the option for this platform runs ({here[0]}): no question"
    return f"{len(group.labels)} alternatives ({group.how}): run one, never all"


def choice_text(group: AlternativeGroup) -> str:
    """`Choose one: systemd / supervisor / manual`: the options' keys when all are known, else their labels."""
    names = group.keys if group.keys and all(group.keys) else group.labels
    return "Choose one: " + " / ".join(names)


def choice_id(group: str) -> str:
    """The step that picks an option of group `L88` is `C88` (L88 is the first option's command)."""
    return "C" + group.lstrip("LC")


def choice_key_matches(key: str, step: PlanStep, shared: bool = True) -> bool:
    """A `--choose` (or profile `choices`) key names this choice: its line (L88, C88) or its section's title,
    or (with `shared`) the first group of the one choice it shares with other groups over the same options."""
    title = step.section.title
    if choice_id(key) == step.id or key == title or title.lower().startswith(key.lower()):
        return True
    return shared and step.group is not None and bool(step.group.choice) and choice_id(key) == step.group.choice


def choice_steps(plan: Plan, key: str, shared: bool = True) -> list[PlanStep]:
    """The choices between alternatives a key names, in the run and in the rollback."""
    return [
        s
        for s in (*plan.steps, *plan.rollback)
        if s.kind is Kind.CHOOSE and s.group is not None and choice_key_matches(key, s, shared)
    ]


def chosen_option(plan: Plan, step: PlanStep, wanted: str) -> int | None:
    """The option of a choice that `wanted` names: its key (`systemd`), a label, its number (1…n), or a word
    of its commands."""
    assert step.group is not None
    keys = [k.lower() for k in step.group.keys]
    w = wanted.strip().lower()
    if w and keys.count(w) == 1:
        return keys.index(w)
    return match_label(wanted, list(step.group.labels), option_texts(plan, step))


def choice_problem(plan: Plan, key: str, wanted: str) -> str:
    """Why `key=wanted` chooses nothing, or "" when it names an option of every choice the key names itself
    (a group that only shares the choice and lacks that option is asked when it comes)."""
    steps = choice_steps(plan, key, shared=False)
    if not steps:
        return "no alternatives there"
    for step in steps:
        if chosen_option(plan, step, wanted) is None:
            assert step.group is not None
            texts = option_texts(plan, step)
            options = " / ".join(
                f"{i}. {label or first_line(texts[i - 1].strip())}" for i, label in enumerate(step.group.labels, 1)
            )
            return f"{step.id} ({plain(step.section.title)}) has no option {wanted!r}: {options}"
    return ""


def option_texts(plan: Plan, step: PlanStep) -> list[str]:
    """Each option's commands, joined: what `--choose 'Step 2=docker'` is matched against after the labels."""
    assert step.group is not None
    texts = [""] * len(step.group.labels)
    for s in (*plan.steps, *plan.rollback):
        c = s.command
        if c is not None and c.option is not None and c.option.group == step.group.id and c.option.index < len(texts):
            texts[c.option.index] += " " + c.text
    return texts


def match_label(wanted: str, labels: list[str], texts: list[str] | None = None) -> int | None:
    w = wanted.strip().lower()
    if w.isdigit() and 1 <= int(w) <= len(labels):
        return int(w) - 1
    for i, label in enumerate(labels):
        if label.lower() == w or label.lower().split(":")[0].strip() == w:
            return i
    for i, label in enumerate(labels):
        if w and w in label.lower():
            return i
    for i, text in enumerate(texts or []):
        if w and w in text.lower():
            return i
    return None


def _group_from_option(command: Command) -> AlternativeGroup:
    assert command.option is not None
    return AlternativeGroup(command.option.group, command.line, (command.option.label,), "alternatives")


@dataclass
class Summary:
    """Counts for the plan footer: what will happen, what will not."""

    classes: dict[str, int] = field(default_factory=dict)
    confirms: int = 0
    fields: int = 0
    signoffs: int = 0
    choices: int = 0
    checks: int = 0
    rollback_steps: int = 0
    followups: int = 0
    destructive: int = 0
    optional: int = 0  # steps a person decides to run or skip


def summarize(plan: Plan) -> Summary:
    summary = Summary()
    for step in plan.steps:
        if step.kind is Kind.COMMAND and step.command is not None:
            cls, _ = classify_command(step.command, step.section)
            summary.classes[cls] = summary.classes.get(cls, 0) + 1
            summary.destructive += bool(step.command.destructive)
        elif step.kind is Kind.CONFIRM:
            summary.confirms += 1
        elif step.kind is Kind.FIELD:
            summary.fields += 1
        elif step.kind is Kind.SIGNOFF:
            summary.signoffs += 1
        elif step.kind is Kind.CHOOSE and (step.group is None or step.group.choice in ("", step.id)):
            summary.choices += 1  # groups sharing one choice are one question
        elif step.kind is Kind.CHECK:
            summary.checks += 1
        summary.optional += bool(step.optional)
    summary.rollback_steps = len(plan.rollback)
    summary.followups = len(plan.followups)
    return summary
