"""What counts as a checklist: a readable Markdown file with some structure (a heading, a list
item, a fenced block). `/etc/passwd` is text, not a checklist: exit 2, one line, before anything runs."""

from __future__ import annotations

from pathlib import Path

from golive.errors import InputError
from golive.model import Checklist, Note, Table
from golive.parse import load


def load_checklist(path: str | Path) -> Checklist:
    checklist = load(path)
    if not is_checklist(checklist):
        raise InputError(
            "not a checklist: no heading, no list item, no fenced block",
            "golive reads Markdown checklists: ## headings, - [ ] items, ```bash blocks",
            str(path),
        )
    return checklist


def is_checklist(checklist: Checklist) -> bool:
    return bool(checklist.sections) or any(not isinstance(item, Note | Table) for _section, item in checklist.walk())
