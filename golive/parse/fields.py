"""Blanks a person fills in: `Deployed by: ____`, `` `____` ``, `[insert …]`, `[ ] A [ ] B`.

Each becomes a Field with a stable UPPER_SNAKE name, later exported to commands
as an environment variable (`Deployed By: ____` -> DEPLOYED_BY).
"""

from __future__ import annotations

import re

from golive.model import Field
from golive.parse.hazards import is_secret_name, upper_snake

BLANK = re.compile(r"(?<![\w\\])(?:`\s*)?(?:_{3,}|(?:\\_){3,})(?:\s*`)?(?!\w)")
INSERT = re.compile(r"\[(?:insert|add|enter)\s+([^\]]+)\]", re.I)
CHOICE = re.compile(r"(?:\[\s\]|☐|☑|\[[xX]\])\s*([^\[☐☑|]+?)(?=\s*(?:\[\s\]|\[[xX]\]|☐|☑|$|\|))")
_MARKUP = re.compile(r"\*\*|__|`|^\s*[-*+]\s+|^\s*\d+[.)]\s+|\\(?=[_*])")
# Words that describe the act rather than the value: "table name decided" -> TABLE_NAME
_NOISE_WORDS = re.compile(r"\b(decided|selected|chosen|obtained|identified|confirmed|configured)\b", re.I)
_PARENS = re.compile(r"\([^)]*\)")


def clean_label(text: str) -> str:
    label = _MARKUP.sub("", text)
    label = re.sub(r"\*+", "", label)
    return label.strip().rstrip(":").strip()


_OPTIONAL = re.compile(r"\boptional\b|if applicable|if needed|if required|if using", re.I)


def make_field(line: int, label: str, choices: tuple[str, ...] = ()) -> Field:
    name = name_for(label)
    return Field(
        line, name, label, secret=is_secret_name(name), choices=choices, optional=bool(_OPTIONAL.search(label))
    )


def name_for(label: str) -> str:
    core = _PARENS.sub(" ", label)
    core = _NOISE_WORDS.sub(" ", core)
    return upper_snake(core)


def fields_in_line(line_text: str, line: int, previous_label: str = "") -> list[Field]:
    """Fields on one source line. `previous_label` names a line holding only a blank."""
    out: list[Field] = []
    pos = 0
    for m in BLANK.finditer(line_text):
        label = clean_label(line_text[pos : m.start()]) or previous_label
        label = re.sub(r"^\[[ xX]\]\s*", "", label).strip()
        if label:
            out.append(make_field(line, label))
        pos = m.end()
    for m in INSERT.finditer(line_text):
        label = clean_label(line_text[: m.start()]) or m.group(1)
        out.append(make_field(line, label))
    choices = [c.strip().strip("*").strip() for c in CHOICE.findall(line_text)]
    choices = [c for c in choices if c]
    if len(choices) >= 2:
        first = re.search(r"\[\s\]|☐|☑|\[[xX]\]", line_text)
        label = clean_label(line_text[: first.start()]) if first else ""
        if label:
            out.append(make_field(line, label, tuple(choices)))
    return out


def blank_only(line_text: str) -> bool:
    """A line that is nothing but a blank (the second line of a Notes box)."""
    return bool(BLANK.fullmatch(line_text.strip()))
