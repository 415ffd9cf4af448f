"""Split the text of a shell block into whole commands, as bash would read them.

Pure and total: any text gives segments, never an exception. A command ends at a
newline only when quotes, `$(…)`, `( )`, `{ }`, `if/fi`-style keywords and heredocs
are all closed, and the line does not end in `\\`, `|`, `&&` or `||`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = {"if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done", "select": "done"}
CLOSERS = {"fi", "esac", "done"}
# After these words the next word is in command position (where keywords count).
COMMAND_STARTERS = {"then", "do", "else", "elif", "!", "time", "{", "if", "while", "until"}
_WORD_END = set(" \t;|&()<>")
_HEREDOC = re.compile(r"<<(-?)\s*(?:'([^']*)'|\"([^\"]*)\"|\\?([^\s;|&<>()]+))")


@dataclass(frozen=True)
class Segment:
    kind: str  # "command" | "comment" | "blank" | "output"
    line: int  # first source line
    end_line: int
    text: str  # command text (lines joined by \n), comment text without '#', or output text
    note: str = ""  # trailing comment on the first line of a command
    unterminated: bool = False  # a quote or construct was still open at the end of the block


class _Scanner:
    """Tracks what is open while reading one command, line by line."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "'", '"', "$(", "(", "`", "${", "$(("
        self.keywords: list[str] = []  # expected closers: "fi", "done", "esac", "}"
        self.heredocs: list[tuple[str, bool]] = []  # pending (delimiter, strip_tabs)
        self.continued = False
        self.note = ""

    @property
    def open(self) -> bool:
        return bool(self.stack or self.keywords or self.heredocs or self.continued)

    def feed(self, line: str) -> None:
        """Read one line of a command (not a heredoc body line)."""
        self.continued = False
        self.note = ""
        i, n = 0, len(line)
        command_position = not self.stack
        last_op = ""
        while i < n:
            top = self.stack[-1] if self.stack else ""
            c = line[i]
            if top == "'":
                if c == "'":
                    self.stack.pop()
                i += 1
                continue
            if top in ('"', "${"):
                i = self._in_double(line, i, top)
                continue
            # Unquoted (top level or inside $( ), ( ), ` `, $(( ))
            if c == "\\":
                if i == n - 1:
                    self.continued = True
                i += 2
                continue
            if c in " \t":
                i += 1
                continue
            if c == "#" and (i == 0 or line[i - 1] in " \t;|&()"):
                if not self.stack:
                    self.note = line[i + 1 :].strip()
                break
            if c == "'":
                self.stack.append("'")
                i += 1
                last_op = ""
                command_position = False
                continue
            if c == '"':
                self.stack.append('"')
                i += 1
                last_op = ""
                command_position = False
                continue
            if c == "`":
                if top == "`":
                    self.stack.pop()
                else:
                    self.stack.append("`")
                i += 1
                continue
            if line.startswith("$((", i):
                self.stack.append("$((")
                i += 3
                continue
            if line.startswith("$(", i):
                self.stack.append("$(")
                i += 2
                command_position = True
                continue
            if line.startswith("${", i):
                self.stack.append("${")
                i += 2
                continue
            if c == "(":
                self.stack.append("(")
                i += 1
                command_position = True
                continue
            if c == ")":
                if top == "$((" and line.startswith("))", i):
                    self.stack.pop()
                    i += 2
                    continue
                if top in ("$(", "("):
                    self.stack.pop()
                # else: a `case` pattern like `a)`: nothing to close
                i += 1
                continue
            if line.startswith("<<", i) and not line.startswith("<<<", i):
                m = _HEREDOC.match(line, i)
                if m:
                    delim = next(g for g in m.groups()[1:] if g is not None)
                    self.heredocs.append((delim, m.group(1) == "-"))
                    i = m.end()
                    continue
                i += 2
                continue
            if c in ";|&":
                op = c
                if line.startswith("&&", i) or line.startswith("||", i):
                    op = line[i : i + 2]
                elif line.startswith(";;", i):
                    op = ";;"
                i += len(op)
                last_op = op
                command_position = True
                continue
            if c in "<>":
                i += 1
                last_op = ""
                continue
            # A word
            j = i
            while j < n and line[j] not in _WORD_END and line[j] not in "'\"`$\\":
                j += 1
            if j == i:  # `$` or another char starting a word that we do not treat specially
                j = i + 1
            word = line[i:j]
            if not self.stack or self.stack[-1] in ("$(", "("):
                command_position = self._keyword(word, command_position)
            else:
                command_position = False
            last_op = ""
            i = j
        if last_op in ("|", "&&", "||"):
            self.continued = True

    def _in_double(self, line: str, i: int, top: str) -> int:
        c = line[i]
        if c == "\\":
            return i + 2
        if (top == '"' and c == '"') or (top == "${" and c == "}"):
            self.stack.pop()
        elif top == "${" and c in "'\"":
            self.stack.append(c)
        elif c == "`":
            self.stack.append("`")
        elif line.startswith("$((", i):
            self.stack.append("$((")
            return i + 3
        elif line.startswith("$(", i):
            self.stack.append("$(")
            return i + 2
        elif line.startswith("${", i):
            self.stack.append("${")
            return i + 2
        return i + 1

    def _keyword(self, word: str, command_position: bool) -> bool:
        """Track compound commands; returns whether the next word is in command position."""
        if word == "}" and self.keywords and self.keywords[-1] == "}":
            self.keywords.pop()
            return False
        if not command_position:
            return word in ("do", "then", "else", "in") and bool(self.keywords)
        if word in OPENERS:
            self.keywords.append(OPENERS[word])
            return word in ("if", "while", "until")
        if word in CLOSERS and self.keywords and self.keywords[-1] == word:
            self.keywords.pop()
            return False
        if word == "{":
            self.keywords.append("}")
            return True
        return word in COMMAND_STARTERS

    def heredoc_ends(self, line: str) -> bool:
        """Feed one heredoc body line; True when it closed the current heredoc."""
        delim, strip_tabs = self.heredocs[0]
        candidate = line.lstrip("\t") if strip_tabs else line
        if candidate.rstrip() == delim:
            self.heredocs.pop(0)
            return True
        return False


def is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def comment_text(line: str) -> str:
    return line.lstrip()[1:].strip()


def split_commands(lines: list[str], first_line: int) -> list[Segment]:
    """Split block lines (the first at source line `first_line`) into segments."""
    segments: list[Segment] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        number = first_line + i
        if not line.strip():
            segments.append(Segment("blank", number, number, ""))
            i += 1
            continue
        if is_comment(line):
            segments.append(Segment("comment", number, number, comment_text(line)))
            i += 1
            continue
        scanner = _Scanner()
        start = i
        note = ""
        while i < n:
            if scanner.heredocs:
                scanner.heredoc_ends(lines[i])
                i += 1
                if not scanner.open:
                    break
                continue
            scanner.feed(lines[i])
            if i == start:
                note = scanner.note
            i += 1
            if not scanner.open:
                break
        text = "\n".join(lines[start:i]).rstrip()
        segments.append(
            Segment("command", first_line + start, first_line + i - 1, text, note, unterminated=scanner.open)
        )
    return segments
