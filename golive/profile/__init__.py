"""Environment profiles: one checklist rehearsed on staging, then run in production.

A profile (YAML, docs/profiles.md) is loaded and validated (load.py), then applied to the
parsed checklist before it is planned (apply.py), so `plan --profile` shows the run as it will
be. The run's record keeps the profile's text, so a resume applies exactly the same one.
"""

from __future__ import annotations

from pathlib import Path

from golive.model import Checklist
from golive.profile.apply import Applied, Prerecorded, RunSetup, apply
from golive.profile.load import LoadedProfile, ProfileError, from_record, load, resolve_secrets


def pick(checklist: str, env: str, given: str | None) -> Path | None:
    """`--profile FILE`, else `golive/envs/ENV.yaml` beside the checklist when it exists."""
    if given:
        return Path(given)
    beside = Path(checklist).parent / "golive" / "envs" / f"{env}.yaml"
    return beside if beside.is_file() else None


def applied_to(checklist: Checklist, env: str, given: str | None) -> Applied | None:
    """The profile picked for this checklist and environment, applied; None when there is none."""
    path = pick(checklist.path, env, given)
    return None if path is None else apply(load(path), checklist)


__all__ = [
    "Applied",
    "LoadedProfile",
    "Prerecorded",
    "ProfileError",
    "RunSetup",
    "applied_to",
    "apply",
    "from_record",
    "load",
    "pick",
    "resolve_secrets",
]
