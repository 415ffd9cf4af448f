"""A parsed document's sections made whole: each section finished (its kind decided by its
content when no heading rule decided it), the title and top sections chosen, timeline rows
matched to sections, and the checklist's fields, placeholder mapping and counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from golive.model import (
    AnyItem,
    Check,
    Checklist,
    Command,
    Commands,
    Content,
    Counts,
    Estimate,
    ExpectedBlock,
    Field,
    Note,
    Placeholder,
    Section,
    SectionKind,
    Signoff,
    Step,
    Task,
    TimelineRow,
)
from golive.parse import sections
from golive.parse.placeholders import upper_snake
from golive.parse.quoting import shell_contexts


@dataclass
class Builder:
    """A section while the document is read: the token walk fills it, `finish` makes it a Section."""

    title: str
    level: int
    line: int
    kind: SectionKind | None
    why: str
    parent_title: str = ""
    items: list[AnyItem] = field(default_factory=list)
    children: list[Builder] = field(default_factory=list)
    estimate: Estimate | None = None
    trigger: str = ""
    front_matter: bool = False
    title_candidate: bool = False


def _kind_by_content(items: tuple[AnyItem, ...], children: list[Section]) -> tuple[SectionKind, str]:
    if any(isinstance(i, Task | Commands | Step) for i in items):
        return SectionKind.RUN, "holds commands or tasks"
    if any(isinstance(i, Check) and (i.specs or i.errors) for i in items):
        return SectionKind.RUN, "holds checks"
    kinds = {c.kind for c in children}
    if SectionKind.RUN in kinds:
        return SectionKind.RUN, "its subsections run"
    # A container of follow-ups (Post-Deployment -> Day 1, Week 1) or of references is one too.
    for only in (SectionKind.FOLLOWUP, SectionKind.REFERENCE):
        if kinds and kinds <= {only, SectionKind.INFO} and only in kinds:
            return only, f"its subsections are {only.value}"
    return SectionKind.INFO, "no rule, nothing to run"


def finish(builder: Builder, optional: str = "") -> Section:
    """The section as read; `optional` is inherited from an optional parent ("Step 3 (Optional)")."""
    # "Rollback checklist (if needed)": the words are about rolling back at all, not about its steps.
    own = "" if builder.why in ("rollback", "rollback triggers") else sections.optional_why(builder.title)
    optional = own or optional
    children = [finish(child, optional) for child in builder.children]
    items = tuple(builder.items)
    kind, why = builder.kind, builder.why
    if builder.front_matter:
        kind, why = SectionKind.INFO, "front matter"
    if kind is None:
        kind, why = _kind_by_content(items, children)
    due = sections.followup_due(builder.title, builder.parent_title) if kind is SectionKind.FOLLOWUP else None
    trigger = builder.trigger
    if kind is SectionKind.ROLLBACK and not trigger:
        trigger = sections.condition_text(builder.title)
    return Section(
        title="front matter" if builder.front_matter else builder.title,
        level=builder.level,
        line=builder.line,
        kind=kind,
        kind_why=why,
        items=items,
        sections=tuple(children),
        estimate=builder.estimate,
        at_s=sections.schedule_offset(builder.title),
        due_s=due.approx_s if due else None,
        trigger=trigger,
        optional=optional,
        due=due,
        criteria=sections.is_criteria(builder.title),
    )


def title_and_sections(root: Builder, path: str) -> tuple[str, int, list[AnyItem], list[Builder]]:
    """One leading H1 is the checklist's title and its children are the top sections."""
    h1 = [b for b in root.children if b.level == 1 and not b.front_matter]
    lead = [b for b in root.children if not b.front_matter]
    if len(h1) == 1 and lead and lead[0] is h1[0]:
        head = h1[0]
        rest = [b for b in root.children if b is not head]
        return (
            head.title,
            head.line,
            [*root.items, *head.items],
            [*rest[: root.children.index(head)], *head.children, *rest[root.children.index(head) :]],
        )
    title = lead[0].title if lead else Path(path).stem
    return title, 0, list(root.items), list(root.children)


def apply_timeline(tops: tuple[Section, ...], rows: list[TimelineRow]) -> tuple[Section, ...]:
    """Give run sections without an estimate the duration from a timeline table row."""
    if not rows:
        return tops
    flat: list[Section] = []

    def visit(s: Section) -> None:
        flat.append(s)
        for c in s.sections:
            visit(c)

    for s in tops:
        visit(s)
    matches: dict[int, Estimate] = {}
    start = 0
    for row in rows:
        if row.duration_s is None:
            continue
        words = _words(row.activity)
        best, best_score = -1, 0.0
        for index in range(start, len(flat)):
            s = flat[index]
            if s.kind is not SectionKind.RUN or s.estimate is not None or s.line in matches:
                continue
            score = len(words & _words(s.title)) / max(len(words), 1)
            if score > best_score:
                best, best_score = index, score
        if best >= 0 and best_score >= 0.5:
            matches[flat[best].line] = Estimate(row.duration_s, row.duration_s, f"timeline: {row.activity}", row.line)
            start = best + 1

    def rebuild(s: Section) -> Section:
        children = tuple(rebuild(c) for c in s.sections)
        return replace(s, sections=children, estimate=matches.get(s.line, s.estimate))

    return tuple(rebuild(s) for s in tops)


_STOP = {"the", "a", "an", "of", "to", "and", "step", "phase", "run", "for", "on", "in"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and not w.isdigit()}


def map_items(checklist: Checklist, fn: Callable[[AnyItem], AnyItem]) -> Checklist:
    """A copy of the checklist with `fn` applied to every item, nested ones included."""

    def item(i: AnyItem) -> AnyItem:
        if isinstance(i, Task | Step):
            i = replace(i, children=tuple(item(c) for c in i.children))
        return fn(i)

    def section(s: Section) -> Section:
        return replace(s, items=tuple(item(i) for i in s.items), sections=tuple(section(c) for c in s.sections))

    return replace(
        checklist, items=tuple(item(i) for i in checklist.items), sections=tuple(section(s) for s in checklist.sections)
    )


def map_placeholders_to_fields(checklist: Checklist) -> Checklist:
    """`YOUR_MONITOR_ROLE` is filled by the field "IAM role/user for monitor" the checklist declares."""
    declared = {f.name: set(f.name.split("_")) for f in checklist.fields}

    def best(name: str) -> str:
        if name in declared:
            return name
        words = set(name.split("_"))
        fits = sorted((len(w - words), n) for n, w in declared.items() if words <= w)
        return fits[0][1] if fits else name

    names = {
        p.field
        for _section, item in checklist.walk()
        if isinstance(item, Commands)
        for c in item.commands
        for p in c.placeholders
    }
    mapping = {name: best(name) for name in names if best(name) != name}
    if not mapping:
        return checklist  # nothing maps onto a declared field: the model stays as it is

    def remap(i: AnyItem) -> AnyItem:
        if not isinstance(i, Commands) or not any(p.field in mapping for c in i.commands for p in c.placeholders):
            return i
        commands = tuple(
            replace(c, placeholders=tuple(replace(p, field=mapping.get(p.field, p.field)) for p in c.placeholders))
            for c in i.commands
        )
        return replace(i, commands=commands)

    return map_items(checklist, remap)


def item_followups(checklist: Checklist) -> Checklist:
    """Steps and tasks of runnable sections that are follow-ups: "Monitor First 24 Hours" (due a day after
    the finish), "Schedule 1-week review meeting", "Archive old JSON files (after validation period)".

    The validation period is the longest post-deployment window the checklist itself defines (a week
    when it defines none).
    """
    windows = [s.due.approx_s for s in checklist.all_sections() if s.due is not None and not s.due.months]
    validation_s = max(windows, default=7 * 86400)

    def item(i: AnyItem) -> AnyItem:
        if isinstance(i, Task | Step) and not i.trigger:
            due = sections.item_due(i.text, validation_s)
            if due is not None:
                return replace(i, due=due)
        return i

    def section(s: Section) -> Section:
        items = tuple(item(i) for i in s.items) if s.kind is SectionKind.RUN else s.items
        return replace(s, items=items, sections=tuple(section(c) for c in s.sections))

    return replace(checklist, sections=tuple(section(s) for s in checklist.sections))


def fields(checklist: Checklist) -> tuple[Field, ...]:
    seen: dict[str, Field] = {}
    for _section, item in checklist.walk():
        candidates: list[Field] = []
        if isinstance(item, Field):
            candidates = [item]
        elif isinstance(item, Task):
            candidates = list(item.fields)
        for f in candidates:
            seen.setdefault(f.name, f)
        if isinstance(item, Commands):
            for cmd in item.commands:
                for e in cmd.expectations:
                    if e.kind.value == "field":
                        seen.setdefault(e.value, Field(e.line, e.value, e.text))
    return tuple(seen.values())


def counts(checklist: Checklist) -> Counts:
    """Counts from the model, so a lost task or fence shows up as a wrong count."""
    headings = len(checklist.all_sections())
    tasks = checked = fences = commands = signoffs = expects = placeholders = 0
    for _section, item in checklist.walk():
        if isinstance(item, Note) and item.heading:
            headings += 1
        elif isinstance(item, Task):
            tasks += 1
            checked += item.checked
        elif isinstance(item, Signoff):
            signoffs += 1
            if item.checkbox:
                tasks += 1
                checked += item.checked
        if isinstance(item, Commands | Content | ExpectedBlock | Check) and item.fenced:
            fences += 1
        if isinstance(item, Commands):
            commands += len(item.commands)
            for cmd in item.commands:
                expects += len(cmd.expectations)
                placeholders += len(cmd.placeholders)
                # `# Expected commit: [insert commit hash …]` is a placeholder filled by a field
                placeholders += sum(1 for e in cmd.expectations if e.kind.value == "field")
    return Counts(
        headings=headings + (1 if checklist.title_line else 0),
        tasks=tasks,
        checked=checked,
        fences=fences,
        commands=commands,
        fields=len(checklist.fields),
        signoffs=signoffs,
        expectations=expects,
        placeholders=placeholders,
    )


# --- an example value is a placeholder ------------------------------------------------------------

_EXAMPLE = re.compile(r"^(?:e\.g\.|example|for example)\s*[:=]?\s*(?P<value>[^\s]+)\s*$", re.I)
_VERB_FIRST = re.compile(
    r"^(checkout|check out|get|find|use|deploy|set|note|identify|switch to|go to|revert to)\s+", re.I
)


def example_placeholders(checklist: Checklist) -> Checklist:
    """`# Example: v0.9.5` over `git checkout v0.9.5`: the value is an example, so a placeholder,
    in that command and in every later one that uses it (`alembic history | grep v0.9.5`)."""
    examples: dict[str, str] = {}  # value -> field name
    for _section, item in checklist.walk():
        if isinstance(item, Commands):
            for c in item.commands:
                for comment in c.comments:
                    m = _EXAMPLE.match(comment.strip())
                    if m and re.search(_token(m.group("value")), c.text):
                        others = [x for x in c.comments if x is not comment]
                        words = _VERB_FIRST.sub("", others[-1]) if others else "example value"
                        examples.setdefault(m.group("value"), upper_snake(words))
    if not examples:
        return checklist

    def add(i: AnyItem) -> AnyItem:
        if not isinstance(i, Commands) or not any(v in c.text for v in examples for c in i.commands):
            return i
        return replace(i, commands=tuple(_with_examples(c, examples) for c in i.commands))

    return map_items(checklist, add)


def _token(value: str) -> str:
    return r"(?<![\w.-])" + re.escape(value) + r"(?![\w-]|\.\w)"


def _with_examples(command: Command, examples: dict[str, str]) -> Command:
    contexts = shell_contexts(command.text) if command.lang == "bash" else ["none"] * len(command.text)
    found = list(command.placeholders)
    for value, name in examples.items():
        for m in re.finditer(_token(value), command.text):
            a, b = m.start(), m.end()
            if contexts[a] == "comment" or any(p.start < b and a < p.end for p in found):
                continue
            found.append(Placeholder(value, name, a, b, contexts[a]))
    if len(found) == len(command.placeholders):
        return command
    return replace(command, placeholders=tuple(sorted(found, key=lambda p: p.start)))


# --- one field per thing --------------------------------------------------------------------------

# Words too general to say two fields are one thing when they are all a later field has.
_GENERIC_FIELD_WORDS = {"NAME", "DATE", "TIME", "ID", "VALUE", "NOTES", "STATUS", "VERSION", "USER", "TYPE", "URL"}


def same_fields(checklist: Checklist) -> Checklist:
    """`Table name: ____` after `DynamoDB table name decided: ____` is the same value, asked once:
    a later field whose name is the end of an earlier one's (TABLE_NAME in DYNAMODB_TABLE_NAME,
    TOPIC_ARN in SNS_TOPIC_ARN, REGION in AWS_REGION) takes the earlier one's name."""
    seen: list[str] = []
    alias: dict[str, str] = {}
    for f in checklist.fields:
        words = f.name.split("_")
        if len(words) > 1 or f.name not in _GENERIC_FIELD_WORDS:
            owners = [n for n in seen if n.endswith("_" + f.name)]
            if len(owners) == 1:
                alias[f.name] = owners[0]
                continue
        seen.append(f.name)
    if not alias:
        return checklist

    def rename(i: AnyItem) -> AnyItem:
        if isinstance(i, Field) and i.name in alias:
            return replace(i, name=alias[i.name])
        if isinstance(i, Task) and any(f.name in alias for f in i.fields):
            return replace(i, fields=tuple(replace(f, name=alias.get(f.name, f.name)) for f in i.fields))
        if isinstance(i, Commands) and any(p.field in alias for c in i.commands for p in c.placeholders):
            commands = tuple(
                replace(c, placeholders=tuple(replace(p, field=alias.get(p.field, p.field)) for p in c.placeholders))
                for c in i.commands
            )
            return replace(i, commands=commands)
        return i

    renamed = map_items(checklist, rename)
    return replace(renamed, fields=fields(renamed))
