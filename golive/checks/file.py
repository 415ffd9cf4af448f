"""`file`: a file (or directory) exists or not; its mode, owner, size, age, content, keys, checksum.

    - file: monitor_data/config.json
      json: {download_monitor.enabled: false}
    - file: .env
      mode: "600"
    - file: backups/latest.sql.gz
      size: ">1KB"
      age: "<1d"

Relative paths are relative to the run's shell session (where a `cd` left it). Values read from the
file are judged, never recorded: a config file may hold a token.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from golive.checks.base import Comparison, Context, Fact, Observation
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import listed, lookup, number_fact, value_fact
from golive.parse.hazards import is_secret_name

TEXT_LIMIT = 16 << 20  # content checks read up to 16 MiB


class FileSpec(BaseSpec):
    TYPE = "file"
    file: str = Field(description="a path (relative to the session's working directory)")
    exists: bool = Field(default=True, description="false: the path must not exist")
    kind: Literal["file", "directory"] | None = Field(default=None, description="file or directory")
    mode: str | None = Field(default=None, description='permission bits in octal, e.g. "600"')
    owner: str | None = Field(default=None, description="user, or user:group")
    size: Comparison | None = Field(default=None, description='bytes, e.g. ">0" or "<10MB"')
    age: Comparison | None = Field(default=None, description='time since last modified, e.g. "<1h"')
    contains: str | list[str] | None = Field(default=None, description="text the file must contain")
    absent: str | list[str] | None = Field(default=None, description="text the file must not contain")
    json_keys: dict[str, Any] | None = Field(
        default=None, alias="json", description="dotted keys of a JSON file and values"
    )
    yaml_keys: dict[str, Any] | None = Field(
        default=None, alias="yaml", description="dotted keys of a YAML file and values"
    )
    checksum: str | None = Field(default=None, description="sha256 of the content: hex, or sha256:hex")

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"0?[0-7]{3,4}", value.strip()):
            raise ValueError(f'{value!r} is not an octal mode such as "600" or "0644"')
        return value

    @field_validator("checksum")
    @classmethod
    def _checksum(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"(sha256:)?[0-9a-fA-F]{64}", value.strip()):
            raise ValueError("a sha256 checksum: 64 hex digits, optionally after `sha256:`")
        return value


Spec = FileSpec


async def probe(spec: FileSpec, ctx: Context) -> Observation:
    return await asyncio.to_thread(_probe, spec, ctx.path(spec.file))


def _probe(spec: FileSpec, path: Path) -> Observation:
    if not path.exists():
        return {"path": str(path), "exists": False}
    st = path.stat()
    obs: Observation = {
        "path": str(path),
        "exists": True,
        "kind": "directory" if path.is_dir() else "file",
        "mode": f"{st.st_mode & 0o7777:03o}",
        "size": st.st_size,
        "age_s": round(time.time() - st.st_mtime, 1),
    }
    if spec.owner is not None:
        import grp
        import pwd

        obs["owner"] = _name(pwd.getpwuid, st.st_uid) + ":" + _name(grp.getgrgid, st.st_gid)
    if path.is_file() and (spec.contains or spec.absent or spec.json_keys or spec.yaml_keys):
        with path.open("rb") as fh:
            obs["_text"] = fh.read(TEXT_LIMIT).decode("utf-8", "replace")
    if path.is_file() and spec.checksum:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        obs["sha256"] = digest.hexdigest()
    return obs


def _name(lookup: Any, ident: int) -> str:
    try:
        return str(lookup(ident)[0])
    except KeyError:
        return str(ident)


def judge(spec: FileSpec, obs: Observation) -> list[Fact]:
    where = spec.file
    if not obs["exists"]:
        return [Fact(not spec.exists, f"{where} does not exist" + ("" if not spec.exists else f" ({obs['path']})"))]
    if not spec.exists:
        return [Fact(False, f"{where} exists, want it absent")]
    facts = [Fact(True, f"{where} exists")]
    if spec.kind is not None:
        facts.append(
            Fact(
                obs["kind"] == spec.kind,
                f"{where} is a {obs['kind']}, want a {spec.kind}"
                if obs["kind"] != spec.kind
                else f"{where} is a {spec.kind}",
            )
        )
    if spec.mode is not None:
        want = f"{int(spec.mode, 8):03o}"
        facts.append(
            Fact(obs["mode"] == want, f"mode {obs['mode']}" + ("" if obs["mode"] == want else f", want {want}"))
        )
    if spec.owner is not None:
        have = str(obs.get("owner", ""))
        ok = have == spec.owner or have.split(":")[0] == spec.owner
        facts.append(Fact(ok, f"owner {have}" + ("" if ok else f", want {spec.owner}")))
    if spec.size is not None:
        facts.append(number_fact("size", obs["size"], spec.size, "bytes"))
    if spec.age is not None:
        facts.append(number_fact("age", obs["age_s"], spec.age, "s"))
    text: str = obs.get("_text", "")
    for needle in listed(spec.contains):
        facts.append(Fact(needle in text, f"{'contains' if needle in text else 'lacks'} {needle!r}"))
    for needle in listed(spec.absent):
        facts.append(Fact(needle not in text, f"{'has' if needle in text else 'has no'} {needle!r}"))
    if spec.json_keys:
        facts += _keys(text, spec.json_keys, "JSON")
    if spec.yaml_keys:
        facts += _keys(text, spec.yaml_keys, "YAML")
    if spec.checksum:
        want = spec.checksum.strip().lower().removeprefix("sha256:")
        have = str(obs.get("sha256", ""))
        facts.append(Fact(have == want, f"sha256 {have[:12]}…" + ("" if have == want else f", want {want[:12]}…")))
    return facts


def _keys(text: str, keys: dict[str, Any], kind: str) -> list[Fact]:
    try:
        if kind == "JSON":
            document = json.loads(text)
        else:
            import yaml

            document = yaml.safe_load(text)
    except (ValueError, Exception) as exc:  # yaml.YAMLError is an Exception
        return [Fact(False, f"not {kind}: {str(exc).splitlines()[0][:80]}")]
    facts = []
    for dotted, wanted in keys.items():
        value, found = lookup(document, dotted.split("."))
        if not found:
            facts.append(Fact(False, f"{dotted} is missing"))
        elif is_secret_name(dotted.rsplit(".", 1)[-1]):
            ok = value_fact(dotted, value, wanted).ok  # a secret's value is judged, never shown
            facts.append(Fact(ok, f"{dotted} {'matches' if ok else 'does not match'}"))
        else:
            facts.append(value_fact(dotted, value, wanted))
    return facts
