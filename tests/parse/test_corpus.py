"""Every seed and corpus checklist parses, and its counts equal what markdown-it-py sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from golive.parse import parse_file
from tests.conftest import CORPUS, SEEDS


def reference_counts(text: str) -> dict[str, int]:
    """The reading issue's definition, straight from markdown-it-py's tokens."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    c = {"headings": 0, "tasks": 0, "checked": 0, "fences": 0}
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            c["headings"] += 1
        elif t.type == "fence":
            c["fences"] += 1
        elif t.type == "list_item_open" and i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
            content = tokens[i + 2].content
            if content.startswith(("[ ]", "[x]", "[X]")):
                c["tasks"] += 1
                c["checked"] += content[1] in "xX"
    return c


@pytest.mark.parametrize("path", [*SEEDS, *CORPUS], ids=lambda p: p.name)
def test_counts_equal_markdown_it(path: Path) -> None:
    checklist = parse_file(path)
    expected = reference_counts(path.read_text(encoding="utf-8"))
    assert {k: getattr(checklist.counts, k) for k in expected} == expected


@pytest.mark.parametrize("path", [*SEEDS, *CORPUS], ids=lambda p: p.name)
def test_every_line_number_is_inside_the_file(path: Path) -> None:
    checklist = parse_file(path)
    for section in checklist.all_sections():
        assert 1 <= section.line <= checklist.line_count
    for _section, item in checklist.walk():
        assert 1 <= item.line <= checklist.line_count, item
