"""`redis` (redis-py): PING answers PONG; a key's value, existence or TTL; INFO fields.

- redis: "{{ REDIS_URL }}"                 # PING -> PONG
- redis: redis://localhost:6379/0
  get: feature:flags
  expect: {value: enabled}
- redis: redis://localhost:6379/0
  exists: [session:lock]
  ttl: session:lock
  expect: {ttl: ">0"}
- redis: redis://localhost:6379/0
  info: {redis_version: ">=5", role: master}
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from golive.checks.base import Comparison, Context, Fact, Observation, Options, ProbeError, redact_url
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact, value_fact, version_fact


class RedisExpect(Options):
    value: Any = Field(default=None, description="the value of `get`")
    ttl: Comparison | None = Field(default=None, description='seconds the `ttl` key has left, e.g. ">0"')


class RedisSpec(BaseSpec):
    TYPE = "redis"
    redis: str = Field(description="a redis:// or rediss:// URL")
    get: str | None = Field(default=None, description="a key whose value `expect.value` judges (it must exist)")
    exists: str | list[str] | None = Field(default=None, description="keys that must exist")
    ttl: str | None = Field(default=None, description="a key whose TTL `expect.ttl` judges")
    info: dict[str, Any] | None = Field(default=None, description="INFO fields and their values or comparisons")
    expect: RedisExpect = Field(default=RedisExpect(), description="what `get` and `ttl` must show")

    @field_validator("redis")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("a redis://HOST:PORT/DB URL")
        return value


Spec = RedisSpec


async def probe(spec: RedisSpec, ctx: Context) -> Observation:
    from redis import asyncio as aioredis
    from redis.exceptions import RedisError

    client = aioredis.from_url(spec.redis, socket_timeout=spec.timeout, socket_connect_timeout=spec.timeout)
    obs: Observation = {"server": redact_url(spec.redis)}
    try:
        obs["ping"] = bool(await client.ping())
        if spec.get is not None:
            value = await client.get(spec.get)
            obs["value"] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        if spec.exists is not None:
            keys = [spec.exists] if isinstance(spec.exists, str) else spec.exists
            obs["missing"] = [k for k in keys if not await client.exists(k)]
        if spec.ttl is not None:
            obs["ttl"] = await client.ttl(spec.ttl)
        if spec.info:
            info = await client.info()
            obs["info"] = {k: info.get(k) for k in spec.info}
    except RedisError as exc:
        raise ProbeError(f"{obs['server']}: {exc}") from None
    finally:
        await client.aclose()
    return obs


def judge(spec: RedisSpec, obs: Observation) -> list[Fact]:
    facts = [Fact(bool(obs.get("ping")), "PING → PONG" if obs.get("ping") else "PING got no PONG")]
    if spec.get is not None:
        value = obs.get("value")
        if value is None:
            facts.append(Fact(False, f"key {spec.get} does not exist"))
        elif spec.expect.value is not None:
            facts.append(value_fact(f"{spec.get}", value, spec.expect.value))
        else:
            facts.append(Fact(True, f"key {spec.get} exists"))
    if spec.exists is not None:
        missing = obs.get("missing", [])
        facts.append(Fact(not missing, f"missing keys: {', '.join(missing)}" if missing else "the keys exist"))
    if spec.ttl is not None:
        ttl = obs.get("ttl")
        if ttl == -2:
            facts.append(Fact(False, f"key {spec.ttl} does not exist"))
        elif spec.expect.ttl is not None:
            facts.append(number_fact(f"{spec.ttl} TTL", ttl, spec.expect.ttl, "s"))
        else:
            facts.append(Fact(True, f"{spec.ttl} TTL {ttl} s" + (" (no expiry)" if ttl == -1 else "")))
    for name, wanted in (spec.info or {}).items():
        facts.append(_info(name, obs.get("info", {}).get(name), wanted))
    return facts


def _info(name: str, actual: Any, wanted: Any) -> Fact:
    if name.endswith("_version") and actual is not None:
        return version_fact(name, str(actual), wanted)
    return value_fact(name, actual, wanted)
