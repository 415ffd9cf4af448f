"""Who gets the download monitor: the designations as HR writes them, and the config flag."""

from __future__ import annotations

import pytest
from emp_monitor import RECRUITMENT_DESIGNATIONS, download_monitor_enabled

HR_DESIGNATIONS = [  # as the HR system spells them (the staging test user has the first)
    "Manager - Talent Acquisition",
    "Senior Executive - Talent Acquisition",
    "Executive - Talent Acquisition",
    "Recruiter",
    "Senior Recruiter",
]


@pytest.mark.parametrize("designation", HR_DESIGNATIONS)
def test_recruitment_designations_are_spelled_as_hr_writes_them(designation: str) -> None:
    assert designation in RECRUITMENT_DESIGNATIONS, f"{designation!r} is not a recruitment designation"


def test_enabled_only_for_recruitment_staff_with_the_flag() -> None:
    section = {"enabled": True, "api_url": "http://ats-tool.test/api"}
    assert download_monitor_enabled({"designation": "Recruiter", "download_monitor": section})
    assert not download_monitor_enabled({"designation": "Accountant", "download_monitor": section})
    assert not download_monitor_enabled({"designation": "Recruiter", "download_monitor": {"enabled": False}})
    assert not download_monitor_enabled({"designation": "Recruiter"}), "off by default"
