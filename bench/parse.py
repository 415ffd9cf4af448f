"""Benchmark: how fast, and in how much memory, golive reads a large deployment checklist.

It generates (in memory, from a fixed seed, so every run reads the same text) a realistic Markdown
deployment checklist of about N items (tasks + commands + fields), then measures:

- golive: ``planning.build(parse_text(text))``, best and median seconds over R repeats, the
  tracemalloc peak of one parse+plan, and the process max RSS after the timed repeats;
- markdown-it-py alone on the same text (``MarkdownIt("commonmark").enable("table").parse``),
  the bare Markdown parser golive is built on, so the ratio shows golive's own overhead.

One JSON document goes to stdout; progress goes to stderr. Targets: 1 s (median) and 200 MB
(process max RSS, which includes the interpreter and its imports) for the default 10,000 items.

It then shows that reading stays linear and bounded:

- ``scaling``: the same generator at 10,000, 25,000 and 50,000 items (median of 3), with the time
  per item; linear when the per-item time at the largest size is within 1.5x of the smallest's;
- ``shapes``: pathological documents (one block of 1,000s of comment paragraphs or ``# OR`` groups,
  a heredoc of 1,000s of placeholder lines, 1,000s of tasks or headings) at two sizes, one twice the
  other; each ratio should be about 2;
- ``oversized``: a 50 MB file given to ``golive plan``'s loader is refused (exit 2) at once.

    .venv/bin/python bench/parse.py [--items N] [--repeat R] [--scaling 10000,25000,50000]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from golive import plan as planning
from golive.errors import InputError
from golive.parse import MAX_BYTES, load, parse_text

SEED = 20240601
TARGET_SECONDS = 1.0
TARGET_MEMORY_MB = 200.0
SERVICES = ("api", "web", "worker", "billing", "search", "auth", "notifications", "scheduler", "gateway", "reports")
# Share of the items each top-level section gets; Deployment Steps holds most of them, as in real checklists.
SHARES = {"pre": 0.15, "steps": 0.55, "rollback": 0.12, "troubleshooting": 0.08, "post": 0.07, "signoff": 0.03}
# Children of a nested task, two levels deep.
NESTED = ("  - [ ] Staging verified", "    - [ ] Smoke tests green on staging", "  - [x] Change ticket approved")
TRIGGERS = ["Error rate above 1% for 5 minutes", "Health check fails after deploy", "Data corruption suspected"]


@dataclass
class Doc:
    """Markdown lines being written, and how many items (tasks + commands + fields) they hold."""

    rng: random.Random
    lines: list[str] = field(default_factory=list)
    items: int = 0
    serial: int = 0  # makes field labels unique, as golive keeps one field per name

    def add(self, *lines: str, items: int = 0) -> None:
        self.lines.extend(lines)
        self.items += items

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial


@dataclass(frozen=True)
class Timing:
    best_s: float
    median_s: float


# --- text generation ---------------------------------------------------------------------------


def _version(rng: random.Random) -> str:
    return f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"


def _health(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [
        f"# Check {svc} is healthy",
        f"curl -s https://{svc}.prod.internal/health",
        '# Expected: {"status": "healthy"}',
    ], 1


def _docker_run(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [
        f"docker run -d --name {svc} \\",
        "  -e ENV=production \\",
        f"  -p {rng.randint(8000, 8999)}:8080 \\",
        f"  registry.prod.internal/{svc}:{_version(rng)}",
    ], 1


def _heredoc(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [
        f"cat > /etc/{svc}/release.env <<EOF",
        f"VERSION={_version(rng)}",
        f"WORKERS={rng.randint(2, 16)}",
        "EOF",
    ], 1


def _restart_alternatives(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [f"sudo systemctl restart {svc}", "# OR", f"supervisorctl restart {svc}"], 2


def _kill_placeholder(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [f"# Stop the old {svc} process if it is still running", f"ps aux | grep {svc}", "kill <PID>"], 2


def _migrate(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [
        f"cd /srv/{svc} && alembic upgrade head",
        f'psql -h db.internal -U {svc} -c "SELECT count(*) FROM alembic_version;"',
        "# Expected: 1 row",
    ], 2


def _git_checkout(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [f"cd /srv/{svc}", "git fetch --tags", f"git checkout v{_version(rng)}  # the release tag"], 3


def _rollout(svc: str, rng: random.Random) -> tuple[list[str], int]:
    return [
        f"kubectl -n production rollout status deploy/{svc} --timeout=300s",
        f"kubectl -n production get pods -l app={svc}",
    ], 2


COMMANDS: tuple[Callable[[str, random.Random], tuple[list[str], int]], ...] = (
    _health,
    _docker_run,
    _heredoc,
    _restart_alternatives,
    _kill_placeholder,
    _migrate,
    _git_checkout,
    _rollout,
)


def bash_block(doc: Doc, svc: str) -> None:
    """A fenced bash block of 3-4 snippets, always ending with a health check and its expectation."""
    snippets = [*doc.rng.sample(COMMANDS[1:], doc.rng.randint(2, 3)), _health]
    lines, count = ["```bash"], 0
    for make in snippets:
        body, n = make(svc, doc.rng)
        lines += [*body, ""]
        count += n
    lines[-1] = "```"
    doc.add(*lines, "", items=count)


def task_list(doc: Doc, texts: list[str], nested: bool = False) -> None:
    """`- [ ]` / `- [x]` tasks; with `nested`, the first task gets children two levels deep."""
    lines: list[str] = []
    for i, text in enumerate(texts):
        mark = "x" if doc.rng.random() < 0.3 else " "
        lines.append(f"- [{mark}] {text}")
        if nested and i == 0:
            lines += NESTED
    doc.add(*lines, "", items=len(texts) + (len(NESTED) if nested and texts else 0))


def field_line(doc: Doc, label: str) -> None:
    doc.add(f"**{label} {doc.next_serial()}:** ____", "", items=1)


def table(doc: Doc) -> None:
    rows = [f"| {svc} | {_version(doc.rng)} | {_version(doc.rng)} | team-{svc} |" for svc in SERVICES]
    doc.add("| Service | Current | Target | Owner |", "|---|---|---|---|", *rows, "")


def pre_deployment(doc: Doc, budget: int) -> None:
    doc.add("## Pre-Deployment", "")
    table(doc)
    k = 0
    while doc.items < budget:
        svc = SERVICES[k % len(SERVICES)]
        doc.add(f"### Pre-flight checks: {svc} ({k + 1})", "")
        tasks = [f"{svc} release notes reviewed", f"{svc} backups verified", "On-call notified"]
        task_list(doc, tasks, nested=k % 3 == 0)
        if k % 4 == 0:
            bash_block(doc, svc)
        k += 1


def deployment_steps(doc: Doc, budget: int) -> None:
    doc.add("## Deployment Steps", "")
    k = 0
    while doc.items < budget:
        k += 1
        svc = SERVICES[k % len(SERVICES)]
        lo = doc.rng.randint(1, 5)
        doc.add(f"### Step {k}: Deploy {svc} {_version(doc.rng)}", "", f"**Estimated Time:** {lo}-{lo + 3} minutes", "")
        bash_block(doc, svc)
        task_list(doc, [f"{svc} dashboards show no new errors", f"{svc} latency within SLO"], nested=k % 5 == 0)
        if k % 3 == 0:
            field_line(doc, f"Step {k} completed by")
        if k % 100 == 0:
            table(doc)


def rollback_plan(doc: Doc, budget: int) -> None:
    doc.add("## Rollback Plan", "", "### When to Rollback", "")
    task_list(doc, TRIGGERS)
    k = 0
    while doc.items < budget:
        k += 1
        svc = SERVICES[k % len(SERVICES)]
        doc.add(f"### Rollback {k}: {svc}", "", "**Estimated Time:** 5-10 minutes", "")
        bash_block(doc, svc)


def troubleshooting(doc: Doc, budget: int) -> None:
    doc.add("## Troubleshooting", "")
    k = 0
    while doc.items < budget:
        k += 1
        svc = SERVICES[k % len(SERVICES)]
        doc.add(f"### {svc} fails its health check ({k})", "", f"Look at the {svc} logs first.", "")
        bash_block(doc, svc)


def post_deployment(doc: Doc, budget: int) -> None:
    doc.add("## Post-Deployment", "")
    k = 0
    while doc.items < budget:
        k += 1
        doc.add(f"### Day {k}", "")
        svc = SERVICES[k % len(SERVICES)]
        task_list(doc, [f"{svc} error rate normal", f"{svc} p99 latency normal", "No new alerts", "Costs as expected"])


def sign_off(doc: Doc, budget: int) -> None:
    doc.add("## Sign-Off", "")
    roles = ("QA Lead", "Dev Lead", "Ops Lead", "Product Owner", "Security")
    k = 0
    while doc.items < budget:
        doc.add(f"- [ ] {roles[k % len(roles)]} ({k + 1}): Approved for production", "", items=1)
        k += 1
    doc.add("")
    field_line(doc, "Deployed by")


def generate(items: int, seed: int = SEED) -> tuple[str, int]:
    """The checklist text and how many items it holds (within one section's last chunk of `items`)."""
    doc = Doc(random.Random(seed))
    doc.add("# Production Deployment: platform release", "")
    field_line(doc, "Deployed by")
    field_line(doc, "Deployment date")
    total = 0.0
    for name, writer in (
        ("pre", pre_deployment),
        ("steps", deployment_steps),
        ("rollback", rollback_plan),
        ("troubleshooting", troubleshooting),
        ("post", post_deployment),
        ("signoff", sign_off),
    ):
        total += SHARES[name]
        writer(doc, round(items * total))
    return "\n".join(doc.lines), doc.items


# --- measurement -------------------------------------------------------------------------------


def golive_once(text: str) -> float:
    start = time.perf_counter()
    planning.build(parse_text(text))
    return time.perf_counter() - start


def markdown_it_once(md: MarkdownIt, text: str) -> float:
    start = time.perf_counter()
    md.parse(text)
    return time.perf_counter() - start


def timing(run: Callable[[], float], repeat: int) -> Timing:
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(run())
    return Timing(best_s=round(min(times), 4), median_s=round(statistics.median(times), 4))


def tracemalloc_peak_mb(text: str) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        planning.build(parse_text(text))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1)


def max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (2**20 if sys.platform == "darwin" else 2**10), 1)  # bytes on macOS, KiB on Linux


def run(items: int, repeat: int) -> dict[str, object]:
    text, generated = generate(items)
    print(f"generated {generated} items, {text.count(chr(10)) + 1} lines, {len(text)} chars", file=sys.stderr)
    rss_before = max_rss_mb()
    golive = timing(lambda: golive_once(text), repeat)
    rss = max_rss_mb()  # read before tracemalloc, whose bookkeeping would inflate it
    peak = tracemalloc_peak_mb(text)
    md = MarkdownIt("commonmark").enable("table")
    bare = timing(lambda: markdown_it_once(md, text), repeat)
    counts = dataclasses.asdict(parse_text(text).counts)
    within = golive.median_s <= TARGET_SECONDS and rss <= TARGET_MEMORY_MB
    return {
        "benchmark": "parse",
        "items": generated,
        "items_requested": items,
        "items_golive_counted": counts["tasks"] + counts["commands"] + counts["fields"],
        "lines": text.count("\n") + 1,
        "bytes": len(text.encode()),
        "repeat": repeat,
        "python": sys.version.split()[0],
        "golive": {
            **dataclasses.asdict(golive),
            "peak_tracemalloc_mb": peak,
            "max_rss_mb": rss,
            "max_rss_before_parse_mb": rss_before,
        },
        "markdown_it_only": dataclasses.asdict(bare),
        "ratio_golive_over_markdown_it": round(golive.median_s / bare.median_s, 2),
        "counts": counts,
        "targets": {"seconds": TARGET_SECONDS, "memory_mb": TARGET_MEMORY_MB, "judged_on": "median_s, max_rss_mb"},
        "within_targets": within,
    }


def scaling(sizes: list[int], repeat: int = 3) -> dict[str, object]:
    """Median time per size, and whether the time per item stays flat (linear)."""
    rows = []
    for items in sizes:
        text, generated = generate(items)
        print(f"scaling: {generated} items", file=sys.stderr)
        t = timing(lambda text=text: golive_once(text), repeat)  # type: ignore[misc]
        rows.append(
            {"items": generated, "bytes": len(text.encode()), "median_s": t.median_s,
             "us_per_item": round(t.median_s / generated * 1e6, 1)}
        )  # fmt: skip
    per_item = [float(str(r["us_per_item"])) for r in rows]
    return {
        "sizes": rows,
        "per_item_ratio": round(per_item[-1] / per_item[0], 2),
        "linear": per_item[-1] <= 1.5 * per_item[0],
    }


_BASH = "# T\n## Steps\n```bash\n"
SHAPES: dict[str, Callable[[int], str]] = {
    "comment paragraphs in one block": lambda n: _BASH + "# note\n\necho x\n\n" * n + "```\n",
    "# OR groups in one block": lambda n: (
        _BASH + "systemctl restart a\n# OR\nsupervisorctl restart a\n\n" * n + "```\n"
    ),
    "one heredoc of placeholders": lambda n: _BASH + "cat > x <<EOF\n" + "KEY=... <PID>\n" * n + "EOF\n```\n",
    "tasks": lambda n: "# T\n## Steps\n" + "- [ ] check the thing\n" * n,
    "headings": lambda n: "# T\n" + "## Step: deploy\n\n" * n,
}


def shapes(n: int = 4000) -> dict[str, object]:
    """Pathological documents at n and 2n units: the time ratio should be about 2 (linear)."""
    out: dict[str, object] = {}
    for name, make in SHAPES.items():
        small, large = make(n), make(2 * n)
        t1 = timing(lambda text=small: golive_once(text), 1).median_s  # type: ignore[misc]
        t2 = timing(lambda text=large: golive_once(text), 1).median_s  # type: ignore[misc]
        out[name] = {"units": [n, 2 * n], "seconds": [t1, t2], "ratio": round(t2 / max(t1, 1e-6), 2)}
        print(f"shape {name}: {t1} s, {t2} s", file=sys.stderr)
    return out


def oversized(size_mb: int = 50) -> dict[str, object]:
    """A 50 MB file is refused before it is read: milliseconds, not minutes and gigabytes."""
    fd, path = tempfile.mkstemp(suffix=".md")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.truncate(size_mb * 2**20)
        start = time.perf_counter()
        try:
            load(path)
            refused = False
        except InputError:
            refused = True
        return {"bytes": size_mb * 2**20, "limit_bytes": MAX_BYTES, "refused": refused,
                "seconds": round(time.perf_counter() - start, 4)}  # fmt: skip
    finally:
        os.unlink(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000, help="items in the generated checklist (default 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (default 5)")
    parser.add_argument("--scaling", default="10000,25000,50000", help="item counts for the scaling run ('' skips it)")
    args = parser.parse_args(argv)
    if args.items < 1 or args.repeat < 1:
        parser.error("--items and --repeat must be at least 1")
    result = run(args.items, args.repeat)
    sizes = [int(x) for x in args.scaling.split(",") if x.strip()]
    if sizes:
        result["scaling"] = scaling(sizes)
        result["shapes"] = shapes()
    result["oversized"] = oversized()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
