"""Typed checks: one module per type behind the `CheckType` Protocol (base.py), found here by name.

Modules load lazily, so reading a checklist never imports httpx, SQLAlchemy or detect-secrets.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from golive.checks.base import CheckType, Spec

# name -> module; the order is the order of `golive checks` and the docs.
TYPES: dict[str, str] = {
    name: f"golive.checks.{name}"
    for name in (
        "http",
        "tcp",
        "sql",
        "redis",
        "env",
        "file",
        "version",
        "process",
        "secrets",
        "git",
        "log",
        "bench",
        "wait",
    )
}


def mark_key(path: Path, since: str) -> str:
    """Where a `log` check reads from: the size its file had when the run (or the step) began."""
    return f"{since}:{path.resolve()}"


def load(name: str) -> CheckType:
    return cast("CheckType", importlib.import_module(TYPES[name]))


def spec_model(name: str) -> type[Spec]:
    return load(name).Spec


if TYPE_CHECKING:  # mypy proves every module fits the Protocol; nothing is imported at run time
    from golive.checks import bench, env, file, git, http, log, process, redis, secrets, sql, tcp, version, wait

    _conforming: tuple[CheckType, ...] = (
        http,
        tcp,
        sql,
        redis,
        env,
        file,
        version,
        process,
        secrets,
        git,
        log,
        bench,
        wait,
    )
