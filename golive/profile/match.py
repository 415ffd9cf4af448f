"""Which steps of the plan a profile entry names: by line (`L78`, `C88`), by a unique substring of
the item's text, or every item of a section. Shared by `answers` and `checks`.

Matching reads the checklist as written (before rewrites), because that is what the profile's
author reads; ids are source lines, so they are the same after rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from golive.model import Section
from golive.plan import Kind, Phase, Plan, PlanStep, plain
from golive.profile.load import LoadedProfile, Loc

_ID = re.compile(r"([LC]?)(\d+)", re.I)


def normal_id(text: str) -> str:
    """`78`, `l78`, `L78` -> `L78`; `c88` -> `C88`; anything else unchanged."""
    m = _ID.fullmatch(text.strip())
    if m is None:
        return text.strip()
    return (m.group(1).upper() or "L") + m.group(2)


def by_id(plan: Plan, profile: LoadedProfile, loc: Loc, ref: str, kinds: Iterable[Kind], what: str) -> PlanStep:
    """The step `ref` names; an error at `loc` when there is none or it is of another kind."""
    wanted = normal_id(ref)
    for step in plan.followups:
        if step.id == wanted:
            raise profile.error(loc, f"{wanted} is a follow-up, due after the deployment: a run does not reach it")
    candidates = [s for s in (*plan.steps, *plan.rollback) if s.id == wanted]
    if not candidates and wanted.startswith("L") and wanted[1:].isdigit():
        candidates = [s for s in (*plan.steps, *plan.rollback) if s.line == int(wanted[1:])]
    if not candidates:
        raise profile.error(loc, f"no step at {wanted}", "golive plan shows each step's line")
    fitting = [s for s in candidates if s.kind in set(kinds)]
    if not fitting:
        step = candidates[0]
        raise profile.error(loc, f"{wanted} is {_kind_words(step)}; {what}")
    return fitting[0]


def by_text(plan: Plan, profile: LoadedProfile, loc: Loc, needle: str, kinds: Iterable[Kind], what: str) -> PlanStep:
    """The one step whose text holds `needle` (case and spacing aside)."""
    wanted = _normal(needle)
    if not wanted:
        raise profile.error(loc, "text is empty")
    kinds = set(kinds)
    found = [s for s in (*plan.steps, *plan.rollback) if s.kind in kinds and wanted in _normal(s.text)]
    if len(found) == 1:
        return found[0]
    if found:
        shown = ", ".join(f"{s.id} ({_short(s.text)})" for s in found[:6]) + (" …" if len(found) > 6 else "")
        raise profile.error(loc, f"text {needle!r} matches {len(found)} steps: {shown}", "name one by its line")
    others = [s for s in (*plan.steps, *plan.rollback) if wanted in _normal(s.text)]
    if others:
        raise profile.error(loc, f"text {needle!r} only matches {others[0].id}, {_kind_words(others[0])}; {what}")
    later = [s for s in plan.followups if wanted in _normal(s.text)]
    if later:
        raise profile.error(loc, f"text {needle!r} only matches follow-up {later[0].id}: a run does not reach it")
    raise profile.error(loc, f"text {needle!r} matches no step", "golive plan shows the steps' text")


def by_section(
    plan: Plan, profile: LoadedProfile, loc: Loc, title: str, kinds: Iterable[Kind], what: str
) -> list[PlanStep]:
    """Every step of these kinds in the one section whose title starts with `title` (and below it)."""
    wanted = _normal(title)
    sections = plan.checklist.all_sections()
    exact = [s for s in sections if _normal(s.title) == wanted]
    found = exact or [s for s in sections if _normal(s.title).startswith(wanted)]
    if not found:
        raise profile.error(loc, f"no section titled {title!r}", "golive plan shows the sections (L12 Title)")
    if len(found) > 1:
        shown = ", ".join(f"L{s.line} {plain(s.title)}" for s in found[:6])
        raise profile.error(loc, f"section {title!r} is ambiguous: {shown}", "give more of the title")
    inside = {id(s) for s in _descendants(found[0])}
    kinds = set(kinds)
    steps = [s for s in (*plan.steps, *plan.rollback) if id(s.section) in inside and s.kind in kinds]
    if not steps:
        raise profile.error(loc, f"section {plain(found[0].title)!r} has no step {what}")
    return steps


def _descendants(section: Section) -> list[Section]:
    out = [section]
    for child in section.sections:
        out.extend(_descendants(child))
    return out


def _normal(text: str) -> str:
    return " ".join(plain(text).lower().split())


def _short(text: str) -> str:
    line = plain(text).split("\n")[0]
    return line[:50] + ("…" if len(line) > 50 else "")


def _kind_words(step: PlanStep) -> str:
    where = " in the rollback" if step.phase is Phase.ROLLBACK else ""
    return {
        Kind.COMMAND: "a command",
        Kind.CONFIRM: "an item a person confirms",
        Kind.SIGNOFF: "a sign-off",
        Kind.FIELD: "a field (give it under variables)",
        Kind.CHOOSE: "a choice between alternatives (give it under choices)",
    }[step.kind] + where
