"""The command line: options -> golive/commands/*; errors -> exit codes 0-4.

User errors print one line and exit 2 (no traceback). A bug exits 70 and leaves a crash
report with the traceback, so people can report it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import click

from golive import __version__
from golive.errors import EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED, GoliveError


def _run(fn: Callable[[], int]) -> None:
    """Call a command and exit with its code, mapping failures to golive's exit codes."""
    try:
        code = fn()
    except GoliveError as exc:
        click.echo(f"golive: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("golive: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # `golive show RUN | head`: the reader left, nothing is wrong
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from failing on flush
        code = 0
    except Exception:  # a bug: keep the traceback for the report, show one line
        report = _crash_report()
        click.echo(f"golive: internal error; details in {report} (please report it)", err=True)
        code = EXIT_BUG
    sys.exit(code)


def _crash_report() -> str:
    """The traceback in GOLIVE_HOME/crash-*.log (0600), with every secret masked: the values of
    `NAME=VALUE` arguments, secret-named environment variables, every secret this process learned,
    and what detection finds (the store's errors never carry SQL parameters: hide_parameters)."""
    from golive.parse.hazards import is_secret_name
    from golive.secrets import mask_everything

    home = Path(os.environ.get("GOLIVE_HOME", ".golive"))
    argv = [_ASSIGNMENT.sub(r"\1=***", arg) for arg in sys.argv]
    env = {k: v for k, v in os.environ.items() if k.startswith("GOLIVE_")}
    known = [v for k, v in os.environ.items() if is_secret_name(k)]
    text = f"golive {__version__}\npython {sys.version}\nargv {argv}\nenv {env}\n\n{traceback.format_exc()}"
    text = mask_everything(text, known)
    try:
        home.mkdir(parents=True, exist_ok=True)
        path = home / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also when a crash log of the same second was there before
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        return str(path)
    except OSError:
        click.echo(text, err=True)
        return "the traceback above"


_ASSIGNMENT = re.compile(r"^((?:--[\w-]+=)?[A-Za-z_][A-Za-z0-9_]*)=.*$", re.S)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="golive")
def cli() -> None:
    """Run the production deployment checklist you already write in Markdown."""


@cli.command("plan")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (docs/plan-json.md).")
@click.option("--notes", is_flag=True, help="Also show prose, tables and notes.")
@click.option("--profile", metavar="FILE", help="As it will run with this environment profile (docs/profiles.md).")
def plan_cmd(file: str, as_json: bool, notes: bool, profile: str | None) -> None:
    """What will happen, step by step, with estimates."""
    from golive.commands.plan import plan

    _run(lambda: plan(file, as_json, sys.stdout, notes=notes, profile=profile))


@cli.command("lint")
@click.argument("files", nargs=-1, required=True)
def lint_cmd(files: tuple[str, ...]) -> None:
    """Problems in checklists, each as file:line."""
    from golive.commands.lint import lint

    _run(lambda: lint(list(files), sys.stdout))


class Pair(click.ParamType[tuple[str, str], Any]):
    """NAME=VALUE, split where click parses it; `variable` asks for a shell variable name on the left."""

    name = "pair"

    def __init__(self, metavar: str, variable: bool = False) -> None:
        self.metavar = metavar
        self.variable = variable

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        key, sep, rest = str(value).partition("=")
        key = key.strip()
        if not sep or not key:
            self.fail(f"{value!r} is not {self.metavar}", param, ctx)
        if self.variable and not _VARIABLE.fullmatch(key):
            self.fail(f"{key!r} is not a variable name (letters, digits and _, not starting with a digit)", param, ctx)
        return key, rest


class Duration(click.ParamType[float, Any]):
    """A positive, finite duration: `600`, `90s`, `2m`, `1h` (seconds when no unit is given)."""

    name = "duration"
    _UNITS: ClassVar[dict[str, float]] = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*", str(value).lower())
        if match is None or match.group(2) not in self._UNITS:
            self.fail(f"{value!r} is not a duration (a positive number of seconds, or 90s, 2m, 1h)", param, ctx)
        seconds = float(match.group(1)) * self._UNITS[match.group(2)]
        if not 0 < seconds < float("inf"):
            self.fail(f"{value!r} is not a positive duration", param, ctx)
        return seconds


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _as_dict(_ctx: click.Context, _param: click.Parameter, pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(pairs)


# Each option's name is the RunOptions field it sets, so RunOptions is built in one call.
_RUN_OPTIONS = [
    click.option(
        "--var",
        "vars",
        multiple=True,
        type=Pair("NAME=VALUE", variable=True),
        callback=_as_dict,
        help="A field's value (repeatable).",
    ),
    click.option("--yes", is_flag=True, help="Accept every command without asking (not manual items)."),
    click.option("--non-interactive", is_flag=True, help="Never prompt: pause (exit 3) where a person is needed."),
    click.option(
        "--manual",
        type=click.Choice(["ask", "pause", "skip"]),
        default=None,
        help="Manual items: ask, pause the run, or skip them (recording why). Sign-offs are never skipped.",
    ),
    click.option("--allow-destructive", is_flag=True, help="Do not ask again before destructive commands."),
    click.option("--rollback-on-failure", is_flag=True, help="Run the rollback section as soon as a step fails."),
    click.option(
        "--choose",
        multiple=True,
        type=Pair("STEP=LABEL"),
        callback=_as_dict,
        help="Pick an option of alternatives, e.g. --choose 'Step 2=systemd' or --choose L88=supervisor.",
    ),
    click.option("--timeout", "timeout_s", type=Duration(), help="How long a command may run (default 600 s)."),
    click.option(
        "--follow-window",
        "follow_window_s",
        type=Duration(),
        help="How long to watch a command that never returns, like tail -f (default 10 s).",
    ),
    click.option(
        "--start-window",
        "start_window_s",
        type=Duration(),
        help="After how long a still-running command that listens on a port counts as a service (default 15 s).",
    ),
    click.option(
        "--service-timeout",
        "service_timeout_s",
        type=Duration(),
        help="How long a service has to become ready (default 60 s).",
    ),
    click.option(
        "--services",
        type=click.Choice(["ask", "leave", "stop"]),
        default=None,
        help="At the end: leave background services running, or stop them.",
    ),
    click.option(
        "--wait",
        "wait_s",
        type=Duration(),
        help="Where a person is needed, wait this long for their answer (golive approve, confirm, set) "
        "before pausing (exit 3).",
    ),
    click.option(
        "--as",
        "acting_as",
        metavar="NAME",
        help="Who is acting (default: the --as the run started with, GOLIVE_USER, git user, OS user).",
    ),
    click.option(
        "--concurrency",
        type=click.IntRange(1, 1000),
        default=None,
        help="Checks run at once when several follow each other (default 32).",
    ),
]


def _run_options(fn: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_RUN_OPTIONS):
        fn = option(fn)
    return fn


@cli.command("run")
@click.argument("file")
@click.option("--env", default="default", show_default=True, help="The environment this run deploys to.")
@click.option("--dry-run", is_flag=True, help="Print what would run, fields filled in; run nothing.")
@click.option("--from", "from_item", metavar="STEP", help="Start at this step (its line, e.g. L59).")
@click.option(
    "--profile", metavar="FILE", help="Environment profile (default: golive/envs/ENV.yaml beside the checklist)."
)
@_run_options
def run_cmd(file: str, dry_run: bool, profile: str | None, **given: Any) -> None:
    """Run a checklist, step by step."""
    from golive.commands.run import run
    from golive.run.options import RunOptions

    _run(lambda: run(file, RunOptions.given(**given), dry_run, profile=profile))


@cli.command("resume")
@click.argument("run_id", metavar="RUN")
@click.option(
    "--in-doubt",
    type=click.Choice(["ask", "rerun", "done", "skip"]),
    default=None,
    help="A step golive was killed in: run it again, count it done, or skip it.",
)
@_run_options
def resume_cmd(run_id: str, **given: Any) -> None:
    """Continue a paused, failed or interrupted run where it stopped."""
    from golive.commands.run import resume

    _run(lambda: resume(run_id, given))


@cli.command("rollback")
@click.argument("run_id", metavar="RUN")
@_run_options
def rollback_cmd(run_id: str, **given: Any) -> None:
    """Run a run's rollback section now."""
    from golive.commands.run import resume

    _run(lambda: resume(run_id, given, rollback_only=True))


@cli.command("abandon")
@click.argument("run_id", metavar="RUN")
@click.option("--reason", required=True, help="Why nobody will finish this run (recorded).")
@click.option("--as", "as_", metavar="NAME", help="Who abandons it.")
def abandon_cmd(run_id: str, reason: str, as_: str | None) -> None:
    """End a run nobody will finish: recorded as abandoned, its lock released, never resumable."""
    from golive.commands.runs import abandon

    _run(lambda: abandon(run_id, reason, as_, sys.stdout))


@cli.command("runs")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.option("--limit", default=50, show_default=True)
def runs_cmd(as_json: bool, limit: int) -> None:
    """Runs, newest first."""
    from golive.commands.runs import runs

    _run(lambda: runs(as_json, sys.stdout, limit))


@cli.command("show")
@click.argument("run_id", metavar="RUN")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def show_cmd(run_id: str, as_json: bool) -> None:
    """One run: every step, its status, who and why."""
    from golive.commands.runs import show

    _run(lambda: show(run_id, as_json, sys.stdout))


class Moment(click.ParamType[Any, Any]):
    """A moment: `2026-12-01`, `2026-12-01T09:30` (UTC unless it says otherwise, as in `+02:00`),
    or from now: `+1d`, `+36h`, `+2w`."""

    name = "time"
    _UNITS: ClassVar[dict[str, float]] = {"m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from datetime import UTC, datetime, timedelta

        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        relative = re.fullmatch(r"\+(\d+(?:\.\d+)?)\s*([mhdw])", text.lower())
        if relative:
            return datetime.now(UTC) + timedelta(seconds=float(relative.group(1)) * self._UNITS[relative.group(2)])
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not a time (2026-12-01, 2026-12-01T09:30Z, or +1d, +36h, +2w)", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@cli.command("report")
@click.argument("run_id", metavar="RUN")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json", "junit"]), default="md", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--at", type=Moment(), help="Follow-ups as they stand at another moment (as golive due --at).")
def report_cmd(run_id: str, fmt: str, output: str | None, at: Any) -> None:
    """A run's record as Markdown (the filled-in checklist), HTML, JSON or JUnit XML."""
    from golive.commands.report import report

    _run(lambda: report(run_id, fmt, output, sys.stdout, at))


@cli.command("confirm")
@click.argument("run_id", metavar="RUN")
@click.argument("item")
@click.option("--as", "as_", metavar="NAME", help="Who confirms.")
@click.option("--skip", metavar="REASON", help="Skip it instead, for this reason.")
@click.option("--fail", metavar="REASON", help="Say it failed, for this reason.")
@click.option("--done", is_flag=True, help="It was done: a step in doubt completed, or you ran it yourself.")
@click.option("--rerun", is_flag=True, help="A step in doubt or failed: run it again on resume.")
@click.option("--allow", is_flag=True, help="Allow this destructive command.")
@click.option("--choose", metavar="LABEL", help="For a block of alternatives: the option to run.")
def confirm_cmd(
    run_id: str,
    item: str,
    as_: str | None,
    skip: str | None,
    fail: str | None,
    done: bool,
    rerun: bool,
    allow: bool,
    choose: str | None,
) -> None:
    """Answer for a step of a paused run: confirm it, skip it, say it failed, choose an option."""
    from golive.commands.answers import confirm

    given = {
        "skip": skip is not None,
        "fail": fail is not None,
        "done": done,
        "rerun": rerun,
        "allow": allow,
        "choose": choose is not None,
    }
    answers = [verb for verb, yes in given.items() if yes]
    if len(answers) > 1:
        raise click.UsageError(f"one answer at a time: --{' and --'.join(answers)} were given")
    verb = answers[0] if answers else "confirm"
    reason = (skip if verb == "skip" else fail if verb == "fail" else "") or ""
    _run(lambda: confirm(run_id, item, as_, verb, reason, choose or "", sys.stdout))


@cli.command("set")
@click.argument("run_id", metavar="RUN")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--as", "as_", metavar="NAME", help="Who sets it.")
def set_cmd(run_id: str, assignments: tuple[str, ...], as_: str | None) -> None:
    """Fill fields of a paused run (secrets: pass them to resume instead; they are never stored)."""
    from golive.commands.answers import set_fields

    _run(lambda: set_fields(run_id, list(assignments), as_, sys.stdout))


@cli.command("due")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.option("--at", type=Moment(), help="Answer for another moment (planning): lists, reminds nobody.")
def due_cmd(as_json: bool, at: Any) -> None:
    """Follow-ups due and overdue across runs; reminds their services once each (run it from cron)."""
    from golive.commands.due import due

    _run(lambda: due(as_json, at, sys.stdout))


@cli.command("followup")
@click.argument("run_id", metavar="RUN")
@click.argument("name", metavar="FOLLOW-UP")
@_run_options
def followup_cmd(run_id: str, name: str, **given: Any) -> None:
    """Run a follow-up of a finished run ("Week 1") against its record, and close it."""
    from golive.commands.followup import followup

    _run(lambda: followup(run_id, name, given))


@cli.command("approve")
@click.argument("run_id", metavar="RUN")
@click.option("--as", "as_", metavar="NAME", help="Who approves (default: GOLIVE_USER, git user, OS user).")
@click.option("--role", required=True, help="The sign-off role, as the checklist or its policy names it.")
@click.option("--comment", default="", help="Recorded with the approval.")
def approve_cmd(run_id: str, as_: str | None, role: str, comment: str) -> None:
    """Approve a sign-off role of a run, from anywhere that reaches the store (docs/team.md)."""
    from golive.commands.approve import approve

    _run(lambda: approve(run_id, as_, role, comment, sys.stdout))


@cli.command("reject")
@click.argument("run_id", metavar="RUN")
@click.option("--as", "as_", metavar="NAME", help="Who rejects (default: GOLIVE_USER, git user, OS user).")
@click.option("--role", required=True, help="The sign-off role, as the checklist or its policy names it.")
@click.option("--reason", required=True, help="Why (recorded); the gate fails.")
def reject_cmd(run_id: str, as_: str | None, role: str, reason: str) -> None:
    """Reject a sign-off role of a run: its gate fails."""
    from golive.commands.approve import reject

    _run(lambda: reject(run_id, as_, role, reason, sys.stdout))


@cli.group("db")
def db_group() -> None:
    """The store's schema (SQLite, or PostgreSQL with GOLIVE_DATABASE_URL), managed with Alembic."""


@db_group.command("upgrade")
def db_upgrade_cmd() -> None:
    """Bring the store's schema to this golive's head."""
    from golive.commands.db import upgrade

    _run(lambda: upgrade(sys.stdout))


@db_group.command("current")
def db_current_cmd() -> None:
    """The store, its schema revision, and this golive's head (exit 1 when behind)."""
    from golive.commands.db import current

    _run(lambda: current(sys.stdout))


@cli.command("checks")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.option("--schema", "as_schema", is_flag=True, help="The JSON Schema of an annotation.")
def checks_cmd(as_json: bool, as_schema: bool) -> None:
    """Every check type and its options (```golive annotations)."""
    from golive.commands.checks import checks

    _run(lambda: checks(sys.stdout, as_json, as_schema))


@cli.group("audit")
def audit_group() -> None:
    """Check a run's hash-chained record, or export it for a third party (docs/audit.md)."""


@audit_group.command("verify")
@click.argument("run_id", metavar="[RUN]", required=False)
def audit_verify_cmd(run_id: str | None) -> None:
    """Exit 0 when the record is intact; 1 naming the first bad event. Without RUN: every run."""
    from golive.commands.audit import verify

    _run(lambda: verify(run_id, sys.stdout))


@audit_group.command("export")
@click.argument("run_id", metavar="RUN")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def audit_export_cmd(run_id: str, output: str | None) -> None:
    """The run's record as JSON lines, exactly as hashed."""
    from golive.commands.audit import export

    _run(lambda: export(run_id, output, sys.stdout))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: click parses, commands run, and usage errors become exit 2 with one line."""
    try:
        cli.main(args=argv, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message())
        sys.exit(EXIT_INPUT)
    except click.UsageError as exc:
        hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"golive: {exc.format_message()}{hint}", err=True)
        sys.exit(EXIT_INPUT)
    except click.exceptions.Abort:
        click.echo("golive: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        click.echo(f"golive: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT)


if __name__ == "__main__":
    main()
