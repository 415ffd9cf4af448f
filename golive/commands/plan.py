"""`golive plan FILE [--json] [--profile P]`: what will happen, step by step, before anything runs."""

from __future__ import annotations

import json
from typing import TextIO

from rich.console import Console
from rich.text import Text

from golive import plan as planning
from golive.errors import EXIT_PASSED
from golive.parse import load
from golive.planview import mark_lines, summary_text, to_json, to_tree
from golive.team import summary as signoff
from golive.team.policy import policy


def plan(
    path: str, as_json: bool, out: TextIO, notes: bool = False, color: bool | None = None, profile: str | None = None
) -> int:
    checklist = load(path)
    applied = None
    if profile is not None:
        from golive.profile import applied_to

        applied = applied_to(checklist, "", profile)
    the_plan = applied.plan if applied is not None else planning.build(checklist)
    rules = policy(checklist, applied.profile if applied is not None else None)  # a broken one: file:line, exit 2
    if as_json:
        data = to_json(the_plan)
        data["signoff"] = signoff.to_json(the_plan, rules)
        if applied is not None:
            from golive.profile.summary import to_json as profile_json

            data["profile"] = profile_json(applied)
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_PASSED
    console = Console(file=out, no_color=color is False, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160  # piped or redirected: long lines beat wrapped ones
    tree = to_tree(the_plan, notes=notes)
    if applied is not None:
        from golive.profile.summary import lines, marks

        console.print(Text("\n".join(lines(applied)) + "\n", style="cyan"))
        mark_lines(tree, marks(applied))
    if rules.explicit:
        console.print(Text("\n".join(signoff.lines(the_plan, rules)) + "\n", style="magenta"))
        mark_lines(tree, signoff.marks(the_plan, rules))
    console.print(tree)
    console.print(summary_text(the_plan))
    return EXIT_PASSED
