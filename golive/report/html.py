"""The HTML report: one self-contained page (inline CSS, no scripts, no external resources).

The run's summary, the counts per status, then every section's steps in a table: status,
who and when, exit code and reason, each command's output folded in `<details>`. Rollback
steps, follow-ups, services, warnings and the record's last hash close the page. Every piece
of checklist text and command output is untrusted and goes through `html.escape`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from golive import __version__
from golive.report.md import MAX_OUTPUT_CHARS, when
from golive.report.view import RunView, StepView
from golive.run.state import took

_STEP_STATUSES = (
    "passed",
    "failed",
    "confirmed",
    "prechecked",
    "observed",
    "set",
    "skipped",
    "not_run",
    "paused",
    "in_doubt",
    "pending",
)
_RUN_STATUSES = ("running", "paused", "passed", "failed", "rolled_back", "aborted", "abandoned", "interrupted")
# What HTML5 forbids in text (C0/C1 controls other than tab, newline, form feed, carriage return) and
# lone surrogates (they cannot be written as UTF-8); ANSI colour and cursor sequences go whole.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_COLUMNS = ("Step", "Kind", "What", "Status", "By", "Finished", "Took", "Exit", "Reason")

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:2rem auto;
max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}h3 small{color:#656d76;font-weight:normal}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;word-break:break-word}
pre.output{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.5rem;max-height:30rem;overflow:auto}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.8rem 0}
dl.facts dt{color:#656d76}dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}tr.output td{border-top:0;padding-top:0}
summary{cursor:pointer;color:#656d76}
ul.counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}
.st,.badge{display:inline-block;border-radius:10px;padding:0 .55rem;font-weight:600;white-space:nowrap;
background:#eaeef2;color:#1f2328}
.badge{font-size:1rem;padding:.1rem .8rem}
.s-passed,.s-confirmed,.s-set{background:#dafbe1;color:#116329}
.s-prechecked{background:#ddf4ff;color:#0a3069}.s-observed,.s-running{background:#ddf4ff;color:#0550ae}
.s-failed{background:#ffebe9;color:#a40e26}.s-rolled_back{background:#fbefff;color:#6e40c9}
.s-skipped,.s-not_run,.s-aborted,.s-abandoned{background:#eaeef2;color:#424a53}
.s-paused{background:#fff8c5;color:#7d4e00}.s-in_doubt,.s-interrupted{background:#fff1e5;color:#953800}
.s-pending{background:#f6f8fa;color:#656d76}
.s-approved,.s-closed{background:#dafbe1;color:#116329}.s-rejected,.s-overdue{background:#ffebe9;color:#a40e26}
.s-missing,.s-due{background:#fff8c5;color:#7d4e00}.s-upcoming,.s-not_owed{background:#f6f8fa;color:#656d76}
footer{margin-top:2rem;color:#656d76;font-size:.9rem}footer code{word-break:break-all}
""".strip()


def render(view: RunView) -> str:
    """The whole report as one HTML5 document."""
    title = view.run.title or view.run.checklist_path
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} · golive run {_e(view.run.id)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        *_header(view, title),
        *_counts(view),
        *_steps(view),
        *_rollback(view),
        *_approvals(view),
        *_followups(view),
        *_services(view),
        *_warnings(view),
        *_footer(view),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --- the summary ----------------------------------------------------------------------------------


def _header(view: RunView, title: str) -> list[str]:
    run, state = view.run, view.state
    facts = [
        ("Run", f"<code>{_e(run.id)}</code>"),
        ("Checklist", f"<code>{_e(run.checklist_path)}</code> (sha256 <code>{_e(run.checklist_sha256[:12])}</code>)"),
        ("Environment", _e(run.env)),
        *(
            [("Profile", f"{_e(p.name)} <code>{_e(p.path)}</code> (sha256 <code>{_e(p.sha256[:12])}</code>)")]
            if (p := view.profile)
            else []
        ),
        (
            "Started",
            f"{_e(when(run.started_at))} by {_e(run.created_by)}" + (f" on {_e(run.host)}" if run.host else ""),
        ),
    ]
    if state.finished_at:
        facts.append(("Finished", _e(when(state.finished_at))))
    took = _run_duration(view)
    if took:
        facts.append(("Duration", _e(took)))
    if state.status == "paused":
        hint = state.paused.get("hint", "")
        waiting = _e(str(state.paused.get("what", "a person")))
        facts.append(("Paused", f"waiting for {waiting}" + (f": <code>{_e(str(hint))}</code>" if hint else "")))
    rows = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)
    return [
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f"<p>golive run <code>{_e(run.id)}</code> {_badge(state.status, _RUN_STATUSES, 'badge')}</p>",
        f'<dl class="facts">{rows}</dl>',
        "</header>",
    ]


def _run_duration(view: RunView) -> str:
    return took(view.state) if view.state.finished_at else ""


def _counts(view: RunView) -> list[str]:
    counts = view.counts
    ordered = [s for s in _STEP_STATUSES if s in counts] + sorted(s for s in counts if s not in _STEP_STATUSES)
    items = "".join(f"<li>{_status(s)} {counts[s]}</li>" for s in ordered)
    total = sum(counts.values())
    return [f"<h2>Steps <small>({total})</small></h2>", f'<ul class="counts">{items}</ul>']


# --- steps ----------------------------------------------------------------------------------------


def _steps(view: RunView) -> list[str]:
    main = [s for s in view.steps if s.phase != "rollback"]
    out: list[str] = []
    for section, steps in _by_section(main):
        out.extend(_section_table(section, steps))
    return out


def _rollback(view: RunView) -> list[str]:
    steps = [s for s in view.steps if s.phase == "rollback"]
    state = view.state
    if not steps and not state.rollback_status:
        return []
    out = ["<h2>Rollback</h2>"]
    if state.rollback_status:
        reason = f": {_e(state.rollback_reason)}" if state.rollback_reason else ""
        out.append(f"<p>Rollback {_status(state.rollback_status)}{reason}</p>")
    for section, group in _by_section(steps):
        out.extend(_section_table(section, group))
    return out


def _by_section(steps: Iterable[StepView]) -> list[tuple[StepView, list[StepView]]]:
    """Steps grouped by section, in the order the sections first appear (keyed by each group's first step)."""
    groups: dict[tuple[int, str], list[StepView]] = {}
    for s in steps:
        groups.setdefault((s.section_line, s.section), []).append(s)
    return [(group[0], group) for group in groups.values()]


def _section_table(first: StepView, steps: list[StepView]) -> list[str]:
    head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
    out = [
        f"<h3>{_e(first.section)} <small>line {first.section_line}</small></h3>",
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>",
    ]
    for s in steps:
        out.append(_row(s))
        if s.kind == "command" and (s.outputs or s.started_at is not None):
            out.append(_output_row(s))
        if s.kind == "check" and s.measured:
            out.append(_measured_row(s))
    out.append("</tbody>\n</table>")
    return out


def _row(s: StepView) -> str:
    actor = _e(s.actor or "") + (f" <small>({_e(s.role)})</small>" if s.role and s.actor else "")
    if s.prerecorded:
        actor += f' <small class="prerecorded">({_e(s.prerecorded)})</small>'
    took = f"{s.duration_s:.2f} s" if s.duration_s is not None else ""
    if s.attempts > 1:
        took += f" ({s.attempts} attempts)"
    cells = [
        f'<a href="#{_e(s.id)}">{_e(s.id)}</a>',
        _e(s.kind),
        _what(s),
        _status(s.status),
        actor,
        _e(when(s.finished_at)),
        _e(took),
        "" if s.exit_code is None else str(s.exit_code),
        _e(s.reason + (f" · destructive, allowed by {s.allowed_by}" if s.allowed_by else "")),
    ]
    return f'<tr id="{_e(s.id)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _what(s: StepView) -> str:
    if s.kind == "command":
        return (
            f"<pre><code>{_e(s.text.strip())}</code></pre>" if "\n" in s.text.strip() else f"<code>{_e(s.text)}</code>"
        )
    text = _e(s.text)
    if s.kind == "field" and s.field_value:
        text += f": <code>{_e(s.field_value)}</code>"
    return text


def _output_row(s: StepView) -> str:
    text = "\n".join(o.text.rstrip("\n") for o in s.outputs)
    size = sum(o.total_bytes for o in s.outputs)
    label = f"output of {_e(s.id)} ({size:,} bytes)"
    body = f'<pre class="output">{_e(_cap(text).rstrip(chr(10)) or "(no output)")}</pre>'
    details = f"<details><summary>{label}</summary>{body}</details>"
    return f'<tr class="output"><td colspan="{len(_COLUMNS)}">{details}</td></tr>'


def _measured_row(s: StepView) -> str:
    """What a check measured, beside the reason that judged it."""
    facts = "".join(f"<dt>{_e(k)}</dt><dd><code>{_e(_plain(v))}</code></dd>" for k, v in s.measured.items())
    details = f'<details><summary>measured by {_e(s.id)}</summary><dl class="facts">{facts}</dl></details>'
    return f'<tr class="output"><td colspan="{len(_COLUMNS)}">{details}</td></tr>'


def _plain(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# --- the end of the page --------------------------------------------------------------------------


# Approvals and follow-ups have states of their own (team/): badges beside the steps' ones.
_TEAM_STATES = ("approved", "rejected", "missing", "closed", "overdue", "due", "upcoming", "not_owed")


def _approvals(view: RunView) -> list[str]:
    """Every role the run needs approved, the policy's own roles too (no checklist item asks for them)."""
    if not view.approvals:
        return []
    where = f" <small>(policy: {_e(view.policy.source)})</small>" if view.policy.source else ""
    head = "".join(f"<th>{c}</th>" for c in ("Role", "Asked by", "Decision", "By", "When", "Note"))
    rows = []
    for a in view.approvals:
        asked = f'<a href="#{_e(a.item)}">{_e(a.item)}</a>' if a.item else "the policy (at the end of the run)"
        cells = [_e(a.role), asked, _team_status(a.status), _e(a.by), _e(when(a.at)), _e(a.note)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return [
        f"<h2>Approvals{where}</h2>",
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>",
        *rows,
        "</tbody>\n</table>",
    ]


def _followups(view: RunView) -> list[str]:
    """Each follow-up: when it is due, its state (as `golive due` sees it at the report's moment), its steps."""
    if not view.followup_states:
        return []
    from golive.team.followups import late

    steps = {s.id: s for s in view.followups}
    out = [f"<h2>Follow-ups <small>(as of {_e(when(view.at))})</small></h2>"]
    for f in view.followup_states:
        facts = [f"due {_e(when(f.due_at))}" if f.due_at else ("" if f.state == "not owed" else "no due time written")]
        facts.append(_team_status(f.state))
        if f.state in ("closed", "failed"):
            facts.append(f"by {_e(f.closed_by)} at {_e(when(f.closed_at))}" + (f": {_e(f.reason)}" if f.reason else ""))
        elif f.late_s:
            command = f'golive followup {f.run_id} "{f.followup.name}"'
            facts.append(f"{_e(late(f.late_s))} late: <code>{_e(command)}</code>")
        name = f"{_e(f.followup.name)} <small>{_e(f.followup.key)}</small>"
        out.append(f'<h3 id="followup-{_e(f.followup.key)}">{name}</h3>')
        out.append(f'<p class="followup">{" ".join(x for x in facts if x)}</p>')
        items = "".join(
            f"<li><code>{_e(s.id)}</code> {_what(s)} {_status(s.status)}</li>"
            for s in (steps.get(p.id) for p in f.followup.steps)
            if s is not None
        )
        out.append(f"<ul>{items}</ul>")
    return out


def _services(view: RunView) -> list[str]:
    services = view.state.services
    if not services:
        return []
    head = "".join(f"<th>{c}</th>" for c in ("Step", "State", "PID", "Port", "Log"))
    rows = [f"<tr><td>{_e(item)}</td>{_service_cells(svc)}</tr>" for item, svc in services.items()]
    return ["<h2>Services</h2>", f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>", *rows, "</tbody>\n</table>"]


def _service_cells(svc: dict[str, Any]) -> str:
    values = (svc.get("state"), svc.get("pid"), svc.get("port"), svc.get("log"))
    return "".join(f"<td>{_e('' if v is None else str(v))}</td>" for v in values)


def _warnings(view: RunView) -> list[str]:
    if not view.state.warnings:
        return []
    items = "".join(f"<li>{_e(w)}</li>" for w in view.state.warnings)
    return ["<h2>Warnings</h2>", f"<ul>{items}</ul>"]


def _footer(view: RunView) -> list[str]:
    run = view.run
    return [
        "<footer>",
        f"<p>Record: {view.events} events, last hash <code>{_e(view.last_hash)}</code>. "
        f"Check it with <code>golive audit verify {_e(run.id)}</code>.</p>",
        f"<p>Checklist sha256 <code>{_e(run.checklist_sha256)}</code> · golive {_e(__version__)}</p>",
        "</footer>",
    ]


# --- helpers --------------------------------------------------------------------------------------


def _e(text: str) -> str:
    """Escaped for text and attribute values, with the control characters HTML forbids removed."""
    return html.escape(_CONTROL.sub("", text), quote=True)


def _status(status: str) -> str:
    return _badge(status, _STEP_STATUSES + _RUN_STATUSES, "st")


def _team_status(state: str) -> str:
    return _badge(state.replace(" ", "_"), _TEAM_STATES + _STEP_STATUSES, "st")


def _badge(status: str, known: Iterable[str], css: str) -> str:
    kind = f" s-{status}" if status in known else ""
    return f'<span class="{css}{kind}">{_e(status.replace("_", " "))}</span>'


def _cap(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    half = MAX_OUTPUT_CHARS // 2
    return text[:half] + "\n[… cut for the report; the record keeps head and tail …]\n" + text[-half:]
