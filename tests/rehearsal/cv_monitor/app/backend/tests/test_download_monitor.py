"""The download monitor's rules, and one real upload through the ATS when CV_CAPTURE_API_URL is set."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from download_monitor import MAX_BYTES, DownloadMonitor, verdict


def monitor(tmp_path: Path, token: str = "t", api_url: str = "http://127.0.0.1:9/api") -> DownloadMonitor:
    (tmp_path / "Downloads").mkdir(exist_ok=True)
    return DownloadMonitor([tmp_path / "Downloads"], api_url, token, tmp_path / "processed.json", interval_s=0.1)


@pytest.mark.parametrize(
    ("name", "size", "why"),
    [
        ("Naukri_Test_CV.pdf", 1000, ""),
        ("John_Resume.docx", 1000, ""),
        ("Naukri_Test_CV.exe", 1000, "wrong extension .exe"),
        ("holiday_photos.pdf", 1000, "filename does not look like a CV"),
        ("Naukri_Big_CV.pdf", MAX_BYTES + 1, "oversized (10 MB > 10 MB)"),
    ],
)
def test_which_files_are_cvs(name: str, size: int, why: str) -> None:
    assert verdict(Path(name), size) == why


def test_a_file_still_being_written_waits(tmp_path: Path) -> None:
    m = monitor(tmp_path)
    cv = tmp_path / "Downloads" / "Naukri_A_CV.pdf"
    cv.write_bytes(b"%PDF part")
    m.scan_once()
    assert cv not in m.seen, "first sight: remember the size, wait"
    cv.write_bytes(b"%PDF part and more")
    m.scan_once()
    assert cv not in m.seen, "it grew: still being written"


def test_no_token_logs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    m = monitor(tmp_path, token="")
    cv = tmp_path / "Downloads" / "Naukri_A_CV.pdf"
    cv.write_bytes(b"%PDF")
    with caplog.at_level(logging.INFO):
        m.scan_once()
        m.scan_once()
    assert "not uploading Naukri_A_CV.pdf: no auth token" in caplog.text


def test_unreachable_api_logs_an_error_and_retries(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    m = monitor(tmp_path)
    cv = tmp_path / "Downloads" / "Naukri_A_CV.pdf"
    cv.write_bytes(b"%PDF")
    with caplog.at_level(logging.INFO):
        m.scan_once()
        m.scan_once()
    assert "ERROR: upload of Naukri_A_CV.pdf failed: ConnectionError" in caplog.text
    assert cv not in m.seen


@pytest.mark.skipif("CV_CAPTURE_API_URL" not in os.environ, reason="needs the ATS (CV_CAPTURE_API_URL)")
def test_upload_once_then_duplicate(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    m = monitor(tmp_path, os.environ["CV_CAPTURE_AUTH_TOKEN"], os.environ["CV_CAPTURE_API_URL"])
    content = b"%PDF-1.4 test upload " + os.urandom(8).hex().encode()
    (tmp_path / "Downloads" / "Naukri_Upload_CV.pdf").write_bytes(content)
    (tmp_path / "Downloads" / "Naukri_Upload_CV (1).pdf").write_bytes(content)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            m.scan_once()
    assert caplog.text.count("Uploaded") == 1, caplog.text
    assert "Duplicate skipped (already uploaded as Naukri_Upload_CV (1).pdf): Naukri_Upload_CV.pdf" in caplog.text
