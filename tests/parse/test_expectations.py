"""Expectations as people write them, read into something a judge can apply."""

from __future__ import annotations

import pytest

from golive.model import ExpectKind
from golive.parse.expectations import intro, parse_expectation


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"status": "healthy"}', ExpectKind.JSON),
        ("PONG", ExpectKind.LITERAL),
        ("config.json.bak", ExpectKind.LITERAL),
        ("2.0 by ana", ExpectKind.LITERAL),
        ("✓ ALL CHECKS PASSED", ExpectKind.LITERAL),
        ("200", ExpectKind.LINE),
        ("exit code 0", ExpectKind.EXIT),
        ("Connection refused or timeout", ExpectKind.FAILS),
        ("1 row returned", ExpectKind.REGEX),
        ("head revision", ExpectKind.REGEX),
        ("JWT token", ExpectKind.PERSON),
        ("JSON array of employees", ExpectKind.PERSON),
        ("201 Created", ExpectKind.PERSON),
        ("no errors in the output", ExpectKind.PERSON),
    ],
)
def test_kinds(text: str, kind: ExpectKind) -> None:
    assert parse_expectation(text, 1).kind is kind


def test_multi_line_examples_keep_their_status_lines() -> None:
    e = parse_expectation("=====\nDatabase URL: localhost:5432/x\n✓ Migrations completed successfully\n=====", 3)
    assert e.kind is ExpectKind.LINES and e.value == "✓ Migrations completed successfully"


def test_intro_reads_labels_and_http_status() -> None:
    assert intro("Expected: PONG") == ("PONG", None)
    assert intro("Expected response (HTTP 200):") == ("", 200)
    assert intro("Expected output:") == ("", None)
    assert intro("Verify backup") is None
