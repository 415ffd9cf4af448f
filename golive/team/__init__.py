"""Deploying as a team: notifications (notify.py), follow-ups (followups.py), sign-off policies and
approvals (policy.py, approvals.py, wait.py).

A checklist says how its team works in YAML front matter under one `golive:` key, so GitHub shows
it as a small table above the checklist:

    ---
    golive:
      notify: ["slack://…", "json://hooks.example.com/${HOOK_TOKEN}"]
      signoff: {required: [QA Lead], distinct: true, not_runner: true}
    ---
"""

from __future__ import annotations

from typing import Any

import yaml


def front_matter(text: str) -> dict[str, Any]:
    """The `golive:` mapping of a checklist's YAML front matter ({} when there is none or it is not YAML:
    `golive lint` reports a broken one; a run is not the place to fail on it)."""
    from golive.parse.markdown import front_matter_end

    lines = text.replace("\r\n", "\n").split("\n")
    end = front_matter_end(lines)
    if not end:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines[1 : end - 1]))
    except yaml.YAMLError:
        return {}
    settings = data.get("golive") if isinstance(data, dict) else None
    return settings if isinstance(settings, dict) else {}
