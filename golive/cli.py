"""The command line: options -> golive/commands/*; errors -> exit codes 0-4.

User errors print one line and exit 2 (no traceback). A bug exits 70 and leaves a crash
report with the traceback, so people can report it.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

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
    except Exception:  # a bug: keep the traceback for the report, show one line
        report = _crash_report()
        click.echo(f"golive: internal error; details in {report} (please report it)", err=True)
        code = EXIT_BUG
    sys.exit(code)


def _crash_report() -> str:
    home = Path(os.environ.get("GOLIVE_HOME", ".golive"))
    try:
        home.mkdir(parents=True, exist_ok=True)
        path = home / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.log"
        path.write_text(f"golive {__version__}\npython {sys.version}\nargv {sys.argv}\n\n{traceback.format_exc()}")
        return str(path)
    except OSError:
        traceback.print_exc()
        return "the traceback above"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="golive")
def cli() -> None:
    """Run the production deployment checklist you already write in Markdown."""


@cli.command("plan")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (docs/plan-json.md).")
@click.option("--notes", is_flag=True, help="Also show prose, tables and notes.")
def plan_cmd(file: str, as_json: bool, notes: bool) -> None:
    """What will happen, step by step, with estimates."""
    from golive.commands.plan import plan

    _run(lambda: plan(file, as_json, sys.stdout, notes=notes))


@cli.command("lint")
@click.argument("files", nargs=-1, required=True)
def lint_cmd(files: tuple[str, ...]) -> None:
    """Problems in checklists, each as file:line."""
    from golive.commands.lint import lint

    _run(lambda: lint(list(files), sys.stdout))


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
