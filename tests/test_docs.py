"""Docs that cannot drift: every command is in the README, every module in ARCHITECTURE.md."""

from __future__ import annotations

import pytest

from golive.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text()
MODULES = sorted(
    p.relative_to(ROOT / "golive").as_posix()
    for p in (ROOT / "golive").rglob("*.py")
    if p.name not in ("__init__.py", "__main__.py") and "migrations" not in p.parts
)


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"golive {command}" in README


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_in_the_architecture_page(module: str) -> None:
    folder, _, name = module.rpartition("/")
    listed = f"`{module}`" in ARCHITECTURE or (folder and f"`{name}`" in ARCHITECTURE) or f"`{folder}/`" in ARCHITECTURE
    assert listed, f"ARCHITECTURE.md does not mention {module}"


def test_the_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["bash scripts/demo", "bash scripts/test"]
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("bash scripts/test")
