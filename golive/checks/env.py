"""`env`: variables the deployment needs are set, and hold to rules. The values of variables named
like secrets (PASSWORD, SECRET, TOKEN, KEY…) are never shown: only their length or which rule failed.

    - env: [ENVIRONMENT, DATABASE_URL, REDIS_URL, SESSION_SECRET]
      rules: {ENVIRONMENT: {equals: production}, SESSION_SECRET: {min_length: 32},
              DATABASE_URL: {scheme: postgresql}, DATA_DIR: {outside: ".", writable: true}}

Variables are read from the run's shell session: what an `export` before the check set is seen.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import Field, model_validator

from golive.checks.base import Context, Fact, Observation, Options
from golive.checks.base import Spec as BaseSpec
from golive.parse.hazards import is_secret_name


class Rule(Options):
    equals: str | None = Field(default=None, description="the exact value")
    one_of: list[str] | None = Field(default=None, description="one of these values")
    min_length: int | None = Field(default=None, ge=0, description="at least this many characters")
    scheme: str | list[str] | None = Field(
        default=None, description="a URL with this scheme (postgresql, redis, https…)"
    )
    not_contains: str | list[str] | None = Field(default=None, description="text the value must not contain")
    outside: str | None = Field(default=None, description="a path outside this directory")
    writable: bool | None = Field(default=None, description="a path to a directory golive's user can write")


class EnvSpec(BaseSpec):
    TYPE = "env"
    env: str | list[str] = Field(default_factory=list, description="variables that must be set (not empty)")
    rules: dict[str, Rule] = Field(default_factory=dict, description="rules per variable (the variable must be set)")

    @model_validator(mode="after")
    def _something(self) -> EnvSpec:
        if not self.names():
            raise ValueError("name the variables to check: `env: [NAME, …]` or `rules:`")
        return self

    def names(self) -> list[str]:
        listed = [self.env] if isinstance(self.env, str) else list(self.env)
        return list(dict.fromkeys([*listed, *self.rules]))

    def target(self) -> str:
        return ", ".join(self.names())


Spec = EnvSpec


async def probe(spec: EnvSpec, ctx: Context) -> Observation:
    """The values (under `_values`: never recorded) and, for path rules, what the paths are."""
    values = {n: ctx.env[n] for n in spec.names() if ctx.env.get(n)}
    paths: dict[str, dict[str, object]] = {}
    for name, rule in spec.rules.items():
        if name in values and (rule.outside is not None or rule.writable):
            path = ctx.path(values[name]).resolve()
            paths[name] = {
                "path": str(path),
                "directory": path.is_dir(),
                "writable": path.is_dir() and os.access(path, os.W_OK | os.X_OK),
                **({"base": str(ctx.path(rule.outside).resolve())} if rule.outside is not None else {}),
            }
    return {
        "set": sorted(values),
        "unset": [n for n in spec.names() if n not in values],
        "_values": values,
        "_paths": paths,
    }


def judge(spec: EnvSpec, obs: Observation) -> list[Fact]:
    facts: list[Fact] = []
    values: dict[str, str] = obs.get("_values", {})
    for name in spec.names():
        value = values.get(name)
        if not value:
            facts.append(Fact(False, f"{name} is not set"))
        else:
            facts += _rules(name, value, spec.rules.get(name), obs.get("_paths", {}).get(name, {}))
    return facts


def _rules(name: str, value: str, rule: Rule | None, path: dict[str, Any]) -> list[Fact]:
    secret = is_secret_name(name)
    shown = "the value" if secret else repr(value)
    if rule is None:
        return [Fact(True, f"{name} is set" + ("" if secret else f" ({value[:40]})"))]
    out: list[Fact] = []
    if rule.equals is not None:
        ok = value == rule.equals
        if secret:
            out.append(Fact(ok, f"{name} {'equals' if ok else 'does not equal'} the expected value"))
        else:
            out.append(Fact(ok, f"{name} = {shown}" if ok else f"{name} is {shown}, want {rule.equals!r}"))
    if rule.one_of is not None:
        ok = value in rule.one_of
        out.append(Fact(ok, f"{name} is {shown}" + ("" if ok else f", want one of {', '.join(rule.one_of)}")))
    if rule.min_length is not None:
        ok = len(value) >= rule.min_length
        want = f"≥ {rule.min_length}"
        out.append(Fact(ok, f"{name}: {len(value)} characters" + (f" ({want})" if ok else f", want {want}")))
    if rule.scheme is not None:
        schemes = [rule.scheme] if isinstance(rule.scheme, str) else rule.scheme
        have = value.split("://", 1)[0].split("+", 1)[0].lower() if "://" in value else ""
        ok = have in [s.lower() for s in schemes]
        out.append(Fact(ok, f"{name} scheme {have or '(none)'}" + ("" if ok else f", want {' or '.join(schemes)}")))
    for text in [rule.not_contains] if isinstance(rule.not_contains, str) else rule.not_contains or []:
        ok = text not in value
        out.append(Fact(ok, f"{name} {'does not contain' if ok else 'contains'} {text!r}"))
    where = "its path" if secret else str(path.get("path", value))
    if rule.outside is not None:
        base = str(path.get("base", rule.outside))
        resolved = str(path.get("path", ""))
        inside = resolved == base or resolved.startswith(base.rstrip("/") + "/")
        out.append(Fact(not inside, f"{name} {where} is {'inside' if inside else 'outside'} {base}"))
    if rule.writable:
        ok = bool(path.get("writable"))
        why = "is writable" if ok else ("is not writable" if path.get("directory") else "is not a directory")
        out.append(Fact(ok, f"{name} {where} {why}"))
    return out
