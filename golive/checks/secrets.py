"""`secrets`: no hard-coded secrets under a path (detect-secrets), except what the allow-list names.

    - secrets: backend/
      allow: ["tests/**", "backend/settings.py:12", "5baa61e4"]   # a glob, a file:line, a secret's hash

Findings name the file, the line and the kind of secret, never the secret itself.
"""

from __future__ import annotations

import asyncio
import fnmatch
from pathlib import Path
from typing import Any

from pydantic import Field

from golive.checks.base import Context, Fact, Observation, ProbeError
from golive.checks.base import Spec as BaseSpec

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".tox", ".golive"}
MAX_FILE_BYTES = 2 << 20
MAX_FILES = 20_000


class SecretsSpec(BaseSpec):
    TYPE = "secrets"
    secrets: str = Field(description="a directory or file to scan")
    allow: list[str] = Field(
        default_factory=list, description="allowed: path globs, file:line, or a secret's hash (its first 8+ hex digits)"
    )

    def budget(self) -> float:
        return max(self.timeout, 120.0)


Spec = SecretsSpec


async def probe(spec: SecretsSpec, ctx: Context) -> Observation:
    root = ctx.path(spec.secrets)
    if not root.exists():
        raise ProbeError(f"nothing to scan: {root} does not exist")
    return await asyncio.to_thread(_scan, root)


def _files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    out: list[Path] = []
    for path in sorted(root.rglob("*")):
        if any(part in SKIP_DIRS for part in path.relative_to(root).parts):
            continue
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES:
            out.append(path)
            if len(out) >= MAX_FILES:
                break
    return out


def _scan(root: Path) -> Observation:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    files = _files(root)
    base = root if root.is_dir() else root.parent
    found: list[dict[str, Any]] = []
    with default_settings():
        collection = SecretsCollection()
        for path in files:
            collection.scan_file(str(path))
        for filename, secrets in collection.data.items():
            for s in secrets:
                found.append(
                    {
                        "file": Path(filename).relative_to(base).as_posix(),
                        "line": s.line_number,
                        "type": s.type,
                        "hash": s.secret_hash[:12],
                    }
                )
    found.sort(key=lambda f: (f["file"], f["line"], f["type"]))
    return {"scanned": str(root), "files": len(files), "findings": found}


def allowed(finding: dict[str, Any], allow: list[str]) -> bool:
    for entry in allow:
        if entry == f"{finding['file']}:{finding['line']}" or fnmatch.fnmatch(finding["file"], entry):
            return True
        if len(entry) >= 8 and finding["hash"].startswith(entry.lower()):
            return True
    return False


def judge(spec: SecretsSpec, obs: Observation) -> list[Fact]:
    findings = [f for f in obs["findings"] if not allowed(f, spec.allow)]
    by_place: dict[str, list[str]] = {}
    for f in findings:
        by_place.setdefault(f"{f['file']}:{f['line']}", []).append(f["type"])
    if not by_place:
        kept = len(obs["findings"])
        note = f", {kept} allowed" if kept else ""
        return [Fact(True, f"no hard-coded secrets in {spec.secrets} ({obs['files']} files{note})")]
    shown = "; ".join(f"{place} ({', '.join(sorted(set(kinds)))})" for place, kinds in list(by_place.items())[:10])
    more = f" and {len(by_place) - 10} more" if len(by_place) > 10 else ""
    return [Fact(False, f"{len(by_place)} possible secret(s) in {spec.secrets}: {shown}{more}")]
