"""The CV Download Monitor stand-in, driven by hand the way seed 000's commands drive it (bash, npm, git, curl).

These tests need no golive: they show the stand-in behaves like the system the seed deploys, so
that a rehearsal's verdicts are about golive and the checklist, not about a broken stand-in.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.conftest import bash, git, wait_until
from tests.rehearsal.cv_monitor.ats import Ats
from tests.rehearsal.cv_monitor.standin import CvMonitor, build

BUILD = (
    "set -e; cd backend; pip install -q -r requirements.txt; python -m pytest tests/ -v;"
    " pyinstaller emp_monitor.spec --clean --noconfirm; npm run build:backend; npm run build:electron"
)


@pytest.fixture
def ats(tmp_path: Path) -> Iterator[Ats]:
    with Ats(tmp_path / "s3") as server:
        yield server


@pytest.fixture
def cv(tmp_path: Path, ats: Ats) -> Iterator[CvMonitor]:
    standin = build(tmp_path, ats)
    try:
        yield standin
    finally:
        standin.stop()


def run(cv: CvMonitor, script: str) -> subprocess.CompletedProcess[str]:
    return bash(script, cv.repo, cv.app_env())


def test_build_and_package_as_the_seed_writes_it(cv: CvMonitor) -> None:
    built = run(cv, BUILD)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-2000:]
    assert "passed" in built.stdout and "failed" not in built.stdout
    assert "skipped" not in built.stdout, "the ATS integration test ran against the stand-in ATS"
    packaged = cv.repo / "backend" / "dist" / "emp_monitor_backend"
    assert (packaged / "download_monitor.py").is_file()
    assert (packaged / "monitor_data" / "config.template.json").is_file()
    release = cv.repo / "dist"
    assert {p.name for p in release.iterdir()} == {
        "EmpMonitor Setup 0.1.19.exe",
        "EmpMonitor Setup 0.1.19.exe.blockmap",
        "latest.yml",
    }
    assert "version: 0.1.19" in (release / "latest.yml").read_text()
    assert [c["cmd"] for c in cv.calls.all()] == ["pyinstaller", "pyinstaller", "electron-builder"]


def test_packaging_follows_the_spec(cv: CvMonitor) -> None:
    spec = cv.repo / "backend" / "emp_monitor.spec"
    spec.write_text(spec.read_text().replace("('download_monitor.py', '.'), ", ""))
    run(cv, "cd backend && pyinstaller emp_monitor.spec --clean --noconfirm")
    assert not (cv.repo / "backend" / "dist" / "emp_monitor_backend" / "download_monitor.py").exists()
    again = run(cv, "cd backend && pyinstaller emp_monitor.spec < /dev/null")
    assert again.returncode == 1 and "Continue? (y/N)" in again.stdout, "without --noconfirm it asks"


def test_electron_build_fails_without_the_backend(cv: CvMonitor) -> None:
    done = run(cv, "npm run build:electron")
    assert done.returncode != 0
    assert "ENOENT" in done.stdout + done.stderr


def test_tag_and_push_reach_origin(cv: CvMonitor) -> None:
    done = run(cv, "cd backend && git tag v0.1.19 && git push origin v0.1.19")
    assert done.returncode == 0, done.stderr
    assert git(cv.origin, "rev-parse", "v0.1.19^{commit}") == git(cv.repo, "rev-parse", "HEAD")


def test_monitor_uploads_a_downloaded_cv_once(cv: CvMonitor) -> None:
    cv.launch()
    assert "[DownloadMonitor] Monitoring 5 download paths" in cv.log()
    content = b"%PDF-1.4 Naukri test CV"
    cv.download("Naukri_Test_CV.pdf", content)
    wait_until("the upload", lambda: "Metadata stored for Naukri_Test_CV.pdf" in cv.log())
    cv.download("Naukri_Test_CV (1).pdf", content)
    cv.download("holiday.jpg", b"jpeg")
    wait_until("the duplicate", lambda: "Duplicate skipped" in cv.log())
    assert [f["filename"] for f in cv.ats.files] == ["Naukri_Test_CV.pdf"]
    [stored] = list((cv.ats.bucket / "cvs").rglob("*.pdf"))
    assert stored.read_bytes() == content
    assert "Skipped holiday.jpg: wrong extension .jpg" in cv.log()
    files = run(cv, 'curl -s -H "Authorization: Bearer $CV_CAPTURE_AUTH_TOKEN" "$CV_CAPTURE_API_URL/cv-capture/files"')
    assert json.loads(files.stdout)["files"][0]["emp_id"] == 999


def test_disabling_in_config_stops_the_monitor_thread(cv: CvMonitor) -> None:
    cv.launch()
    config = cv.config()
    config["download_monitor"]["enabled"] = False
    cv.config_file.write_text(json.dumps(config))
    wait_until("the monitor to stop", lambda: "Monitor thread stopped" in cv.log())
    assert "[DownloadMonitor] Disabled by config" in cv.log()
    cv.download("Naukri_Late_CV.pdf", b"%PDF late")
    time.sleep(2.5)
    assert "Naukri_Late_CV.pdf" not in cv.log()
    assert cv.backend is not None and cv.backend.poll() is None, "the backend runs on without its monitor"


def test_an_unhealthy_ats_fails_the_backend_tests(cv: CvMonitor) -> None:
    cv.ats.healthy = False
    done = run(cv, "cd backend && python -m pytest tests/ -v")
    assert done.returncode == 1
    assert "FAILED tests/test_download_monitor.py::test_upload_once_then_duplicate" in done.stdout
    assert "503 Server Error: Service Unavailable for url:" in done.stdout
