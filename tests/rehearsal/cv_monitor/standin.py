"""The stand-in of the CV Download Monitor (seed 000): the emp_monitor backend, its config and the ATS.

`build()` lays out what the seed's release manager and tester have in front of them:
- `emp-monitor/`, the Electron app's repository at the 0.1.19 release commit (the backend with
  download_monitor.py and emp_monitor.py, its tests and PyInstaller spec, package.json with the
  build scripts), pushed to a bare `origin.git`, not yet tagged;
- `monitor_data/config.json` of the staging test user (emp 999, "Manager - Talent Acquisition",
  download monitor enabled, pointing at the ATS) and its alerts log;
- the ATS presign API and its S3 bucket on loopback (ats.py);
- a build venv (pip, python, pytest) and the tester's home folder with its five download folders.
`CvMonitor.launch()` starts the backend as the tester does on the staging machine; the tester's
downloads are files written into `home/Downloads`.

The planted fault is the ATS answering 503 (`ats.healthy = False`): the backend's integration test
in Build & Package must catch it, and the rollback disables the monitor in config.json.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.rehearsal.conftest import (
    Calls,
    clone_with_origin,
    commit_all,
    git,
    make_venv,
    standin_env,
    stop_pid,
    wait_until,
)
from tests.rehearsal.cv_monitor.ats import Ats

APP = Path(__file__).resolve().parent / "app"
BIN = Path(__file__).resolve().parent / "bin"
TEST_USER = {"emp_id": 999, "designation": "Manager - Talent Acquisition"}


def download_folders() -> list[str]:
    """The folders the backend watches under the user's home (DOWNLOAD_FOLDERS of emp_monitor.py)."""
    tree = ast.parse((APP / "backend" / "emp_monitor.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOWNLOAD_FOLDERS":
            folders: list[str] = ast.literal_eval(node.value)
            return folders
    raise LookupError("emp_monitor.py no longer defines DOWNLOAD_FOLDERS")


@dataclass
class CvMonitor:
    root: Path
    repo: Path
    origin: Path
    home: Path
    venv: Path
    ats: Ats
    rehearsal_id: str
    backend: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def config_file(self) -> Path:
        return self.repo / "monitor_data" / "config.json"

    @property
    def alerts(self) -> Path:
        return self.repo / "monitor_data" / "alerts.log"

    @property
    def calls(self) -> Calls:
        return Calls.in_dir(self.root)

    def env(self) -> dict[str, str]:
        """What the rehearsal profile reads from the environment (`${…}`) and the stand-ins need."""
        return {
            **standin_env(self.root, self.rehearsal_id),
            "CV_REPO": str(self.repo),
            "CV_VENV": str(self.venv),
            "CV_API_URL": self.ats.api_url,
            "CV_AUTH_TOKEN": self.ats.token,
            "CV_HOME": str(self.home),
        }

    def app_env(self) -> dict[str, str]:
        """The release manager's shell (the profile's `env`, `secrets` and PATH give the same)."""
        return {
            **self.env(),
            "PATH": f"{self.venv / 'bin'}:{BIN}:{os.environ['PATH']}",
            "CV_CAPTURE_API_URL": self.ats.api_url,
            "CV_CAPTURE_AUTH_TOKEN": self.ats.token,
            "npm_config_update_notifier": "false",
        }

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = json.loads(self.config_file.read_text())
        return config

    def log(self) -> str:
        return self.alerts.read_text(encoding="utf-8") if self.alerts.exists() else ""

    def launch(self) -> None:
        """Start the backend as the staging app does, and wait for its monitor thread."""
        env = {**os.environ, **self.app_env(), "HOME": str(self.home)}
        self.backend = subprocess.Popen(
            [str(self.venv / "bin" / "python"), "emp_monitor.py"],
            cwd=self.repo / "backend",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until("the download monitor's thread", lambda: "Monitor thread started" in self.log())

    def download(self, name: str, content: bytes) -> Path:
        """What the tester's browser does: the file appears in the Downloads folder."""
        target = self.home / "Downloads" / name
        target.write_bytes(content)
        return target

    def stop(self) -> None:
        if self.backend is not None:
            stop_pid(self.backend.pid)
            self.backend.wait(timeout=10)


def build(root: Path, ats: Ats) -> CvMonitor:
    repo, origin, home = root / "emp-monitor", root / "origin.git", root / "home"
    shutil.copytree(APP, repo)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Download monitor: upload recruiters' CV downloads to the ATS (0.1.19)")
    clone_with_origin(repo, origin)
    config = {**TEST_USER, "download_monitor": {"enabled": True, "api_url": ats.api_url, "check_interval_sec": 1}}
    (repo / "monitor_data" / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    for folder in download_folders():
        (home / folder).mkdir(parents=True, exist_ok=True)
    venv = make_venv(root / "build-venv")
    return CvMonitor(root, repo, origin, home, venv, ats, secrets.token_hex(6))
