"""Literal rewrites, production -> this environment, over commands (and the instructions written
among them), expectations and checks.

One pass per text, longest key first, so a value is never rewritten twice and
`http://localhost:8001/api` wins over `localhost`. `urls`, `hosts` and `paths` match only a
whole name (`/var/www/app` is not `/var/www/app-old`); `text` is a plain substring. A
placeholder's span is never rewritten, and the placeholders keep pointing at their text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from golive.model import (
    AnyItem,
    Check,
    Checklist,
    Command,
    Commands,
    Expectation,
    ExpectedBlock,
    ExpectKind,
    Section,
    Step,
    Task,
)
from golive.parse.annotations import reparse
from golive.parse.hazards import service_port
from golive.profile.model import Rewrites

# What may not touch a match, by kind: the characters that would make it part of a longer name.
_NOT_BEFORE = {"urls": "+.-", "hosts": ".-", "paths": "./~-"}
_NOT_REWRITTEN = (ExpectKind.REGEX, ExpectKind.FIELD, ExpectKind.EXIT, ExpectKind.FAILS)


@dataclass(frozen=True)
class Rule:
    kind: str
    old: str
    new: str

    def whole(self, text: str, start: int, end: int) -> bool:
        """`old` at text[start:end] stands alone: not inside a longer URL, host name or path."""
        if self.kind == "text":
            return True
        if start > 0 and _name_char(text[start - 1], _NOT_BEFORE[self.kind]):
            return False
        if not _name_char(self.old[-1], ""):
            return True  # `http://host/`, `/srv/`: whatever follows continues it
        after = text[end : end + 2]
        return not (after[:1] and (_name_char(after[0], "-") or (after[0] == "." and _name_char(after[1:], "-"))))


def _name_char(c: str, extra: str) -> bool:
    return bool(c) and (c.isalnum() or c == "_" or c in extra)


@dataclass
class Rewriter:
    """Applies a profile's rewrites and remembers where each rule applied (for plan and --dry-run)."""

    rules: list[Rule]  # longest key first: at one place, the longest key wins
    lines: dict[Rule, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rewrites: Rewrites) -> Rewriter:
        rules = [Rule(kind, old, new) for kind, table in vars(rewrites).items() for old, new in table.items()]
        ordered = sorted((r for r in rules if r.old != r.new), key=lambda r: len(r.old), reverse=True)
        return cls(ordered, {r: [] for r in rules})

    def text(self, text: str, line: int, keep: list[tuple[int, int]] | None = None) -> tuple[str, Callable[[int], int]]:
        """`text` rewritten, and where an offset of the old text now is. Spans in `keep` stay as written."""
        found = []
        for rank, rule in enumerate(self.rules):
            start = text.find(rule.old)
            while start >= 0:
                end = start + len(rule.old)
                if rule.whole(text, start, end) and not any(start < b and a < end for a, b in keep or ()):
                    found.append((start, rank, end, rule))
                start = text.find(rule.old, start + 1)
        if not found:
            return text, lambda pos: pos
        out, shifts, pos, delta = [], [], 0, 0
        for start, _rank, end, rule in sorted(found):  # leftmost first; there, the longest key
            if start < pos:
                continue  # inside what was just rewritten: one pass, nothing rewritten twice
            out.append(text[pos:start] + rule.new)
            pos = end
            delta += len(rule.new) - len(rule.old)
            shifts.append((end, delta))
            if line not in self.lines[rule]:
                self.lines[rule].append(line)
        out.append(text[pos:])

        def moved(offset: int) -> int:
            return offset + next((d for end, d in reversed(shifts) if end <= offset), 0)

        return "".join(out), moved

    # --- the model --------------------------------------------------------------------------------

    def checklist(self, checklist: Checklist) -> Checklist:
        if not self.rules:
            return checklist
        return dataclasses.replace(
            checklist,
            items=self._items(checklist.items),
            sections=tuple(self._section(s) for s in checklist.sections),
        )

    def _section(self, section: Section) -> Section:
        return dataclasses.replace(
            section, items=self._items(section.items), sections=tuple(self._section(s) for s in section.sections)
        )

    def _items(self, items: tuple[AnyItem, ...]) -> tuple[AnyItem, ...]:
        return tuple(self._item(i) for i in items)

    def _item(self, item: AnyItem) -> AnyItem:
        if isinstance(item, Task | Step):
            return dataclasses.replace(item, children=self._items(item.children))
        if isinstance(item, Commands):  # its commands, and the instructions written among them (what to look for)
            return dataclasses.replace(
                item,
                commands=tuple(self._command(c) for c in item.commands),
                instructions=tuple(
                    dataclasses.replace(n, text=self.text(n.text, n.line)[0]) for n in item.instructions
                ),
            )
        if isinstance(item, ExpectedBlock):
            return dataclasses.replace(item, text=self.text(item.text, item.line)[0])
        if isinstance(item, Check):  # read again, so the checks that run are the rewritten ones
            return reparse(item, self.text(item.raw, item.line)[0])
        return item

    def _command(self, command: Command) -> Command:
        spans = [(p.start, p.end) for p in command.placeholders]
        text, moved = self.text(command.text, command.line, spans)
        if text == command.text and not command.expectations:
            return command
        placeholders = tuple(
            dataclasses.replace(p, start=moved(p.start), end=moved(p.start) + (p.end - p.start))
            for p in command.placeholders
        )
        return dataclasses.replace(
            command,
            text=text,
            placeholders=placeholders,
            expectations=tuple(self._expectation(e) for e in command.expectations),
            port=service_port(text) if command.port is not None else None,
        )

    def _expectation(self, e: Expectation) -> Expectation:
        text = self.text(e.text, e.line)[0]
        value = e.value if e.kind in _NOT_REWRITTEN else self.text(e.value, e.line)[0]
        return dataclasses.replace(e, text=text, value=value)
