"""Markdown text -> Checklist, on markdown-it-py's CommonMark tokens (plus tables).

Headings nest into sections by level; everything else becomes items of the section
it stands in, in document order, each with its source line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from golive.model import (
    AlternativeGroup,
    AnyItem,
    Checklist,
    Commands,
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
from golive.parse import alternatives, assemble, blocks, expectations, fields, sections
from golive.parse.annotations import from_comment
from golive.parse.assemble import Builder

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
class _Reader:
    """Walks one document; holds what later nodes need to know about earlier ones."""

    lines: list[str]
    timeline: list[TimelineRow] = field(default_factory=list)
    total: Estimate | None = None
    expected_intro: tuple[str, int | None] | None = None
    alternative_prose: tuple[str, int] | None = None
    # `**Option A: …**` paragraphs before separate fences: the option waiting for its block, the
    # option whose blocks are being read, and per section (label, option line, block line).
    option_pending: tuple[str, int] | None = None
    option_current: tuple[str, int] | None = None
    options: dict[int, tuple[Builder, list[tuple[str, int, int]]]] = field(default_factory=dict)

    # --- nodes -> items ---------------------------------------------------------------------------

    def items(self, nodes: list[_Node], section: Builder) -> list[AnyItem]:
        out: list[AnyItem] = []
        for node in nodes:
            self.node(node, section, out)
        return out

    def node(self, node: _Node, section: Builder, out: list[AnyItem]) -> None:
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

    def paragraph(self, node: _Node, section: Builder, out: list[AnyItem]) -> None:
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
        label = alternatives.option_label(text) if len(text) < 160 else ""
        if label:
            self.option_pending, self.option_current = (label, first), None
        else:
            self.option_current = None
        condition = sections.condition_text(text)
        if condition and section.kind is SectionKind.ROLLBACK and not section.trigger:
            section.trigger = condition
        out.append(Note(first, text))

    def block(self, node: _Node, section: Builder, out: list[AnyItem]) -> None:
        token = node.token
        assert token is not None
        fenced = node.type == "fence"
        content = token.content[:-1] if token.content.endswith("\n") else token.content
        body = content.split("\n") if content else []
        closed = not fenced or self._fence_closed(token)
        judges = 0
        at = _last_commands(out)
        previous = out[at] if at is not None else None
        assert previous is None or isinstance(previous, Commands)
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
        if isinstance(item, ExpectedBlock) and previous is not None and at is not None:
            out[at] = _with_expectation(
                previous, item.text, item.line, self.expected_intro[1] if self.expected_intro else None, "block"
            )
        if isinstance(item, Commands) and self.alternative_prose and previous is not None and at is not None:
            first, second = blocks.link_alternative_blocks(previous, item, *self.alternative_prose)
            out[at] = first
            item = second
        self.expected_intro = None
        self.alternative_prose = None
        out.append(item)
        if isinstance(item, Commands) and item.commands and out is section.items:
            option = self.option_pending or self.option_current
            if option is not None:
                self.options.setdefault(id(section), (section, []))[1].append((*option, item.line))
                self.option_pending, self.option_current = None, option

    def finish_options(self) -> None:
        """Tag the blocks of `Option A` / `Option B` paragraphs, once their sections are read."""
        for section, found in self.options.values():
            labels = tuple(dict.fromkeys((label, line) for label, line, _block in found))
            if len(labels) < 2:
                continue
            gid = f"L{labels[0][1]}"
            index = {line: i for i, (_label, line) in enumerate(labels)}
            blocks_at = {block: (label, line) for label, line, block in found}
            first = True
            for k, item in enumerate(section.items):
                if isinstance(item, Commands) and item.line in blocks_at:
                    label, line = blocks_at[item.line]
                    item = alternatives.tag_block(item, gid, index[line], label, len(labels))
                    if first:
                        group = AlternativeGroup(gid, labels[0][1], tuple(x for x, _ in labels), "Option paragraphs")
                        item = alternatives.with_group(item, group)
                        first = False
                    section.items[k] = item
        self.options.clear()

    def _fence_closed(self, token: Token) -> bool:
        assert token.map is not None
        last = token.map[1] - 1
        if last <= token.map[0] or last >= len(self.lines):
            return False
        closing = self.lines[last].strip()
        return closing.startswith(token.markup) and set(closing) == {token.markup[0]}

    def list_item(self, node: _Node, ordered: bool, section: Builder, out: list[AnyItem]) -> None:
        head = node.children[0] if node.children else None
        rest = node.children[1:] if head is not None and head.type == "paragraph" else node.children
        raw = head.inline.content if head is not None and head.type == "paragraph" and head.inline else ""
        line = node.line
        raw, annotations = _annotations_in(raw, line)
        if raw.startswith(_TASK):
            checked = raw[1] in "xX"
            text = raw[3:].strip()
            children = (*annotations, *self.items(rest, section))
            found = [f for i, ln in enumerate(text.split("\n")) for f in fields.fields_in_line(ln, line + i)]
            if section.kind is SectionKind.SIGNOFF:
                # A blank on a sign-off line is the approver's name: the sign-off records it.
                out.append(_signoff(line, text, checked, found))
                out.extend(children)
                return
            trigger = sections.is_trigger_rule(section.why)
            out.append(Task(line, _one_line(text), checked, tuple(found), children, trigger=trigger))
            return
        children = (*annotations, *self.items(rest, section))
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


def _annotations_in(raw: str, line: int) -> tuple[str, list[AnyItem]]:
    """`- [ ] API is up <!-- golive: {tcp: "localhost:8000"} -->`: the item's text, and its checks."""
    if "golive:" not in raw:
        return raw, []
    found: list[AnyItem] = []
    for offset, text in enumerate(raw.split("\n")):
        found += [from_comment(m.group(1), line + offset) for m in _GOLIVE_COMMENT.finditer(text)]
    return _GOLIVE_COMMENT.sub("", raw).rstrip(), found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _last_commands(out: list[AnyItem]) -> int | None:
    """Where the last block is, when only notes follow it (no `out.index`: a long section stays linear)."""
    for index in range(len(out) - 1, -1, -1):
        if isinstance(out[index], Commands):
            return index
        if not isinstance(out[index], Note):
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


def front_matter_end(lines: list[str]) -> int:
    """Line number (1-based) closing a YAML front matter block, or 0. The one rule for what is front
    matter: the reader, sign-off policies and notifications all use it."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:60], start=2):
        if line.strip() in ("---", "..."):
            return i
    return 0


def parse_text(text: str, path: str = "<text>") -> Checklist:
    """Read a checklist from Markdown text. Pure: never runs anything, never raises on content."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    tokens = _MD.parse(text)
    reader = _Reader(lines)
    fm_end = front_matter_end(lines)
    root = Builder("", 0, 1, SectionKind.INFO, "document")
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
            builder = Builder(title, level, node.line, kind, why, parent.title, front_matter=node.line <= fm_end)
            builder.title_candidate = level == 1 and not any(not b.front_matter for b in root.children)
            parent.children.append(builder)
            stack.append(builder)
            reader.expected_intro = None
            reader.option_pending = reader.option_current = None
            continue
        current = stack[-1]
        # Items read with the kind known so far; undecided sections read as runnable.
        reader.node(node, current, current.items)
    reader.finish_options()
    title, title_line, preamble, tops = assemble.title_and_sections(root, path)
    finished = tuple(assemble.finish(b) for b in tops)
    finished = alternatives.option_sections(Section(title, 0, 1, SectionKind.INFO, "", sections=finished)).sections
    finished = assemble.apply_timeline(finished, reader.timeline)
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
    checklist = replace(checklist, fields=assemble.fields(checklist))
    checklist = assemble.same_fields(checklist)
    checklist = assemble.example_placeholders(checklist)
    checklist = assemble.map_placeholders_to_fields(checklist)
    checklist = assemble.item_followups(checklist)
    checklist = alternatives.share_choices(checklist)
    return replace(checklist, counts=assemble.counts(checklist))


def parse_file(path: str | Path) -> Checklist:
    p = Path(path)
    return parse_text(p.read_text(encoding="utf-8"), str(path))
