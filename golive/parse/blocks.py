"""Read one fenced (or indented) block the way a person reads it.

A shell block becomes commands with their comments, expectations, alternatives and
hazards (read in shellblock.py); other languages become content; a block after
"Expected output:" judges the command before it. Anything golive had to assume is
recorded in `assumed` for lint.
"""

from __future__ import annotations

import re
from dataclasses import replace

from golive.model import (
    AlternativeGroup,
    AnyItem,
    Check,
    Command,
    Commands,
    Content,
    ExpectedBlock,
    Mode,
    OptionRef,
)
from golive.parse import hazards
from golive.parse.annotations import from_fence
from golive.parse.languages import CONFIG, POWERSHELL, PYTHON, SHELL, SHELL_WORDS, SQL, TEXT, WINDOWS_SHELL, language
from golive.parse.placeholders import message_fields
from golive.parse.shell import split_commands
from golive.parse.shellblock import alternative_label, read_shell

_PROMPT = re.compile(r"^\s*(?:\$|>|#)\s+")
_ALTERNATIVE_PROSE = re.compile(r"^\W*(or\b|alternatively\b|otherwise\b)", re.I)


def read_block(
    info: str,
    lines: list[str],
    line: int,
    end_line: int,
    closed: bool = True,
    fenced: bool = True,
    expected_intro: tuple[str, int | None] | None = None,
    judges: int = 0,
    heading: str = "",
) -> AnyItem:
    """A block whose fence is at `line` (content from line + 1), or an indented block at `line`."""
    first = line + 1 if fenced else line
    cut = _markdown_after_open_fence(lines, first) if fenced and not closed else None
    if cut is not None:
        tail = lines[cut:]
        lines = lines[:cut]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
    item = _read(info, lines, line, end_line, closed, expected_intro, judges, heading, first)
    if cut is not None and isinstance(item, Commands):
        assumed = (
            f"the fence opened at line {line} is never closed: golive took it to end before line {first + cut} "
            f"(`{tail[0].strip()[:40]}` reads as Markdown); lines {first + cut}–{end_line} are not run"
        )
        item = replace(item, assumed=assumed, assumed_end=first + cut)
    if not fenced and isinstance(item, Commands | Content | ExpectedBlock | Check):
        return replace(item, fenced=False)
    return item


def _read(
    info: str,
    lines: list[str],
    line: int,
    end_line: int,
    closed: bool,
    expected_intro: tuple[str, int | None] | None,
    judges: int,
    heading: str,
    first: int,
) -> AnyItem:
    lang = language(info)
    text = "\n".join(lines)
    if lang == "golive":
        return from_fence(text, line)
    if expected_intro is not None and judges and lang not in SHELL | PYTHON:
        return ExpectedBlock(line, end_line, text, judges, closed=closed)
    if lang in SHELL:
        if hazards.looks_like_python(lines):
            why = f"block tagged `{lang}` holds Python; read as Python"
            return _python(line, end_line, info, lines, first, closed, why)
        return read_shell(line, end_line, info, lines, first, closed, heading)
    if lang in PYTHON:
        return _python(line, end_line, info, lines, first, closed, "")
    if lang in POWERSHELL or lang in WINDOWS_SHELL:
        return Content(
            line, end_line, "powershell" if lang in POWERSHELL else lang, text, "code", "windows", closed=closed
        )
    if lang in CONFIG:
        return Content(line, end_line, lang, text, "config", closed=closed)
    if lang in SQL:
        return Content(line, end_line, "sql", text, "sql", closed=closed)
    if lang in ("", *TEXT):
        return _untagged(line, end_line, info, lang, lines, first, closed, heading)
    if lang in ("markdown", "md"):
        return Content(line, end_line, lang, text, "notes", closed=closed)
    return Content(line, end_line, lang, text, "code", closed=closed)


_MARKDOWN_LINE = re.compile(
    r"^\s{0,3}(?:[-*+]\s+\S|\d{1,3}[.)]\s+\S)|^\s*\|.*\|\s*$|^\s*\*\*[^*]+\*\*|^\s{0,3}(?:---+|\*\*\*+)\s*$"
)


def _markdown_after_open_fence(lines: list[str], first: int) -> int | None:
    """In a fence never closed: the first line that reads as Markdown (a task, a list item, a table,
    bold text, a rule, a sentence of prose) rather than as a command. Nothing from there on runs."""
    for seg in split_commands(lines, first):
        if seg.kind != "command" or seg.line == first:
            continue
        head = seg.text.split("\n")[0]
        if _MARKDOWN_LINE.match(head) or _reads_as_prose(head):
            return seg.line - first
    return None


def _reads_as_prose(line: str) -> bool:
    words = line.strip().split()
    if len(words) < 3 or not words[0][:1].isupper() or words[0] in SHELL_WORDS:
        return False
    return all(re.fullmatch(r"[A-Za-z][\w'’,()-]*[.:!?]?", w) for w in words)


def _untagged(
    line: int, end_line: int, info: str, lang: str, lines: list[str], first: int, closed: bool, heading: str
) -> AnyItem:
    text = "\n".join(lines)
    what = "an untagged block" if not lang else f"a `{lang}` block"
    if not lang and _reads_as_shell(lines):
        item = read_shell(line, end_line, info, lines, first, closed, heading)
        return replace(item, assumed=f"{what} reads as shell commands; run as bash")
    if re.search(r"^subject:", text, re.I | re.M) or re.search(r"notify|announce|message|email", heading, re.I):
        return Content(
            line,
            end_line,
            lang or "text",
            text,
            "message",
            closed=closed,
            assumed=f"{what} reads as a message to send",
            placeholders=message_fields(text),
        )
    if re.search(r"^\s*\[[^\]]*(add|notes?|insert)[^\]]*\]\s*$", text, re.I):
        return Content(
            line, end_line, lang or "text", text, "notes", closed=closed, assumed=f"{what} is a box for notes"
        )
    if re.search(r"^\s*(\[\w+\]|\d{4}-\d\d-\d\d\b|(INFO|WARN|ERROR|DEBUG)\b)|Error:|Exception", text, re.M):
        return Content(
            line,
            end_line,
            lang or "text",
            text,
            "log",
            closed=closed,
            assumed=f"{what} reads as log output to look for",
        )
    return Content(
        line,
        end_line,
        lang or "text",
        text,
        "content",
        closed=closed,
        assumed=f"{what} reads as text, not commands" if not lang else "",
    )


def _reads_as_shell(lines: list[str]) -> bool:
    code = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not code:
        return False
    hits = 0
    for ln in code:
        word = _PROMPT.sub("", ln).strip().split()[0] if _PROMPT.sub("", ln).strip() else ""
        word = word.split("=")[0] if "=" in word and word.split("=")[0].isupper() else word
        if word in SHELL_WORDS or word.startswith(("./", "~/", "/usr/", "/opt/")) or word.isupper():
            hits += 1
    return hits * 2 > len(code) and (_PROMPT.sub("", code[0]).split() or [""])[0] in SHELL_WORDS | {"./"}


def _python(line: int, end_line: int, info: str, lines: list[str], first: int, closed: bool, assumed: str) -> Commands:
    text = "\n".join(lines).rstrip()
    body_start = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    cmd = Command(
        line=first + body_start,
        end_line=max(first + len(lines) - 1, first),
        text=text,
        lang="python",
        placeholders=hazards.find_placeholders(text, "python"),
        destructive=hazards.destructive_reason(text),
        mode=Mode.RUN,
    )
    return Commands(line, end_line, "python", info, (cmd,) if text.strip() else (), assumed=assumed, closed=closed)


def link_alternative_blocks(
    first: Commands, second: Commands, prose: str, prose_line: int
) -> tuple[Commands, Commands]:
    """Two blocks with "Or using a production ASGI server like gunicorn:" between them."""
    gid = f"L{first.line}"
    label1 = alternative_label(re.sub(_ALTERNATIVE_PROSE, "", prose).strip()) or "second"
    label0 = (first.commands[0].text.split() or ["first"])[0] if first.commands else "first"
    m = re.search(r"\blike\s+(\w[\w-]*)", label1)
    label1 = m.group(1) if m else label1

    def tag(block: Commands, index: int, label: str) -> Commands:
        cmds = tuple(
            replace(c, option=OptionRef(gid, index, label, 2)) if c.option is None else c for c in block.commands
        )
        return replace(block, commands=cmds)

    group = AlternativeGroup(gid, first.line, (label0, label1), "prose between blocks", ("", ""))
    a = tag(first, 0, label0)
    b = tag(second, 1, label1)
    return replace(a, groups=(*a.groups, group)), b


def is_alternative_prose(text: str) -> bool:
    return bool(_ALTERNATIVE_PROSE.match(text)) and len(text) < 160
