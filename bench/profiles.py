"""Benchmark: what applying an environment profile adds to reading a large checklist.

On the generated ~10,000-item checklist of bench/parse.py (fixed seed), a profile that rewrites every
service URL, the database host and every service path, pre-records the answers of the whole
Pre-Deployment section and attaches checks. Side by side, best and median of R:

- **plan**: `planning.build(parse_text(text))`, golive without a profile;
- **profile**: `apply(load(profile), parse_text(text)).plan`, golive with the profile (its own plan
  of the checklist as written, the rewrite, the answers, the checks, the final plan);
- **sed**: what a user would do instead: `sed` the same replacements into a copy of the Markdown
  (one `sed` process), then golive's parse + plan of the copy.

Honesty checks (exit 1, no numbers, if one fails): no rewritten host is left outside placeholders,
every Pre-Deployment confirmation is answered, and the plan has the same steps as without a profile.

    .venv/bin/python bench/profiles.py [--items N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parse import SERVICES, generate, timing  # bench/parse.py

from golive import plan as planning
from golive.parse import parse_text
from golive.plan import Kind
from golive.profile import Applied, apply, load

HOSTS = {f"https://{svc}.prod.internal": f"http://127.0.0.1:{18000 + i}" for i, svc in enumerate(SERVICES)}


def profile_text(tmp: Path, check_after: str) -> str:
    urls = "".join(f'    "{old}": "{new}"\n' for old, new in HOSTS.items())
    paths = "".join(f'    "/srv/{svc}": "{tmp}/srv/{svc}"\n    "/etc/{svc}": "{tmp}/etc/{svc}"\n' for svc in SERVICES)
    return (
        "name: rehearsal\n"
        "variables: {PID: '4242'}\n"
        "answers:\n"
        "  - section: Pre-Deployment\n    by: Quinn (QA lead)\n    answer: confirm\n"
        "  - text: 'QA Lead (1): Approved'\n    by: Quinn (QA lead)\n    answer: confirm\n"
        "checks:\n"
        f"  - after: {check_after}\n    check: {{http: GET https://api.prod.internal/health}}\n"
        f"rewrite:\n  urls:\n{urls}  hosts:\n    db.internal: 127.0.0.1\n  paths:\n{paths}"
    )


def sed_script() -> list[str]:
    args = []
    for old, new in HOSTS.items():
        args += ["-e", f"s|{old}|{new}|g"]
    return [*args, "-e", "s|db\\.internal|127.0.0.1|g"]


def with_profile(text: str, path: Path) -> Applied:
    return apply(load(path, {}), parse_text(text))


def with_sed(text: str, source: Path, copy: Path) -> float:
    start = time.perf_counter()
    copy.write_text(subprocess.run(["sed", *sed_script(), str(source)], capture_output=True, text=True).stdout)
    planning.build(parse_text(copy.read_text()))
    return time.perf_counter() - start


def honest(applied: Applied, plain: planning.Plan) -> list[str]:
    problems = []
    texts = [s.command.text for s in applied.plan.steps if s.command is not None and not s.command.placeholders]
    left = [t for t in texts if any(old in t for old in HOSTS) or "-h db.internal" in t]
    if left:
        problems.append(f"{len(left)} commands still name a production host, e.g. {left[0]!r}")
    pre = next(s for s in applied.checklist.sections if s.title == "Pre-Deployment")
    wanted = {s.id for s in plain.steps if s.kind is Kind.CONFIRM and not s.prechecked and s.line > pre.line}
    wanted = {i for i in wanted if int(i[1:]) < next(s.line for s in applied.checklist.sections if s.line > pre.line)}
    answered = {a.step for a in applied.answers}
    if not wanted <= answered:
        problems.append(f"{len(wanted - answered)} Pre-Deployment confirmations not answered")
    ids, plain_ids = [s.id for s in applied.plan.steps], [s.id for s in plain.steps]
    attached = [i for i in ids if i not in plain_ids]  # the profile's one check, right after its step
    after = next(s.id for s in plain.steps if s.text == "api release notes reviewed")
    if [i for i in ids if i not in attached] != plain_ids:
        problems.append("the profile changed the plan's own steps")
    if len(attached) != 1 or ids.index(attached[0]) != ids.index(after) + 1:
        problems.append(f"the profile's check is not the one step added after {after}: {attached}")
    return problems


def run(items: int, repeat: int) -> dict[str, object]:
    text, generated = generate(items)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        path, source, copy = tmp / "rehearsal.yaml", tmp / "DEPLOY.md", tmp / "DEPLOY.rehearsal.md"
        plain = planning.build(parse_text(text))
        first = next(s.id for s in plain.steps if s.text == "api release notes reviewed")
        path.write_text(profile_text(tmp, first))
        source.write_text(text)
        applied = with_profile(text, path)
        problems = honest(applied, plain)
        if problems:
            print("bench/profiles.py: " + "; ".join(problems), file=sys.stderr)
            raise SystemExit(1)

        def profiled() -> float:
            start = time.perf_counter()
            with_profile(text, path)
            return time.perf_counter() - start

        def planned() -> float:
            start = time.perf_counter()
            planning.build(parse_text(text))
            return time.perf_counter() - start

        base = timing(planned, repeat)
        prof = timing(profiled, repeat)
        sed = timing(lambda: with_sed(text, source, copy), repeat)
    rewritten = sum(len(lines) for lines in applied.rewrites.values())
    return {
        "benchmark": "profile",
        "items": generated,
        "repeat": repeat,
        "rules": len(applied.rewrites),
        "lines_rewritten": rewritten,
        "answers": len(applied.answers),
        "checks": len(applied.checks),
        "plan": vars(base),
        "profile": vars(prof),
        "sed_then_plan": vars(sed),
        "profile_adds_s": round(prof.median_s - base.median_s, 4),
        "ratio_profile_over_plan": round(prof.median_s / base.median_s, 2),
        "ratio_profile_over_sed_then_plan": round(prof.median_s / sed.median_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000, help="items in the generated checklist (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (default 5)")
    args = parser.parse_args(argv)
    if args.items < 1 or args.repeat < 1:
        parser.error("--items and --repeat must be at least 1")
    print(json.dumps(run(args.items, args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
