"""Alternatives across the document: options written as headings or paragraphs, and one choice
shared by every group over the same options.

`### Option A: Docker` / `### Option B: systemd` sections, and `**Option A: …**` paragraphs before
separate fences, are alternatives like `# OR` inside a block. A checklist that stops the service
"if using systemd / OR supervisor / OR manually" in Step 2 and starts it the same three ways in
Step 9 asks one question: the groups get the same `choice`, and each option a `key` (systemd,
supervisor, docker, pm2, kubernetes, manual) so the answer applies to every group that has it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from golive.model import AlternativeGroup, Checklist, Commands, OptionRef, Section
from golive.parse.assemble import map_items

OPTION_TITLE = re.compile(r"^\W*(?:option|method|approach|alternative)\s+([A-Z]|\d+)\b\s*[:.)-]?\s*(.*?)\W*$", re.I)

# What an option stands for, by its label first, then by its commands.
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("systemd", re.compile(r"\bsystem(ctl|d)\b|\bservice\s+\S+\s+(start|stop|restart|status)\b", re.I)),
    ("supervisor", re.compile(r"\bsupervisor(ctl|d)?\b", re.I)),
    ("docker", re.compile(r"\bdocker\b|\bdocker-compose\b|\bpodman\b|\bcompose\b", re.I)),
    ("pm2", re.compile(r"\bpm2\b", re.I)),
    ("kubernetes", re.compile(r"\bkubectl\b|\bhelm\b|\bkubernetes\b|\bk8s\b", re.I)),
    ("manual", re.compile(r"\bmanual(ly)?\b|\bnohup\b|\bps aux\b|\bkill\b", re.I)),
)


def option_label(title: str) -> str:
    """`Option A: Using Docker` -> `A: Using Docker`; '' when the text is not an option's title."""
    m = OPTION_TITLE.match(re.sub(r"\*\*|__", "", title))
    if not m:
        return ""
    letter, rest = m.group(1).upper(), m.group(2).strip()
    return f"{letter}: {rest}" if rest else letter


def tag_block(block: Commands, group: str, index: int, label: str, size: int) -> Commands:
    """Every command of the block belongs to option `index` (commands already in a group keep theirs)."""
    ref = OptionRef(group, index, label, size)
    return replace(block, commands=tuple(c if c.option else replace(c, option=ref) for c in block.commands))


def with_group(block: Commands, group: AlternativeGroup) -> Commands:
    return replace(block, groups=(*block.groups, group))


def option_sections(section: Section) -> Section:
    """Sibling subsections titled `Option A …`, `Option B …` are the options of one group."""
    children = tuple(option_sections(c) for c in section.sections)
    options = [(i, option_label(c.title)) for i, c in enumerate(children) if option_label(c.title)]
    if len(options) < 2:
        return replace(section, sections=children)
    gid = f"L{children[options[0][0]].line}"
    labels = tuple(label for _i, label in options)
    first = True
    rebuilt = list(children)
    for index, (at, label) in enumerate(options):
        tagged, first = _tag_section(children[at], gid, index, label, len(options), labels, first)
        rebuilt[at] = tagged
    return replace(section, sections=tuple(rebuilt))


def _tag_section(
    s: Section, gid: str, index: int, label: str, size: int, labels: tuple[str, ...], first: bool
) -> tuple[Section, bool]:
    items = []
    for item in s.items:
        if isinstance(item, Commands) and item.commands:
            item = tag_block(item, gid, index, label, size)
            if first:
                item = with_group(item, AlternativeGroup(gid, int(gid[1:]), labels, "Option headings"))
                first = False
        items.append(item)
    children = []
    for child in s.sections:
        tagged, first = _tag_section(child, gid, index, label, size, labels, first)
        children.append(tagged)
    return replace(s, items=tuple(items), sections=tuple(children)), first


# --- one choice over the same options ---------------------------------------------------------


def share_choices(checklist: Checklist) -> Checklist:
    """Give each group its option keys, and groups over the same options one shared `choice`."""
    groups, texts = _groups(checklist)
    keys = {gid: _keys(g, texts.get(gid, {})) for gid, g in groups.items()}
    _infer_one_unknown(keys)
    if not groups:
        return checklist
    choice = _join(keys)

    def fix(block: Commands) -> Commands:
        if not block.groups:
            return block
        fixed = tuple(replace(g, keys=keys[g.id], choice=choice.get(g.id, "")) for g in block.groups)
        return replace(block, groups=fixed)

    return map_items(checklist, lambda i: fix(i) if isinstance(i, Commands) else i)


def _groups(checklist: Checklist) -> tuple[dict[str, AlternativeGroup], dict[str, dict[int, str]]]:
    groups: dict[str, AlternativeGroup] = {}
    texts: dict[str, dict[int, str]] = {}
    for _section, item in checklist.walk():
        if isinstance(item, Commands):
            for g in item.groups:
                groups.setdefault(g.id, g)
            for c in item.commands:
                if c.option is not None:
                    per = texts.setdefault(c.option.group, {})
                    per[c.option.index] = per.get(c.option.index, "") + "\n" + " ".join((*c.comments, c.text))
    return groups, texts


def _keys(group: AlternativeGroup, texts: dict[int, str]) -> tuple[str, ...]:
    out = []
    for index, label in enumerate(group.labels):
        key = _family(label) or _family(texts.get(index, ""))
        out.append(key)
    keys = tuple(out)
    return keys if len(set(k for k in keys if k)) == len([k for k in keys if k]) else tuple("" for _ in keys)


def _family(text: str) -> str:
    return next((name for name, pattern in _FAMILIES if pattern.search(text)), "")


def _infer_one_unknown(keys: dict[str, tuple[str, ...]]) -> None:
    """(?, docker, pm2) beside (systemd, docker, pm2): the unknown one is systemd."""
    complete = {frozenset(k) for k in keys.values() if k and all(k)}
    for gid, k in keys.items():
        unknown = [i for i, key in enumerate(k) if not key]
        if len(unknown) != 1 or len(k) < 3:
            continue
        known = {key for key in k if key}
        candidates = {c - known for c in complete if len(c) == len(k) and known < c}
        if len(candidates) == 1:
            (missing,) = next(iter(candidates))
            keys[gid] = tuple(key or missing for key in k)


def _join(keys: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Groups whose options are the same (or a part of the same) things make one choice."""
    by_set: dict[frozenset[str], list[str]] = {}
    for gid, k in keys.items():
        if len(k) >= 2 and all(k):
            by_set.setdefault(frozenset(k), []).append(gid)
    sets = list(by_set)
    parent = list(range(len(sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(len(sets)):  # distinct option sets are few, however many groups share them
        for b in range(a + 1, len(sets)):
            sa, sb = sets[a], sets[b]
            if len(sa & sb) >= 2 and (sa <= sb or sb <= sa):
                parent[root(b)] = root(a)
    members: dict[int, list[str]] = {}
    for i, option_set in enumerate(sets):
        members.setdefault(root(i), []).extend(by_set[option_set])
    out = {}
    for group_ids in members.values():
        if len(group_ids) > 1:
            first = min(group_ids, key=lambda g: int(g.lstrip("LC") or 0))
            for gid in group_ids:
                out[gid] = "C" + first.lstrip("LC")
    return out
