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
from typing import Any

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


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint=option)
        out[key] = rest
    return out


_RUN_OPTIONS = [
    click.option("--var", "vars_", multiple=True, metavar="NAME=VALUE", help="A field's value (repeatable)."),
    click.option("--yes", is_flag=True, help="Accept every command without asking (not manual items)."),
    click.option("--non-interactive", is_flag=True, help="Never prompt: pause (exit 3) where a person is needed."),
    click.option(
        "--manual",
        type=click.Choice(["ask", "pause", "skip"]),
        default=None,
        help="Manual items: ask, pause the run, or skip them (recording why).",
    ),
    click.option("--allow-destructive", is_flag=True, help="Do not ask again before destructive commands."),
    click.option("--rollback-on-failure", is_flag=True, help="Run the rollback section as soon as a step fails."),
    click.option(
        "--choose",
        multiple=True,
        metavar="STEP=LABEL",
        help="Pick an option of alternatives, e.g. --choose 'Step 2=systemd' or --choose L88=supervisor.",
    ),
    click.option("--timeout", type=float, default=None, help="Seconds a command may run (default 600)."),
    click.option(
        "--follow-window",
        type=float,
        default=None,
        help="Seconds to watch a command that never returns, like tail -f (default 10).",
    ),
    click.option(
        "--start-window",
        type=float,
        default=None,
        help="Seconds before a still-running command that listens on a port counts as a service (default 15).",
    ),
    click.option(
        "--service-timeout", type=float, default=None, help="Seconds a service has to become ready (default 60)."
    ),
    click.option(
        "--services",
        type=click.Choice(["ask", "leave", "stop"]),
        default=None,
        help="At the end: leave background services running, or stop them.",
    ),
    click.option("--as", "as_", metavar="NAME", help="Who is acting (default GOLIVE_USER, git user, OS user)."),
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


def _overrides(
    vars_: tuple[str, ...],
    yes: bool,
    non_interactive: bool,
    manual: str | None,
    allow_destructive: bool,
    rollback_on_failure: bool,
    choose: tuple[str, ...],
    timeout: float | None,
    follow_window: float | None,
    start_window: float | None,
    service_timeout: float | None,
    services: str | None,
    concurrency: int | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"vars": _pairs(vars_, "--var"), "choose": _pairs(choose, "--choose")}
    if yes:
        out["yes"] = True
    if non_interactive:
        out["non_interactive"] = True
        out.setdefault("manual", "pause")
    if manual:
        out["manual"] = manual
    if allow_destructive:
        out["allow_destructive"] = True
    if rollback_on_failure:
        out["rollback_on_failure"] = True
    if timeout is not None:
        out["timeout_s"] = timeout
    if follow_window is not None:
        out["follow_window_s"] = follow_window
    if start_window is not None:
        out["start_window_s"] = start_window
    if service_timeout is not None:
        out["service_timeout_s"] = service_timeout
    if services:
        out["services"] = services
    if concurrency is not None:
        out["concurrency"] = concurrency
    return out


@cli.command("run")
@click.argument("file")
@click.option("--env", default="default", show_default=True, help="The environment this run deploys to.")
@click.option("--dry-run", is_flag=True, help="Print what would run, fields filled in; run nothing.")
@click.option("--from", "from_item", metavar="STEP", help="Start at this step (its line, e.g. L59).")
@click.option(
    "--profile", metavar="FILE", help="Environment profile (default: golive/envs/ENV.yaml beside the checklist)."
)
@_run_options
def run_cmd(
    file: str, env: str, dry_run: bool, from_item: str | None, profile: str | None, as_: str | None, **kwargs: Any
) -> None:
    """Run a checklist, step by step."""
    from golive.commands.run import run
    from golive.run.options import RunOptions

    def go() -> int:
        overrides = _overrides(**kwargs)
        options = RunOptions(env=env, from_item=from_item or "")
        for key, value in overrides.items():
            setattr(options, key, value)
        return run(file, options, as_, dry_run, profile=profile)

    _run(go)


@cli.command("resume")
@click.argument("run_id", metavar="RUN")
@click.option(
    "--in-doubt",
    type=click.Choice(["ask", "rerun", "done", "skip"]),
    default=None,
    help="A step golive was killed in: run it again, count it done, or skip it.",
)
@_run_options
def resume_cmd(run_id: str, in_doubt: str | None, as_: str | None, **kwargs: Any) -> None:
    """Continue a paused, failed or interrupted run where it stopped."""
    from golive.commands.run import resume

    def go() -> int:
        overrides = _overrides(**kwargs)
        if in_doubt:
            overrides["in_doubt"] = in_doubt
        return resume(run_id, overrides, as_)

    _run(go)


@cli.command("rollback")
@click.argument("run_id", metavar="RUN")
@_run_options
def rollback_cmd(run_id: str, as_: str | None, **kwargs: Any) -> None:
    """Run a run's rollback section now."""
    from golive.commands.run import resume

    _run(lambda: resume(run_id, _overrides(**kwargs), as_, rollback_only=True))


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


@cli.command("report")
@click.argument("run_id", metavar="RUN")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json", "junit"]), default="md", show_default=True)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def report_cmd(run_id: str, fmt: str, output: str | None) -> None:
    """A run's record as Markdown (the filled-in checklist), HTML, JSON or JUnit XML."""
    from golive.commands.report import report

    _run(lambda: report(run_id, fmt, output, sys.stdout))


@cli.command("confirm")
@click.argument("run_id", metavar="RUN")
@click.argument("item")
@click.option("--as", "as_", metavar="NAME", help="Who confirms.")
@click.option("--skip", metavar="REASON", help="Skip it instead, for this reason.")
@click.option("--fail", metavar="REASON", help="Say it failed, for this reason.")
@click.option("--done", is_flag=True, help="A step golive was killed in: it did complete.")
@click.option("--rerun", is_flag=True, help="A step golive was killed in: run it again.")
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

    verb, reason = "confirm", ""
    if skip is not None:
        verb, reason = "skip", skip
    elif fail is not None:
        verb, reason = "fail", fail
    elif done:
        verb = "done"
    elif rerun:
        verb = "rerun"
    elif allow:
        verb = "yes"
    _run(lambda: confirm(run_id, item, as_, verb, reason, choose or "", sys.stdout))


@cli.command("set")
@click.argument("run_id", metavar="RUN")
@click.argument("assignments", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.option("--as", "as_", metavar="NAME", help="Who sets it.")
def set_cmd(run_id: str, assignments: tuple[str, ...], as_: str | None) -> None:
    """Fill fields of a paused run (secrets: pass them to resume instead; they are never stored)."""
    from golive.commands.answers import set_fields

    _run(lambda: set_fields(run_id, list(assignments), as_, sys.stdout))


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
