"""A profile applied to a checklist, between parse and plan: the checklist as it will run there.

Rewrites change the model's commands, expectations and checks; profile checks are inserted
after the items they name; secrets declared by the profile become secret fields. What the
run needs besides the plan (variables, choices, pre-recorded answers, the shell's set-up)
is collected here, every entry validated against the plan with its profile line.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from golive import plan as planning
from golive.model import AnyItem, Checklist, Commands, Field, Section, Step, Task
from golive.parse.annotations import check_item
from golive.parse.placeholders import find_placeholders
from golive.plan import Kind, Plan, PlanStep, is_secret
from golive.profile.load import LoadedProfile, ProfileError, absolute_prefix
from golive.profile.match import by_id, by_section, by_text
from golive.profile.model import AnswerEntry, ApplyEntry, CheckEntry
from golive.profile.rewrite import Rewriter, Rule

# A profile's answer, by the kind of step it answers -> (what the step waits for, the answer it reads):
# the `need` and `verb` of an answer event, as `golive confirm` records them (coord/answers-spec.md).
ANSWERS: dict[str, dict[Kind, tuple[str, str]]] = {
    "confirm": {
        Kind.CONFIRM: ("confirm", "confirm"),
        Kind.SIGNOFF: ("signoff", "confirm"),
        Kind.COMMAND: ("accept", "confirm"),  # an optional command: run it
    },
    # A command answered done or skip does not run: a person did it by hand, or decided it must not run.
    "done": {Kind.CONFIRM: ("confirm", "confirm"), Kind.COMMAND: ("command", "done")},
    "skip": {Kind.CONFIRM: ("confirm", "skip"), Kind.COMMAND: ("command", "skip")},
    "fail": {Kind.CONFIRM: ("confirm", "fail"), Kind.SIGNOFF: ("signoff", "fail")},
    "passed": {Kind.COMMAND: ("judge", "confirm")},
    "failed": {Kind.COMMAND: ("judge", "fail")},
    "allow": {Kind.COMMAND: ("destructive", "allow")},
}
_OPTIONAL_VERBS = ("confirm",)  # for a command: run one the checklist calls optional (others run with --yes)
_WHAT = {Kind.CONFIRM: "items a person confirms", Kind.SIGNOFF: "sign-offs", Kind.COMMAND: "commands"}


@dataclass(frozen=True)
class Prerecorded:
    """An answer the profile gives for a step, in a named person's name."""

    step: str
    need: str  # what the step waits for: confirm signoff judge destructive command failed
    verb: str  # the answer it reads: confirm skip fail done allow
    answer: str  # as the profile wrote it
    by: str
    reason: str
    line: int  # in the profile


@dataclass(frozen=True)
class Attached:
    after: str
    line: int  # in the profile
    raw: str


@dataclass(frozen=True)
class ToApply:
    """A config block golive writes into a file when the run reaches it, in `by`'s name."""

    step: str
    file: str  # absolute
    how: str  # merge | write | append
    by: str
    line: int  # in the profile
    label: str  # the profile's, for the record

    def write(self, text: str, lang: str) -> str:
        """Put the block in the file; what was done, in words. ValueError when the file cannot take it."""
        path = Path(self.file)
        lang = "yaml" if lang in ("yaml", "yml") else lang
        path.parent.mkdir(parents=True, exist_ok=True)
        body = text.rstrip("\n") + "\n"
        if self.how == "write":
            path.write_text(body, encoding="utf-8")
            return f"wrote the block to {path}"
        if self.how == "append":
            before = path.read_text(encoding="utf-8") if path.exists() else ""
            path.write_text(before + ("\n" if before and not before.endswith("\n") else "") + body, encoding="utf-8")
            return f"appended the block to {path}"
        block = _load(text, lang, "the block")
        current = _load(path.read_text(encoding="utf-8"), lang, str(path)) if path.exists() else {}
        if not isinstance(block, dict) or not isinstance(current, dict):
            raise ValueError(f"merge needs a mapping in the block and in {path}")
        merged = _merged(current, block)
        if lang == "json":
            path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(merged, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return f"merged the block's keys into {path} ({', '.join(_paths(block))})"


def _load(text: str, lang: str, what: str) -> Any:
    try:
        return json.loads(text) if lang == "json" else yaml.safe_load(text) or {}
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{what} is not valid {lang.upper()}: {str(exc).splitlines()[0]}") from None


def _merged(into: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    out = dict(into)
    for key, value in block.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _paths(block: dict[str, Any], prefix: str = "") -> list[str]:
    """`download_monitor.enabled = false`: each value the block sets."""
    out = []
    for key, value in block.items():
        if isinstance(value, dict) and value:
            out.extend(_paths(value, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key} = {json.dumps(value)}")
    return out


@dataclass(frozen=True)
class RunSetup:
    """What the run's shell gets from the profile, and which variables came from it."""

    label: str
    env: dict[str, str]
    path_prefix: tuple[str, ...]
    prelude: str
    variables: frozenset[str]  # the names the profile gave (not --var)
    choices: frozenset[str] = frozenset()  # the keys the profile gave (not --choose)
    applies: Mapping[str, ToApply] = field(default_factory=dict)  # step -> the file its block goes to

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        env = {**base, **self.env}
        if self.path_prefix:
            env["PATH"] = os.pathsep.join((*self.path_prefix, env.get("PATH", os.defpath)))
        return env

    def how(self, name: str) -> str:
        """How a variable got its value, for the record."""
        return self.label if name in self.variables else "--var"

    def how_chosen(self, key: str, label: str) -> str:
        """How an option was chosen, for the record."""
        return f"{self.label}: {key}={label}" if key in self.choices else f"--choose {key}={label}"


@dataclass(frozen=True)
class Applied:
    profile: LoadedProfile
    checklist: Checklist
    plan: Plan
    answers: tuple[Prerecorded, ...]
    checks: tuple[Attached, ...]
    rewrites: dict[Rule, list[int]]
    applies: tuple[ToApply, ...] = ()

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.profile.spec.variables)

    @property
    def choices(self) -> dict[str, str]:
        return dict(self.profile.spec.choices)

    def setup(self, given: Mapping[str, str] | None = None, chosen: Mapping[str, str] | None = None) -> RunSetup:
        """The shell's set-up; `given` (--var) and `chosen` (--choose) win over the profile's."""
        spec = self.profile.spec
        names = frozenset(n for n in (*spec.variables, *spec.secrets) if n not in (given or {}))
        keys = frozenset(k for k in spec.choices if k not in (chosen or {}))
        prefix = tuple(absolute_prefix(self.profile))
        applies = {a.step: a for a in self.applies}
        return RunSetup(self.profile.label, dict(spec.env), prefix, spec.prelude, names, keys, applies)


def apply(profile: LoadedProfile, checklist: Checklist) -> Applied:
    """The checklist as it runs in the profile's environment; every entry checked against its plan."""
    checklist = _with_secret_fields(checklist, profile)
    written = planning.build(checklist)  # entries name items as the checklist's author wrote them
    _check_choices(written, profile)
    answers = _answers(written, profile)
    applies = _applies(written, profile, {a.step for a in answers})
    rewriter = Rewriter.of(profile.spec.rewrite)
    checklist = rewriter.checklist(checklist)
    attached = []
    for index, entry in enumerate(profile.spec.checks):
        check = _attached(written, profile, index, entry)
        step = written.step(check.after)
        assert step is not None
        # Written like the checklist (production names), rewritten like the checklist's own checks.
        check = dataclasses.replace(check, raw=rewriter.text(check.raw, step.line)[0])
        _refuse_bad_check(profile, index, check)
        checklist = _insert_check(checklist, step.line, check.raw)
        attached.append(check)
    plan = planning.build(checklist)
    return Applied(profile, checklist, plan, tuple(answers), tuple(attached), rewriter.lines, applies)


def _with_secret_fields(checklist: Checklist, profile: LoadedProfile) -> Checklist:
    """Names the profile declares secret are secret in this run, whatever they are called."""
    added = [
        Field(0, name, f"secret from ${ref.env} ({profile.label})", secret=True)
        for name, ref in profile.spec.secrets.items()
        if not is_secret(checklist, name)
    ]
    if not added:
        return checklist
    names = {f.name for f in added}
    kept = tuple(f for f in checklist.fields if f.name not in names)
    return dataclasses.replace(checklist, fields=(*kept, *added))


def _check_choices(plan: Plan, profile: LoadedProfile) -> None:
    for key, wanted in profile.spec.choices.items():
        problem = planning.choice_problem(plan, key, wanted)
        if problem:
            raise profile.error(("choices", key), f"{key}: {wanted}: {problem}", "golive plan shows the choices")


def _answers(plan: Plan, profile: LoadedProfile) -> list[Prerecorded]:
    out: list[Prerecorded] = []
    seen: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(profile.spec.answers):
        loc = ("answers", index)
        line = profile.line(*loc)
        for step in _answered(plan, profile, loc, entry):
            first = seen.get(step.id)
            # One answer per step; a destructive command whose output a person judges takes both.
            if first is not None and {first[1], entry.answer} not in ({"allow", "passed"}, {"allow", "failed"}):
                raise profile.error(loc, f"{step.id} is answered twice", f"first at line {first[0]}")
            seen[step.id] = (line, entry.answer)
            if entry.answer == "allow" and (step.command is None or not step.command.destructive):
                raise profile.error(loc, f"{step.id} is not a destructive command: allow answers only those")
            if entry.answer in _OPTIONAL_VERBS and step.kind is Kind.COMMAND and not step.optional:
                raise profile.error(
                    loc,
                    f"{step.id} is a command the checklist does not call optional: a profile answers "
                    f"{entry.answer} only for an optional one (“if needed”, “optional”…)",
                    "accept commands with --yes",
                )
            need, verb = ANSWERS[entry.answer][step.kind]
            out.append(Prerecorded(step.id, need, verb, entry.answer, entry.by, entry.reason, line))
    return out


def _applies(plan: Plan, profile: LoadedProfile, answered: set[str]) -> tuple[ToApply, ...]:
    """Each `apply:` entry names one config block; it is written as the checklist shows it, so a
    block holding a placeholder or one a merge cannot read is an error at the entry's line."""
    out: list[ToApply] = []
    base = Path(profile.path).parent
    for index, entry in enumerate(profile.spec.apply):
        loc = ("apply", index)
        step = _block(plan, profile, loc, entry)
        content = step.content
        assert content is not None
        if step.id in answered or any(a.step == step.id for a in out):
            raise profile.error(loc, f"{step.id} is answered twice: apply: writes it, so it takes no other answer")
        held = find_placeholders(content.text, "text")
        if held:
            raise profile.error(loc, f"{step.id}'s block holds {held[0].text!r}: golive would write it as is")
        if entry.how == "merge":
            lang = "yaml" if content.lang in ("yaml", "yml") else content.lang
            if lang not in ("json", "yaml"):
                raise profile.error(
                    loc,
                    f"{step.id} is a {content.lang or 'plain'} block: merge reads JSON or YAML",
                    "how: write or append",
                )
            try:
                _load(content.text, lang, f"{step.id}'s block")
            except ValueError as exc:
                raise profile.error(loc, str(exc)) from None
        target = str((base / entry.file).resolve())
        out.append(ToApply(step.id, target, entry.how, entry.by, profile.line(*loc), profile.label))
    return tuple(out)


def _block(plan: Plan, profile: LoadedProfile, loc: tuple[str, int], entry: ApplyEntry) -> PlanStep:
    what = "apply: is for a block golive shows to apply (`golive plan` shows it as config)"
    if entry.item is not None:
        step = by_id(plan, profile, (*loc, "item"), entry.item, (Kind.CONFIRM,), what)
    else:
        assert entry.text is not None
        step = by_text(plan, profile, (*loc, "text"), entry.text, (Kind.CONFIRM,), what)
    if step.content is None:
        raise profile.error(loc, f"{step.id} is an item a person confirms, not a block; {what}")
    return step


def _answered(plan: Plan, profile: LoadedProfile, loc: tuple[str, int], entry: AnswerEntry) -> list[PlanStep]:
    kinds = tuple(ANSWERS[entry.answer])
    optional = entry.answer in _OPTIONAL_VERBS
    what = f"answer {entry.answer} is for " + " and ".join(
        "optional commands" if k is Kind.COMMAND and optional else _WHAT[k] for k in kinds
    )
    if entry.item is not None:
        return [by_id(plan, profile, (*loc, "item"), entry.item, kinds, what)]
    if entry.items is not None:
        return [by_id(plan, profile, (*loc, "items", i), ref, kinds, what) for i, ref in enumerate(entry.items)]
    if entry.text is not None:
        return [by_text(plan, profile, (*loc, "text"), entry.text, kinds, what)]
    assert entry.section is not None
    steps = by_section(plan, profile, (*loc, "section"), entry.section, kinds, "of that kind: " + what)
    # A section's confirm or skip answers its items and optional commands; its other commands run (--yes).
    answered = [s for s in steps if not s.prechecked and (s.kind is not Kind.COMMAND or s.optional)]
    if not answered:
        raise profile.error((*loc, "section"), f"section {entry.section!r} has no step of that kind: {what}")
    return answered


def _attached(plan: Plan, profile: LoadedProfile, index: int, entry: CheckEntry) -> Attached:
    loc = ("checks", index)
    kinds, what = tuple(Kind), "a check can follow it"
    if entry.after is not None:
        step = by_id(plan, profile, (*loc, "after"), entry.after, kinds, what)
    else:
        assert entry.text is not None
        step = by_text(plan, profile, (*loc, "text"), entry.text, kinds, what)
    return Attached(step.id, profile.line(*loc), _flow(entry.check))


def _flow(spec: Any) -> str:
    """A check as one line of YAML flow style, the way a `<!-- golive: {…} -->` comment holds it."""
    return str(yaml.safe_dump(spec, default_flow_style=True, sort_keys=False, width=1_000_000)).strip()


def _refuse_bad_check(profile: LoadedProfile, index: int, check: Attached) -> None:
    """A check the checks' models refuse is the profile's mistake: its file and line, the key and why."""
    problems = check_item(check.raw, check.line).errors
    if problems:
        hint = "golive checks lists every type and option"
        line = profile.line("checks", index, "check")
        raise ProfileError(profile.path, [(line, f"checks[{index}].check: {p}", hint) for p in problems])


def _insert_check(checklist: Checklist, line: int, raw: str) -> Checklist:
    """A `Check` item placed right after the item at `line` (or the block holding it)."""
    check = check_item(raw, line)
    done = [False]

    def items(seq: tuple[AnyItem, ...]) -> tuple[AnyItem, ...]:
        out: list[AnyItem] = []
        for item in seq:
            if not done[0] and isinstance(item, Task | Step) and _inside(item.children, line) and item.line != line:
                item = dataclasses.replace(item, children=items(item.children))
            out.append(item)
            if not done[0] and _holds(item, line):
                out.append(check)
                done[0] = True
        return tuple(out)

    def section(s: Section) -> Section:
        return dataclasses.replace(s, items=items(s.items), sections=tuple(section(c) for c in s.sections))

    return dataclasses.replace(
        checklist, items=items(checklist.items), sections=tuple(section(s) for s in checklist.sections)
    )


def _holds(item: AnyItem, line: int) -> bool:
    if isinstance(item, Commands):
        return item.line <= line <= item.end_line
    return item.line == line


def _inside(items: tuple[AnyItem, ...], line: int) -> bool:
    return any(_holds(i, line) or (isinstance(i, Task | Step) and _inside(i.children, line)) for i in items)
