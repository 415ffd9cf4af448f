"""Pure: `{{ VAR }}` in check options, filled from what the run knows (fields, captures, --var,
the shell session's variables, the environment). A missing variable is an error that names it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class MissingVariable(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def names_in(data: Any) -> list[str]:
    """Every variable the templates in `data` use, in order, once each."""
    found: dict[str, None] = {}

    def visit(value: Any) -> None:
        if isinstance(value, str):
            found.update(dict.fromkeys(TEMPLATE.findall(value)))
        elif isinstance(value, dict):
            for k, v in value.items():
                visit(k)
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    visit(data)
    return list(found)


def has_template(value: Any) -> bool:
    return bool(names_in(value))


def fill(data: Any, lookup: Callable[[str], str | None]) -> Any:
    """A copy of `data` with every `{{ NAME }}` replaced; MissingVariable when lookup has no value."""

    def one(m: re.Match[str]) -> str:
        value = lookup(m.group(1))
        if value is None:
            raise MissingVariable(m.group(1))
        return value

    if isinstance(data, str):
        return TEMPLATE.sub(one, data)
    if isinstance(data, dict):
        return {fill(k, lookup): fill(v, lookup) for k, v in data.items()}
    if isinstance(data, list):
        return [fill(v, lookup) for v in data]
    return data
