"""Markdown text -> Checklist, on markdown-it-py's CommonMark tokens (plus tables).

Headings nest into sections by level; everything else becomes items of the section
it stands in, in document order, each with its source line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from golive.model import (
    AnyItem,
    Check,
    Checklist,
    Commands,
    Content,
    Counts,
    Estimate,
    ExpectedBlock,
    Field,
    Note,
    Section,
    SectionKind,
    Signoff,
    Step,
    Table,
    Task,
    TimelineRow,
)
from golive.parse import blocks, expectations, fields, sections
from golive.parse.annotations import from_comment

_MD = MarkdownIt("commonmark").enable("table")
_TASK = ("[ ]", "[x]", "[X]")
_GOLIVE_COMMENT = re.compile(r"<!--\s*golive:\s*(.*?)\s*-->", re.S)
_ROLE_STATEMENT = re.compile(r"^(?P<role>[^:]{2,60}?)\s*:\s*(?P<rest>.*)$")
_ROLE_SUFFIX = re.compile(r"^(?P<role>.+?)\s+(?P<rest>(approval|approved|sign[- ]?off|signature)\b.*)$", re.I)


@dataclass
class _Node:
    type: str
    token: Token | None
    children: list[_Node] = field(default_factory=list)
    inline: Token | None = None

    @property
    def line(self) -> int:
        return self.token.map[0] + 1 if self.token is not None and self.token.map else 0

    @property
    def end_line(self) -> int:
        return self.token.map[1] if self.token is not None and self.token.map else self.line


def _tree(tokens: list[Token]) -> list[_Node]:
    root = _Node("root", None)
    stack = [root]
    for t in tokens:
        if t.nesting == 1:
            node = _Node(t.type.removesuffix("_open"), t)
            stack[-1].children.append(node)
            stack.append(node)
        elif t.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        elif t.type == "inline":
            stack[-1].inline = t
        else:
            stack[-1].children.append(_Node(t.type, t))
    return root.children


@dataclass
class _Builder:
    title: str
    level: int
    line: int
    kind: SectionKind | None
    why: str
    parent_title: str = ""
    items: list[AnyItem] = field(default_factory=list)
    children: list[_Builder] = field(default_factory=list)
    estimate: Estimate | None = None
    trigger: str = ""
    front_matter: bool = False
    title_candidate: bool = False


@dataclass
class _Reader:
    """Walks one document; holds what later nodes need to know about earlier ones."""

    lines: list[str]
    timeline: list[TimelineRow] = field(default_factory=list)
    total: Estimate | None = None
    expected_intro: tuple[str, int | None] | None = None
    alternative_prose: tuple[str, int] | None = None

    # --- nodes -> items ---------------------------------------------------------------------------

    def items(self, nodes: list[_Node], section: _Builder) -> list[AnyItem]:
        out: list[AnyItem] = []
        for node in nodes:
            self.node(node, section, out)
        return out

    def node(self, node: _Node, section: _Builder, out: list[AnyItem]) -> None:
        kind = node.type
        if kind == "paragraph":
            self.paragraph(node, section, out)
        elif kind in ("fence", "code_block"):
            self.block(node, section, out)
        elif kind in ("bullet_list", "ordered_list"):
            for item in node.children:
                self.list_item(item, kind == "ordered_list", section, out)
        elif kind == "blockquote":
            out.extend(self.items(node.children, section))
        elif kind == "table":
            out.append(self.table(node))
        elif kind == "html_block":
            self.html(node, out)
        elif kind == "heading" and node.inline is not None:
            out.append(Note(node.line, node.inline.content, heading=int(node.token.tag[1]) if node.token else 1))
        if kind not in ("paragraph", "fence", "code_block"):
            self.expected_intro = None

    def paragraph(self, node: _Node, section: _Builder, out: list[AnyItem]) -> None:
        assert node.inline is not None
        content = node.inline.content
        first = node.line
        text_lines: list[str] = []
        label = ""
        self.alternative_prose = None
        self.expected_intro = None
        for offset, raw in enumerate(content.split("\n")):
            number = first + offset
            for m in _GOLIVE_COMMENT.finditer(raw):
                out.append(from_comment(m.group(1), number))
            raw = _GOLIVE_COMMENT.sub("", raw)
            estimate = sections.estimate_in(raw, number)
            if estimate is not None:
                section.estimate = section.estimate or estimate
                continue
            total = sections.total_in(raw, number)
            if total is not None:
                self.total = self.total or total
                continue
            if fields.blank_only(raw) and label:
                continue  # the second line of a box for notes
            found = fields.fields_in_line(raw, number, label)
            if found:
                out.extend(found)
                label = found[-1].label
                continue
            label = fields.clean_label(raw) if raw.strip().endswith(":") else ""
            if raw.strip():
                text_lines.append(raw.strip())
        text = " ".join(text_lines).strip()
        if not text:
            return
        intro = expectations.intro(text)
        previous = out[-1] if out else None
        if intro is not None:
            rest, status = intro
            if rest and isinstance(previous, Commands) and previous.commands:
                out[-1] = _with_expectation(previous, rest, first, status)
            else:
                self.expected_intro = intro
            out.append(Note(first, text))
            return
        if blocks.is_alternative_prose(text) and isinstance(previous, Commands):
            self.alternative_prose = (text, first)
        condition = sections.condition_text(text)
        if condition and section.kind is SectionKind.ROLLBACK and not section.trigger:
            section.trigger = condition
        out.append(Note(first, text))

    def block(self, node: _Node, section: _Builder, out: list[AnyItem]) -> None:
        token = node.token
        assert token is not None
        fenced = node.type == "fence"
        content = token.content[:-1] if token.content.endswith("\n") else token.content
        body = content.split("\n") if content else []
        closed = not fenced or self._fence_closed(token)
        judges = 0
        previous = _last_commands(out)
        if self.expected_intro is not None and previous is not None and previous.commands:
            judges = previous.commands[-1].line
        item = blocks.read_block(
            token.info if fenced else "",
            body,
            node.line,
            node.end_line,
            closed,
            fenced,
            self.expected_intro,
            judges,
            section.title,
        )
        if isinstance(item, ExpectedBlock) and previous is not None:
            index = out.index(previous)
            out[index] = _with_expectation(
                previous, item.text, item.line, self.expected_intro[1] if self.expected_intro else None, "block"
            )
        if isinstance(item, Commands) and self.alternative_prose and previous is not None:
            index = out.index(previous)
            first, second = blocks.link_alternative_blocks(previous, item, *self.alternative_prose)
            out[index] = first
            item = second
        self.expected_intro = None
        self.alternative_prose = None
        out.append(item)

    def _fence_closed(self, token: Token) -> bool:
        assert token.map is not None
        last = token.map[1] - 1
        if last <= token.map[0] or last >= len(self.lines):
            return False
        closing = self.lines[last].strip()
        return closing.startswith(token.markup) and set(closing) == {token.markup[0]}

    def list_item(self, node: _Node, ordered: bool, section: _Builder, out: list[AnyItem]) -> None:
        head = node.children[0] if node.children else None
        rest = node.children[1:] if head is not None and head.type == "paragraph" else node.children
        raw = head.inline.content if head is not None and head.type == "paragraph" and head.inline else ""
        line = node.line
        if raw.startswith(_TASK):
            checked = raw[1] in "xX"
            text = raw[3:].strip()
            children = tuple(self.items(rest, section))
            found = [f for i, ln in enumerate(text.split("\n")) for f in fields.fields_in_line(ln, line + i)]
            if section.kind is SectionKind.SIGNOFF:
                # A blank on a sign-off line is the approver's name: the sign-off records it.
                out.append(_signoff(line, text, checked, found))
                out.extend(children)
                return
            trigger = sections.is_trigger_rule(section.why)
            out.append(Task(line, _one_line(text), checked, tuple(found), children, trigger=trigger))
            return
        children = tuple(self.items(rest, section))
        text = _one_line(raw)
        if head is not None and head.type == "paragraph":
            for f in (f for i, ln in enumerate(raw.split("\n")) for f in fields.fields_in_line(ln, line + i)):
                out.append(f)
        if section.kind in (SectionKind.INFO, SectionKind.REFERENCE, SectionKind.SIGNOFF, SectionKind.FOLLOWUP):
            if text:
                out.append(Note(line, text))
            out.extend(children)
            return
        trigger = sections.is_trigger_rule(section.why)
        if ordered or trigger or section.why == "prerequisites":
            out.append(Step(line, text, children, trigger=trigger))
            return
        if text:
            out.append(Note(line, text))
        out.extend(children)

    def table(self, node: _Node) -> Table:
        rows: list[tuple[str, ...]] = []
        header: tuple[str, ...] = ()

        def visit(n: _Node) -> None:
            nonlocal header
            if n.type == "tr":
                cells = tuple((c.inline.content if c.inline else "").strip() for c in n.children)
                if not header and any(c.type == "th" for c in n.children):
                    header = cells
                else:
                    rows.append(cells)
                return
            for child in n.children:
                visit(child)

        visit(node)
        table = Table(node.line, node.end_line, header, tuple(rows))
        self._timeline(table)
        return table

    def _timeline(self, table: Table) -> None:
        names = [h.lower() for h in table.header]
        duration = next((i for i, h in enumerate(names) if "duration" in h), None)
        activity = next((i for i, h in enumerate(names) if h in ("activity", "task", "step", "action")), None)
        when = next((i for i, h in enumerate(names) if h in ("time", "when", "t")), None)
        if duration is None or activity is None:
            return
        for offset, row in enumerate(table.rows):
            if len(row) <= max(duration, activity):
                continue
            est = sections.parse_duration(row[duration], table.line + 2 + offset)
            self.timeline.append(
                TimelineRow(
                    table.line + 2 + offset,
                    row[when] if when is not None and when < len(row) else "",
                    row[activity],
                    est.high_s if est else None,
                )
            )

    def html(self, node: _Node, out: list[AnyItem]) -> None:
        assert node.token is not None
        for m in _GOLIVE_COMMENT.finditer(node.token.content):
            line = node.line + node.token.content[: m.start()].count("\n")
            out.append(from_comment(m.group(1), line))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _last_commands(out: list[AnyItem]) -> Commands | None:
    for item in reversed(out):
        if isinstance(item, Commands):
            return item
        if not isinstance(item, Note):
            return None
    return None


def _with_expectation(block: Commands, text: str, line: int, status: int | None, source: str = "comment") -> Commands:
    """Attach an expectation written outside the block to the block's last command."""
    expectation = expectations.parse_expectation(text, line, source, status)
    last = block.commands[-1]
    commands = (*block.commands[:-1], replace(last, expectations=(*last.expectations, expectation)))
    return replace(block, commands=commands)


def _signoff(line: int, text: str, checked: bool, found: list[Field]) -> Signoff:
    plain = fields.clean_label(fields.BLANK.sub("", text))
    person = found[0].name if found else ""
    m = _ROLE_STATEMENT.match(plain) or _ROLE_SUFFIX.match(plain)
    if m:
        return Signoff(line, m.group("role").strip(), m.group("rest").strip(), person, checked)
    return Signoff(line, plain, "", person, checked)


# --- sections ---------------------------------------------------------------------------------------


def _kind_by_content(items: tuple[AnyItem, ...], children: list[Section]) -> tuple[SectionKind, str]:
    if any(isinstance(i, Task | Commands | Step) for i in items):
        return SectionKind.RUN, "holds commands or tasks"
    kinds = {c.kind for c in children}
    if SectionKind.RUN in kinds:
        return SectionKind.RUN, "its subsections run"
    # A container of follow-ups (Post-Deployment -> Day 1, Week 1) or of references is one too.
    for only in (SectionKind.FOLLOWUP, SectionKind.REFERENCE):
        if kinds and kinds <= {only, SectionKind.INFO} and only in kinds:
            return only, f"its subsections are {only.value}"
    return SectionKind.INFO, "no rule, nothing to run"


def _front_matter_end(lines: list[str]) -> int:
    """Line number (1-based) closing a YAML front matter block, or 0."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:60], start=2):
        if line.strip() in ("---", "..."):
            return i
    return 0


def _finish(builder: _Builder, reader: _Reader, nodes_by_builder: dict[int, list[_Node]]) -> Section:
    children = [_finish(child, reader, nodes_by_builder) for child in builder.children]
    items = tuple(builder.items)
    kind, why = builder.kind, builder.why
    if builder.front_matter:
        kind, why = SectionKind.INFO, "front matter"
    if kind is None:
        kind, why = _kind_by_content(items, children)
    due = sections.followup_offset(builder.title, builder.parent_title) if kind is SectionKind.FOLLOWUP else None
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
        due_s=due,
        trigger=trigger,
    )


def parse_text(text: str, path: str = "<text>") -> Checklist:
    """Read a checklist from Markdown text. Pure: never runs anything, never raises on content."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    tokens = _MD.parse(text)
    reader = _Reader(lines)
    fm_end = _front_matter_end(lines)
    root = _Builder("", 0, 1, SectionKind.INFO, "document")
    stack = [root]
    for node in _tree(tokens):
        if node.type == "heading" and node.inline is not None and node.token is not None:
            level = int(node.token.tag[1])
            while stack[-1].level >= level:
                stack.pop()
            parent = stack[-1]
            title = _one_line(node.inline.content)
            # A leading H1 is the document's title ("Rollback drill"): its words say nothing of its sections.
            parent_kind = parent.kind if parent is not root and not parent.title_candidate else None
            kind, why = sections.classify(title, parent_kind, parent.title)
            builder = _Builder(title, level, node.line, kind, why, parent.title, front_matter=node.line <= fm_end)
            builder.title_candidate = level == 1 and not any(not b.front_matter for b in root.children)
            parent.children.append(builder)
            stack.append(builder)
            reader.expected_intro = None
            continue
        current = stack[-1]
        # Items read with the kind known so far; undecided sections read as runnable.
        reader.node(node, current, current.items)
    title, title_line, preamble, tops = _title_and_sections(root, path)
    finished = tuple(_finish(b, reader, {}) for b in tops)
    finished = _apply_timeline(finished, reader.timeline)
    checklist = Checklist(
        path=path,
        title=title,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        sections=finished,
        items=tuple(preamble),
        timeline=tuple(reader.timeline),
        total_estimate=reader.total,
        line_count=len(lines) - (1 if text.endswith("\n") else 0),
        title_line=title_line,
    )
    checklist = replace(checklist, fields=_fields(checklist))
    checklist = _map_placeholders_to_fields(checklist)
    return replace(checklist, counts=_counts(checklist))


def _title_and_sections(root: _Builder, path: str) -> tuple[str, int, list[AnyItem], list[_Builder]]:
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


def _apply_timeline(tops: tuple[Section, ...], rows: list[TimelineRow]) -> tuple[Section, ...]:
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


def _map_placeholders_to_fields(checklist: Checklist) -> Checklist:
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


def _fields(checklist: Checklist) -> tuple[Field, ...]:
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


def _counts(checklist: Checklist) -> Counts:
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


def parse_file(path: str | Path) -> Checklist:
    p = Path(path)
    return parse_text(p.read_text(encoding="utf-8"), str(path))
