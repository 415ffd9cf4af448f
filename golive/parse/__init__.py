"""Markdown -> model. Pure: nothing here executes anything."""

from __future__ import annotations

from pathlib import Path

from golive.errors import InputError
from golive.model import Checklist
from golive.parse.markdown import parse_file, parse_text

# A deployment checklist is a few hundred lines; 50,000 items are 3 MB (bench/parse.py). Anything far
# larger is not a checklist, and reading it would take minutes and gigabytes: it is refused at once.
MAX_BYTES = 4 * 2**20


def load(path: str | Path) -> Checklist:
    """Read a checklist file; a file that can't be read is an InputError (exit 2), never a traceback."""
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
        if size > MAX_BYTES:
            raise InputError(
                f"is {size / 2**20:.1f} MB; golive reads checklists up to {MAX_BYTES // 2**20} MB",
                "a deployment checklist is far smaller: split it, or check that this is the right file",
                str(path),
            )
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", "check the path", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a checklist", "name a Markdown file", str(path)) from None
    except PermissionError:
        raise InputError("permission denied", "check the file's permissions", str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", "save the checklist as UTF-8", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", "", str(path)) from None
    return parse_text(text, str(path))


__all__ = ["MAX_BYTES", "load", "parse_file", "parse_text"]
