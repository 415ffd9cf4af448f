"""The plan shown to people: a rich tree, and the JSON contract of docs/plan-json.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from rich.tree import Tree

from golive.model import (
    AlternativeGroup,
    AnyItem,
    Check,
    Command,
    Commands,
    Content,
    Due,
    Expectation,
    ExpectedBlock,
    Field,
    Note,
    Section,
    SectionKind,
    Signoff,
    Step,
    Table,
    Task,
)
from golive.plan import (
    Plan,
    PlanStep,
    choice_id,
    choice_text,
    choice_why,
    classify_command,
    command_notes,
    first_line,
    plain,
    summarize,
)

SCHEMA_VERSION = 1

# --- JSON -------------------------------------------------------------------------------------------


def to_json(plan: Plan) -> dict[str, Any]:
    c = plan.checklist
    return {
        "schema": SCHEMA_VERSION,
        "file": c.path,
        "title": c.title,
        "sha256": c.sha256,
        "counts": vars(c.counts).copy(),
        "estimate_s": plan.estimate_s,
        "estimated_sections": plan.estimated_sections,
        "runnable_sections": plan.runnable_sections,
        "fields": [_field(f) for f in c.fields],
        "triggers": [{"line": line, "text": text} for line, text in plan.triggers],
        "summary": vars(summarize(plan)),
        "choices": [{"id": ch.id, "options": list(ch.options), "steps": list(ch.steps)} for ch in plan.choices],
        "followups": [_followup(s.id, s.line, s.text, s.due) for s in plan.followups if s.due is not None],
        "items": [_item(i, None) for i in c.items if not isinstance(i, Note)],
        "sections": [_section(s) for s in c.sections],
    }


def _due(d: Due) -> dict[str, Any]:
    return {"months": d.months, "seconds": d.seconds, "text": d.text}


def _followup(step_id: str, line: int, text: str, due: Due) -> dict[str, Any]:
    return {"id": step_id, "line": line, "text": first_line(text), "due": _due(due)}


def _section(s: Section) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": s.title,
        "kind": s.kind.value,
        "why": s.kind_why,
        "level": s.level,
        "line": s.line,
        "estimate_s": s.estimate.seconds if s.estimate else None,
    }
    if s.estimate is not None:
        out["estimate_range_s"] = [s.estimate.low_s, s.estimate.high_s]
    if s.at_s is not None:
        out["at_s"] = s.at_s
    if s.due_s is not None:
        out["due_s"] = s.due_s
    if s.due is not None:
        out["due"] = _due(s.due)
    if s.trigger:
        out["trigger"] = s.trigger
    if s.optional:
        out["optional"] = s.optional
    if s.criteria:
        out["criteria"] = True
    out["items"] = [_item(i, s) for i in s.items]
    out["sections"] = [_section(c) for c in s.sections]
    return out


def _field(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "label": f.label, "line": f.line, "secret": f.secret}
    if f.choices:
        out["choices"] = list(f.choices)
    return out


def _expectation(e: Expectation) -> dict[str, Any]:
    out: dict[str, Any] = {"line": e.line, "kind": e.kind.value, "text": e.text, "source": e.source}
    if e.value and e.value != e.text:
        out["value"] = e.value
    if e.code is not None:
        out["code"] = e.code
    if e.http_status is not None:
        out["http_status"] = e.http_status
    return out


def _command(c: Command, section: Section | None) -> dict[str, Any]:
    cls, why = classify_command(c, section) if section is not None else ("run", "")
    out: dict[str, Any] = {
        "line": c.line,
        "end_line": c.end_line,
        "text": c.text,
        "lang": c.lang,
        "class": cls,
        "why": why,
        "mode": c.mode.value,
    }
    if c.comments:
        out["comments"] = list(c.comments)
    if c.note:
        out["note"] = c.note
    if c.placeholders:
        out["placeholders"] = [{"text": p.text, "field": p.field, "quoting": p.quoting} for p in c.placeholders]
    if c.optional:
        out["optional"] = c.optional
    if c.destructive:
        out["destructive"] = c.destructive
    if c.sudo:
        out["sudo"] = True
    if c.platform:
        out["platform"] = c.platform
    if c.option is not None:
        out["alternative"] = {
            "group": c.option.group,
            "option": c.option.index,
            "label": c.option.label,
            "of": c.option.size,
        }
    if c.expectations:
        out["expectations"] = [_expectation(e) for e in c.expectations]
    if c.port is not None:
        out["port"] = c.port
    return out


def _item(i: AnyItem, section: Section | None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": i.kind, "line": i.line}
    if isinstance(i, Task):
        out.update(text=i.text, checked=i.checked)
        if i.trigger:
            out["trigger"] = True
        if i.due is not None:
            out["due"] = _due(i.due)
        if section is not None and section.criteria:
            out["claim"] = True
        if i.fields:
            out["fields"] = [f.name for f in i.fields]
        if i.children:
            out["items"] = [_item(c, section) for c in i.children]
    elif isinstance(i, Step):
        out["text"] = i.text
        if i.trigger:
            out["trigger"] = True
        if i.due is not None:
            out["due"] = _due(i.due)
        if i.children:
            out["items"] = [_item(c, section) for c in i.children]
    elif isinstance(i, Commands):
        out.update(end_line=i.end_line, lang=i.lang, info=i.info, text=_block_text(i))
        out["commands"] = [_command(c, section) for c in i.commands]
        if i.instructions:
            out["instructions"] = [{"line": n.line, "text": n.text} for n in i.instructions]
        if i.groups:
            out["alternatives"] = [_group(g) for g in i.groups]
        _assumed(out, i.assumed, i.closed, i.fenced)
        if i.assumed_end:
            out["assumed_end"] = i.assumed_end
    elif isinstance(i, Content):
        out.update(end_line=i.end_line, lang=i.lang, purpose=i.purpose, text=i.text)
        if i.platform:
            out["platform"] = i.platform
        if i.placeholders:
            out["fields"] = [{"text": p.text, "field": p.field, "known": p.known} for p in i.placeholders]
        _assumed(out, i.assumed, i.closed, i.fenced)
    elif isinstance(i, ExpectedBlock):
        out.update(end_line=i.end_line, text=i.text, judges=i.judges)
    elif isinstance(i, Field):
        out.update(_field(i))
        out["text"] = i.label
    elif isinstance(i, Signoff):
        out.update(text=f"{i.role}: {i.statement}".rstrip(": "), role=i.role, statement=i.statement, checked=i.checked)
        if i.person_field:
            out["person_field"] = i.person_field
    elif isinstance(i, Check):
        out.update(text=i.raw, source=i.source)
        out["checks"] = [
            {
                "line": c.line,
                "type": c.type,
                "name": c.name or None,
                "text": c.summary,
                "needs": list(c.needs),
                "uses": list(c.uses),
                "captures": list(c.captures),
            }
            for c in i.specs
        ]
        if i.error:
            out.update(error=i.error, error_line=i.error_line)
            out["errors"] = [{"line": e.line, "key": e.key, "message": e.message} for e in i.errors]
    elif isinstance(i, Table):
        out.update(
            end_line=i.end_line, text=" | ".join(i.header), header=list(i.header), rows=[list(r) for r in i.rows]
        )
    elif isinstance(i, Note):
        out["text"] = i.text
        if i.heading:
            out["heading"] = i.heading
    return out


def _group(g: AlternativeGroup) -> dict[str, Any]:
    out: dict[str, Any] = {"id": g.id, "line": g.line, "labels": list(g.labels), "how": g.how}
    if g.keys and any(g.keys):
        out["keys"] = list(g.keys)
    if g.choice:
        out["choice"] = g.choice
    return out


def _block_text(block: Commands) -> str:
    return "\n".join(c.text for c in block.commands)


def _assumed(out: dict[str, Any], assumed: str, closed: bool, fenced: bool) -> None:
    if assumed:
        out["assumed"] = assumed
    if not closed:
        out["closed"] = False
    if not fenced:
        out["fenced"] = False


# --- tree ----------------------------------------------------------------------------------------------

_KIND_STYLE = {
    SectionKind.RUN: "bold green",
    SectionKind.ROLLBACK: "bold yellow",
    SectionKind.SIGNOFF: "bold magenta",
    SectionKind.FOLLOWUP: "bold cyan",
    SectionKind.REFERENCE: "dim",
    SectionKind.INFO: "dim",
}
_CLASS_STYLE = {
    "run": "green",
    "observe": "cyan",
    "service": "cyan",
    "alternative": "yellow",
    "placeholder": "red",
    "platform": "magenta",
    "reference": "dim",
}


def duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60} min" if rest else f"{hours} h"
    days = seconds // 86400
    return f"{days} day{'s' if days > 1 else ''}" if days < 14 else f"{days // 7} weeks"


def due_text(d: Due) -> str:
    """`1 month`, `1 day`, `1 month 2 days`: calendar months stay months."""
    parts = [f"{d.months} month{'s' if d.months > 1 else ''}"] if d.months else []
    if d.seconds or not parts:
        parts.append(duration(d.seconds))
    return " ".join(parts)


def duration_range(low: int, high: int) -> str:
    """120, 300 -> "2–5 min"; equal ends -> one duration."""
    if low == high:
        return duration(low)
    a, b = duration(low), duration(high)
    if a.split()[-1] == b.split()[-1] and len(a.split()) == 2 == len(b.split()):
        return f"{a.split()[0]}–{b}"
    return f"{a}–{b}"


@dataclass(frozen=True)
class _Show:
    notes: bool  # show notes and tables too
    steps: dict[str, PlanStep]  # the plan's steps by id: what the tree adds to the checklist's items


def to_tree(plan: Plan, notes: bool = False) -> Tree:
    show = _Show(notes, plan.by_id())
    c = plan.checklist
    tree = Tree(Text.assemble((c.title, "bold"), ("  " + c.path, "dim")))
    root = Section(c.title, 0, 1, SectionKind.RUN, "document", c.items)
    for item in c.items:
        _tree_item(tree, item, root, show)
    for s in c.sections:
        _tree_section(tree, s, show)
    return tree


def _section_label(s: Section) -> Text:
    label = Text.assemble((f"L{s.line} ", "dim"), (plain(s.title), "bold"), ("  " + s.kind.value, _KIND_STYLE[s.kind]))
    extras = []
    if s.estimate is not None:
        e = s.estimate
        extras.append(f"est. {duration_range(e.low_s, e.high_s)}")
    if s.at_s is not None:
        extras.append(f"at T{'+' if s.at_s >= 0 else '-'}{duration(abs(s.at_s))}" if s.at_s else "at T-0")
    if s.due is not None:
        extras.append(f"due {due_text(s.due)} after the deployment")
    if s.trigger:
        extras.append(f"when: {s.trigger}")
    if s.optional:
        extras.append(f"{s.optional.strip('()')}: asked whether to run it")
    if s.criteria:
        extras.append("claims confirmed at the end of the run")
    if extras:
        label.append("  (" + "; ".join(extras) + ")", "dim")
    return label


def _tree_section(parent: Tree, s: Section, show: _Show) -> None:
    node = parent.add(_section_label(s))
    for item in s.items:
        _tree_item(node, item, s, show)
    for child in s.sections:
        _tree_section(node, child, show)


def _verb(section: Section, default: str) -> tuple[str, str]:
    if section.kind is SectionKind.ROLLBACK:
        return "rollback", "yellow"
    if section.kind is SectionKind.FOLLOWUP:
        return "later", "cyan"
    if section.kind in (SectionKind.REFERENCE, SectionKind.INFO):
        return "shown", "dim"
    return default, "green"


def _line(line: int, verb: str, style: str, text: str, why: str = "") -> Text:
    out = Text.assemble((f"L{line:<4}", "dim"), (f"{verb:<15}", style), plain(first_line(text)))
    if why:
        out.append(f"  ← {why}", "dim italic")
    return out


def _tree_item(node: Tree, item: AnyItem, section: Section, show: _Show) -> None:
    if isinstance(item, Task):
        if item.trigger:
            node.add(_line(item.line, "trigger", "yellow", item.text, "a reason to roll back"))
            return
        why = ", ".join(f"field {f.name}" for f in item.fields)
        if item.due is not None:
            verb, style, why = "later", "cyan", f"a follow-up, due {due_text(item.due)} after the deployment"
        elif section.criteria:
            verb, style, why = "claim", "magenta", "confirmed at the end of the run, never taken as done"
        else:
            verb, style = ("prechecked", "dim") if item.checked else _verb(section, "ask")
        child = node.add(_line(item.line, verb, style, item.text, why))
        for c in item.children:
            _tree_item(child, c, section, show)
    elif isinstance(item, Step):
        if item.trigger:
            node.add(_line(item.line, "trigger", "yellow", item.text, "a reason to roll back"))
            return
        acts = any(isinstance(c, Task | Commands | Step | Signoff) for c in item.children)
        verb, style = _verb(section, "step" if acts else "ask")
        why = ""
        if item.due is not None:
            verb, style, why = "later", "cyan", f"a follow-up, due {due_text(item.due)} after the deployment"
        child = node.add(_line(item.line, verb, style, item.text, why))
        for c in item.children:
            _tree_item(child, c, section, show)
    elif isinstance(item, Commands):
        _tree_commands(node, item, section, show)
    elif isinstance(item, Content):
        verb = "platform" if item.platform else item.purpose
        style = "magenta" if item.platform else "blue"
        why = item.assumed or ("a person does it and confirms" if section.kind is SectionKind.RUN else "")
        if item.placeholders:
            known = [p.field for p in item.placeholders if p.known]
            asked = [p.field for p in item.placeholders if not p.known]
            why += "; fields: " + ", ".join(
                [*(f"{n} (golive fills it)" for n in dict.fromkeys(known)), *dict.fromkeys(asked)]
            )
        node.add(_line(item.line, verb, style, f"[{item.lang}] {first_line(item.text)}", why))
    elif isinstance(item, ExpectedBlock):
        node.add(_line(item.line, "expectation", "blue", item.text, f"judges L{item.judges}"))
    elif isinstance(item, Field):
        why = "secret" if item.secret else (f"one of {', '.join(item.choices)}" if item.choices else "")
        node.add(_line(item.line, "field", "magenta", f"{item.name}  ({item.label})", why))
    elif isinstance(item, Signoff):
        verb = "signed" if item.checked else "sign-off"
        node.add(_line(item.line, verb, "magenta", f"{item.role}: {item.statement}".rstrip(": ")))
    elif isinstance(item, Check):
        verb, style = _verb(section, "check")
        for spec in item.specs:
            about = [f"name {spec.name}"] if spec.name else []
            if spec.needs:
                about.append(f"needs {', '.join(spec.needs)}")
            node.add(_line(spec.line, verb, "blue" if verb == "check" else style, spec.summary, ", ".join(about)))
        for err in item.errors:
            node.add(_line(err.line, "error", "bold red", str(err)))
    elif isinstance(item, Table) and show.notes:
        node.add(_line(item.line, "table", "dim", " | ".join(item.header)))
    elif isinstance(item, Note) and show.notes:
        node.add(_line(item.line, "note", "dim", item.text))


def _tree_commands(node: Tree, block: Commands, section: Section, show: _Show) -> None:
    header = f"[{block.lang}] {len(block.commands)} command{'s' if len(block.commands) != 1 else ''}"
    why = block.assumed or ("" if block.closed else "fence never closed: read to the end of the file")
    parent = node.add(_line(block.line, "block", "dim", header, why))
    for g in block.groups:
        shared = (
            f"one choice with {g.choice}: asked once, applied to every group over these options" if g.choice else ""
        )
        if g.choice == choice_id(g.id):
            shared = "one choice for every group over these options: asked here once"
        parent.add(_line(g.line, choice_id(g.id), "yellow", choice_text(g), shared or choice_why(g)))
    for c in block.commands:
        cls, reason = classify_command(c, section)
        verb = cls if section.kind is not SectionKind.ROLLBACK or cls == "reference" else f"rb:{cls}"
        step = show.steps.get(f"L{c.line}")
        session = step.session if step is not None and step.command is c else ()
        fills = ", ".join(f"{name} (L{line})" for name, line in session)
        reasons = "; ".join(r for r in (reason, f"from the session: {fills}" if fills else "", *command_notes(c)) if r)
        child = parent.add(_line(c.line, verb, _CLASS_STYLE.get(cls, "green"), c.text, reasons))
        for e in c.expectations:
            child.add(_line(e.line, "expectation", "blue", f"{e.kind.value}: {e.text}"))
    for n in block.instructions:
        parent.add(_line(n.line, "ask", "green", n.text, "an instruction written as a comment"))


def mark_lines(tree: Tree, marks: dict[int, str]) -> Tree:
    """Add a note to the lines of the tree that `marks` names (what an environment profile does to them)."""
    label = tree.label
    if isinstance(label, Text):
        m = re.match(r"L(\d+)\s", label.plain)
        if m and int(m.group(1)) in marks:
            label.append(f"  ◆ {marks[int(m.group(1))]}", "cyan")
    for child in tree.children:
        mark_lines(child, marks)
    return tree


def summary_text(plan: Plan) -> Text:
    s = summarize(plan)
    runs = s.classes.get("run", 0)
    parts = [f"{runs} command{'s' if runs != 1 else ''} to run"]
    for cls, words in (
        ("observe", "observed for a bounded window"),
        ("service", "started as background services"),
        ("placeholder", "waiting for a value"),
        ("alternative", "in alternatives (one option runs)"),
        ("platform", "for another platform"),
    ):
        if s.classes.get(cls):
            parts.append(f"{s.classes[cls]} {words}")
    if s.checks:
        parts.append(f"{s.checks} check{'s' if s.checks != 1 else ''} golive verifies")
    parts.append(f"{s.confirms} confirmations by a person")
    if s.choices:
        parts.append(f"{s.choices} choice{'s' if s.choices != 1 else ''}")
    if s.optional:
        parts.append(f"{s.optional} optional (asked whether to run)")
    if s.fields:
        parts.append(f"{s.fields} fields")
    if s.signoffs:
        parts.append(f"{s.signoffs} sign-offs")
    if s.destructive:
        parts.append(f"{s.destructive} destructive (asked again)")
    est = f"estimate {duration(plan.estimate_s)}" if plan.estimate_s else "no estimate"
    if plan.runnable_sections:
        est += f" ({plan.estimated_sections} of {plan.runnable_sections} runnable sections estimated)"
    text = Text("Plan: " + ", ".join(parts) + ".\n")
    text.append(f"Rollback: {s.rollback_steps} steps, run only on rollback. ")
    text.append(f"Follow-ups: {s.followups} items due after the deployment. {est}.")
    return text
