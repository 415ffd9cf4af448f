"""The JSON report: every step with its section, kind, line, text, status, actor, times and exit code."""

from __future__ import annotations

from typing import Any

from golive import __version__
from golive.report.view import ApprovalView, RunView, StepView
from golive.run.state import active_seconds


def _iso(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None


def step(s: StepView) -> dict[str, Any]:
    return {
        "id": s.id,
        "line": s.line,
        "phase": s.phase,
        "section": s.section,
        "section_line": s.section_line,
        "kind": s.kind,
        "text": s.text,
        "status": s.status,
        "reason": s.reason,
        "actor": s.actor,
        "role": s.role or None,
        "started_at": _iso(s.started_at),
        "finished_at": _iso(s.finished_at),
        "duration_s": s.duration_s,
        "exit_code": s.exit_code,
        "attempts": s.attempts,
        "value": s.field_value or None,
        "allowed_by": s.allowed_by or None,
        "measured": s.measured or None,
        "facts": [{"ok": ok, "text": text} for ok, text in s.facts] or None,
        "prerecorded": s.prerecorded or None,
        "output": [
            {"stream": o.stream, "text": o.text, "bytes": o.total_bytes, "cut_bytes": o.cut_bytes} for o in s.outputs
        ],
    }


def render(view: RunView) -> dict[str, Any]:
    run, state = view.run, view.state
    return {
        "golive": __version__,
        "run": {
            "id": run.id,
            "checklist": run.checklist_path,
            "sha256": run.checklist_sha256,
            "title": run.title,
            "env": run.env,
            "status": state.status,
            "started_at": _iso(run.started_at),
            "finished_at": _iso(state.finished_at),
            "duration_s": round(active_seconds(state), 3),  # time worked, pauses left out
            "created_by": run.created_by,
            "host": run.host,
            "events": view.events,
            "last_hash": view.last_hash,
            "profile": vars(view.profile) if view.profile else None,
        },
        "counts": view.counts,
        "rollback": {"status": state.rollback_status or None, "reason": state.rollback_reason or None},
        "services": state.services,
        "paused": state.paused if state.status == "paused" else None,
        "warnings": state.warnings,
        "steps": [step(s) for s in view.steps],
        "followups": [step(s) for s in view.followups],
        # each follow-up at `at`: due_at, state (upcoming, due, overdue, in progress, failed, closed, not owed)
        "followup_status": [s.as_json() for s in view.followup_states],
        "approvals": {
            "policy": view.policy.source or None,
            "roles": [approval(a) for a in view.approvals],
        },
        "at": _iso(view.at),
    }


def approval(a: ApprovalView) -> dict[str, Any]:
    return {
        "role": a.role,
        "item": a.item,  # null: the policy requires it and no checklist item asks for it
        "status": a.status,  # approved, rejected, missing, prechecked
        "by": a.by or None,
        "at": _iso(a.at),
        "note": a.note or None,
    }
