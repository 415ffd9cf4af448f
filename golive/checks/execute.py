"""One check, run: validate the filled-in options, probe (with timeout, retries and backoff), judge,
capture. Knows nothing of the engine: the run side (run/checkstep.py) records what this returns."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from golive.checks import TYPES, load
from golive.checks.base import Context, Fact, Observation, ProbeError, Result, failed
from golive.parse.hazards import is_secret_name


def type_of(data: dict[str, Any]) -> str:
    return next((k for k in data if k in TYPES), "")


async def execute(data: dict[str, Any], ctx: Context) -> Result:
    """Run the check `data` (templates already filled) to its verdict."""
    from pydantic import ValidationError

    type_ = type_of(data)
    if not type_:
        return failed(f"not a check: none of {', '.join(TYPES)}")
    module = load(type_)
    try:
        spec = module.Spec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or type_
        return failed(f"once its variables were filled in, {where}: {str(first['msg']).removeprefix('Value error, ')}")
    started = time.monotonic()
    result = failed("not run")
    for attempt in range(spec.retries + 1):
        if attempt:
            await asyncio.sleep(spec.backoff * 2 ** (attempt - 1))
        result = await _attempt(module, spec, ctx)
        result.attempts = attempt + 1
        if result.passed:
            break
    result.duration_s = round(time.monotonic() - started, 3)
    return result


async def _attempt(module: Any, spec: Any, ctx: Context) -> Result:
    budget = spec.budget()
    try:
        obs: Observation = await asyncio.wait_for(module.probe(spec, ctx), budget)
    except ProbeError as exc:
        return failed(str(exc))
    except TimeoutError:
        return failed(f"no answer within {budget:g} s (timeout)")
    except Exception as exc:  # a network, driver or OS error: the check fails and says why
        return failed(describe(exc))
    facts: list[Fact] = module.judge(spec, obs)
    measured = {k: v for k, v in obs.items() if not k.startswith("_")}
    result = Result(bool(facts) and all(f.ok for f in facts), facts, measured)
    capture = getattr(module, "capture", None)
    if result.passed and capture is not None:
        values, problems = capture(spec, obs)
        if problems:
            return Result(False, [*facts, *(Fact(False, p) for p in problems)], measured)
        result.captured = values
        result.secret_captures = {
            name for name, source in spec.capture.items() if is_secret_name(name) or _credential(source)
        }
        if values:
            result.facts.append(Fact(True, "captured " + ", ".join(values)))
    return result


def describe(exc: BaseException) -> str:
    """`could not connect: [Errno 111] Connection refused` rather than a traceback."""
    import httpx

    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, httpx.ConnectError | ConnectionRefusedError):
        return f"could not connect: {text}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out: {text}"
    if isinstance(exc, httpx.HTTPError | OSError):
        return text
    return f"{type(exc).__name__}: {text}"


_CREDENTIALS = {"access_token", "refresh_token", "id_token", "token", "jwt", "api_key", "apikey", "secret", "password"}


def _credential(source: str) -> bool:
    """`json.access_token` holds a credential whatever the variable is called; `json.token_type` does not."""
    return source.rsplit(".", 1)[-1].lower() in _CREDENTIALS
