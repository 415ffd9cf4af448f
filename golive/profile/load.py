"""A profile file -> a validated `Profile`, every mistake reported as file:line.

YAML is composed into nodes first, so every key and list entry keeps the line it was written
on; pydantic validates the shape and its error locations are mapped back to those lines.
`${NAME}` is expanded from the environment here, once, and the values used are kept: a resumed
run expands the recorded values, not whatever the environment holds by then.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from golive.errors import InputError
from golive.parse.hazards import is_secret_name
from golive.profile.model import TOP_KEYS, AnswerEntry, ApplyEntry, CheckEntry, Profile, Rewrites, SecretRef
from golive.team.policy import SignoffSpec

Loc = tuple[str | int, ...]

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NULL = "tag:yaml.org,2002:null"
_KEYS_AT: dict[Loc, tuple[str, ...]] = {
    (): TOP_KEYS,
    ("answers",): tuple(AnswerEntry.model_fields),
    ("apply",): tuple(ApplyEntry.model_fields),
    ("checks",): tuple(CheckEntry.model_fields),
    ("rewrite",): tuple(Rewrites.model_fields),
    ("secrets",): tuple(SecretRef.model_fields),
    ("signoff",): tuple(SignoffSpec.model_fields),
}


def secret_name(name: str) -> bool:
    """Named like a secret value; a file, path or folder name only says where one is (AWS_SHARED_CREDENTIALS_FILE)."""
    return is_secret_name(name) and not name.upper().endswith(("_FILE", "_PATH", "_DIR"))


class ProfileError(InputError):
    """One or more problems in a profile, each with its line."""

    def __init__(self, path: str, problems: list[tuple[int, str, str]]) -> None:
        line, message, hint = problems[0]
        super().__init__(message, hint, path, line)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(
            f"{self.path}:{line}: {message}" + (f" ({hint})" if hint else "") for line, message, hint in self.problems
        )


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile and where it came from: what the record keeps to apply it again."""

    path: str  # absolute
    text: str
    sha256: str
    values: dict[str, str]  # ${NAME} -> the value it was expanded to
    spec: Profile
    lines: dict[Loc, int] = field(repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        """How answers it pre-records are marked: `profile rehearsal (3f2a9c01b7de)`."""
        return f"profile {self.name} ({self.sha256[:12]})"

    def line(self, *loc: str | int) -> int:
        """The line of a key or entry, or of the nearest one holding it."""
        return line_of(self.lines, loc)

    def error(self, loc: Loc, message: str, hint: str = "") -> ProfileError:
        return ProfileError(self.path, [(self.line(*loc), message, hint)])

    def recorded(self) -> dict[str, Any]:
        """What the run's record keeps: a profile holds no secret, so its whole text."""
        return {"path": self.path, "name": self.name, "sha256": self.sha256, "text": self.text, "values": self.values}


def load(path: str | Path, environ: Mapping[str, str] | None = None) -> LoadedProfile:
    """Read and validate a profile file; `${NAME}` comes from `environ` (the process's by default)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such profile", "check the path given to --profile", str(path)) from None
    except OSError as exc:
        raise InputError(f"the profile cannot be read: {exc.strerror}", "", str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", "save the profile as UTF-8", str(path)) from None
    env = os.environ if environ is None else environ
    return parse(text, str(p.resolve()), hashlib.sha256(raw).hexdigest(), lambda name: env.get(name))


def from_record(data: Mapping[str, Any]) -> LoadedProfile:
    """The profile a run started with, from its record: the same text, the same `${NAME}` values."""
    values: dict[str, str] = dict(data.get("values") or {})
    return parse(str(data["text"]), str(data["path"]), str(data["sha256"]), values.get)


def parse(text: str, path: str, sha256: str, lookup: Any) -> LoadedProfile:
    """Validate profile text. `lookup(NAME)` gives an environment variable's value or None."""
    data, lines = _compose(text, path)
    values: dict[str, str] = {}
    problems: list[tuple[int, str, str]] = []
    data = _expand(data, (), lookup, values, lines, problems)
    if problems:
        raise ProfileError(path, problems)
    try:
        spec = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(path, [_problem(e, lines) for e in exc.errors()]) from None
    if not spec.name:
        spec = spec.model_copy(update={"name": Path(path).stem})
    loaded = LoadedProfile(path, text, sha256, values, spec, lines)
    problems = _rules(loaded)
    if problems:
        raise ProfileError(path, problems)
    return loaded


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


# --- YAML with lines ------------------------------------------------------------------------------


def _compose(text: str, path: str) -> tuple[Any, dict[Loc, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ProfileError(path, [(1, "the profile is empty", "docs/profiles.md shows the keys")])
        lines: dict[Loc, int] = {(): node.start_mark.line + 1}
        data = _value(loader, node, (), lines, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise ProfileError(path, [(line, f"not valid YAML: {exc.problem or exc.context}", "")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ProfileError(path, [(1, "a profile is a mapping of keys (name:, variables:, …)", "docs/profiles.md")])
    return data, lines


def _value(loader: yaml.SafeLoader, node: yaml.Node, loc: Loc, lines: dict[Loc, int], path: str) -> Any:
    if len(loc) == 3 and loc[0] == "checks" and loc[2] == "check":
        return loader.construct_object(node, deep=True)  # a check spec keeps YAML's types (true, 30, 1.5)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ProfileError(path, [(key_node.start_mark.line + 1, "a key must be plain text", "")])
            key = key_node.value
            if key in out:
                line = key_node.start_mark.line + 1
                raise ProfileError(path, [(line, f"{key!r} is given twice", f"first at line {lines[(*loc, key)]}")])
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _value(loader, value_node, (*loc, key), lines, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            items.append(_value(loader, item, (*loc, index), lines, path))
        return items
    # Scalars as written: `8001` stays "8001", `yes` stays "yes", `1.50` keeps its zero.
    return None if node.tag == _NULL else node.value


# --- ${NAME} ---------------------------------------------------------------------------------------


def _expand(
    value: Any, loc: Loc, lookup: Any, used: dict[str, str], lines: dict[Loc, int], problems: list[tuple[int, str, str]]
) -> Any:
    if loc == ("prelude",):
        return value  # shell: bash expands it, from the run's environment
    if loc[:1] == ("notify",):
        return value  # a notification URL holds tokens: golive/team/notify.py expands it when sending, unrecorded
    if isinstance(value, dict):
        return {k: _expand(v, (*loc, k), lookup, used, lines, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, (*loc, i), lookup, used, lines, problems) for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value

    def substitute(m: re.Match[str]) -> str:
        if m.group(0) == "$${":
            return "${"
        name = m.group(1)
        line = line_of(lines, loc)
        if not _NAME.fullmatch(name):
            problems.append((line, f"${{{name}}} is not a variable name", "write ${NAME}; $${ gives a literal ${"))
            return m.group(0)
        if secret_name(name):
            problems.append(
                (
                    line,
                    f"${{{name}}} would write a secret into the profile",
                    f"declare it under secrets: (NAME: {{env: {name}}}) and use $NAME in the commands",
                )
            )
            return m.group(0)
        found = lookup(name)
        if found is None:
            problems.append((line, f"${{{name}}} is not set in the environment", f"export {name}=… before golive"))
            return m.group(0)
        used[name] = str(found)
        return str(found)

    return _REFERENCE.sub(substitute, value)


# --- pydantic errors, in the user's words -----------------------------------------------------------


def _problem(error: Any, lines: dict[Loc, int]) -> tuple[int, str, str]:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    where = ".".join(str(p) for p in loc if isinstance(p, str)) or "the profile"
    hint = ""
    if kind == "extra_forbidden":
        known = _KEYS_AT.get(tuple(p for p in loc[:-1] if isinstance(p, str)), ())
        close = difflib.get_close_matches(str(loc[-1]), known, 1)
        message = f"unknown key {loc[-1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
        hint = "keys here: " + ", ".join(known) if known else ""
    elif kind == "missing":
        message = f"missing {loc[-1]!r}"
    elif kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = f"{where}: expected KEY: value pairs"
    elif kind == "list_type":
        message = f"{where}: expected a list (- …)"
    elif kind == "string_type":
        message = f"{where}: expected text"
    elif kind == "bool_parsing" or kind == "bool_type":
        message = f"{where}: expected true or false"
    else:
        message = f"{where}: {error['msg']}"
    return line_of(lines, loc), message, hint


# --- rules that need the file's lines --------------------------------------------------------------


def _rules(p: LoadedProfile) -> list[tuple[int, str, str]]:
    spec, out = p.spec, []
    for section in ("variables", "secrets", "env"):
        for name in getattr(spec, section):
            if not _NAME.fullmatch(name):
                out.append((p.line(section, name), f"{name!r} is not a variable name", "letters, digits and _"))
    for section in ("variables", "env"):
        for name in getattr(spec, section):
            if secret_name(name):
                out.append(
                    (
                        p.line(section, name),
                        f"{name} is a secret and a profile never holds one",
                        f"move it under secrets: {name}: {{env: SOME_VARIABLE}} and export SOME_VARIABLE",
                    )
                )
    out.extend(_masked_lines(p))
    for name in set(spec.variables) & set(spec.secrets):
        out.append((p.line("secrets", name), f"{name} is both a variable and a secret", "keep one"))
    if spec.apply and not spec.allow_prerecorded:
        out.append(
            (
                p.line("apply"),
                f"profile {spec.name} forbids pre-recorded answers (allow_prerecorded: false), and apply: is one",
                "remove apply: a person applies the blocks during the run",
            )
        )
    if spec.answers and not spec.allow_prerecorded:
        out.append(
            (
                p.line("answers"),
                f"profile {spec.name} forbids pre-recorded answers (allow_prerecorded: false)",
                "remove the answers: a person gives them during the run",
            )
        )
    for kind, rules in vars(spec.rewrite).items():
        for key in rules:
            problem = _rewrite_key_problem(kind, key)
            if problem:
                out.append((p.line("rewrite", kind, key), problem, ""))
    base = Path(p.path).parent
    for index, entry in enumerate(spec.path_prefix):
        if not (base / entry).is_dir():
            out.append((p.line("path_prefix", index), f"path_prefix {entry}: no such directory", f"relative to {base}"))
    return out


def _masked_lines(p: LoadedProfile) -> list[tuple[int, str, str]]:
    """A profile holds no secret: a line (or a `${NAME}` value) golive would mask in the record is
    refused, since the run could not read its own profile back (and the value would be in a file)."""
    from golive.secrets import Masker

    masker = Masker()
    hint = "give it under secrets: NAME: {env: VARIABLE}; a false positive: GOLIVE_ALLOW_SECRETS (docs/secrets.md)"
    out = []
    for number, line in enumerate(p.text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#") and masker(line) != line:
            out.append((number, "this line holds what looks like a secret (golive would mask it)", hint))
    for name, value in p.values.items():
        if masker(value) != value:
            used = next((n for n, line in enumerate(p.text.splitlines(), 1) if f"${{{name}}}" in line), 1)
            out.append((used, f"${{{name}}} gives what looks like a secret (golive would mask it)", hint))
    return out


def _rewrite_key_problem(kind: str, key: str) -> str:
    if not key.strip():
        return "an empty key would rewrite everything"
    if kind == "urls" and "://" not in key:
        return f"{key!r} is not a URL (scheme://host…): put it under hosts or text"
    if kind == "hosts" and ("/" in key or any(c.isspace() for c in key)):
        return f"{key!r} is not a host (name or name:port): put it under urls or paths"
    if kind == "paths" and "://" in key:
        return f"{key!r} is a URL: put it under urls"
    return ""


def resolve_secrets(p: LoadedProfile, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The secrets' values from the environment, when a run starts or resumes (never stored)."""
    env = os.environ if environ is None else environ
    values, problems = {}, []
    for name, ref in p.spec.secrets.items():
        value = env.get(ref.env)
        if value is None:
            problems.append(
                (p.line("secrets", name), f"secret {name} needs ${ref.env}, which is not set", f"export {ref.env}=…")
            )
        else:
            values[name] = value
    if problems:
        raise ProfileError(p.path, problems)
    return values


def absolute_prefix(p: LoadedProfile) -> list[str]:
    base = Path(p.path).parent
    return [str((base / entry).resolve()) for entry in p.spec.path_prefix]
