"""emp_monitor backend: starts the download monitor for recruitment staff whose config enables it.

    python emp_monitor.py [--data-dir ../monitor_data]

Reads monitor_data/config.json (this employee's config), logs to monitor_data/alerts.log, and
re-reads the config every few seconds: setting download_monitor.enabled to false stops the
monitor thread without a restart (the rollback's "disable immediately").
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from download_monitor import TAG, DownloadMonitor

RECRUITMENT_DESIGNATIONS = {
    "Manager - Talent Acquisition",
    "Senior Executive - Talent Acquisition",
    "Executive - Talent Acquisition",
    "Recruiter",
    "Senior Recruiter",
    "HR Manager",
}
DOWNLOAD_FOLDERS = ["Downloads", "Desktop", "Documents", "Downloads/Naukri", "OneDrive/Downloads"]
RELOAD_S = 1.0
log = logging.getLogger("emp_monitor")
stopping = threading.Event()


def download_monitor_enabled(config: dict[str, Any]) -> bool:
    """Only recruitment staff, and only where their config turns it on (enabled: false by default)."""
    section = config.get("download_monitor") or {}
    return config.get("designation") in RECRUITMENT_DESIGNATIONS and bool(section.get("enabled", False))


def monitor_for(config: dict[str, Any], data_dir: Path) -> DownloadMonitor:
    section = config["download_monitor"]
    home = Path(os.environ.get("USERPROFILE") or Path.home())
    return DownloadMonitor(
        paths=[home / folder for folder in DOWNLOAD_FOLDERS],
        api_url=os.environ.get("CV_CAPTURE_API_URL") or section["api_url"],
        token=os.environ.get("CV_CAPTURE_AUTH_TOKEN", ""),
        state_file=data_dir / "processed_files.json",
        interval_s=float(section.get("check_interval_sec", 30)),
        emp_id=int(config.get("emp_id", 0)),
    )


def read_config(path: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parent.parent / "monitor_data"))
    data_dir = Path(parser.parse_args().data_dir)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=[logging.FileHandler(data_dir / "alerts.log", encoding="utf-8"), logging.StreamHandler()],
    )
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    config_file = data_dir / "config.json"
    monitor: DownloadMonitor | None = None
    log.info("emp_monitor backend started (pid %d)", os.getpid())
    while not stopping.is_set():
        config = read_config(config_file)
        if download_monitor_enabled(config) and monitor is None:
            monitor = monitor_for(config, data_dir)
            monitor.start()
        elif not download_monitor_enabled(config) and monitor is not None:
            log.info("%s Disabled by config", TAG)
            monitor.stop()
            monitor = None
        stopping.wait(RELOAD_S)
    if monitor is not None:
        monitor.stop()
    log.info("emp_monitor backend stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
