"""`golive checks`: every check type and its options, generated from the pydantic models — the same
source as docs/annotations.schema.json and the reference part of docs/checks.md."""

from __future__ import annotations

import json
import sys
import textwrap
import typing
from typing import Any, TextIO

from golive.errors import EXIT_PASSED

COMMON = ("name", "timeout", "retries", "backoff", "needs")


def checks(out: TextIO | None = None, as_json: bool = False, as_schema: bool = False) -> int:
    w = (out or sys.stdout).write
    if as_schema:
        w(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
    elif as_json:
        w(json.dumps(reference(), indent=2, ensure_ascii=False) + "\n")
    else:
        w(markdown())
    return EXIT_PASSED


def reference() -> list[dict[str, Any]]:
    """Every type: its name, what it does (its module's first line), its options with sub-options."""
    from golive.checks import TYPES, load

    out = []
    for name in TYPES:
        module = load(name)
        doc = (sys.modules[TYPES[name]].__doc__ or "").strip()
        example = doc.split("\n\n")[1] if "\n\n" in doc else ""
        out.append(
            {
                "type": name,
                "about": doc.split("\n\n")[0].replace("\n", " "),
                "example": textwrap.dedent(example),
                "options": _options(module.Spec, skip=COMMON),
            }
        )
    return out


def _options(model: Any, skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    options = []
    for field_name, f in model.model_fields.items():
        key = f.alias or field_name
        if key in skip:
            continue
        sub = next(
            (
                c
                for c in (f.annotation, *typing.get_args(f.annotation))
                if isinstance(c, type) and issubclass(c, BaseModel)
            ),
            None,
        )
        default = None if f.default is PydanticUndefined or f.default_factory else f.default
        if isinstance(default, BaseModel):
            default = None
        entry: dict[str, Any] = {"option": key, "about": f.description or "", "required": f.is_required()}
        if default not in (None, "", [], {}):
            entry["default"] = default
        if sub is not None:
            entry["options"] = _options(sub)
        options.append(entry)
    return options


def markdown() -> str:
    """The reference as Markdown: what `golive checks` prints and docs/checks.md holds."""
    from golive.checks.base import Spec

    lines = ["Every check also takes:", ""]
    lines += [f"- `{o['option']}`: {o['about']}" + _default(o) for o in _options(Spec)]
    for entry in reference():
        lines += ["", f"## {entry['type']}", "", entry["about"], ""]
        for o in entry["options"]:
            lines.append(f"- `{o['option']}`{' (required)' if o['required'] else ''}: {o['about']}{_default(o)}")
            for sub in o.get("options", []):
                lines.append(f"  - `{o['option']}.{sub['option']}`: {sub['about']}{_default(sub)}")
        if entry["example"]:
            lines += ["", "```yaml", entry["example"].rstrip(), "```"]
    return "\n".join(lines) + "\n"


def _default(option: dict[str, Any]) -> str:
    return f" (default {json.dumps(option['default'])})" if "default" in option else ""


def schema() -> dict[str, Any]:
    """JSON Schema of an annotation: one check or a list; each check is one of the types' models."""
    from golive.checks import TYPES, load

    defs: dict[str, Any] = {}
    variants = []
    for name in TYPES:
        model = load(name).Spec
        one = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(one.pop("$defs", {}))
        one["required"] = sorted({*one.get("required", []), name})
        defs[model.__name__] = one
        variants.append({"$ref": f"#/$defs/{model.__name__}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "golive annotation",
        "description": "A ```golive block (YAML) or <!-- golive: {…} -->: one check, or a list of checks.",
        "oneOf": [{"$ref": "#/$defs/Check"}, {"type": "array", "items": {"$ref": "#/$defs/Check"}}],
        "$defs": {"Check": {"oneOf": variants}, **dict(sorted(defs.items()))},
    }
