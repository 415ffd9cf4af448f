"""Seed 000 (CV Download Monitor v0.1.19) rehearsed end to end, unmodified, against its stand-in.

The passing rehearsal: the backend's build runs for real (pip, its pytest suite against the ATS
stand-in, the PyInstaller spec through the stand-in pyinstaller, both npm scripts), the release is
tagged and pushed to the bare origin, and every prose verification the profile could attach a
check to is checked on the stand-in (logs, config, the ATS's stored files, CPU of the running
backend). What people answer comes from rehearsal.yaml, each answer attributed and marked.

The planted fault: the ATS answers 503 (an unhealthy component). The backend's integration test
in Build & Package catches it; the seed's rollback disables the monitor in config.json, which the
running backend obeys by stopping its monitor thread.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import seed
from tests.rehearsal.conftest import git, wait_until
from tests.rehearsal.cv_monitor.ats import Ats
from tests.rehearsal.cv_monitor.standin import CvMonitor, build
from tests.rehearsal.rehearsal import (
    Rehearsal,
    assert_attributed,
    assert_md_complete,
    assert_no_placeholder_ran,
    assert_outcomes,
    assert_verified,
    outcomes,
    steps_by_id,
)

HERE = Path(__file__).resolve().parent
CV = b"%PDF-1.4\n% Naukri test CV of a candidate\n"
OMAR = "Omar Haddad (DevOps lead)"
PEOPLE = {"Priya Sharma (QA lead)", "Nikhil Rao (backend developer)", OMAR, "Farah Qureshi (security)",
          "Elena Rossi (product owner)"}  # fmt: skip
COMMANDS = [
    "cd backend",
    "pip install -r requirements.txt",
    "python -m pytest tests/ -v",
    "pyinstaller emp_monitor.spec --clean --noconfirm",
    "npm run build:backend",
    "npm run build:electron",
    "git tag v0.1.19",
    "git push origin v0.1.19",
]
PASSING = outcomes("""
    confirmed  L6 L7 L8 L9 L12 L13 L14 L17 L18 L19 L20 L45 L50 L51 L52 L53 L54 L60 L71 L72 L77
    confirmed  L83 L84 L85 L86 L87 L88 L89 L92 L93 L94 L95 L96 L97 L100 L108 L109
    confirmed  L264 L265 L266 L267
    passed     L27 L28 L31 L34 L40 L43 L132 L133
    passed     L6.1 L9.1 L12.1 L13.1 L17.1 L18.1 L19.1 L45.1 L51.1 L52.1 L54.1 L60.1 L77.1
    passed     L84.1 L85.1 L86.1 L87.1 L88.1 L89.1 L100.1 L109.1 L133.1 L134.1 L134.2 L134.3
    skipped    L101 L102 L103 L110 L111 L134 L137 L196 L197 L198
    skipped    L246 L247 L248 L249 L252 L253 L254 L255
    set        DEPLOYMENT_DATE DEPLOYED_BY APPROVED_BY
""")


@pytest.fixture
def cv(tmp_path: Path) -> Iterator[CvMonitor]:
    with Ats(tmp_path / "s3") as ats:
        standin = build(tmp_path / "standin", ats)
        try:
            yield standin
        finally:
            standin.stop()


def rehearsal_of(cv: CvMonitor, home: Path) -> Rehearsal:
    env = {**cv.env(), "REHEARSAL_DATE": date.today().isoformat()}
    return Rehearsal(seed("000"), HERE / "rehearsal.yaml", cv.repo, home, env)


def stage(cv: CvMonitor) -> None:
    """What the tester does on the staging machine before the walk-through: launch, download twice."""
    cv.launch()
    cv.download("Naukri_Test_CV.pdf", CV)
    wait_until("the test CV's upload", lambda: "Metadata stored for Naukri_Test_CV.pdf" in cv.log())
    cv.download("Naukri_Test_CV (1).pdf", CV)
    wait_until("the duplicate", lambda: "Duplicate skipped" in cv.log())


def test_the_seed_runs_to_its_end_on_the_standin(cv: CvMonitor, tmp_path: Path) -> None:
    stage(cv)
    rehearsal = rehearsal_of(cv, tmp_path / "golive-home")

    done = rehearsal.run("--yes")

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
    report = rehearsal.report()
    assert report["run"]["status"] == "passed"
    assert_outcomes(report, PASSING)
    assert_attributed(report, PEOPLE)
    assert_verified(report)
    assert all(step["status"] == "pending" for step in report["followups"]), "follow-ups are due later"
    assert rehearsal.commands_run() == COMMANDS
    assert_no_placeholder_ran(rehearsal.commands_run())
    assert_md_complete(rehearsal.markdown(), report)
    # what the run did on the stand-in
    assert git(cv.origin, "rev-parse", "v0.1.19^{commit}") == git(cv.repo, "rev-parse", "HEAD")
    uploads = [f["filename"] for f in cv.ats.files if f["emp_id"] == 999]  # the build's own test uploads as 0
    assert uploads == ["Naukri_Test_CV.pdf"], "the re-download was not uploaded again"
    assert cv.config()["download_monitor"]["enabled"] is True, "a passing run leaves the monitor enabled"
    assert [c["cmd"] for c in cv.calls.all()] == ["pyinstaller", "pyinstaller", "electron-builder"]
    print(f"seed 000 passing rehearsal: {rehearsal.wall_s:.1f} s, {report['counts']}")


@dataclass
class FaultRun:
    """The planted fault's run, done once for the tests below: its first stop, then after the rollback."""

    cv: CvMonitor
    rehearsal: Rehearsal
    paused: subprocess.CompletedProcess[str]
    at_pause: dict[str, Any]
    resumed: subprocess.CompletedProcess[str]
    final: dict[str, Any]


@pytest.fixture(scope="module")
def fault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultRun]:
    root = tmp_path_factory.mktemp("fault")
    with Ats(root / "s3") as ats:
        cv = build(root / "standin", ats)
        try:
            stage(cv)
            ats.healthy = False  # the planted fault: the ATS answers 503 to every API call
            cv.download("Naukri_Second_CV.pdf", CV + b"2")
            wait_until("the monitor to meet the 503", lambda: "503 Server Error" in cv.log())
            rehearsal = rehearsal_of(cv, root / "golive-home")
            paused = rehearsal.run("--yes", "--rollback-on-failure")
            at_pause = rehearsal.report()
            # The rollback's first step is a person's: golive shows the JSON; Omar applies it, confirms.
            if at_pause.get("paused") and at_pause["paused"].get("item") == "L174":
                config = cv.config()
                config["download_monitor"]["enabled"] = False
                cv.config_file.write_text(json.dumps(config, indent=2) + "\n")
                confirmed = rehearsal.golive("confirm", at_pause["run"]["id"], "L174", "--as", OMAR)
                assert confirmed.returncode == 0, confirmed.stderr
            resumed = rehearsal.golive("resume", at_pause["run"]["id"])
            yield FaultRun(cv, rehearsal, paused, at_pause, resumed, rehearsal.report())
        finally:
            cv.stop()


def test_the_unhealthy_ats_is_caught_by_the_build(fault: FaultRun) -> None:
    assert fault.paused.returncode == 3, fault.paused.stdout[-4000:]
    steps = steps_by_id(fault.at_pause)
    assert (steps["L31"]["status"], steps["L31"]["exit_code"]) == ("failed", 1)
    output = "".join(o["text"] for o in steps["L31"]["output"])
    assert "FAILED tests/test_download_monitor.py::test_upload_once_then_duplicate" in output
    assert "503 Server Error: Service Unavailable for url:" in output
    assert all(steps[i]["status"] == "pending" for i in ("L34", "L40", "L43", "L132", "L133", "L264"))
    assert "L31" in fault.at_pause["rollback"]["reason"]
    assert fault.at_pause["paused"]["item"] == "L174", "the rollback waits for a person to apply the JSON"


def test_the_rollback_disables_the_monitor(fault: FaultRun) -> None:
    steps = steps_by_id(fault.final)
    assert (steps["L174"]["status"], steps["L174"]["actor"]) == ("confirmed", OMAR)
    assert steps["L230.1"]["status"] == "passed", "the logs show the cause"
    assert steps["L237.1"]["status"] == "passed", "the check that the flag is reset"
    assert fault.cv.config()["download_monitor"]["enabled"] is False
    assert "[DownloadMonitor] Disabled by config" in fault.cv.log()
    assert "[DownloadMonitor] Monitor thread stopped" in fault.cv.log()
    assert fault.cv.backend is not None and fault.cv.backend.poll() is None, "the backend runs on, without it"
    assert_attributed(fault.final, PEOPLE, live=("L174",))
    assert_no_placeholder_ran(fault.rehearsal.commands_run())


def test_golive_records_the_rollback_as_done(fault: FaultRun) -> None:
    steps = steps_by_id(fault.final)
    assert steps["L238.1"]["status"] == "passed", steps["L238.1"]["reason"]
    assert fault.resumed.returncode == 1, "README: 1 failed, also after a rollback"
    assert (fault.final["run"]["status"], fault.final["rollback"]["status"]) == ("rolled_back", "passed")
