"""Where a position of a command stands, as bash (or Python) reads it, and how a value is written there.

A placeholder is replaced by what a person would type in its place: the value, quoted for the
context it stands in. Bash contexts: `none` (unquoted), `single` ('…'), `double` ("…"), `ansi`
($'…'), `heredoc` (body of `<<EOF`: `$`, `` ` `` and `\\` still act), `heredoc-literal` (body of
`<<'EOF'`), `heredoc-end` (its delimiter line), `comment` (never runs). Python contexts: `none`
(code) or the string literal's quote.
Pure functions; tests/parse/test_fill.py proves the quoting with bash's and Python's own parsers.
"""

from __future__ import annotations

import io
import re
import shlex
import tokenize

_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;|&<>()'\"]+))")
_SAFE_WORD = re.compile(r"[\w@%+=:,./-]+")
# Where a `#` starts a comment: at the start of a word.
_WORD_BREAK = " \t\n;|&()"
TRIPLE_DOUBLE, TRIPLE_SINGLE = '"' * 3, "'" * 3


def shell_contexts(text: str) -> list[str]:
    """The context of every character of a bash command (a list as long as the text)."""
    out = ["none"] * len(text)
    _Scan(text, out).run()
    return out


class _Scan:
    """One pass over a command with a stack of open constructs; heredoc bodies start at a newline."""

    def __init__(self, text: str, out: list[str]) -> None:
        self.text = text
        self.out = out
        self.stack: list[str] = []  # "'", '"', "$'", "$(", "(", "`", "${"
        self.pending: list[tuple[str, bool, bool]] = []  # heredocs: (delimiter, strip tabs, literal)

    def context(self) -> str:
        for top in reversed(self.stack):
            if top in ("$(", "(", "`"):
                return "none"
            if top != "${":
                return {"'": "single", '"': "double", "$'": "ansi", "H": "heredoc"}[top]
        return "none"

    def run(self) -> None:
        i, n = 0, len(self.text)
        while i < n:
            if self.text[i] == "\n" and self.pending and self.context() == "none":
                i = self.heredoc_bodies(i + 1)  # an escaped newline never gets here: the `\\` took it
                continue
            i = self.step(i)

    def step(self, i: int) -> int:
        text, top = self.text, (self.stack[-1] if self.stack else "")
        c = text[i]
        self.out[i] = self.context()
        if top == "'":
            if c == "'":
                self.stack.pop()
            return i + 1
        if top == "$'":
            if c == "\\":
                self._mark(i, 2)
                return i + 2
            if c == "'":
                self.stack.pop()
            return i + 1
        if c == "\\":
            self._mark(i, 2)
            return i + 2
        if top in ('"', "H"):
            return self._in_double(i, c)
        if top == "${" and c == "}":
            self.stack.pop()
            return i + 1
        return self._unquoted(i, c)

    def _in_double(self, i: int, c: str) -> int:
        if c == '"' and self.stack[-1] == '"':
            self.stack.pop()
            return i + 1
        return self._expansion(i, c)

    def _expansion(self, i: int, c: str) -> int:
        """`$(`, `${`, `` ` `` open a construct wherever expansions act."""
        text = self.text
        if text.startswith("$(", i):
            self._mark(i, 2)
            self.stack.append("$(")
            return i + 2
        if text.startswith("${", i):
            self._mark(i, 2)
            self.stack.append("${")
            return i + 2
        if c == "`":
            if self.stack and self.stack[-1] == "`":
                self.stack.pop()
            else:
                self.stack.append("`")
            return i + 1
        return i + 1

    def _unquoted(self, i: int, c: str) -> int:
        text = self.text
        if c == "#" and (i == 0 or text[i - 1] in _WORD_BREAK):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            for k in range(i, end):
                self.out[k] = "comment"
            return end
        if c == "'":
            self.stack.append("'")
            return i + 1
        if c == '"':
            self.stack.append('"')
            return i + 1
        if text.startswith("$'", i):
            self._mark(i, 2)
            self.stack.append("$'")
            return i + 2
        if c == "(":
            self.stack.append("(")
            return i + 1
        if c == ")" and self.stack and self.stack[-1] in ("$(", "("):
            self.stack.pop()
            return i + 1
        if text.startswith("<<", i) and not text.startswith("<<<", i):
            m = _HEREDOC.match(text, i)
            if m:
                quoted = m.group(2) is not None or m.group(3) is not None or text[m.start(4) - 1] == "\\"
                delimiter = next(g for g in m.groups()[1:] if g is not None)
                self.pending.append((delimiter, m.group(1) == "-", quoted))
                self._mark(i, m.end() - i)
                return m.end()
        return self._expansion(i, c)

    def heredoc_bodies(self, i: int) -> int:
        """Read the bodies of the heredocs opened on the line that just ended (their newlines too)."""
        text, n = self.text, len(self.text)
        for delimiter, strip_tabs, literal in self.pending:
            while i < n:
                end = text.find("\n", i)
                end = n if end < 0 else end
                line = text[i:end]
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    self.out[i : end + 1] = ["heredoc-end"] * (min(end + 1, n) - i)
                    i = min(end + 1, n)
                    break
                if literal:
                    self.out[i : end + 1] = ["heredoc-literal"] * (min(end + 1, n) - i)
                else:
                    self._body(i, end)
                    if end < n:
                        self.out[end] = "heredoc"
                i = min(end + 1, n)
        self.pending = []
        return i

    def _body(self, start: int, end: int) -> None:
        """An unquoted heredoc line: like double quotes without the quotes."""
        self.stack.append("H")
        depth = len(self.stack)
        i = start
        while i < end:
            i = self.step(i)
        del self.stack[depth - 1 :]

    def _mark(self, i: int, width: int) -> None:
        context = self.context()
        for k in range(i, min(i + width, len(self.out))):
            self.out[k] = context


def python_contexts(text: str) -> list[str]:
    """The context of every character of Python code: `none`, or a string literal's quoting."""
    out = ["none"] * len(text)
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return out
    fstring_start = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12 splits f-strings up
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", -1)
    opened = ""
    for tok in tokens:
        a = starts[tok.start[0] - 1] + tok.start[1]
        b = starts[tok.end[0] - 1] + tok.end[1]
        if tok.type == fstring_start:
            prefix = tok.string.rstrip("'\"").lower()
            opened = f"python:{prefix}:{tok.string[len(prefix) :]}"
        elif tok.type == fstring_middle:
            out[a:b] = [opened] * (b - a)
        elif tok.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", tok.string).group(0).lower()  # type: ignore[union-attr]
            body = tok.string[len(prefix) :]
            q = body[:3] if body[:3] in (TRIPLE_DOUBLE, TRIPLE_SINGLE) else body[:1]
            start, end = a + len(prefix) + len(q), b - len(q)
            out[start:end] = [f"python:{prefix}:{q}"] * (end - start)
    return out


def quote(value: str, context: str) -> str:
    """`value` written so that, read in `context`, it is exactly `value` again."""
    if context == "single":
        return value.replace("'", "'\\''")
    if context == "double":
        return re.sub(r'(["$`\\])', r"\\\1", value)
    if context == "ansi":
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if context == "heredoc":
        return re.sub(r"([$`\\])", r"\\\1", value)
    if context in ("heredoc-literal", "text"):
        return value  # read as is: a literal heredoc body, a message a person sends
    if context == "words":
        return words(value)
    if context.startswith("python:"):
        return _python_string(value, context)
    return word(value)


def word(value: str) -> str:
    """One shell word: as typed when it needs no quotes, else single-quoted."""
    return value if _SAFE_WORD.fullmatch(value) else shlex.quote(value)


def words(value: str) -> str:
    """Arguments typed in place of `...`: each word kept whole, none of them run as shell syntax."""
    try:
        parts = shlex.split(value)
    except ValueError:
        return word(value)
    return " ".join(word(p) for p in parts)


def _python_string(value: str, context: str) -> str:
    _, prefix, q = context.split(":", 2)
    if "r" in prefix or "b" in prefix or "f" in prefix:
        # No escape works inside a raw or formatted literal: end it, add a literal of our own, reopen it.
        literal = repr(value.encode()) if "b" in prefix else repr(value)
        return f"{q} {literal} {prefix}{q}"
    escaped = value.replace("\\", "\\\\").replace(q[0], "\\" + q[0])
    if len(q) == 1:
        escaped = escaped.replace("\n", "\\n").replace("\r", "\\r")
    return escaped
