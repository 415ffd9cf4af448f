"""Typed-check annotations: a ```golive fence (YAML) or `<!-- golive: {…} -->` on an item.

Kept raw for the checks library; here only whether the YAML reads, and where it breaks.
"""

from __future__ import annotations

import yaml

from golive.model import Check


def _yaml_error(raw: str, first_line: int) -> tuple[str, int]:
    try:
        value = yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        return f"annotation YAML does not read: {exc.problem or exc.context}", line
    except yaml.YAMLError as exc:
        return f"annotation YAML does not read: {exc}", first_line
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict) or not item:
            return "an annotation is a check (a mapping such as `http: GET …`) or a list of checks", first_line
    return "", 0


def from_fence(raw: str, line: int) -> Check:
    """A ```golive block whose fence is at `line` (YAML starts on the next line)."""
    error, error_line = _yaml_error(raw, line + 1)
    return Check(line, raw, "fence", error, error_line)


def from_comment(raw: str, line: int) -> Check:
    text = raw.strip()
    if not text.startswith(("{", "[")):
        text = "{" + text + "}"
    error, error_line = _yaml_error(text, line)
    return Check(line, raw.strip(), "comment", error, error_line, fenced=False)
