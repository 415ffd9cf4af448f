"""Problems in a checklist, each with its line: what would stop or surprise a run.

error: golive cannot run it as written (an unfilled placeholder nothing fills, a broken annotation).
warning: it runs, but a careful reviewer would want to know (destructive, unverified, no rollback).
note: what golive assumed while reading (untagged fence read as shell, Python in a bash block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golive.model import Check, Checklist, Commands, Content, Field, SectionKind, Step, Task
from golive.plan import Kind, Phase, Plan, plain

_LITERAL_SECRET = re.compile(
    r"\b(password|passwd|secret|token|api[_-]?key)\s*[=:]\s*(?![$<\[{\"'`(]|\.\.\.)([^\s&\"'`]{3,})", re.I
)


@dataclass(frozen=True)
class Finding:
    line: int
    severity: str  # error | warning | note
    code: str
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}: {self.severity}: {self.message} [{self.code}]"


def lint(plan: Plan) -> list[Finding]:
    c = plan.checklist
    found: list[Finding] = []
    declared = {f.name for f in c.fields}
    found += _placeholders(plan, declared)
    found += _blocks(c)
    found += _sections(c)
    found += _fields(c)
    found += _destructive_and_secrets(plan)
    found += _check_names(c)
    found += _policy(c)
    found += _notify(c)
    return sorted(set(found), key=lambda f: (f.line, {"error": 0, "warning": 1, "note": 2}[f.severity], f.code))


def _policy(c: Checklist) -> list[Finding]:
    """A sign-off policy in the front matter (docs/team.md) that `golive run` would refuse."""
    from golive.errors import InputError
    from golive.team.policy import policy

    try:
        policy(c)
    except InputError as exc:
        return [Finding(exc.line or 1, "error", "policy", exc.message)]
    return []


def _notify(c: Checklist) -> list[Finding]:
    """Each notification URL of the front matter as apprise reads it, sending nothing. GOLIVE_NOTIFY and
    the profile's URLs belong to where the run happens, not to the checklist."""
    from golive.errors import InputError
    from golive.team.policy import front_matter

    try:
        data, where = front_matter(c)
    except InputError:  # not YAML: _policy reports it
        return []
    settings = data.get("golive")
    urls = settings.get("notify") if isinstance(settings, dict) else None
    if not isinstance(urls, list) or not urls:
        return []
    from golive.team.notify import problem, service_label  # apprise: only for a checklist with URLs

    out = []
    for index, url in enumerate(urls):
        if not isinstance(url, str):
            continue  # not text: _policy reports it
        why = problem(url)
        if why:
            line = where.get(("golive", "notify", index), where.get(("golive", "notify"), 1))
            shown = service_label(url) if "://" in url else "(no scheme)"
            out.append(Finding(line, "error", "notify", f"notify URL {shown} is not one apprise understands ({why})"))
    return out


def _placeholders(plan: Plan, declared: set[str]) -> list[Finding]:
    out = []
    for step in (*plan.steps, *plan.rollback):
        if step.kind is not Kind.COMMAND or step.command is None:
            continue
        session = dict(step.session)
        for p in step.command.placeholders:
            if p.field in declared:
                continue
            if p.field in session:
                out.append(
                    Finding(
                        step.line,
                        "note",
                        "from-session",
                        f"{p.text!r} is filled from the session: line {session[p.field]} sets {p.field}",
                    )
                )
            elif step.phase is Phase.ROLLBACK:
                out.append(
                    Finding(
                        step.line,
                        "warning",
                        "placeholder",
                        f"rollback step holds placeholder {p.text!r}: only known when the rollback runs, "
                        f"so {p.field} is asked then (or give --var {p.field}=…)",
                    )
                )
            else:
                out.append(
                    Finding(
                        step.line,
                        "error",
                        "placeholder",
                        f"command holds placeholder {p.text!r} and no field fills it: add "
                        f"`{p.field.replace('_', ' ').title()}: ____` to the checklist or run with "
                        f"--var {p.field}=…",
                    )
                )
    return out


def _blocks(c: Checklist) -> list[Finding]:
    out = []
    for section, item in c.walk():
        if isinstance(item, Check):
            out += [Finding(err.line, "error", "annotation", str(err)) for err in item.errors]
        if isinstance(item, Commands | Content):
            if not item.closed:
                end = getattr(item, "assumed_end", 0)
                out.append(
                    Finding(
                        end or item.line,
                        "warning",
                        "open-fence",
                        f"the fence opened at line {item.line} is never closed; golive takes it to end here: "
                        "nothing from this line on runs (close the fence above it)"
                        if end
                        else "this fence is never closed; golive reads it to the end of the file",
                    )
                )
            if item.assumed and not getattr(item, "assumed_end", 0):
                out.append(Finding(item.line, "note", "assumed", item.assumed))
        if isinstance(item, Task | Step) and section.kind is not SectionKind.REFERENCE:
            for child in item.children:
                if isinstance(child, Commands) and child.commands:
                    out.append(
                        Finding(
                            child.line,
                            "note",
                            "nested-block",
                            f"block inside the list item at line {item.line} "
                            f'("{plain(item.text)[:50]}"): runs as part of it',
                        )
                    )
    return out


def _sections(c: Checklist) -> list[Finding]:
    out = []
    sections = c.all_sections()
    if not any(s.kind is SectionKind.ROLLBACK for s in sections):
        out.append(
            Finding(
                1,
                "warning",
                "no-rollback",
                "no rollback section: add `## Rollback Plan` so golive can undo a failed deployment",
            )
        )
    for s in sections:
        if s.kind is not SectionKind.RUN:
            continue
        blocks = [i for i in s.items if isinstance(i, Commands) and i.commands]
        if not blocks:
            continue
        verified = any(cmd.expectations for b in blocks for cmd in b.commands) or any(
            isinstance(i, Check) and i.specs for i in s.items
        )
        confirmed = any(isinstance(i, Task) for i in s.items) or any(b.instructions for b in blocks)
        if not verified and not confirmed:
            out.append(
                Finding(
                    s.line,
                    "warning",
                    "unverified",
                    f'step "{plain(s.title)}" runs commands but nothing verifies them beyond exit '
                    f"codes: add `# Expected: …` or a verification task",
                )
            )
    return out


def _fields(c: Checklist) -> list[Finding]:
    out = []
    first: dict[str, Field] = {}
    for _section, item in c.walk():
        fields = [item] if isinstance(item, Field) else list(item.fields) if isinstance(item, Task) else []
        for f in fields:
            if f.name in first and first[f.name].line != f.line:
                out.append(
                    Finding(
                        f.line,
                        "note",
                        "same-field",
                        f"{f.label!r} is the same value as {first[f.name].label!r} at line {first[f.name].line}: "
                        f"one field, {f.name}, asked once",
                    )
                )
            first.setdefault(f.name, f)
    return out


def _destructive_and_secrets(plan: Plan) -> list[Finding]:
    out = []
    for step in (*plan.steps, *plan.rollback):
        cmd = step.command
        if cmd is None:
            continue
        if cmd.destructive:
            out.append(
                Finding(
                    step.line,
                    "warning",
                    "destructive",
                    f"destructive command ({cmd.destructive}): `{cmd.text.splitlines()[0][:60]}` "
                    f"is asked again unless --allow-destructive",
                )
            )
        m = _LITERAL_SECRET.search(cmd.text)
        if m and not any(p.start <= m.start(2) < p.end for p in cmd.placeholders):
            out.append(
                Finding(
                    step.line,
                    "warning",
                    "secret",
                    f"a {m.group(1).lower()} is written in the checklist; pass it with --var or the "
                    f"environment instead",
                )
            )
    return out


def _check_names(c: Checklist) -> list[Finding]:
    """`needs` and `wait` must name a check that exists; two checks may not share a name."""
    specs = [spec for _section, item in c.walk() if isinstance(item, Check) for spec in item.specs]
    named: dict[str, int] = {}
    out = []
    for spec in specs:
        if spec.name and spec.name in named:
            out.append(
                Finding(
                    spec.lines.get("name", spec.line),
                    "error",
                    "annotation",
                    f"name: another check (line {named[spec.name]}) is named {spec.name!r}",
                )
            )
        named.setdefault(spec.name, spec.line)
    for spec in specs:
        wanted = [("needs", n) for n in spec.needs]
        if spec.type == "wait" and isinstance(spec.data.get("wait"), str):
            wanted.append(("wait", spec.data["wait"]))
        for key, name in wanted:
            if name not in named:
                out.append(
                    Finding(spec.lines.get(key, spec.line), "error", "annotation", f"{key}: no check is named {name!r}")
                )
    return out
