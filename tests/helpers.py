"""Running golive the way a user does: a real process, real exit codes, no terminal unless given input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def golive(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    bin_dir: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`golive ARGS…` in `cwd`. `bin_dir` goes first on PATH (stand-ins for docker-compose, sudo, …)."""
    environment = dict(os.environ if env is None else env)
    if bin_dir is not None:
        environment["PATH"] = f"{bin_dir}:{environment['PATH']}"
    return subprocess.run(
        # -P: a `golive/` folder beside a checklist (golive/envs/) must not shadow the golive package
        [sys.executable, "-P", "-m", "golive", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=timeout,
    )
