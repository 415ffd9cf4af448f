"""Download monitor: CVs a recruiter downloads are uploaded to the ATS once, through a presigned URL.

Every `check_interval_sec` it scans the download folders for files that look like CVs (extension,
filename pattern, size), waits until a file is no longer being written, skips a file whose content
was already uploaded, then: POST {api_url}/cv-capture/presign → PUT the bytes to the presigned URL →
POST {api_url}/cv-capture/complete with the metadata. Everything it does goes to the alerts log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import requests

log = logging.getLogger("emp_monitor.download")
TAG = "[DownloadMonitor]"
EXTENSIONS = {".pdf", ".doc", ".docx"}
PATTERNS = [re.compile(p, re.I) for p in (r"^naukri_", r"resume", r"(^|[^a-z])cv([^a-z]|$)", r"^profile_")]
MAX_BYTES = 10 * 1024 * 1024
PARTIAL = {".crdownload", ".part", ".tmp"}
TIMEOUT_S = 10


def verdict(path: Path, size: int) -> str:
    """'' for a CV to upload, else why it is skipped."""
    if path.suffix.lower() not in EXTENSIONS:
        return f"wrong extension {path.suffix or '(none)'}"
    if not any(p.search(path.stem) for p in PATTERNS):
        return "filename does not look like a CV"
    if size > MAX_BYTES:
        return f"oversized ({size // (1024 * 1024)} MB > {MAX_BYTES // (1024 * 1024)} MB)"
    return ""


@dataclass
class DownloadMonitor:
    paths: list[Path]
    api_url: str
    token: str
    state_file: Path
    interval_s: float = 30.0
    emp_id: int = 0
    stop_event: threading.Event = field(default_factory=threading.Event)
    sizes: dict[Path, int] = field(default_factory=dict)
    seen: set[Path] = field(default_factory=set)
    thread: threading.Thread | None = None

    def processed(self) -> dict[str, str]:
        """sha256 → file name of every CV already uploaded (the processed-file cache)."""
        if not self.state_file.exists():
            return {}
        data: dict[str, str] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return data

    def remember(self, digest: str, name: str) -> None:
        done = self.processed()
        done[digest] = name
        self.state_file.write_text(json.dumps(done, indent=2), encoding="utf-8")

    def start(self) -> None:
        log.info("%s Monitoring %d download paths", TAG, len(self.paths))
        if not self.token:
            log.warning("%s WARNING: CV_CAPTURE_AUTH_TOKEN is not set: CVs will be detected but not uploaded", TAG)
        self.thread = threading.Thread(target=self.run, name="download-monitor", daemon=True)
        self.thread.start()
        log.info("%s Monitor thread started", TAG)

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=TIMEOUT_S)
        log.info("%s Monitor thread stopped", TAG)

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.scan_once()
            self.stop_event.wait(self.interval_s)

    def scan_once(self) -> None:
        for folder in self.paths:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and path not in self.seen and path.suffix.lower() not in PARTIAL:
                    self.consider(path)

    def consider(self, path: Path) -> None:
        size = path.stat().st_size
        why = verdict(path, size)
        if why:
            self.seen.add(path)
            log.info("%s Skipped %s: %s", TAG, path.name, why)
            return
        if self.sizes.get(path) != size:  # still being written: look again next scan
            if path not in self.sizes:
                log.info("%s Detected: %s (%d bytes), waiting until it is complete", TAG, path.name, size)
            self.sizes[path] = size
            return
        self.seen.add(path)
        self.upload(path)

    def upload(self, path: Path) -> None:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest in self.processed():
            log.info("%s Duplicate skipped (already uploaded as %s): %s", TAG, self.processed()[digest], path.name)
            return
        if not self.token:
            log.warning("%s WARNING: not uploading %s: no auth token", TAG, path.name)
            return
        auth = {"Authorization": f"Bearer {self.token}"}
        try:
            presign = requests.post(
                f"{self.api_url}/cv-capture/presign",
                json={"filename": path.name, "size": len(content), "sha256": digest},
                headers=auth,
                timeout=TIMEOUT_S,
            )
            presign.raise_for_status()
            target = presign.json()
            log.info("%s Presigned upload for %s: %s", TAG, path.name, target["key"])
            requests.put(target["upload_url"], data=content, timeout=TIMEOUT_S).raise_for_status()
            log.info("%s Uploaded %s to S3", TAG, path.name)
            meta = {"key": target["key"], "filename": path.name, "sha256": digest, "size": len(content)}
            requests.post(
                f"{self.api_url}/cv-capture/complete",
                json={**meta, "emp_id": self.emp_id},
                headers=auth,
                timeout=TIMEOUT_S,
            ).raise_for_status()
        except requests.RequestException as exc:
            self.seen.discard(path)  # try again next scan
            log.error("%s ERROR: upload of %s failed: %s: %s", TAG, path.name, type(exc).__name__, exc)
            return
        self.remember(digest, path.name)
        log.info("%s Metadata stored for %s", TAG, path.name)
