"""What every check type shares: the common options, the Protocol a type implements, and the
values a check produces.

A check type is a module with a pydantic `Spec`, `async probe(spec, ctx) -> Observation` (the
only part that does I/O) and a pure `judge(spec, observation) -> list[Fact]`. A check passes only
when at least one fact was verified and every fact holds.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Protocol

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from golive.checks.compare import Fact, parse_seconds

__all__ = ["Context", "Fact", "Observation", "Options", "ProbeError", "Result", "Spec"]

Observation = dict[str, Any]  # what a probe measured: JSON-able, kept in the record

Duration = Annotated[
    float,
    BeforeValidator(parse_seconds),
    WithJsonSchema({"type": ["string", "number"], "description": 'seconds, or "500ms", "30s", "2m", "1h"'}),
]
def _comparison(value: Any) -> Any:
    from golive.checks.compare import comparison

    if isinstance(value, str) and not any(comparison(value, u) for u in ("", "bytes", "seconds")):
        raise ValueError(f'{value!r} is not a number or a comparison such as "<200", ">=32", "<10MB", "<1h"')
    return value


Comparison = Annotated[
    str | int | float,
    AfterValidator(_comparison),
    WithJsonSchema({"type": ["string", "number"], "description": 'a value, or a comparison: "<200", ">=32", "!=0"'}),
]


class Options(BaseModel):
    """A mapping of options: unknown keys are errors, values never change after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Spec(Options):
    """Options every check has."""

    TYPE: ClassVar[str] = ""
    FLAT_HEAD: ClassVar[str | None] = None  # the head's value when it is written as a mapping of options

    name: str | None = Field(default=None, description="a name other checks can `needs` or `wait` for")
    timeout: Duration = Field(default=10.0, description="how long one attempt may take")
    retries: int = Field(default=0, ge=0, le=50, description="attempts after the first when it fails")
    backoff: Duration = Field(default=1.0, description="wait before the first retry; doubles after each")
    needs: list[str] = Field(default_factory=list, description="names of checks that must pass first")

    @model_validator(mode="before")
    @classmethod
    def _flat_head(cls, data: Any) -> Any:
        """`git: {clean: true}` is `git: .` with `clean: true` beside it (types with a FLAT_HEAD)."""
        if cls.FLAT_HEAD is not None and isinstance(data, dict) and isinstance(data.get(cls.TYPE), dict):
            head = data[cls.TYPE]
            return {**{k: v for k, v in data.items() if k != cls.TYPE}, **head, cls.TYPE: cls.FLAT_HEAD}
        return data

    def budget(self) -> float:
        """How long one attempt may take in all (a sampling window or a load test adds to `timeout`)."""
        return self.timeout

    def target(self) -> str:
        """What this check looks at, in a few words (the head value as written)."""
        return str(getattr(self, self.TYPE, ""))


class ProbeError(Exception):
    """The probe could not observe what it was asked to (refused, missing file, no such table)."""


@dataclass
class Context:
    """What a probe may use besides its spec: where the session is and what it exports."""

    cwd: Path
    env: dict[str, str]  # the session's environment, for the tools a check runs
    run_started: float = 0.0  # time.time() when the run began
    log_marks: dict[str, int] = field(default_factory=dict)  # log path -> size when the run (or step) began
    named: dict[str, dict[str, Any]] = field(default_factory=dict)  # check name -> its data (for `wait: NAME`)
    run_inner: Callable[[dict[str, Any], Context], Awaitable[Result]] | None = None  # fills and runs a `wait`'s check

    concurrency: int = 32  # checks in flight at once: how many connections the shared pools hold
    clients: dict[str, list[Any]] = field(default_factory=dict)  # httpx clients of a batch, by TLS use
    _turn: int = 0
    _tls: dict[str, Any] = field(default_factory=dict)

    async def http_client(self, verify: bool = True, tls: bool = True) -> Any:
        """Pooled httpx clients shared by a batch: 200 checks reuse their connections.

        Several small pools rather than one large one: httpcore scans every connection of a pool for
        every request it places, which costs seconds at a few dozen connections in flight.
        `tls=False`: the request cannot reach TLS (an http:// URL, redirects not followed), so its
        client never loads the CA certificates (~40 ms) for a context it would never use."""
        import httpx

        kind = ("verified" if verify else "unverified") if tls else "plain"
        pools = self.clients.setdefault(kind, [])
        if len(pools) < max(1, -(-self.concurrency // _POOL_SIZE)):
            if kind not in self._tls:  # loading the CA certificates is slow: once per batch
                self._tls[kind] = httpx.create_ssl_context(verify=verify and tls)
            limits = httpx.Limits(max_connections=_POOL_SIZE, max_keepalive_connections=_POOL_SIZE)
            pools.append(httpx.AsyncClient(verify=self._tls[kind], limits=limits, trust_env=False))
            return pools[-1]
        self._turn += 1
        return pools[self._turn % len(pools)]

    async def close(self) -> None:
        for pools in self.clients.values():
            for client in pools:
                await client.aclose()
        self.clients.clear()

    def path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.cwd / p


@dataclass
class Result:
    """One check, run: its verdict, every fact, what was measured, and what it captured."""

    passed: bool
    facts: list[Fact]
    measured: Observation
    attempts: int = 1
    duration_s: float = 0.0
    captured: dict[str, str] = field(default_factory=dict)
    secret_captures: set[str] = field(default_factory=set)

    @property
    def reason(self) -> str:
        shown = [f for f in self.facts if not f.ok] if not self.passed else self.facts
        return "; ".join(f.text for f in shown) or ("nothing was verified" if not self.facts else "")


_POOL_SIZE = 4
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s]+)(@)", re.I)


def redact_url(text: str) -> str:
    """`postgresql://app:s3cret@db/app` -> `postgresql://app:***@db/app`: a URL's password is never shown."""
    return _URL_PASSWORD.sub(r"\1***\3", text)


def failed(reason: str, measured: Observation | None = None) -> Result:
    return Result(False, [Fact(False, reason)], measured or {})


class CheckType(Protocol):
    """A check type module: golive/checks/<name>.py."""

    @property
    def Spec(self) -> type[Spec]: ...

    async def probe(self, spec: Any, ctx: Context) -> Observation: ...

    def judge(self, spec: Any, observation: Observation) -> list[Fact]: ...
