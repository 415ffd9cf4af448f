"""Sign-off policies: which roles must approve a run, and who may approve each.

A policy comes from the checklist's YAML front matter, under a `golive:` key (GitHub renders front
matter as a small table), or from the environment profile's `signoff:` / `roles:` keys; the profile
wins where both say something. Without either, every sign-off item of the checklist is a required
approval anyone may give (as before policies existed).

    ---
    golive:
      signoff: {required: [QA Lead, DevOps Lead], distinct: true, not_runner: true}
      roles: {QA Lead: [alice, bob]}
    ---

Pure: reading and validating; the rules a person's decision must follow are in approvals.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from golive.errors import InputError
from golive.model import Checklist
from golive.parse.markdown import front_matter_end

Loc = tuple[str | int, ...]


class SignoffSpec(BaseModel):
    """`signoff:`: the roles a run needs, and two rules on who gives them."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    required: list[str] = []
    distinct: bool = False  # one person approves one role at most
    not_runner: bool = False  # whoever runs the deployment does not approve it


class FrontMatter(BaseModel):
    """The front matter's `golive:` key. `notify` belongs to notifications (team/notify.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    signoff: SignoffSpec | None = None
    roles: dict[str, list[str]] = Field(default_factory=dict)
    notify: list[str] = Field(default_factory=list)


_KEYS = {("golive",): tuple(FrontMatter.model_fields), ("golive", "signoff"): tuple(SignoffSpec.model_fields)}


def key(role: str) -> str:
    """Roles and people compare without case and extra spaces: "QA lead" is "QA Lead"."""
    return re.sub(r"\s+", " ", role).strip().casefold()


@dataclass(frozen=True)
class Policy:
    """What a run needs before it may pass, and the rules its approvals follow."""

    required: tuple[str, ...] = ()  # the policy's own roles (the checklist's sign-off items add theirs)
    distinct: bool = False
    not_runner: bool = False
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> who may approve it
    source: str = ""  # where it was written, for messages: "DEPLOY.md:3 (front matter)"
    roles_at: str = ""  # where `roles:` was written, for the messages of the `roles` rule

    @property
    def explicit(self) -> bool:
        return bool(self.source)

    def approvers(self, role: str) -> tuple[str, ...]:
        """Who may approve `role`; () means anyone."""
        return next((people for r, people in self.roles.items() if key(r) == key(role)), ())

    def requires(self, role: str) -> bool:
        return any(key(r) == key(role) for r in self.required)

    def in_words(self) -> list[str]:
        """The rules as people read them (`golive plan`, docs/team.md)."""
        said = ["distinct people: one person approves one role at most"] if self.distinct else []
        if self.not_runner:
            said.append("not the runner: whoever runs (or resumes) the deployment does not approve it")
        return said

    def rules(self) -> str:
        said = [f"required: {', '.join(self.required)}"] if self.required else []
        said += ["distinct"] if self.distinct else []
        said += ["not_runner"] if self.not_runner else []
        said += [f"{r}: {', '.join(p)}" for r, p in self.roles.items()]
        return "; ".join(said)


def front_matter(checklist: Checklist) -> tuple[dict[str, Any], dict[Loc, int]]:
    """The `golive:` key of the checklist's YAML front matter (and each key's line), or ({}, {})."""
    lines = checklist.text.split("\n")
    end = front_matter_end(lines)
    if not end:
        return {}, {}
    text = "\n" + "\n".join(lines[1 : end - 1])  # a leading newline keeps YAML's lines the file's lines
    try:
        data, where = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"front matter: not valid YAML: {exc.problem or exc.context}",
            "docs/team.md shows the golive: key",
            checklist.path,
            mark.line + 1 if mark is not None else 1,
        ) from None
    if not isinstance(data, dict) or "golive" not in data:
        return {}, {}
    return {"golive": data["golive"]}, where


def of_checklist(checklist: Checklist) -> FrontMatter | None:
    """The checklist's `golive:` front matter, validated; errors name the file and line."""
    data, where = front_matter(checklist)
    if not data:
        return None
    value = data["golive"]
    if value is None:
        return None
    try:
        return FrontMatter.model_validate(value)
    except ValidationError as exc:
        from golive.profile.load import line_of

        error = exc.errors()[0]
        loc: Loc = ("golive", *error["loc"])
        raise InputError(
            f"front matter: {_message(error, loc)}",
            "docs/team.md shows the golive: key",
            checklist.path,
            line_of(where, loc),
        ) from None


def policy(checklist: Checklist, profile: Any = None) -> Policy:
    """The run's policy: the front matter's, with the profile's `signoff:` and `roles:` over it."""
    found = of_checklist(checklist)
    spec = found.signoff if found else None
    roles = dict(found.roles) if found else {}
    source = roles_at = ""
    if found is not None and (found.signoff is not None or found.roles):
        _, where = front_matter(checklist)
        source = f"{checklist.path}:{where.get(('golive',), 1)} (front matter)"
        roles_at = f"{checklist.path}:{where.get(('golive', 'roles'), 1)} (front matter)" if found.roles else ""
    if profile is not None and (profile.spec.signoff is not None or profile.spec.roles):
        spec = profile.spec.signoff or spec
        roles = {**roles, **profile.spec.roles}
        source = f"{profile.path}:{profile.line('signoff') if profile.spec.signoff else profile.line('roles')}"
        roles_at = f"{profile.path}:{profile.line('roles')}" if profile.spec.roles else roles_at
    spec = spec or SignoffSpec()
    return Policy(
        tuple(spec.required),
        spec.distinct,
        spec.not_runner,
        {r: tuple(people) for r, people in roles.items()},
        source,
        roles_at,
    )


def _compose(text: str) -> tuple[Any, dict[Loc, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Loc, int] = {}
        return (_value(loader, node, (), lines) if node is not None else None), lines
    finally:
        loader.dispose()


def _value(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            lines[(*loc, name)] = key_node.start_mark.line + 1
            out[name] = _value(loader, value_node, (*loc, name), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            items.append(_value(loader, item, (*loc, index), lines))
        return items
    return loader.construct_object(node)


def _message(error: Any, loc: Loc) -> str:
    import difflib

    where = ".".join(str(p) for p in loc)
    if error["type"] == "extra_forbidden":
        known = _KEYS.get(tuple(str(p) for p in loc[:-1]), ())
        close = difflib.get_close_matches(str(loc[-1]), known, 1)
        return (
            f"unknown key {where}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + (f"; keys here: {', '.join(known)}" if known else "")
        )
    if error["type"] in ("bool_parsing", "bool_type"):
        return f"{where}: expected true or false"
    if error["type"] == "list_type":
        return f"{where}: expected a list ([a, b] or - a)"
    if error["type"] in ("dict_type", "model_type", "model_attributes_type"):
        return f"{where}: expected KEY: value pairs"
    if error["type"] == "string_type":
        return f"{where}: expected text"
    return f"{where}: {error['msg']}"
