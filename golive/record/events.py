"""Every kind of event in the record. The record is the truth: run state, reports and the
dashboard are all rebuilt by replaying these, in order. Data never holds a secret value."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    RUN_STARTED = "run_started"
    """A run began: checklist path and sha256, title, environment, options, who, where."""
    RUN_RESUMED = "run_resumed"
    """A paused, failed or interrupted run continues (`golive resume`)."""
    STEP_STARTED = "step_started"
    """A step began: phase, attempt, the command as written (secrets masked). Committed before it runs,
    so a crash leaves the step *in doubt* rather than forgotten."""
    STEP_FINISHED = "step_finished"
    """A step ended: status, exit code, duration, why, who judged, output ids."""
    ANSWER = "answer"
    """A person answered for a step: confirm, skip, fail, accept, destructive-ok, rerun, done, judged."""
    FIELD_SET = "field_set"
    """A field got a value (`***` when secret: the value itself is never stored)."""
    CHOICE_MADE = "choice_made"
    """One option of a block of alternatives was chosen: by a person, by --choose, or by platform."""
    PAUSED = "paused"
    """The run waits for a person: what is needed and how to give it."""
    SERVICE_STARTED = "service_started"
    """A long-running process was started in the background: pid, port, log, how readiness was seen."""
    SERVICE_STOPPED = "service_stopped"
    """A background service was stopped by golive (at the operator's choice, or because the run aborted)."""
    SERVICE_LEFT = "service_left"
    """A background service was left running at the end of the run (the deployed service)."""
    SESSION_STATE = "session_state"
    """The shell's working directory and exported variables changed (secret names listed, values never)."""
    SESSION_RESTORED = "session_restored"
    """A new shell session took over (after a crash, a service holding the old one, or `exit`)."""
    ROLLBACK_STARTED = "rollback_started"
    """The rollback section began: why, and which trigger."""
    ROLLBACK_FINISHED = "rollback_finished"
    """The rollback section ended: its status."""
    RUN_FINISHED = "run_finished"
    """The run ended: passed, failed, rolled_back, aborted or abandoned."""
    WARNING = "warning"
    """Something a person should know that is not a step result."""
    OUTPUT_SAVED = "output_saved"
    """A step's output was kept (masked): output id, stream, bytes, and the sha256 that chains the output row."""
    APPROVAL = "approval"
    """A person approved or rejected a sign-off role (`golive approve` / `reject`, or at the terminal): role,
    decision, comment or reason, how the person was identified, host. Checked against the policy first."""
    STATUS_CHANGED = "status_changed"
    """The run's status changed outside the steps' own events (e.g. found interrupted): the status, why."""
    NOTIFIED = "notified"
    """A notification went out: which state (`event`), its subject, to which services (addresses never in clear)."""
    NOTIFY_FAILED = "notify_failed"
    """A notification did not go out: which state, which service, why. The run goes on regardless."""
    FOLLOWUP_STARTED = "followup_started"
    """`golive followup RUN SECTION` began a follow-up of a finished run: which one, who, when it was due."""
    FOLLOWUP_CLOSED = "followup_closed"
    """A follow-up ended: passed (closed) or failed, who, why. Its steps are step events of phase followup."""


# What a notification is sent for: the `event` of NOTIFIED / NOTIFY_FAILED, and GOLIVE's names for them.
NOTIFY_EVENTS = {
    "run_started": "a run began",
    "paused": "a run waits for a person (who and what)",
    "failed": "a run failed (or was aborted)",
    "rolled_back": "a run rolled back",
    "passed": "a run passed",
    "approval_given": "an approver signed off",
    "approval_refused": "an approver refused",
    "followup_due": "a follow-up of a finished run is due",
    "message": "a message step of the checklist (Notify Stakeholders), as the operator saw it",
}


# A new kind of event is a new member above (approvals, notifications…): the chain, verify and export
# treat every type alike, and replaying a run ignores the types it does not use.


# What each run status means, for people and the `runs` listing.
RUN_STATUSES = {
    "running": "a golive process is working on it",
    "paused": "waiting for a person (confirm, approve, set, choose), then `golive resume`",
    "passed": "every step verified",
    "failed": "a step failed and the run stopped",
    "rolled_back": "the rollback section ran after a failure",
    "aborted": "stopped by a person",
    "abandoned": "ended by a person who said nobody will finish it (`golive abandon`): never resumed",
    "interrupted": "golive was killed mid-run: `golive resume` continues it",
}

# How a step can end.
STEP_STATUSES = {
    "passed": "verified: exit status and expectations held",
    "failed": "an exit status or an expectation did not hold, or a person said it failed",
    "confirmed": "a person confirmed it (name and time recorded)",
    "prechecked": "ticked in the checklist itself; not confirmed during the run",
    "observed": "a command that never returns, watched for a bounded window",
    "set": "a field got its value",
    "skipped": "skipped by a person or an option, with the reason",
    "not_run": "not run: an alternative not chosen, another platform, or the run ended first",
    "paused": "waiting for a person",
    "in_doubt": "golive was killed while it ran: it may or may not have completed",
}
