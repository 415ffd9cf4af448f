"""`git`: the working tree is clean; HEAD is on a branch, at a tag or a commit; ahead/behind its upstream.

    - git: {clean: true, tag: v0.1.19}
    - git: backend                      # a repository path (default: the session's directory)
      branch: main
      behind: 0

Nothing is fetched: ahead and behind are against the upstream as last fetched.
"""

from __future__ import annotations

import asyncio

from pydantic import Field, model_validator

from golive.checks.base import Comparison, Context, Fact, Observation, ProbeError
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact


class GitSpec(BaseSpec):
    TYPE = "git"
    FLAT_HEAD = "."
    git: str = Field(default=".", description="the repository (default: the session's working directory)")
    clean: bool | None = Field(default=None, description="true: no uncommitted or untracked changes")
    branch: str | None = Field(default=None, description="the branch HEAD is on")
    tag: str | None = Field(default=None, description="a tag that points at HEAD")
    commit: str | None = Field(default=None, description="HEAD's commit (a prefix of 7+ hex digits)")
    ahead: Comparison | None = Field(default=None, description="commits ahead of the upstream, e.g. 0")
    behind: Comparison | None = Field(default=None, description="commits behind the upstream, e.g. 0")

    @model_validator(mode="after")
    def _wanted(self) -> GitSpec:
        wanted = (self.clean, self.branch, self.tag, self.commit, self.ahead, self.behind)
        if all(w is None for w in wanted):
            raise ValueError("say what must hold: clean, branch, tag, commit, ahead or behind")
        return self


Spec = GitSpec


async def _git(ctx: Context, repo: str, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "git",
        "-C",
        str(ctx.path(repo)),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env={**ctx.env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
    )
    out, err = await proc.communicate()
    code = proc.returncode if proc.returncode is not None else -1
    return code, (out if code == 0 else err).decode("utf-8", "replace").strip()


async def probe(spec: GitSpec, ctx: Context) -> Observation:
    code, head = await _git(ctx, spec.git, "rev-parse", "HEAD")
    if code != 0:
        raise ProbeError(f"{ctx.path(spec.git)} is not a git repository with a commit: {head.splitlines()[0][:100]}")
    obs: Observation = {"commit": head}
    if spec.clean is not None:
        _, status = await _git(ctx, spec.git, "status", "--porcelain")
        obs["changes"] = status.splitlines()
    if spec.branch is not None:
        code, branch = await _git(ctx, spec.git, "symbolic-ref", "--short", "-q", "HEAD")
        obs["branch"] = branch if code == 0 else None
    if spec.tag is not None:
        _, tags = await _git(ctx, spec.git, "tag", "--points-at", "HEAD")
        obs["tags"] = tags.split()
    if spec.ahead is not None or spec.behind is not None:
        code, counts = await _git(ctx, spec.git, "rev-list", "--left-right", "--count", "HEAD...@{upstream}")
        if code != 0:
            raise ProbeError(f"no upstream to compare with: {counts.splitlines()[0][:100] if counts else ''}")
        ahead, behind = counts.split()
        obs.update(ahead=int(ahead), behind=int(behind))
    return obs


def judge(spec: GitSpec, obs: Observation) -> list[Fact]:
    facts = []
    if spec.clean is not None:
        changes: list[str] = obs.get("changes", [])
        shown = ", ".join(c[3:] for c in changes[:5]) + (" …" if len(changes) > 5 else "")
        is_clean = not changes
        text = "working tree clean" if is_clean else f"{len(changes)} uncommitted change(s): {shown}"
        facts.append(
            Fact(is_clean == spec.clean, text if is_clean == spec.clean else f"{text}, want clean={spec.clean}")
        )
    if spec.branch is not None:
        have = obs.get("branch")
        ok = have == spec.branch
        facts.append(Fact(ok, f"branch {have or '(detached HEAD)'}" + ("" if ok else f", want {spec.branch}")))
    if spec.tag is not None:
        tags: list[str] = obs.get("tags", [])
        ok = spec.tag in tags
        facts.append(
            Fact(ok, f"HEAD is tagged {spec.tag}" if ok else f"HEAD tags: {', '.join(tags) or 'none'}, want {spec.tag}")
        )
    if spec.commit is not None:
        ok = str(obs["commit"]).startswith(spec.commit.lower())
        facts.append(Fact(ok, f"commit {obs['commit'][:12]}" + ("" if ok else f", want {spec.commit}")))
    if spec.ahead is not None:
        facts.append(number_fact("ahead of upstream", obs.get("ahead"), spec.ahead))
    if spec.behind is not None:
        facts.append(number_fact("behind upstream", obs.get("behind"), spec.behind))
    return facts
