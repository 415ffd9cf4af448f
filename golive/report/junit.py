"""The JUnit XML report, for CI systems: one `<testsuite>` per section, one `<testcase>` per step.

A failed step is a `<failure>` (its reason as the message, its output as the text); skipped and
not-run steps are `<skipped>`; a step the run has not done (waiting for a person, in doubt, not
reached) is an `<error>`, so a paused or unfinished run is never green; every other status is a
success. The run's properties appear once (first suite). The shape is the one Jenkins' JUnit schema
accepts (tests/report/junit.xsd): no `skipped` on `<testsuites>`. Captured output goes in
`<system-out>` / `<system-err>`, capped. Built with ElementTree, so text is escaped by the serializer.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from golive.plan import first_line
from golive.report.md import MAX_OUTPUT_CHARS
from golive.report.view import RunView, StepView

_SKIPPED = ("skipped", "not_run")
_NOT_DONE = {
    "pending": "not done: the run has not reached it",
    "paused": "not done: the run waits for a person here",
    "in_doubt": "not done: golive was interrupted while it ran",
}
# Characters XML 1.0 cannot hold at all (the ESC of ANSI colours in command output, for one: those
# sequences go whole).
_INVALID = re.compile("\x1b\\[[0-?]*[ -/]*[@-~]|[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(view: RunView) -> str:
    """The report as a JUnit XML document (the `<testsuites>` schema Jenkins, GitLab and GitHub read)."""
    title = view.run.title or view.run.checklist_path
    suites = [_suite(view, title, i, steps) for i, steps in enumerate(_sections(view.steps))]
    if view.policy_only:
        suites.append(_approvals(view, title, len(suites)))
    totals = _totals(suites)
    del totals["skipped"]  # not an attribute of <testsuites> in the schema CI servers read
    root = ET.Element("testsuites", {"name": _clean(title), **totals})
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _sections(steps: Iterable[StepView]) -> list[list[StepView]]:
    """Steps grouped by section (rollback sections apart from main ones), in the order they appear."""
    groups: dict[tuple[str, int, str], list[StepView]] = {}
    for s in steps:
        groups.setdefault((s.phase, s.section_line, s.section), []).append(s)
    return list(groups.values())


def _suite(view: RunView, title: str, index: int, steps: list[StepView]) -> ET.Element:
    first = steps[0]
    cases = [_case(s, f"{title}.{first.section}") for s in steps]
    attrs = {
        "name": _clean(first.section),
        "id": str(index),
        "package": _clean(title),
        **_totals(cases),
        "timestamp": _timestamp(view, steps),
        "hostname": _clean(view.run.host or "localhost"),
    }
    suite = ET.Element("testsuite", attrs)
    properties = ET.SubElement(suite, "properties")
    for name, value in (_run_properties(view) if index == 0 else []) + _section_properties(first):
        ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
    suite.extend(cases)
    return suite


def _approvals(view: RunView, title: str, index: int) -> ET.Element:
    """The approvals the policy requires that no checklist item asks for, one case each: a rejection is a
    failure, a missing approval an error (a run never passes without it)."""
    cases = []
    for a in view.policy_only:
        case = ET.Element("testcase", {"classname": _clean(f"{title}.approvals"), "name": _clean(a.role), "time": "0"})
        said = f"{a.status} by {a.by} at {a.at:%Y-%m-%d %H:%M:%S} UTC" if a.at else a.status
        said += f": {a.note}" if a.note else ""
        if a.status == "rejected":
            ET.SubElement(case, "failure", {"message": _clean(said), "type": "rejected"})
        elif a.status == "missing":
            message = f"not done: no one approved {a.role}, which the policy requires"
            ET.SubElement(case, "error", {"message": _clean(message), "type": "missing"})
        else:
            ET.SubElement(case, "system-out").text = _clean(said)
        cases.append(case)
    attrs = {
        "name": "Approvals the policy requires",
        "id": str(index),
        "package": _clean(title),
        **_totals(cases),
        "timestamp": _timestamp(view, []),
        "hostname": _clean(view.run.host or "localhost"),
    }
    suite = ET.Element("testsuite", attrs)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "golive.policy", "value": _clean(view.policy.source)})
    suite.extend(cases)
    return suite


def _run_properties(view: RunView) -> list[tuple[str, str]]:
    run = view.run
    return [
        ("golive.run", run.id),
        ("golive.status", view.state.status),
        ("golive.env", run.env),
        ("golive.checklist", run.checklist_path),
        ("golive.sha256", run.checklist_sha256),
        *([("golive.profile", f"{view.profile.name} {view.profile.sha256}")] if view.profile else []),
    ]


def _section_properties(first: StepView) -> list[tuple[str, str]]:
    return [("golive.phase", first.phase), ("golive.section_line", str(first.section_line))]


def _case(s: StepView, classname: str) -> ET.Element:
    name = f"{s.id} {first_line(s.text)}"
    case = ET.Element("testcase", {"classname": _clean(classname), "name": _clean(name), "time": _seconds(s)})
    output = _capped(o.text for o in s.outputs if o.stream != "err")
    errors = _capped(o.text for o in s.outputs if o.stream == "err")
    if s.status == "failed":
        failure = ET.SubElement(case, "failure", {"message": _clean(_failure_message(s)), "type": "failed"})
        failure.text = _capped(o.text for o in s.outputs) or None
    elif s.status in _SKIPPED:
        ET.SubElement(case, "skipped", {"message": _clean(s.reason or s.status.replace("_", " "))})
    elif s.status in _NOT_DONE:
        reason = f": {s.reason}" if s.reason else ""
        ET.SubElement(case, "error", {"message": _clean(_NOT_DONE[s.status] + reason), "type": s.status})
    if s.measured:  # what a check measured, one property each (`p95_ms`, `status`, …), first in the case
        properties = ET.Element("properties")
        case.insert(0, properties)
        for key, value in s.measured.items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            ET.SubElement(properties, "property", {"name": _clean(key), "value": _clean(shown)})
    if s.prerecorded:
        output = f"{s.prerecorded}\n{output}".rstrip("\n")
    if output:
        ET.SubElement(case, "system-out").text = output
    if errors:
        ET.SubElement(case, "system-err").text = errors
    return case


def _failure_message(s: StepView) -> str:
    if s.reason:
        return s.reason
    return f"exit status {s.exit_code}" if s.exit_code is not None else "failed"


def _totals(elements: list[ET.Element]) -> dict[str, str]:
    """tests/failures/errors/skipped/time, from testcases or summed over testsuites."""
    if elements and elements[0].tag == "testsuite":
        keys = ("tests", "failures", "errors", "skipped")
        totals = {k: sum(int(e.get(k, "0")) for e in elements) for k in keys}
        seconds = sum(float(e.get("time", "0")) for e in elements)
        return {k: str(v) for k, v in totals.items()} | {"time": f"{seconds:.3f}"}
    return {
        "tests": str(len(elements)),
        "failures": str(sum(e.find("failure") is not None for e in elements)),
        "errors": str(sum(e.find("error") is not None for e in elements)),
        "skipped": str(sum(e.find("skipped") is not None for e in elements)),
        "time": f"{sum(float(e.get('time', '0')) for e in elements):.3f}",
    }


def _seconds(s: StepView) -> str:
    return f"{s.duration_s or 0:.3f}"


def _timestamp(view: RunView, steps: list[StepView]) -> str:
    """When the section's first step started (the run's start otherwise), ISO 8601 in UTC without a zone."""
    started = [s.started_at for s in steps if s.started_at is not None]
    t = min(started) if started else view.run.started_at
    return f"{t:%Y-%m-%dT%H:%M:%S}"


def _capped(texts: Iterable[str]) -> str:
    text = "\n".join(t.rstrip("\n") for t in texts if t)
    if len(text) > MAX_OUTPUT_CHARS:
        half = MAX_OUTPUT_CHARS // 2
        text = text[:half] + "\n[… cut for the report; the record keeps head and tail …]\n" + text[-half:]
    return _clean(text)


def _clean(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids (control codes, lone surrogates) dropped."""
    return _INVALID.sub("", text)
