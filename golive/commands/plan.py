"""`golive plan FILE [--json]`: what will happen, step by step, before anything runs."""

from __future__ import annotations

import json
from typing import TextIO

from rich.console import Console

from golive import plan as planning
from golive.errors import EXIT_PASSED
from golive.parse import load
from golive.planview import summary_text, to_json, to_tree


def plan(path: str, as_json: bool, out: TextIO, notes: bool = False, color: bool | None = None) -> int:
    checklist = load(path)
    the_plan = planning.build(checklist)
    if as_json:
        json.dump(to_json(the_plan), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_PASSED
    console = Console(file=out, no_color=color is False, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 160  # piped or redirected: long lines beat wrapped ones
    console.print(to_tree(the_plan, notes=notes))
    console.print(summary_text(the_plan))
    return EXIT_PASSED
