"""Doing one step: a command, a confirmation, a field, a sign-off or a choice.

Each handler asks what it must (a stored answer first, then the operator), records the
step's start before anything runs and its end before the next step, and returns the status.
Command steps are run by `CommandStep` (commandstep.py); the steps people do are here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from golive.parse.placeholders import fill
from golive.plan import Kind, PlanStep, choice_key_matches, chosen_option
from golive.planview import duration
from golive.profile.apply import ToApply
from golive.record.events import EventType as E
from golive.run.checkstep import CheckStep
from golive.run.commandstep import CommandStep
from golive.run.judge import FAILED
from golive.run.outcomes import Abort, Answer, RollbackNow, answer_of
from golive.run.people import Need
from golive.run.shell import kill_leftovers, marked_processes
from golive.secrets import MASK, Secret
from golive.team import approvals
from golive.team.policy import Policy
from golive.team.policy import policy as policy_of
from golive.team.wait import AwaitApproval

if TYPE_CHECKING:
    from golive.run.engine import Engine


class StepRunner:
    def __init__(self, engine: Engine) -> None:
        self.e = engine
        self.command_step = CommandStep(self)
        self.check_step = CheckStep(self)
        self._policy: Policy | None = None

    def do(self, step: PlanStep, index: int, total: int) -> str:
        self.e.reporter.step(index, f"{step.section.title} › {step.id} {_label(step)}")
        self.check_step.before(step)
        handler = {
            Kind.COMMAND: self.command_step.command,
            Kind.CONFIRM: self.confirm,
            Kind.FIELD: self.field,
            Kind.SIGNOFF: self.signoff,
            Kind.CHOOSE: self.choose,
            Kind.CHECK: self.check_step.check,
        }[step.kind]
        return handler(step)

    # --- people ------------------------------------------------------------------------------------------

    def confirm(self, step: PlanStep) -> str:
        e = self.e
        if step.prechecked:
            return e.finish_step(step, "prechecked", "ticked in the checklist itself")
        data: dict[str, Any] = {}
        text = ""
        if step.content is not None:
            text = step.content.text
            if step.content.placeholders:
                text = self._filled_message(step)
                data["message"] = e.masker(text)  # the message as the person is asked to send it
            lines = text.splitlines()
            for line in lines if step.content.purpose == "message" else lines[:12]:
                e.reporter.say(f"    {e.masker(line)}", "dim")
        else:
            for line in step.text.splitlines()[1:]:  # the bullets under a numbered step
                e.reporter.say(f"    {line}", "dim")
        # A message the checklist wrote ("Notify Stakeholders"): golive sends it when there is somewhere to send.
        sends = step.content is not None and step.content.purpose == "message" and e.notifier is not None
        stored = answer_of(e.state, step.id, "confirm")
        target = e.setup.applies.get(step.id) if e.setup is not None else None
        if stored is None and target is not None and step.content is not None:
            return self._apply_block(step, target)
        if stored is not None:
            answer, actor = stored
        else:
            what = (
                "Done" if step.content is None else _content_question(step.content.purpose, bool(step.content.platform))
            )
            if sends and e.notifier is not None:
                n = len(e.notifier.where)
                what = f"Send it (golive sends it to {n} notification service{'s' if n != 1 else ''})"
            answer, actor = e.people.confirm(step.id, step.text, what), e.actor
        status = self._manual_outcome(step, answer, actor, **data)
        if sends and status == "confirmed":  # seen and answered: now it goes out, as shown
            e.notify("message", text=text, label=_label(step))
        return status

    def _apply_block(self, step: PlanStep, target: ToApply) -> str:
        """A profile's `apply:`: golive puts the block in the file itself, in the named person's name."""
        e = self.e
        assert step.content is not None
        try:
            done = target.write(step.content.text, step.content.lang)
        except (OSError, ValueError) as exc:
            reason = e.masker(f"could not apply the block to {target.file}: {exc}")
            e.finish_step(step, "failed", reason, target.by, applied=target.file, how=target.how)
            return self.after_failure(step, reason, retryable=False)
        e.reporter.say(f"  {e.masker(done)}", "dim")
        reason = f"{done}: applied by golive for {target.by}, as {target.label} says (line {target.line})"
        return e.finish_step(step, "passed", e.masker(reason), target.by, applied=target.file, how=target.how)

    def _filled_message(self, step: PlanStep) -> str:
        """A message with its fields filled: what golive knows itself, then what a person gives."""
        e = self.e
        assert step.content is not None
        values = self.need_values(step)
        started = e.state.started_at
        now = datetime.now(UTC)
        known = {
            "run_start": _when(started) if started else "",
            "now": _when(now),
            "elapsed": duration(int((now - started).total_seconds())) if started else "",
            "reason": e.state.rollback_reason if e.state.phase == "rollback" else "",
        }
        for p in step.content.placeholders:
            if p.known and p.field not in e.options.vars:
                value = known.get(p.known, "") or values.get(p.field) or self._ask(p.field, p.text)
                values[p.field] = value
        return fill(step.content.text, step.content.placeholders, values)

    def _ask(self, name: str, example: str) -> str:
        e = self.e
        value = e.people.field(name, f"value for {example}", e.is_secret(name), (), example).value
        self.set_value(name, value, e.is_secret(name), "for a message")
        return value

    def _manual_outcome(self, step: PlanStep, answer: Answer, actor: str, **data: Any) -> str:
        e = self.e
        if answer.verb in ("confirm", "yes", "passed", "done"):
            return e.finish_step(step, "confirmed", answer.reason, actor, **data)
        if answer.verb == "skip" and answer.by_option:
            # An option's doing, not a person's decision: said so, with who gave the option.
            reason = f"{answer.reason.removesuffix(f' ({answer.by_option})')} ({answer.by_option}, given by {actor})"
            return e.finish_step(step, "skipped", reason, None, by_option=answer.by_option, given_by=actor, **data)
        if answer.verb == "skip":
            return e.finish_step(step, "skipped", answer.reason, actor, **data)
        if answer.verb == "abort":
            raise Abort(f"aborted by {actor} at {step.id}", by_person=True)
        reason = answer.reason or "a person said it failed"
        e.finish_step(step, "failed", reason, actor, **data)
        return self.after_failure(step, reason, retryable=False)

    def signoff(self, step: PlanStep) -> str:
        """A sign-off is a named person's approval of a role, under the run's policy (team/): never
        skipped, never an option's doing. Placed before production steps, it holds them (a gate)."""
        e = self.e
        assert step.signoff is not None
        role = step.signoff.role
        if step.prechecked and not self.policy.requires(role):
            return e.finish_step(step, "prechecked", "signed in the checklist itself", role=role)
        decision = self.approval(role, step.id, step.signoff.statement)
        if decision.decision == "approved":
            return e.finish_step(step, "confirmed", decision.note, decision.person, role=role)
        reason = f"not approved by {decision.person} ({role}): {decision.note}"
        e.finish_step(step, "failed", reason, decision.person, role=role)
        raise RollbackNow(reason) if e.options.rollback_on_failure else Abort(reason)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            from golive.profile.recorded import of_run

            self._policy = policy_of(self.e.plan.checklist, of_run(self.e.store.events(self.e.run.id)))
        return self._policy

    def approval(self, role: str, item: str | None, text: str) -> approvals.Decision:
        """The role's decision: recorded already (golive approve / reject, from anywhere), a profile's
        pre-recorded answer, or the runner's at the terminal when the policy lets them give it.
        Otherwise the run waits for it (team/wait.py) or pauses, naming who is awaited."""
        e = self.e
        events = e.store.events(e.run.id)
        found = approvals.decisions(events).get(approvals.key(role))
        if found is not None:
            return found
        stored = answer_of(e.state, item, "signoff") if item else None
        if stored is not None:
            answer, actor = stored
            verb = "approved" if answer.verb in ("confirm", "yes", "passed") else "rejected"
            found = self._decide(events, actor, role, item, verb, answer.reason, "a stored answer", quiet=False)
            if found is not None:
                return found
        if e.people.interactive and approvals.violation(e.plan, self.policy, events, e.actor, role, "approved") is None:
            answer = e.people.signoff(item or "", text, role)  # [l]ater: pauses, as it always did
            if answer.verb == "abort":
                raise Abort(f"aborted by {e.actor} at {item or role}", by_person=True)
            verb = "approved" if answer.verb in ("confirm", "yes", "passed") else "rejected"
            found = self._decide(events, e.actor, role, item, verb, answer.reason, "at the terminal", quiet=True)
            if found is not None:
                return found
        who = approvals.awaited(self.policy, role, events)
        raise AwaitApproval(
            Need(
                item or "",
                f"a sign-off as {who}" + (f": {text}" if text and text != role else ""),
                f"golive approve {e.run.id} --role '{role}' --as NAME  (or golive reject … --reason R)",
                "signoff" if item else "approval",
            )
        )

    def _decide(
        self, events: list[Any], person: str, role: str, item: str | None, verb: str, note: str, how: str, quiet: bool
    ) -> approvals.Decision | None:
        """Record a decision that keeps the rules; one that breaks one is a warning, and the run waits on."""
        e = self.e
        refused = approvals.violation(e.plan, self.policy, events, person, role, verb)
        if refused is not None:
            if not quiet:
                e.record(E.WARNING, item, person, message=f"{person}'s answer for {role} is not taken: {refused}")
                e.reporter.say(f"  {person}'s answer for {role} is not taken: {refused}", "yellow")
            return None
        data: dict[str, Any] = approvals.event_data(role, verb, note, how)
        e.record(E.APPROVAL, item, person, **data)
        return approvals.decisions(e.store.events(e.run.id))[approvals.key(role)]

    def required_approvals(self) -> None:
        """Roles the policy requires that no sign-off item asks for: a run does not pass without them."""
        for role in approvals.policy_only(self.e.plan, self.policy):
            decision = self.approval(role, None, role)
            if decision.decision != "approved":
                reason = f"not approved by {decision.person} ({role}): {decision.note}"
                self.e.record(E.WARNING, None, decision.person, message=reason)
                raise RollbackNow(reason) if self.e.options.rollback_on_failure else Abort(reason)

    def field(self, step: PlanStep) -> str:
        e = self.e
        assert step.field is not None
        f = step.field
        if f.name in e.values:
            shown = MASK if f.secret else e.values[f.name]
            if f.name not in e.state.fields and f.name not in e.state.secret_fields:
                self.set_value(f.name, e.values[f.name], f.secret, "given with --var")
            return e.finish_step(step, "set", f"{f.name} = {shown}")
        stored = answer_of(e.state, f.name, "field")
        value = stored[0].value if stored else None
        if value is None:
            try:
                value = e.people.field(f.name, f.label, f.secret, f.choices, "").value
            except Exception:
                if f.optional:
                    return e.finish_step(step, "skipped", f"{f.name} is optional and no value was given")
                raise
        self.set_value(f.name, value, f.secret, "asked")
        return e.finish_step(step, "set", f"{f.name} = {MASK if f.secret else value}", e.actor)

    def set_value(self, name: str, value: str, secret: bool, how: str) -> None:
        e = self.e
        e.values[name] = value
        if secret:
            e.masker.add(value)
        e.record(
            E.FIELD_SET, name, e.actor, name=name, value=Secret(value) if secret else value, secret=secret, how=how
        )
        assert e.shell is not None
        e.shell.set_variables({name: value})

    def need_values(self, step: PlanStep) -> dict[str, str]:
        """Values for the fields a step's placeholders need: given, stored, held by the session, or asked now."""
        e = self.e
        placeholders = step.command.placeholders if step.command else step.content.placeholders if step.content else ()
        session = e.shell.state.variables if e.shell is not None else {}
        from_session: dict[str, str] = {}
        for name in step.needs:
            if name in e.values:
                continue
            secret = e.is_secret(name)
            stored = answer_of(e.state, name, "field")
            if stored is not None and stored[0].value:
                value = stored[0].value
            elif name in dict(step.session) and session.get(name):
                from_session[name] = session[name]  # an earlier command set it: no second question
                continue
            else:
                example = next((p.text for p in placeholders if p.field == name), "")
                declared = next((f for f in e.plan.checklist.fields if f.name == name), None)
                label = declared.label if declared else f"value for {example}"
                value = e.people.field(name, label, secret, declared.choices if declared else (), example).value
            self.set_value(name, value, secret, "for a placeholder")
        return {**{n: e.values[n] for n in step.needs if n in e.values}, **from_session}

    def choose(self, step: PlanStep) -> str:
        e = self.e
        group = step.group
        assert group is not None
        labels = list(group.labels)
        actor = e.actor
        preset = self._preset_choice(step)
        if preset is not None:
            index, how = preset
        else:
            stored = answer_of(e.state, step.id, "choice")
            if stored is not None:
                answer, actor = stored
                found = chosen_option(e.plan, step, answer.value) if answer.value else answer.option
                index, how = (found if found is not None else -1), "answered"
            else:
                shown = list(group.keys) if group.choice and all(group.keys) else labels
                answer = e.people.choose(step.id, step.section.title, shown)
                index, how = answer.option, "chosen at the terminal"
        if not 0 <= index < len(labels):
            raise Abort(f"{step.id}: no such option among {' / '.join(labels)}")
        e.record(E.CHOICE_MADE, step.id, actor, group=group.id, option=index, label=labels[index], how=how)
        return e.finish_step(step, "set", f"option {index + 1}: {labels[index]} ({how})", actor)

    def _preset_choice(self, step: PlanStep) -> tuple[int, str] | None:
        e = self.e
        group = step.group
        assert group is not None
        for key, wanted in e.options.choose.items():
            if choice_key_matches(key, step):
                index = chosen_option(e.plan, step, wanted)
                if index is not None:
                    return index, e.setup.how_chosen(key, wanted) if e.setup else f"--choose {key}={wanted}"
        platforms = group.platforms
        here = [i for i, p in enumerate(platforms) if not p]
        if platforms and len(here) == 1 and len(platforms) > 1:
            return here[0], "the only option for this platform"
        # One choice over the same options (the plan's `choice`): what was chosen for one group holds for all.
        for other in (*e.plan.steps, *e.plan.rollback):
            g = other.group
            if other.kind is not Kind.CHOOSE or g is None or g.id == group.id or not group.choice:
                continue
            chosen = e.state.choices.get(g.id)
            if (
                g.choice == group.choice
                and chosen is not None
                and chosen < len(g.keys)
                and g.keys[chosen] in group.keys
            ):
                return group.keys.index(g.keys[chosen]), f"as chosen at {other.id} ({g.keys[chosen]})"
        return None

    # --- after a failure ---------------------------------------------------------------------------------

    def after_failure(self, step: PlanStep, reason: str, retryable: bool) -> str:
        """What happens after a failed step: retry, skip (with a reason), abort or roll back."""
        e = self.e
        if step.phase.value == "rollback":
            if e.options.non_interactive or not e.people.interactive:
                raise Abort(f"rollback step {step.id} failed: {reason}")
        elif e.options.rollback_on_failure:
            raise RollbackNow(f"{step.id} failed: {reason}")
        if e.stop_requested:
            e.stop_requested = False
            e.people.interrupted(step.id)  # Ctrl-C stopped it: pause or abort, never a retry by Enter
        answer = e.people.failure(step.id, e.masker(reason), bool(e.plan.rollback) and step.phase.value == "main")
        if answer.verb == "retry" and retryable:
            return "retry"
        if answer.verb == "retry":
            return FAILED
        if answer.verb == "skip":
            return e.finish_step(step, "skipped", f"failed, then skipped: {answer.reason}", e.actor)
        if answer.verb == "rollback":
            raise RollbackNow(f"{step.id} failed: {reason}")
        raise Abort(f"{step.id} failed: {reason}", by_person=e.people.interactive)

    # --- in doubt ------------------------------------------------------------------------------------------

    def settle_in_doubt(self) -> None:
        """Steps that started before golive was killed and never finished: a person settles each."""
        from golive.run import resume

        e = self.e
        for record in list(e.state.in_doubt):
            step = e.plan.step(record.item)
            if step is None:
                continue
            if resume.settle(self, step, record) != resume.UNKNOWN:
                continue  # its session's journal says how it ended, or that it never began
            session, n = record.data.get("session", ""), int(record.data.get("n", 0))
            alive = [p.pid for p in marked_processes(session, n)] if session else []
            stored = answer_of(e.state, step.id, "in_doubt")
            if stored is not None and stored[0].verb in ("done", "rerun", "skip", "abort"):
                answer, actor = stored
            elif step.kind is Kind.CHECK:  # a check changes nothing: running it again is always safe
                answer, actor = Answer("rerun", "a check is run again"), e.actor
            elif e.options.in_doubt != "ask":
                answer, actor = Answer(e.options.in_doubt, "--in-doubt"), e.actor
            else:
                e.reporter.say(
                    f"{step.id} was running when golive was interrupted: {record.data.get('command', '')}", "yellow"
                )
                answer, actor = e.people.in_doubt(step.id, step.text, alive), e.actor
            if answer.verb == "abort":
                raise Abort(f"aborted while settling {step.id}", by_person=True)
            if answer.verb in ("rerun", "skip") and session:
                kill_leftovers(session, n)  # nothing of the interrupted attempt may finish behind our back
            if answer.verb == "done":
                e.finish_step(step, "confirmed", f"in doubt after an interruption; {actor} says it completed", actor)
            elif answer.verb == "skip":
                e.finish_step(step, "skipped", f"in doubt after an interruption: {answer.reason or 'skipped'}", actor)
            else:
                e.record(E.WARNING, step.id, actor, message=f"{step.id} was in doubt; running it again ({actor})")
                e.state.steps[step.id].status = "in_doubt"
        resume.forget_ended_sessions(self)


def _when(t: datetime) -> str:
    """A time as the person sending a message reads it: their own time zone, named."""
    return t.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _content_question(purpose: str, elsewhere: bool) -> str:
    """What a person confirms about a block golive shows but does not run."""
    if elsewhere:
        return "Done on that platform"
    return {"config": "Applied", "message": "Sent", "log": "Seen in the logs"}.get(purpose, "Done")


def _label(step: PlanStep) -> str:
    from golive.plan import first_line, plain

    if step.kind is Kind.COMMAND and step.command is not None:
        # A command's title: the comment written above it, else its first line.
        title = step.command.comments[-1] if step.command.comments else step.command.text.strip().split("\n")[0]
        return title.strip()[:100]
    return plain(first_line(step.text))[:100]
