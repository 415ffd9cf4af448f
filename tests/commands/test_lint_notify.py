"""`golive lint` reads each notification URL of the front matter the way apprise will when it sends
(its own parsing, nothing sent): an unknown scheme or a malformed URL is an error at its line, and a
token of the URL is never printed."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from tests.helpers import golive

CHECKLIST = """
    # Deploy

    ## Steps

    - [ ] Deploy the service

    ## Rollback Plan

    - [ ] Restore the previous release
    """


def write(tmp_path: Path, notify: list[str]) -> Path:
    urls = "".join(f'    - "{url}"\n' for url in notify)
    path = tmp_path / "DEPLOY.md"
    path.write_text(f"---\ngolive:\n  notify:\n{urls}---\n" + textwrap.dedent(CHECKLIST).lstrip())
    return path


def test_urls_apprise_takes_pass_and_tokens_from_the_environment_are_checked_when_sent(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#deploys",
            "mailto://ops@example.com",
            "json://hooks.example.com/golive?token=${HOOK_TOKEN}",
            "slack://${SLACK_TOKEN_A}/${SLACK_TOKEN_B}/${SLACK_TOKEN_C}/#deploys",
        ],
    )
    r = golive("lint", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[notify]" not in r.stdout and r.stderr == ""


def test_an_unknown_scheme_is_an_error_at_its_line_with_the_nearest_scheme(tmp_path: Path) -> None:
    path = write(tmp_path, ["json://hooks.example.com/", "slakc://T1/B1/C1secrettokenvalue"])
    r = golive("lint", str(path))
    assert r.returncode == 1
    assert (
        f"{path}:5: error: notify URL slakc://… is not one apprise understands "
        "(unknown scheme slakc://; did you mean slack://?) [notify]"
    ) in r.stdout
    assert f"{path}: 1 errors," in r.stdout
    assert "C1secrettokenvalue" not in r.stdout + r.stderr


def test_a_malformed_url_says_what_apprise_found_wrong_with_its_tokens_masked(tmp_path: Path) -> None:
    path = write(
        tmp_path, ["hooks.example.com/golive", "slack://T1/B1!s3cretB0ken/C1s3cretToken", "mailto://ops.example.com"]
    )
    r = golive("lint", str(path))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert (
        f"{path}:4: error: notify URL (no scheme) is not one apprise understands "
        "(no scheme: write it as SERVICE://…, such as slack://…, mailto://… or json://…) [notify]"
    ) in lines
    assert (
        f"{path}:5: error: notify URL slack://… is not one apprise understands "
        "(An invalid Slack (second) Token (***) was specified) [notify]"
    ) in lines
    assert (
        f"{path}:6: error: notify URL mailto://… is not one apprise understands "
        "(Invalid ~From~ email specified) [notify]"
    ) in lines
    assert "s3cret" not in r.stdout + r.stderr  # not in our message, and nothing apprise logs reaches the terminal


def test_apprise_is_imported_only_for_a_checklist_with_notification_urls(tmp_path: Path) -> None:
    timed = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    without = tmp_path / "PLAIN.md"
    without.write_text(textwrap.dedent(CHECKLIST).lstrip())
    assert "apprise" not in golive("lint", str(without), env=timed).stderr
    assert "apprise" in golive("lint", str(write(tmp_path, ["json://hooks.example.com/"])), env=timed).stderr


def test_golive_notify_is_not_lints_business(tmp_path: Path) -> None:
    plain = tmp_path / "PLAIN.md"
    plain.write_text(textwrap.dedent(CHECKLIST).lstrip())
    r = golive("lint", str(plain), env={**os.environ, "GOLIVE_NOTIFY": "nosuchscheme://x"})
    assert r.returncode == 0 and "[notify]" not in r.stdout
