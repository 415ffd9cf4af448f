"""The Markdown report: the original checklist, filled in.

`[x]` where a person confirmed, fields filled, who and when beside each item, every command's
output folded under its block in `<details>`, failures and skips marked with their reasons.
It renders on GitHub and is meant to be committed next to the checklist.
"""

from __future__ import annotations

import re
from datetime import datetime

from golive.record.events import EventType as E
from golive.report.view import RunView, StepView
from golive.run.state import took as run_took
from golive.secrets import MASK

_TASK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[( |x|X)\]")
_BLANK = re.compile(r"(`\s*)?(?:_{3,}|(?:\\_){3,})(\s*`)?|\[(?:insert|add|enter)\s+[^\]]+\]", re.I)
_MARK = {
    "passed": "✅",
    "confirmed": "✅",
    "set": "✅",
    "prechecked": "☑️",
    "observed": "👁️",
    "failed": "❌",
    "skipped": "⏭️",
    "not_run": "➖",
    "paused": "⏸️",
    "in_doubt": "❓",
    "pending": "⬜",
}
MAX_OUTPUT_CHARS = 20_000


def when(t: datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S} UTC" if t else ""


def note(step: StepView) -> str:
    """` — ✅ confirmed by Ana at 2026-11-25 10:02:11 UTC`"""
    parts = [f"{_MARK.get(step.status, '')} {step.status.replace('_', ' ')}"]
    if step.actor:
        parts.append(f"by {step.actor}" + (f" ({step.role})" if step.role else ""))
    if step.finished_at:
        parts.append(f"at {when(step.finished_at)}")
    text = " ".join(parts)
    if step.prerecorded:
        text += f", {step.prerecorded}"
    if step.reason and step.status not in ("set",):
        text += f": {step.reason}"
    # The step's id last: what `golive confirm RUN ID` and `golive show` name it by.
    return f" — *{_escape(text)}* `{step.id}`"


def render(view: RunView) -> str:
    lines = view.run.checklist_text.split("\n")
    by_line = view.by_line()
    claims = {s.id for s in view.plan.steps if s.claim}
    errors = _errors(view)
    blocks: dict[int, list[StepView]] = {}
    for s in view.steps:
        if s.kind == "command" or (s.block and s.kind in ("confirm", "check")):
            blocks.setdefault(s.block, []).append(s)
        elif s.kind == "confirm" and _is_fence(lines, s.line):
            blocks.setdefault(s.line, []).append(s)  # a block shown, not run: its outcome after it, not on its fence
    block_end = {b: max(s.end_line for s in group) for b, group in blocks.items()}
    closing = {_closing_fence(lines, b, end): b for b, end in block_end.items()}
    out: list[str] = []
    # Shown with their block: checks, and steps whose own line is a fence (annotating it would break it).
    in_blocks = {id(s) for group in blocks.values() for s in group if s.kind == "check" or _is_fence(lines, s.line)}
    for number, line in enumerate(lines, start=1):
        steps = [s for s in by_line.get(number, []) if s.kind != "command" and id(s) not in in_blocks]
        out.append(_annotate(line, steps, claims, errors) if steps else line)
        if number == (view.plan.checklist.title_line or 1):
            out.extend(_summary(view))
        if number in closing:
            out.extend(_block_results(blocks[closing[number]], _indent(lines, closing[number])))
    out.extend(_footer(view))
    return "\n".join(out) + ("\n" if not out[-1].endswith("\n") else "")


def _is_fence(lines: list[str], number: int) -> bool:
    return 0 < number <= len(lines) and lines[number - 1].lstrip().startswith(("```", "~~~"))


def _closing_fence(lines: list[str], block: int, last_command_line: int) -> int:
    """The line that closes a block (or the last line of the file for a fence left open)."""
    if block < 1 or block > len(lines):
        return last_command_line
    opening = lines[block - 1].strip()
    marker = opening[:3] if opening[:3] in ("```", "~~~") else "```"
    for i in range(max(last_command_line, block + 1), len(lines) + 1):
        if lines[i - 1].strip().startswith(marker) and set(lines[i - 1].strip()) == {marker[0]}:
            return i
    return len(lines)


def _indent(lines: list[str], block: int) -> str:
    line = lines[block - 1] if 0 < block <= len(lines) else ""
    return line[: len(line) - len(line.lstrip())]


def _annotate(line: str, steps: list[StepView], claims: set[str], errors: list[str]) -> str:
    for step in steps:
        refuted = step.id in claims and bool(errors) and bool(_NO_ERRORS.search(step.text))
        if step.kind in ("confirm", "signoff") and step.status in ("confirmed", "prechecked") and not refuted:
            line = _TASK.sub(lambda m: m.group(1) + "[x]", line, count=1)
        elif step.id in claims:
            # A success criterion is ticked only when confirmed in this run, and never when the record refutes it.
            line = _TASK.sub(lambda m: m.group(1) + "[ ]", line, count=1)
        if step.kind == "field" and step.field_value:
            line = _fill_blank(line, step.field_value)
        if step.kind == "choose":
            continue
        line = line.rstrip() + note(step)
        if refuted:
            line += f" *❌ not true in this run: {', '.join(errors[:5])} failed*"
    return line


# A success criterion golive can check against the record itself.
_NO_ERRORS = re.compile(r"without (any )?errors|no errors|all (deployment )?steps (completed|passed|succeeded)", re.I)


def _errors(view: RunView) -> list[str]:
    """Main steps that failed in this run, even when retried or skipped afterwards."""
    return [
        s.id
        for s in view.steps
        if s.phase == "main"
        and (s.status == "failed" or s.reason.startswith("failed") or (s.kind == "command" and s.attempts > 1))
    ]


def _fill_blank(line: str, value: str) -> str:
    """Put a field's value where its blank was: `**Deployed by**: ____` -> `**Deployed by**: **ana**`."""
    shown = value if value != MASK else "*** (secret, not recorded)"

    def replacement(m: re.Match[str]) -> str:
        return f"`{shown}`" if m.group(0).startswith("`") else f"**{_escape(shown)}**"

    return _BLANK.sub(replacement, line, count=1)


def _block_results(steps: list[StepView], indent: str) -> list[str]:
    out = [""]
    for s in sorted(steps, key=lambda s: s.line):
        if s.kind == "confirm":
            out.append(f"{indent}- {_MARK.get(s.status, '')} **{s.id}** {_escape(s.text)}{note(s)}")
            if s.message:  # what was sent, its fields filled in: the block above shows it as written
                out.append(f"{indent}  > sent as:")
                out.extend(f"{indent}  > {_escape(line) or ' '}" for line in s.message.split("\n"))
            continue
        first = s.text.strip().split("\n")[0]
        facts = [s.status.replace("_", " ")]
        if s.exit_code is not None:
            facts.append(f"exit {s.exit_code}")
        if s.duration_s is not None:
            facts.append(f"{s.duration_s:.2f} s")
        if s.attempts > 1:
            facts.append(f"{s.attempts} attempts")
        if s.allowed_by:
            facts.append(f"destructive, allowed by {s.allowed_by}")
        if s.actor and s.actor not in s.allowed_by:
            facts.append(f"by {s.actor}")  # a person decided it: skipped, done by hand, judged
        if s.prerecorded and "pre-recorded" not in s.allowed_by:  # the consent already says whose it was
            facts.append(s.prerecorded)
        reason = s.reason.removeprefix(f"exit {s.exit_code}").lstrip("; ") if s.exit_code is not None else s.reason
        summary = f"{_MARK.get(s.status, '')} <code>{_html(first[:100])}</code> — {', '.join(facts)}"
        if reason:
            summary += f": {_html(reason[:200])}"
        if not s.outputs:
            out.append(f"{indent}- {summary}")
            continue
        out.append(f"{indent}<details><summary>{summary}</summary>")
        out.append("")
        text = "\n".join(o.text for o in s.outputs if o.stream in ("out", "err", "service"))
        if len(text) > MAX_OUTPUT_CHARS:
            text = (
                text[: MAX_OUTPUT_CHARS // 2]
                + "\n[… cut for the report; the record keeps head and tail …]\n"
                + text[-MAX_OUTPUT_CHARS // 2 :]
            )
        fence = "````" if "```" in text else "```"
        out.append(f"{indent}{fence}text")
        out.extend(f"{indent}{line}" for line in (text.rstrip("\n") or "(no output)").split("\n"))
        out.append(f"{indent}{fence}")
        out.append(f"{indent}</details>")
    out.append("")
    return out


def _summary(view: RunView) -> list[str]:
    run, state = view.run, view.state
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(view.counts.items()) if n)
    took = f" · took {run_took(state)}" if state.finished_at else ""
    return [
        "",
        f"> **golive run `{run.id}`: {_MARK.get(state.status, '')} {state.status}** · environment `{run.env}` · "
        f"started {when(run.started_at)} by {run.created_by}"
        + (f" · finished {when(state.finished_at)}" if state.finished_at else "")
        + took,
        f"> {counts}",
        *(
            [f"> environment profile `{view.profile.name}` ({view.profile.path}, sha256 `{view.profile.sha256[:12]}…`)"]
            if view.profile
            else []
        ),
    ]


def _footer(view: RunView) -> list[str]:
    state = view.state
    out = ["", "---", "", "### golive record", ""]
    out.append(
        f"- Run `{view.run.id}` of `{view.run.checklist_path}` (sha256 `{view.run.checklist_sha256[:12]}…`), "
        f"{view.events} events, last hash `{view.last_hash[:16]}…` (`golive audit verify {view.run.id}`)"
    )
    if state.rollback_status:
        out.append(f"- Rollback: {state.rollback_status} ({_escape(state.rollback_reason)})")
    for item, svc in state.services.items():
        out.append(
            f"- Service {item}: pid {svc.get('pid')}, {svc.get('state')}"
            + (f", port {svc['port']}" if svc.get("port") else "")
        )
    if view.plan.followups:
        out.extend(_followups(view))
    out.extend(_policy_approvals(view))
    out.extend(_notifications(view))
    for s in view.steps:
        if s.kind == "choose" and s.status != "pending":
            who = f" by {s.actor}" if s.actor else ""
            mark = f", {s.prerecorded}" if s.prerecorded else ""
            out.append(f"- Choice **{s.id}** ({_escape(s.section)}): {_escape(s.reason or s.status)}{who}{mark}")
    for warning in state.warnings:
        out.append(f"- Note: {_escape(warning)}")
    if state.status == "paused":
        out.append(
            f"- Paused: waiting for {_escape(state.paused.get('what', 'a person'))} (`{state.paused.get('hint', '')}`)"
        )
    return out


def _followups(view: RunView) -> list[str]:
    """Each follow-up with its due time (`Month 1` a calendar month after the finish) and its state then."""
    from golive.team import followups

    states = view.followup_states
    if view.run.status != "passed" or view.run.finished_at is None:
        names = ", ".join(_escape(s.followup.name) for s in states)
        return [f"- Follow-ups (owed once the deployment passes): {names}"]
    out = ["- Follow-ups after this deployment:"]
    for s in states:
        f = s.followup
        due = f"due {when(s.due_at)}" if s.due_at else "no due time written"
        if s.state in ("closed", "failed"):
            mark = _MARK["passed" if s.state == "closed" else "failed"]
            state = f"{mark} {s.state} by {s.closed_by} at {when(s.closed_at)}"
            state += f": {_escape(s.reason)}" if s.state == "failed" and s.reason else ""
        elif s.state in ("due", "overdue"):
            state = f'⏰ {s.state}, {followups.late(s.late_s)} late (`golive followup {view.run.id} "{f.name}"`)'
        else:
            state = f"{_MARK['pending']} {s.state}"
        out.append(f"  - **{_escape(f.name)}** ({f.key}) — {due} — {state}")
    return out


def _policy_approvals(view: RunView) -> list[str]:
    """Approvals the policy requires that no item of the checklist asks for (the items carry their own)."""
    extra = view.policy_only
    if not extra:
        return []
    out = [f"- Approvals the policy requires ({_escape(view.policy.source)}) that no checklist item asks for:"]
    for a in extra:
        if a.status == "missing":  # a paused run says below how to give it
            out.append(f"  - **{_escape(a.role)}**: {_MARK['pending']} missing")
            continue
        mark = _MARK["confirmed" if a.status == "approved" else "failed"]
        note = f": {_escape(a.note)}" if a.note else ""
        out.append(f"  - **{_escape(a.role)}**: {mark} {a.status} by {_escape(a.by)} at {when(a.at)}{note}")
    return out


def _notifications(view: RunView) -> list[str]:
    """How many messages went out, and each one that did not, with why (a run never fails for it)."""
    sent = [e for e in view.log if e.type == E.NOTIFIED]
    failed = [e for e in view.log if e.type == E.NOTIFY_FAILED]
    if not sent and not failed:
        return []
    out = [f"- Notifications: {len(sent)} sent, {len(failed)} failed"]
    out.extend(
        f"  - ⚠️ {e.data.get('event')} to `{e.data.get('to')}` not sent: {_escape(str(e.data.get('reason', '')))}"
        for e in failed
    )
    return out


def _escape(text: str) -> str:
    return text.replace("\n", " ").replace("*", "\\*").replace("_", "\\_") if text else text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
