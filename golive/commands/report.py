"""`golive report RUN --format md|html|json|junit [-o FILE]`: a run's record, rendered."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TextIO

from golive.errors import EXIT_PASSED, InputError
from golive.record.store import Store
from golive.report import view as views

FORMATS = ("md", "html", "json", "junit")


def render(store: Store, run_ref: str, fmt: str, at: datetime | None = None) -> str:
    """The report; follow-ups stand as they do at `at` (now unless given, as `golive due --at`)."""
    view = views.build(store, run_ref, at)
    if fmt == "md":
        from golive.report import md

        return md.render(view)
    if fmt == "json":
        from golive.report import json as as_json

        return json.dumps(as_json.render(view), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from golive.report.html import render as html

        return html(view)
    if fmt == "junit":
        from golive.report.junit import render as junit

        return junit(view)
    raise InputError(f"no report format {fmt!r}", "use md, html, json or junit")


def report(run_ref: str, fmt: str, output: str | None, out: TextIO, at: datetime | None = None) -> int:
    store = Store.open()
    text = render(store, run_ref, fmt, at)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report: {exc.strerror}", "check the directory exists", output) from None
        out.write(f"{output}\n")
    else:
        out.write(text)
    return EXIT_PASSED


def write_default_report(store: Store, run_id: str) -> Path:
    """Every run leaves its Markdown report under GOLIVE_HOME/reports/."""
    path = store.home / "reports" / f"{run_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(store, run_id, "md"), encoding="utf-8")
    return path
