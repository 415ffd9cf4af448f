"""Every profile in docs/profiles.md loads and applies to the seed it is written for: the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from golive.parse import parse_file
from golive.profile import apply, load
from tests.conftest import ROOT, seed

DOC = (ROOT / "docs" / "profiles.md").read_text()
EXAMPLES = re.findall(r"```yaml\n(.*?)```", DOC, re.S)


def which_seed(example: str) -> str:
    m = re.match(r"# seed (\d{3})\n", example)
    return m.group(1) if m else "003"  # the format's own example and production speak of seed 003


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.split("\n")[0].lstrip("# ")[:20] for e in EXAMPLES])
def test_the_documented_profile_applies_to_its_seed(tmp_path: Path, example: str) -> None:
    (tmp_path / "bin").mkdir()
    path = tmp_path / "profile.yaml"
    path.write_text(example)
    environ = {name: f"/tmp/{name.lower()}" for name in re.findall(r"\$\{(\w+)\}", example)}
    applied = apply(load(path, environ), parse_file(seed(which_seed(example))))
    assert applied.plan.steps


def test_there_is_an_example_per_seed() -> None:
    assert sorted(which_seed(e) for e in EXAMPLES if e.startswith("# seed")) == ["000", "001", "002", "003", "004"]
