"""`version`: of a tool (`TOOL --version`), python, node, or a PostgreSQL or Redis server.

    - version: postgresql               # the server at `url`, or $DATABASE_URL
      at_least: "12"
    - version: python
      at_least: "3.9"
    - version: redis
      url: "{{ REDIS_URL }}"
      at_least: "5"
    - version: gunicorn
      equals: "21.2.0"

Tools run in the session's environment: after `source venv/bin/activate`, `python` is the venv's.
"""

from __future__ import annotations

import asyncio
import shlex

from pydantic import Field, model_validator

from golive.checks.base import Context, Fact, Observation, ProbeError, redact_url
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import version_fact

_COMMANDS = {"python": "python3 --version", "node": "node --version"}
_SERVERS = {"postgresql": "DATABASE_URL", "postgres": "DATABASE_URL", "redis": "REDIS_URL"}


class VersionSpec(BaseSpec):
    TYPE = "version"
    version: str = Field(description="postgresql, redis (servers), python, node, or any tool's name")
    at_least: str | None = Field(default=None, description="the lowest version allowed")
    below: str | None = Field(default=None, description="versions from this one on are refused")
    equals: str | None = Field(default=None, description="exactly this version (12 matches 12.0)")
    url: str | None = Field(default=None, description="the server's URL (default $DATABASE_URL or $REDIS_URL)")
    command: str | None = Field(default=None, description='how to ask a tool, default "TOOL --version"')

    @model_validator(mode="after")
    def _wanted(self) -> VersionSpec:
        if self.at_least is None and self.below is None and self.equals is None:
            raise ValueError("say which versions pass: `at_least`, `below` or `equals`")
        return self


Spec = VersionSpec


async def probe(spec: VersionSpec, ctx: Context) -> Observation:
    kind = spec.version.lower()
    if kind in _SERVERS:
        url = spec.url or ctx.env.get(_SERVERS[kind])
        if not url:
            raise ProbeError(f"version: {kind} needs `url:` (or ${_SERVERS[kind]} set in the session)")
        text = await (_postgres(url, spec.timeout) if kind != "redis" else _redis(url, spec.timeout))
        return {"version": text, "of": f"{kind} server at {redact_url(url)}"}
    command = spec.command or _COMMANDS.get(kind, f"{shlex.quote(spec.version)} --version")
    proc = await asyncio.create_subprocess_shell(
        command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
        cwd=ctx.cwd,
        env=ctx.env,
        start_new_session=True,
    )
    out, _ = await proc.communicate()
    text = out.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise ProbeError(f"`{command}` exited {proc.returncode}: {text.splitlines()[0][:120] if text else ''}")
    return {"version": text.splitlines()[0][:200] if text else "", "of": f"`{command}`"}


async def _postgres(url: str, timeout: float) -> str:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        conn = await psycopg.AsyncConnection.connect(plain, connect_timeout=max(1, int(timeout)))
    except psycopg.Error as exc:
        raise ProbeError(f"{redact_url(url)}: {str(exc).strip().splitlines()[0]}") from None
    async with conn:
        cur = await conn.execute("SHOW server_version")
        row = await cur.fetchone()
    return str(row[0]) if row else ""


async def _redis(url: str, timeout: float) -> str:
    from redis import asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        info = await client.info("server")
    except RedisError as exc:
        raise ProbeError(f"{redact_url(url)}: {exc}") from None
    finally:
        await client.aclose()
    return str(info.get("redis_version", ""))


def judge(spec: VersionSpec, obs: Observation) -> list[Fact]:
    label = f"{spec.version} version"
    text = str(obs.get("version", ""))
    facts = []
    if spec.at_least is not None:
        facts.append(version_fact(label, text, f">={spec.at_least}"))
    if spec.below is not None:
        facts.append(version_fact(label, text, f"<{spec.below}"))
    if spec.equals is not None:
        facts.append(version_fact(label, text, spec.equals))
    return facts
