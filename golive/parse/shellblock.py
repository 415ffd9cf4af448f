"""Read a shell block: commands with their comments, expectations, alternatives and hazards.

Bare output lines and `# Expected:` comments judge the command before them; `# OR` and
`Option A/B` comments make alternatives; comment paragraphs left over become instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golive.model import (
    AlternativeGroup,
    Command,
    Commands,
    Expectation,
    ExpectKind,
    Mode,
    Note,
    OptionRef,
    Placeholder,
)
from golive.parse import expectations as ex
from golive.parse import hazards, sections
from golive.parse.languages import SHELL_WORDS
from golive.parse.shell import Segment, split_commands

_OR_MARKER = re.compile(r"^(?:OR|Or|or)\b[\s:,-]*(.*)$")
_OPTION_MARKER = re.compile(r"^Option\s+([A-Z]|\d+)\b\s*[:.)-]?\s*(.*)$", re.I)
_LABEL_NOISE = re.compile(r"^(if\s+)?(you\s+are\s+)?(using|use|via|with|running|run)?\s*", re.I)


@dataclass
class _Cmd:
    seg: Segment
    comments: list[str]
    expectations: list[Expectation]
    option: tuple[int, int] | None = None  # (group index, option index)


def _output_lines(lines: list[str]) -> tuple[set[int], dict[int, tuple[int, int | None]]]:
    """Lines holding expected output written bare in the block, and the intro that owns them.

    Returns the set of line indexes that are output, and {first output index: (intro index, status)}.
    """
    output: set[int] = set()
    owners: dict[int, tuple[int, int | None]] = {}
    prompt_mode = any(re.match(r"^\s*\$\s", ln) for ln in lines)
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        stripped = ln.strip()
        if prompt_mode and stripped and not re.match(r"^\s*(\$\s|#)", ln):
            # In a `$ `-prompted block, lines without a prompt are what the command printed.
            if not (i > 0 and lines[i - 1].rstrip().endswith("\\")):
                output.add(i)
            i += 1
            continue
        if stripped.startswith("#"):
            found = ex.intro(stripped[1:].strip())
            if found is not None and not found[0]:
                j = i + 1
                if j < n and lines[j].strip() and not lines[j].lstrip().startswith("#"):
                    owners[j] = (i, found[1])
                    while j < n and lines[j].strip():
                        output.add(j)
                        j += 1
                    i = j
                    continue
        if stripped[:1] in "{[" and (i == 0 or not lines[i - 1].strip() or lines[i - 1].lstrip().startswith("#")):
            j = i
            while j < n and lines[j].strip():
                j += 1
            if _is_json_paragraph(lines[i:j]):
                output.update(range(i, j))
                owners[i] = (i, None)
                i = j
                continue
        i += 1
    return output, owners


def _is_json_paragraph(lines: list[str]) -> bool:
    text = "\n".join(lines).strip()
    return text[:1] in "{[" and text[-1:] in "}]" and ex.load_json_example(text) is not None


def _segments(lines: list[str], first: int, output: set[int]) -> list[Segment]:
    """Split into segments, keeping bare output lines out of the command splitter."""
    segments: list[Segment] = []
    i, n = 0, len(lines)
    prompt_mode = any(re.match(r"^\s*\$\s", ln) for ln in lines)
    while i < n:
        if i in output:
            j = i
            while j < n and j in output:
                j += 1
            segments.append(Segment("output", first + i, first + j - 1, "\n".join(lines[i:j])))
            i = j
            continue
        j = i
        while j < n and j not in output:
            j += 1
        chunk = lines[i:j]
        if prompt_mode:
            chunk = [re.sub(r"^(\s*)\$\s", r"\1", ln) for ln in chunk]
        segments.extend(split_commands(chunk, first + i))
        i = j
    return segments


def _paragraphs(segments: list[Segment]) -> list[list[Segment]]:
    paragraphs: list[list[Segment]] = [[]]
    for seg in segments:
        if seg.kind == "blank":
            if paragraphs[-1]:
                paragraphs.append([])
        else:
            paragraphs[-1].append(seg)
    return [p for p in paragraphs if p]


def _marker(seg: Segment) -> tuple[str, str] | None:
    """('or', label) for `# OR if using supervisor`, ('option', 'A: …') for `# Option A: …`."""
    if seg.kind != "comment":
        return None
    m = _OPTION_MARKER.match(seg.text)
    if m:
        rest = m.group(2).strip()
        return "option", f"{m.group(1).upper()}: {rest}" if rest else m.group(1).upper()
    m = _OR_MARKER.match(seg.text)
    if m:
        return "or", alternative_label(m.group(1))
    return None


def alternative_label(text: str) -> str:
    return _LABEL_NOISE.sub("", text.strip().rstrip(":")).strip()


def read_shell(
    line: int, end_line: int, info: str, lines: list[str], first: int, closed: bool, heading: str = ""
) -> Commands:
    output, owners = _output_lines(lines)
    segments = _segments(lines, first, output)
    paragraphs = _paragraphs(segments)
    cmds: list[_Cmd] = []
    instructions: list[Note] = []
    groups: list[list[tuple[str, int]]] = []  # per group: (label, first line) per option
    group_how: list[str] = []
    open_group = -1  # index in groups while a `# OR` group is still open
    option_group = -1  # the `Option A/B` group spans to the end of the block
    last_cmd_in_paragraph: list[int] = []

    # commands_after[j]: does paragraph j or a later one hold a command (read once, not per paragraph)
    commands_after = [False] * (len(paragraphs) + 1)
    for j in range(len(paragraphs) - 1, -1, -1):
        commands_after[j] = commands_after[j + 1] or any(seg.kind == "command" for seg in paragraphs[j])
    for p_index, paragraph in enumerate(paragraphs):
        starts_with_or = (_marker(paragraph[0]) or ("", ""))[0] == "or"
        if open_group >= 0 and not starts_with_or:
            open_group = -1
        pending_comments: list[str] = []
        pending_line = 0
        chunk_cmds: list[int] = []  # commands of the current chunk (for option 0 in mid-paragraph)
        paragraph_first_cmd = len(cmds)
        k = 0
        while k < len(paragraph):
            seg = paragraph[k]
            marker = _marker(seg)
            if marker and marker[0] == "option":
                if option_group < 0:
                    groups.append([])
                    group_how.append("Option A/B")
                    option_group = len(groups) - 1
                groups[option_group].append((marker[1], seg.line))
                open_group = -1
                k += 1
                continue
            if marker and marker[0] == "or":
                if open_group < 0:
                    # Option 0 is the chunk before the marker, or the previous paragraph.
                    groups.append([])
                    group_how.append("# OR")
                    open_group = len(groups) - 1
                    zero = chunk_cmds if chunk_cmds else (last_cmd_in_paragraph if k == 0 else [])
                    label0 = _option_label([cmds[c] for c in zero]) if zero else "first"
                    groups[open_group].append((label0, cmds[zero[0]].seg.line if zero else seg.line))
                    for c in zero:
                        cmds[c].option = (open_group, 0)
                groups[open_group].append((marker[1], seg.line))
                chunk_cmds = []
                pending_comments = []
                k += 1
                continue
            if seg.kind == "comment":
                found = ex.intro(seg.text)
                if found is not None and cmds:
                    k = _comment_expectation(paragraph, k, found, cmds[-1])
                    continue
                if not pending_comments:
                    pending_line = seg.line
                pending_comments.append(seg.text)
                k += 1
                continue
            if seg.kind == "output":
                if cmds:
                    intro_status = None
                    owner = owners.get(seg.line - first)
                    if owner is not None:
                        intro_status = owner[1]
                    cmds[-1].expectations.append(ex.parse_expectation(seg.text, seg.line, "bare", intro_status))
                k += 1
                continue
            # a command
            cmd = _Cmd(seg, pending_comments, [])
            pending_comments = []
            if open_group >= 0:
                cmd.option = (open_group, len(groups[open_group]) - 1)
            elif option_group >= 0:
                cmd.option = (option_group, len(groups[option_group]) - 1)
            _trailing_expectation(cmd)
            cmds.append(cmd)
            chunk_cmds.append(len(cmds) - 1)
            k += 1
        if pending_comments:
            later_commands = commands_after[p_index + 1]
            text = "\n".join(pending_comments)
            if later_commands:
                # A heading-like comment paragraph: it describes the next command.
                nxt = _next_command_paragraph(paragraphs, p_index)
                if nxt is not None:
                    paragraphs[nxt].insert(0, Segment("comment", pending_line, pending_line, text))
            elif _commented_out(pending_comments[0]):
                pass  # a command left commented out is not an instruction
            elif not text.rstrip().endswith(":") or len(pending_comments) > 1:
                instructions.append(Note(pending_line, _instruction_text(pending_comments)))
        last_cmd_in_paragraph = list(range(paragraph_first_cmd, len(cmds)))

    real_groups = {g for g, options in enumerate(groups) if len(options) > 1}
    group_ids = {g: f"L{groups[g][0][1]}" for g in real_groups}
    built = [_build(c, groups, group_ids, real_groups, heading) for c in cmds]
    members: dict[tuple[str, int], list[Command]] = {}  # (group, option) -> its commands, found once
    for command in built:
        if command.option is not None:
            members.setdefault((command.option.group, command.option.index), []).append(command)
    alternative_groups = tuple(
        AlternativeGroup(
            group_ids[g],
            groups[g][0][1],
            tuple(label or _built_label(members, group_ids[g], i) for i, (label, _) in enumerate(groups[g])),
            group_how[g],
            tuple(_option_platform(members, group_ids[g], i) for i in range(len(groups[g]))),
        )
        for g in sorted(real_groups)
    )
    unterminated = any(c.seg.unterminated for c in cmds)
    assumed = "a quote or construct is never closed; the command runs to the end of the block" if unterminated else ""
    return Commands(
        line,
        end_line,
        "bash",
        info,
        tuple(built),
        tuple(instructions),
        alternative_groups,
        assumed=assumed,
        closed=closed,
    )


def _commented_out(comment: str) -> bool:
    word = (comment.split() or [""])[0]
    return word in SHELL_WORDS or bool(re.match(r"^[A-Z_][A-Z0-9_]*=", word))


def _next_command_paragraph(paragraphs: list[list[Segment]], index: int) -> int | None:
    for j in range(index + 1, len(paragraphs)):
        if any(s.kind == "command" for s in paragraphs[j]):
            return j if _marker(paragraphs[j][0]) is None else None
    return None


def _instruction_text(comments: list[str]) -> str:
    parts = [re.sub(r"^[-*]\s+", "", c).strip() for c in comments]
    head, rest = parts[0], [p for p in parts[1:] if p]
    return f"{head} {'; '.join(rest)}".strip() if rest else head


def _comment_expectation(paragraph: list[Segment], k: int, found: tuple[str, int | None], cmd: _Cmd) -> int:
    """`# Expected: X` (or `# Expected output:` + `# …` lines) after a command; returns next index."""
    seg = paragraph[k]
    rest, status = found
    if rest:
        cmd.expectations.append(_expected_with_placeholder(seg, rest, status))
        return k + 1
    j = k + 1
    body: list[str] = []
    while j < len(paragraph) and paragraph[j].kind == "comment" and _marker(paragraph[j]) is None:
        body.append(re.sub(r"^[-*]\s+", "", paragraph[j].text))
        j += 1
    if body:
        cmd.expectations.append(ex.parse_expectation("\n".join(body), seg.line, "comment", status))
    elif j < len(paragraph) and paragraph[j].kind == "output":
        return j  # the bare output segment carries it
    else:
        cmd.expectations.append(ex.parse_expectation("", seg.line, "comment", status))
    return j


def _expected_with_placeholder(seg: Segment, rest: str, status: int | None) -> Expectation:
    """`# Expected commit: [insert commit hash …]` compares the output with a field."""
    found = hazards.find_placeholders(rest, "text")
    if found:
        label = ex.EXPECTED_INTRO.match(seg.text)
        words = (label.group("label") if label else "").strip()
        name = hazards.upper_snake(f"expected {words}") if words else found[0].field
        return Expectation(seg.line, ExpectKind.FIELD, rest, name, source="comment")
    return ex.parse_expectation(rest, seg.line, "comment", status)


def _trailing_expectation(cmd: _Cmd) -> None:
    note = cmd.seg.note
    if not note:
        return
    code = ex.should_be_exit(note)
    if code is not None and re.search(r"\$\?", cmd.seg.text):
        cmd.expectations.append(Expectation(cmd.seg.line, ExpectKind.LINE, note, str(code), source="trailing"))
        return
    found = ex.intro(note)
    if found is not None and found[0]:
        cmd.expectations.append(ex.parse_expectation(found[0], cmd.seg.line, "trailing", found[1]))


def _option_label(cmds: list[_Cmd]) -> str:
    """Name an option by its `# If using X` comment, its other comment, its trailing note, its program."""
    for c in cmds:
        for comment in c.comments:
            m = re.match(r"^if\s+(?:using|running|you use)?\s*(.+)$", comment, re.I)
            if m:
                return alternative_label(m.group(1))
    for c in cmds:
        if c.seg.note:
            return c.seg.note
        if c.comments:
            return c.comments[-1].rstrip(":")
    words = cmds[0].seg.text.split()
    words = [w for w in words if w != "sudo"]
    return words[0] if words else "first"


def _build(c: _Cmd, groups: list[list[tuple[str, int]]], ids: dict[int, str], real: set[int], heading: str) -> Command:
    text = c.seg.text
    mode, why = hazards.execution_mode(text, " ".join([heading, *c.comments]))
    option = None
    if c.option is not None and c.option[0] in real:
        g, i = c.option
        label = groups[g][i][0]
        if not label or label == "first":
            label = _option_label([c])
        option = OptionRef(ids[g], i, label, len(groups[g]))
    placeholders: tuple[Placeholder, ...] = hazards.find_placeholders(text)
    return Command(
        line=c.seg.line,
        end_line=c.seg.end_line,
        text=text,
        comments=tuple(c.comments),
        note=c.seg.note,
        mode=mode,
        mode_why=why,
        placeholders=placeholders,
        destructive=hazards.destructive_reason(text, tuple(c.comments), c.seg.note),
        sudo=hazards.uses_sudo(text),
        platform=hazards.platform_of(text, c.seg.note),
        option=option,
        expectations=tuple(c.expectations),
        port=hazards.service_port(text) if mode is Mode.SERVICE else None,
        optional=sections.optional_why(" ".join((*c.comments, c.seg.note))),
    )


def _built_label(members: dict[tuple[str, int], list[Command]], group: str, index: int) -> str:
    """An option written as a bare `# Or`: named by its first command, as `_build` named it."""
    found = members.get((group, index), [])
    return found[0].option.label if found and found[0].option else ""


def _option_platform(members: dict[tuple[str, int], list[Command]], group: str, index: int) -> str:
    found = members.get((group, index), [])
    if found and all(c.platform for c in found):
        return found[0].platform
    return ""
