"""What a heading means: one ordered table of rules, first match wins.

A heading that matches no rule takes its parent's kind when the parent is rollback,
sign-off, reference or follow-up; otherwise it is `run` when it holds commands or
tasks, else `info`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from golive.model import Due, Estimate, SectionKind

K = SectionKind


@dataclass(frozen=True)
class Rule:
    name: str
    kind: SectionKind
    pattern: re.Pattern[str]


def _r(name: str, kind: SectionKind, pattern: str) -> Rule:
    return Rule(name, kind, re.compile(pattern, re.I))


RULES: tuple[Rule, ...] = (
    _r("rollback triggers", K.ROLLBACK, r"when to roll ?back|roll ?back (triggers?|criteria|conditions|decision)"),
    _r("rollback", K.ROLLBACK, r"\broll[- ]?back\b|\bback[- ]?out\b|\brevert (plan|procedure|steps)"),
    _r("sign-off", K.SIGNOFF, r"sign[- ]?off|\bapprovals?\b|\bgo ?/ ?no[- ]?go\b|\bsignatures?\b"),
    _r(
        "reference",
        K.REFERENCE,
        r"troubleshoot|common (\w+ )?(issues|problems|errors)|known (issues|problems)|\bfaq\b|contacts?\b|"
        r"escalation|command reference|quick reference|^reference|appendix|revision history|change ?log|"
        r"^(additional )?notes?$|glossary|further reading|see also|^resources$|security considerations|"
        r"performance tuning|lessons learned|^issue:",
    ),
    _r("prerequisites", K.RUN, r"^(pre-?requisites?|requirements)$"),
    _r(
        "info",
        K.INFO,
        r"^(overview|introduction|intro|summary|purpose|scope|background|about( this)?|table of contents|"
        r"contents|goals?|deployment timeline|timeline|schedule|log locations|key metrics.*|"
        r"metrics to (monitor|track)|rollout strategy|strategy)$",
    ),
)

INHERITED = {K.ROLLBACK, K.SIGNOFF, K.REFERENCE, K.FOLLOWUP}

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
    "month": 2592000,
}
_UNIT = r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?)\b"
_DURATION = re.compile(r"~?\s*(\d+(?:\.\d+)?)\s*(?:(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*)?" + _UNIT, re.I)
_ESTIMATE_LABEL = re.compile(
    r"^\W*(estimated time|est\.? time|estimated duration|time estimate|duration|eta|time required)\W*:?\W*(.*)$",
    re.I,
)
_TOTAL_LABEL = re.compile(r"^\W*total (deployment |estimated )?(time|duration)\W*:?\W*(.*)$", re.I)
_SCHEDULE = re.compile(r"\(\s*T\s*([-+−])\s*(\d+(?:\.\d+)?)\s*" + _UNIT + r"\s*\)|\(\s*T\s*-?\s*0\s*\)", re.I)
_FOLLOWUP_PARENT = re.compile(
    r"post[- ]?(deploy|release|launch|go[- ]?live)|after (the )?(deploy|release)|hypercare", re.I
)
_FOLLOWUP_PHRASE = re.compile(
    r"\b(day|week|month)\s*(\d+)\b|\bT\s*\+\s*(\d+(?:\.\d+)?)\s*" + _UNIT + r"|\bfirst\s+(\d+\s*)?"
    r"(hours?|days?|weeks?|months?)\b|\b(immediate(ly)?|short[- ]term|medium[- ]term|long[- ]term)\b",
    re.I,
)
_TERM_DEFAULTS = {"immediate": 3600, "immediately": 3600, "short": 86400, "medium": 604800, "long": 2592000}


def unit_seconds(unit: str) -> int:
    u = unit.lower().rstrip("s") or "s"
    if u in ("sec", "second"):
        return 1
    if u in ("min", "minute"):
        return 60
    if u in ("hr", "hour"):
        return 3600
    return _UNITS.get(u, _UNITS.get(u[:1], 60))


def parse_duration(text: str, line: int) -> Estimate | None:
    m = _DURATION.search(text)
    if not m:
        return None
    scale = unit_seconds(m.group(3))
    low = float(m.group(1)) * scale
    high = float(m.group(2)) * scale if m.group(2) else low
    return Estimate(int(low), int(high), text.strip(), line)


def estimate_in(paragraph: str, line: int) -> Estimate | None:
    """`**Estimated Time:** 2-5 minutes` -> 120..300 s."""
    m = _ESTIMATE_LABEL.match(paragraph.strip())
    if not m:
        return None
    return parse_duration(m.group(2), line)


def total_in(paragraph: str, line: int) -> Estimate | None:
    m = _TOTAL_LABEL.match(paragraph.strip())
    return parse_duration(m.group(3), line) if m else None


def schedule_offset(title: str) -> int | None:
    """`Phase 1: Pre-Deployment (T-24 hours)` -> -86400; `(T-0)` -> 0."""
    m = _SCHEDULE.search(title)
    if not m:
        return None
    if m.group(2) is None:
        return 0
    sign = 1 if m.group(1) == "+" else -1
    return sign * int(float(m.group(2)) * unit_seconds(m.group(3)))


def followup_offset(title: str, parent_title: str) -> int | None:
    """Seconds after the deployment finished when a follow-up section is due, or None."""
    m = _FOLLOWUP_PHRASE.search(title)
    if not m:
        return None
    termed = bool(
        re.search(r"immediate|short[- ]term|medium[- ]term|long[- ]term|\bfirst\b|\b(day|week|month)\s*\d", title, re.I)
    )
    if not termed and not _FOLLOWUP_PARENT.search(parent_title):
        return None  # "(T+15 minutes)" inside the deployment itself is a schedule marker
    # The most specific offset in the title wins: "Immediate (First Hour)" -> 1 hour.
    for m in _FOLLOWUP_PHRASE.finditer(title):
        if m.group(1):
            return int(m.group(2)) * {"day": 86400, "week": 604800, "month": 2592000}[m.group(1).lower()]
        if m.group(3):
            return int(float(m.group(3)) * unit_seconds(m.group(4)))
        if m.group(6):
            count = int(m.group(5)) if m.group(5) else 1
            return count * unit_seconds(m.group(6))
    term = m.group(7).lower().split()[0].split("-")[0]
    return _TERM_DEFAULTS.get(term, 86400)


def followup_due(title: str, parent_title: str) -> Due | None:
    """`Month 1` is a calendar month after the finish; `Week 1`, `T+1 hour`, `First 24 Hours` a duration."""
    seconds = followup_offset(title, parent_title)
    if seconds is None:
        return None
    m = re.search(r"\bmonth\s*(\d+)\b|\b(\d+)?\s*months?\b", title, re.I)
    if m and seconds % 2592000 == 0:
        return Due(months=seconds // 2592000, text=title)
    return Due(seconds=seconds, text=title)


# A follow-up written as one item of a runnable section: "Monitor First 24 Hours",
# "Schedule 1-week review meeting", "Archive old JSON files (after validation period)".
_ITEM_DUE = re.compile(
    r"\bfirst\s+(?P<n1>\d+\s*)?(?P<u1>hours?|days?|weeks?|months?)\b|"
    r"\b(?P<n2>\d+)[- ](?P<u2>hour|day|week|month)s?\b[- ](?:\w+[- ])?(?:review|check|retro\w*|follow[- ]?up)\b|"
    r"\b(?P<after>after (?:the )?(?:validation|stabili[sz]ation|observation|burn[- ]in|soak) period)\b",
    re.I,
)


def item_due(text: str, validation_s: int) -> Due | None:
    """When an item of a runnable section is really a follow-up, and when it is due."""
    m = _ITEM_DUE.search(text)
    if not m:
        return None
    if m.group("after"):
        return Due(seconds=validation_s, text=m.group("after"))
    count, unit = (m.group("n1"), m.group("u1")) if m.group("u1") else (m.group("n2"), m.group("u2"))
    n = int(count) if count and count.strip() else 1
    if unit.lower().startswith("month"):
        return Due(months=n, text=m.group(0))
    return Due(seconds=n * unit_seconds(unit), text=m.group(0))


_OPTIONAL = re.compile(
    r"\(?\b(optional(ly)?|if (applicable|needed|necessary|required|desired|available|any))\b\)?", re.I
)


def optional_why(text: str) -> str:
    """`Step 3: Set Up SNS (Optional)`, `# Update if needed` -> the words that make it optional."""
    m = _OPTIONAL.search(text)
    return m.group(0).strip() if m else ""


_CRITERIA = re.compile(r"\b(success|acceptance|exit|completion|go[- ]?live|done)\s+criteria\b|definition of done", re.I)


def is_criteria(title: str) -> bool:
    """`Success Criteria`: its ticked items are what must be true at the end, not what already is."""
    return bool(_CRITERIA.search(title))


def classify(title: str, parent: SectionKind | None, parent_title: str) -> tuple[SectionKind | None, str]:
    """The kind a heading's words give it, or None to decide by content."""
    plain = re.sub(r"[^\w\s/+:()&-]", "", title).strip()
    plain = re.sub(r"^(step|phase|stage|part)?\s*\d+[.:)]?\s*", "", plain, flags=re.I).strip() or plain
    for rule in RULES:
        if rule.pattern.search(plain):
            return rule.kind, rule.name
    if followup_offset(title, parent_title) is not None:
        return K.FOLLOWUP, "follow-up offset"
    if parent in INHERITED:
        return parent, f"inside a {parent.value} section"
    return None, ""


def is_trigger_rule(rule_name: str) -> bool:
    return rule_name == "rollback triggers"


_CONDITION = re.compile(r"^\W*(if|when|in case|should)\b.*", re.I)


def condition_text(text: str) -> str:
    """`If critical issues occur` / `If issues arise:` -> the condition, else ''."""
    t = text.strip().strip("*").strip()
    if _CONDITION.match(t) and len(t) < 120:
        return t.rstrip(":").strip()
    return ""
