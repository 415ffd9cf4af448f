"""Random Markdown never breaks the reader, and every line it reports is inside the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive import plan as planning
from golive.lint import lint
from golive.model import Commands
from golive.parse import parse_text
from golive.planview import to_json

FRAGMENTS = [
    "# Title",
    "## Deployment Steps",
    "### Step 1: Backup",
    "## Rollback Plan",
    "## Sign-Off",
    "### Day 1",
    "- [ ] task",
    "- [x] done",
    "1. step",
    "   - nested",
    "  - [ ] nested task",
    "```bash",
    "```",
    "```json",
    "~~~",
    "echo hi",
    "kill <PID>",
    "# OR",
    "# Expected: PONG",
    "Expected output:",
    "| a | b |",
    "|---|---|",
    "**Estimated Time:** 2-5 minutes",
    "Deployed by: ____",
    "<!-- golive: {http: x} -->",
    "> quote",
    "",
    "cat <<EOF",
    "EOF",
    "tail -f x.log",
    "---",
    "Or using gunicorn:",
    "    indented code",
    "\\",
    "'",
    '"',
    "$(",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40))
def test_random_markdown_reads_plans_and_lints(lines: list[str]) -> None:
    text = "\n".join(lines)
    checklist = parse_text(text)
    total = max(checklist.line_count, 1)
    for section in checklist.all_sections():
        assert 1 <= section.line <= total
    for _section, item in checklist.walk():
        assert 1 <= item.line <= total
        if isinstance(item, Commands):
            for command in item.commands:
                assert 1 <= command.line <= command.end_line <= total
    plan = planning.build(checklist)
    to_json(plan)
    for finding in lint(plan):
        assert 1 <= finding.line <= total
