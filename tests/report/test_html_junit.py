"""The HTML and JUnit reports, rendered from a real run record written straight into a SQLite store.

No command runs: the events a run would append are appended by hand, then `view.build` reads them
back and both renderers must show every step, escape what the checklist and the output hold, and
produce documents an HTML parser and a JUnit reader accept.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from golive import plan as planning
from golive.parse import parse_text
from golive.record.chain import Run
from golive.record.store import Store
from golive.report import html as html_report
from golive.report import junit as junit_report
from golive.report import view
from golive.report.md import MAX_OUTPUT_CHARS

CHECKLIST = """\
# Deploy <Widget> & Co

## Deployment Steps

```bash
echo build
make test
./deploy.sh --env staging
```

- [ ] Check the dashboard is green

## Rollback Plan

```bash
./rollback.sh
```

## Sign-Off

- [ ] QA Lead: Approved
"""
TITLE = "Deploy <Widget> & Co"
SCRIPT = "<script>alert(1)</script>"
ESC = "\x1b"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def test_step_ids_are_the_source_lines() -> None:
    plan = planning.build(parse_text(CHECKLIST, "deploy.md"))
    assert [(s.id, s.kind.value) for s in plan.steps] == [
        ("L6", "command"),
        ("L7", "command"),
        ("L8", "command"),
        ("L11", "confirm"),
        ("L21", "signoff"),
    ]
    assert [s.id for s in plan.rollback] == ["L16"]


# --- the record -----------------------------------------------------------------------------------


def new_run(store: Store) -> Run:
    checklist = parse_text(CHECKLIST, "deploy.md")
    run = store.create_run(
        path="deploy.md",
        sha256=checklist.sha256,
        text_=checklist.text,
        title=checklist.title,
        env="staging",
        created_by="ana",
        options={},
    )
    store.append(run.id, "run_started", None, "ana", {"options": {}})
    return run


def step(
    store: Store,
    run: Run,
    item: str,
    status: str,
    actor: str = "ana",
    outputs: dict[str, str] | None = None,
    **data: Any,
) -> None:
    """step_started + step_finished for one step, its output saved first like the engine does."""
    phase = data.pop("phase", "main")
    store.append(run.id, "step_started", item, None, {"phase": phase, "attempt": 1})
    ids = [
        store.save_output(run.id, item, 1, stream, text, "", len(text), 0) for stream, text in (outputs or {}).items()
    ]
    store.append(run.id, "step_finished", item, actor, {"phase": phase, "status": status, "outputs": ids, **data})


def failed_run(store: Store) -> Run:
    """Two commands pass, the third fails printing a script tag, the task is skipped, Quinn signs off."""
    run = new_run(store)
    step(store, run, "L6", "passed", outputs={"out": "build ok\n"}, exit_code=0, duration_s=1.25, reason="")
    step(store, run, "L7", "passed", outputs={"out": f"{ESC}[32m12 passed{ESC}[0m\n"}, exit_code=0, duration_s=2.5)
    step(
        store,
        run,
        "L8",
        "failed",
        outputs={"out": f"deploying\n{SCRIPT}\n", "err": "deploy: boom & <broken>\n"},
        exit_code=3,
        duration_s=0.75,
        reason="exit status 3 (expected 0)",
    )
    step(store, run, "L11", "skipped", reason="dashboard is down for maintenance")
    step(store, run, "L21", "confirmed", actor="Quinn")
    store.append(run.id, "warning", None, None, {"message": "clock skew of 3 s <noted>"})
    store.append(run.id, "run_finished", None, "ana", {"status": "failed"}, status="failed", finished=True)
    return run


# --- HTML -----------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictParser(HTMLParser):
    """html.parser with the checks it does not make: every element closed, in order, nothing left open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.doctype.lower() == "doctype html"
    return parser


def test_html_shows_the_run_and_every_step(store: Store) -> None:
    run = failed_run(store)
    page = html_report.render(view.build(store, run.id))
    parsed = parse_html(page)
    text = "".join(parsed.text)

    assert page.startswith("<!DOCTYPE html>")
    assert run.id in page
    assert "Deploy &lt;Widget&gt; &amp; Co" in page and TITLE in text
    assert "deploy.md" in text and "staging" in text and "ana" in text
    for step_id in ("L6", "L7", "L8", "L11", "L21"):
        assert f'<tr id="{step_id}">' in page
    for status in ("passed", "failed", "skipped", "confirmed"):
        assert f'<span class="st s-{status}">{status}</span>' in page
    assert '<span class="badge s-failed">failed</span>' in page
    assert "Quinn <small>(QA Lead)</small>" in page
    assert "exit status 3 (expected 0)" in text and "dashboard is down for maintenance" in text
    assert "<td>3</td>" in page
    assert "clock skew of 3 s &lt;noted&gt;" in page
    view_ = view.build(store, run.id)
    assert view_.last_hash in page and f"{view_.events} events" in page
    assert "Rollback" not in text  # no rollback ran


def test_html_escapes_untrusted_text_and_needs_nothing_outside(store: Store) -> None:
    run = failed_run(store)
    page = html_report.render(view.build(store, run.id))
    parsed = parse_html(page)

    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT in "".join(parsed.text)  # shown to the reader as text
    assert "deploy: boom &amp; &lt;broken&gt;" in page
    assert ESC not in page and "[32m" not in page and "12 passed" in page  # colours dropped whole
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert all(
        not (value or "").startswith(("http:", "https:", "//", "javascript:"))
        for _, attrs in parsed.tags
        for value in attrs.values()
    )
    assert "<style>" in page
    # every command's output folded under <details>, collapsed
    details = [attrs for tag, attrs in parsed.tags if tag == "details"]
    assert len(details) == 3 and all("open" not in attrs for attrs in details)


def test_html_caps_long_output(store: Store) -> None:
    run = new_run(store)
    step(store, run, "L6", "passed", outputs={"out": "x" * (3 * MAX_OUTPUT_CHARS)}, exit_code=0, duration_s=1)
    page = html_report.render(view.build(store, run.id))
    parse_html(page)
    assert "cut for the report" in page
    assert len(page) < 2 * MAX_OUTPUT_CHARS


def test_html_of_a_rolled_back_run_has_its_rollback_part(store: Store) -> None:
    run = new_run(store)
    step(store, run, "L6", "failed", exit_code=1, duration_s=0.5, reason="exit status 1")
    store.append(run.id, "rollback_started", None, "ana", {"reason": "L6 failed"})
    step(store, run, "L16", "passed", phase="rollback", outputs={"out": "rolled back\n"}, exit_code=0, duration_s=2)
    store.append(run.id, "rollback_finished", None, "ana", {"status": "passed"})
    store.append(run.id, "run_finished", None, "ana", {"status": "rolled_back"}, status="rolled_back", finished=True)
    page = html_report.render(view.build(store, run.id))
    parsed = parse_html(page)
    text = "".join(parsed.text)
    assert "<h2>Rollback</h2>" in page and "L6 failed" in text
    assert page.index("<h2>Rollback</h2>") < page.index('<tr id="L16">')
    assert '<span class="badge s-rolled_back">rolled back</span>' in page


def test_html_of_an_unfinished_run(store: Store) -> None:
    run = new_run(store)
    page = html_report.render(view.build(store, run.id))
    parsed = parse_html(page)
    assert "<dt>Finished</dt>" not in page and "<dt>Duration</dt>" not in page
    assert not any(tag == "details" for tag, _ in parsed.tags)  # no command ran: no output to fold
    assert '<span class="st s-pending">pending</span> 5' in page


# --- JUnit ----------------------------------------------------------------------------------------


SCHEMA = xmlschema.XMLSchema(str(Path(__file__).with_name("junit.xsd")))


def suites(xml: str) -> tuple[ET.Element, dict[str, ET.Element]]:
    """The report, parsed after it validated against the schema CI servers read."""
    SCHEMA.validate(xml)
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    return root, {s.get("name", ""): s for s in root.findall("testsuite")}


def counts(element: ET.Element) -> tuple[str | None, ...]:
    return tuple(element.get(k) for k in ("tests", "failures", "errors", "skipped"))


def test_junit_has_a_suite_per_section_and_a_case_per_step(store: Store) -> None:
    run = failed_run(store)
    xml = junit_report.render(view.build(store, run.id))
    assert xml.startswith("<?xml")
    root, by_name = suites(xml)

    assert list(by_name) == ["Deployment Steps", "Sign-Off"]  # no rollback ran
    assert counts(root) == ("5", "1", "0", None)  # a skipped count is no attribute of <testsuites>
    assert counts(by_name["Deployment Steps"]) == ("4", "1", "0", "1")
    assert counts(by_name["Sign-Off"]) == ("1", "0", "0", "0")
    assert float(by_name["Deployment Steps"].get("time", "")) == pytest.approx(4.5)
    assert float(root.get("time", "")) == pytest.approx(4.5)

    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases) == [
        "L6 echo build",
        "L7 make test",
        "L8 ./deploy.sh --env staging",
        "L11 Check the dashboard is green",
        "L21 QA Lead: Approved",
    ]
    assert cases["L6 echo build"].get("classname") == f"{TITLE}.Deployment Steps"
    assert cases["L21 QA Lead: Approved"].get("classname") == f"{TITLE}.Sign-Off"
    assert cases["L6 echo build"].get("time") == "1.250"
    assert cases["L11 Check the dashboard is green"].get("time") == "0.000"
    props = {p.get("name"): p.get("value") for p in by_name["Deployment Steps"].iter("property")}
    assert props["golive.run"] == run.id and props["golive.env"] == "staging"
    assert [p.get("name") for p in by_name["Sign-Off"].iter("property")] == ["golive.phase", "golive.section_line"]


def test_junit_failure_skip_and_output(store: Store) -> None:
    run = failed_run(store)
    xml = junit_report.render(view.build(store, run.id))
    root, _ = suites(xml)
    cases = {c.get("name", "").split()[0]: c for c in root.iter("testcase")}

    failure = cases["L8"].find("failure")
    assert failure is not None and failure.get("message") == "exit status 3 (expected 0)"
    assert SCRIPT in (failure.text or "")  # intact once parsed ...
    assert SCRIPT not in xml and "&lt;script&gt;alert(1)&lt;/script&gt;" in xml  # ... escaped in the file
    assert SCRIPT in (cases["L8"].findtext("system-out") or "")
    assert "deploy: boom & <broken>" in (cases["L8"].findtext("system-err") or "")

    skipped = cases["L11"].find("skipped")
    assert skipped is not None and skipped.get("message") == "dashboard is down for maintenance"
    for passed in ("L6", "L7", "L21"):
        assert cases[passed].find("failure") is None and cases[passed].find("skipped") is None
    assert cases["L6"].findtext("system-out") == "build ok"
    assert ESC not in xml and cases["L7"].findtext("system-out") == "12 passed"  # XML 1.0 cannot hold ESC


def test_junit_of_a_paused_run_is_never_green(store: Store) -> None:
    run = new_run(store)
    step(store, run, "L6", "passed", exit_code=0, duration_s=0.5)
    store.append(run.id, "step_started", "L7", None, {"phase": "main", "attempt": 1})  # killed mid-step
    store.append(run.id, "paused", "L11", None, {"what": "a confirmation"}, status="paused")
    root, _ = suites(junit_report.render(view.build(store, run.id)))
    errors = {c.get("name", "").split()[0]: c.find("error") for c in root.iter("testcase")}
    assert errors["L6"] is None and not list(root.iter("skipped"))
    assert {k: (v.get("type"), v.get("message")) for k, v in errors.items() if v is not None} == {
        "L7": ("in_doubt", "not done: golive was interrupted while it ran"),
        "L8": ("pending", "not done: the run has not reached it"),
        "L11": ("paused", "not done: the run waits for a person here"),
        "L21": ("pending", "not done: the run has not reached it"),
    }
    assert counts(root) == ("5", "0", "4", None)


def test_junit_of_a_rolled_back_run_has_a_rollback_suite(store: Store) -> None:
    run = new_run(store)
    step(store, run, "L6", "failed", exit_code=1, duration_s=0.5)
    store.append(run.id, "rollback_started", None, "ana", {"reason": "L6 failed"})
    step(store, run, "L16", "passed", phase="rollback", exit_code=0, duration_s=2)
    store.append(run.id, "rollback_finished", None, "ana", {"status": "passed"})
    store.append(run.id, "run_finished", None, "ana", {"status": "rolled_back"}, status="rolled_back", finished=True)
    root, by_name = suites(junit_report.render(view.build(store, run.id)))
    assert list(by_name) == ["Deployment Steps", "Sign-Off", "Rollback Plan"]
    assert counts(by_name["Rollback Plan"]) == ("1", "0", "0", "0")
    failure = next(root.iter("failure"))
    assert failure.get("message") == "exit status 1" and failure.text is None


def test_junit_with_what_a_check_measured_still_validates(store: Store) -> None:
    run = new_run(store)
    step(store, run, "L6", "passed", exit_code=0, duration_s=0.2, measured={"status": 200, "p95_ms": 12.5})
    root, _ = suites(junit_report.render(view.build(store, run.id)))
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("L6"))
    assert {p.get("name"): p.get("value") for p in case.iter("property")} == {"status": "200", "p95_ms": "12.5"}
