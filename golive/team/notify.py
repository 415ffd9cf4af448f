"""Notifications through apprise (chat, e-mail, webhooks): who hears of a run, and what they read.

Where to send comes from three places, all used: the checklist's front matter (`golive: {notify:
[URL, …]}`), the environment profile (`notify:`), and GOLIVE_NOTIFY (URLs separated by spaces).
A URL holds tokens, so `${NAME}` in it is read from the environment when sending and the URL
itself is never written anywhere: the record names a service by apprise's privacy form of it.

Sending never blocks or fails a run: a run's `Notifier` sends from one background thread, in
order, each service with a bounded timeout; what went out and what did not comes back as
`Delivery`s the engine records (NOTIFIED / NOTIFY_FAILED) and shows. Every title and body
passes the run's Masker first: no secret reaches a message.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.record.events import EventType as E
from golive.secrets import Masker
from golive.team import front_matter

TIMEOUT_S = 5.0  # connect and read, per service: a dead or slow service costs a run nothing beyond this
WAIT_AT_END_S = 10.0  # at the end of a run, how long golive waits for messages still going out
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Target:
    url: str  # expanded: never written anywhere
    source: str  # front matter, profile, GOLIVE_NOTIFY
    problem: str = ""  # why it cannot be used (a ${NAME} not set)
    filled: tuple[str, ...] = ()  # the values ${NAME} put in: tokens, masked wherever they show up


@dataclass(frozen=True)
class Message:
    event: str  # a key of record.events.NOTIFY_EVENTS
    title: str
    body: str


@dataclass
class Delivery:
    """What became of one message: the services it reached, and those it did not, with why."""

    event: str
    subject: str
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


# --- where to -------------------------------------------------------------------------------------------


def targets(text: str, profile_urls: Sequence[str], environ: Mapping[str, str]) -> list[Target]:
    """Every URL of the front matter, the profile and GOLIVE_NOTIFY, `${NAME}` filled, each once."""
    written = front_matter(text).get("notify") or []
    if isinstance(written, str):
        written = [written]
    raw = [
        *((str(u), "front matter") for u in written if u),
        *((u, "profile") for u in profile_urls),
        *((u, "GOLIVE_NOTIFY") for u in environ.get("GOLIVE_NOTIFY", "").split()),
    ]
    out: list[Target] = []
    seen: set[str] = set()
    for url, source in raw:
        missing = [n for n in _REFERENCE.findall(url) if not environ.get(n)]
        expanded = _REFERENCE.sub(lambda m: environ.get(m.group(1), m.group(0)), url.strip())
        if expanded in seen:
            continue
        seen.add(expanded)
        problem = f"${{{missing[0]}}} is not set in the environment" if missing else ""
        filled = tuple(environ[n] for n in _REFERENCE.findall(url) if environ.get(n))
        out.append(Target(expanded, source, problem, filled))
    return out


def targets_of_run(run: Any, events: Sequence[Any], environ: Mapping[str, str]) -> list[Target]:
    """A run's targets, from its record: the checklist it ran, the profile it recorded, and this process's
    GOLIVE_NOTIFY (`golive due` from cron, `golive approve` on another machine)."""
    from golive.errors import GoliveError
    from golive.profile.recorded import of_run

    try:
        profile = of_run(events)
    except GoliveError:  # a profile this golive reads differently: its notify URLs are not worth a failed run
        profile = None
    return targets(_checklist_text(run), profile.spec.notify if profile else (), environ)


def _checklist_text(run: Any) -> str:
    """The checklist as it ran: the stored copy, or the file when secrets were masked in that copy."""
    if not run.checklist_masked:
        return str(run.checklist_text)
    try:
        raw = Path(run.checklist_path).read_bytes()
    except OSError:
        return str(run.checklist_text)
    if hashlib.sha256(raw).hexdigest() != run.checklist_sha256:
        return str(run.checklist_text)
    return raw.decode("utf-8", "replace")


# --- sending --------------------------------------------------------------------------------------------


def deliver(where: Sequence[Target], message: Message, masker: Masker, timeout_s: float = TIMEOUT_S) -> Delivery:
    """Send one message to every target, now; never raises. Title and body are masked first."""
    title, body = masker(message.title), masker(message.body)
    done = Delivery(message.event, title)
    for target in where:
        label = service_label(target.url)
        if target.problem:
            done.failed.append((label, target.problem))
            continue
        try:
            ok, why, label = _send_one(target.url, title, body, timeout_s)
        except Exception as exc:  # a plugin's bug must not end a deployment
            ok, why = False, f"{type(exc).__name__}: {exc}"
        if ok:
            done.sent.append(label)
        else:
            done.failed.append((label, masker(why.replace(target.url, label))))
    return done


def _send_one(url: str, title: str, body: str, timeout_s: float) -> tuple[bool, str, str]:
    import apprise  # lazily: golive lint and plan never pay for it

    ap = apprise.Apprise()
    if not ap.add(url):
        return False, "not a notification URL apprise knows (see apprise's list of services)", service_label(url)
    server = ap[0]
    label = _privacy(server)
    for name in ("socket_connect_timeout", "socket_read_timeout"):
        if hasattr(server, name):
            setattr(server, name, timeout_s)
    with apprise.LogCapture(level=logging.WARNING) as log:  # type: ignore[no-untyped-call]
        ok = bool(ap.notify(title=title, body=body))
    said = [line.split(" - ", 2)[-1].strip() for line in log.getvalue().splitlines() if line.strip()]
    return ok, ("; ".join(said[-2:]) or "the service refused it"), label


def _privacy(server: Any) -> str:
    """apprise's own form of a URL with its tokens hidden, without the options it adds."""
    try:
        return str(server.url(privacy=True)).split("?", 1)[0]
    except Exception:
        return "a notification service"


def service_label(url: str) -> str:
    """A URL as it may be shown before apprise read it: its scheme only (the rest may be a token)."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://…"


def problem(url: str) -> str:
    """Why apprise would not take `url` (an unknown scheme, a malformed URL), or "" when it would.
    apprise reads it as it would to send (`Apprise.instantiate`: the service's own parsing and checks)
    and sends nothing. A URL with `${NAME}` in it is whole only when sending: its scheme is checked.
    What apprise says of it is masked: it may quote the URL's tokens."""
    import apprise  # lazily: only a checklist with notification URLs pays for it
    from apprise.plugins import N_MGR

    if url.lstrip().startswith("${"):
        return ""  # the scheme itself comes from the environment
    match = re.match(r"\s*([A-Za-z][A-Za-z0-9+.-]*)://", url)
    if match is None:
        return "no scheme: write it as SERVICE://…, such as slack://…, mailto://… or json://…"
    scheme = match.group(1).lower()
    schemes = set(N_MGR.schemas())  # type: ignore[no-untyped-call]
    if scheme not in schemes and not (_REFERENCE.search(url) and scheme in ("http", "https")):
        if apprise.Apprise.instantiate(url) is not None:  # a service's own URL (https://hooks.slack.com/…)
            return ""
        import difflib

        close = difflib.get_close_matches(scheme, schemes, 1)
        return f"unknown scheme {scheme}://" + (f"; did you mean {close[0]}://?" if close else "")
    if _REFERENCE.search(url):
        return ""
    with apprise.LogCapture(level=logging.WARNING) as log:  # type: ignore[no-untyped-call]
        server = apprise.Apprise.instantiate(url)
    if server is not None:
        return ""
    said = [line.split(" - ", 2) for line in log.getvalue().splitlines() if line.count(" - ") >= 2]
    why = [m.strip() for _, level, m in said if level == "WARNING"] or [m.strip() for _, _, m in said]
    masker = Masker(re.split(r"[/:@?&=#,]+|%23", url.split("://", 1)[1]), detect=False)
    said_first = re.sub(r"(?<!\.)\.$|:\s*$", "", why[0]) if why else ""  # its sentence ends where ours goes on
    return masker(said_first) if said_first else f"apprise cannot read this {scheme}:// URL"


def hide(where: Sequence[Target], masker: Masker) -> None:
    """A URL's tokens are secrets wherever they show up: the values ${NAME} filled in, and a URL whose
    privacy form (what the record names it by) hides something of it."""
    for t in where:
        masker.add(*t.filled)
        if not t.problem and not t.url.startswith(_privacy_of(t.url)):
            masker.add(t.url)


def _privacy_of(url: str) -> str:
    import apprise

    server = apprise.Apprise.instantiate(url)
    return _privacy(server) if server is not None else ""


class Notifier:
    """A run's messages, sent in order from one background thread. `drain` gives what became of the
    ones sent so far; `close` waits a bounded time for the rest."""

    def __init__(self, where: Sequence[Target], masker: Masker, timeout_s: float = TIMEOUT_S) -> None:
        self.where = list(where)
        self.masker = masker
        hide(self.where, masker)
        self.timeout_s = timeout_s
        self._queue: queue.Queue[Message | None] = queue.Queue()
        self._done: list[Delivery] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="golive-notify", daemon=True)
        self._thread.start()

    def send(self, message: Message) -> None:
        self._queue.put(message)

    def drain(self) -> list[Delivery]:
        with self._lock:
            done, self._done = self._done, []
        return done

    def close(self, wait_s: float = WAIT_AT_END_S) -> list[Delivery]:
        """Wait up to `wait_s` for messages still going out; those left are reported as not sent."""
        self._queue.put(None)
        self._thread.join(wait_s)
        left: list[Delivery] = []
        while True:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            if message is not None:
                why = f"not sent: golive ended and the services had not answered within {wait_s:g} s"
                left.append(Delivery(message.event, self.masker(message.title), [], [("every service", why)]))
        return self.drain() + left

    def _work(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            done = deliver(self.where, message, self.masker, self.timeout_s)
            with self._lock:
                self._done.append(done)


def record(append: Callable[..., Any], deliveries: Sequence[Delivery]) -> list[str]:
    """Each delivery as events through `append(type, **data)`; the lines to show for those that failed."""
    shown = []
    for d in deliveries:
        if d.sent:
            append(E.NOTIFIED, event=d.event, subject=d.subject, to=d.sent)
        for label, why in d.failed:
            append(E.NOTIFY_FAILED, event=d.event, subject=d.subject, to=label, reason=why)
            shown.append(f"notification ({d.event}) to {label} failed: {why}")
    return shown


def notify_run(
    store: Any, run_id: str, message: Message, environ: Mapping[str, str] | None = None, item: str | None = None
) -> list[str]:
    """Send one message about a run from outside its engine (`golive approve`, `golive due`), now and
    bounded, and record the outcome in the run's record. Returns the lines to show (failures); never raises
    for a service's fault."""
    import os

    run = store.run(run_id)
    where = targets_of_run(run, store.events(run.id), os.environ if environ is None else environ)
    if not where:
        return []
    hide(where, store.masker)
    done = deliver(where, message, store.masker)
    return record(lambda type_, **data: store.append(run.id, type_, item, data=data), [done])


def notify_approval(
    store: Any,
    run_id: str,
    role: str,
    by: str,
    approved: bool,
    reason: str = "",
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """An approval given or refused (`golive approve` / `golive reject`), told to the run's services."""
    run = store.run(run_id)
    about = About(run.id, run.title, run.env, run.checklist_path, by)
    event = "approval_given" if approved else "approval_refused"
    return notify_run(store, run.id, compose(event, about, role=role, by=by, reason=reason), environ)


# --- what people read -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class About:
    """What every message says about its run."""

    run_id: str
    title: str
    env: str
    path: str
    actor: str
    host: str = ""


def compose(event: str, about: About, **facts: Any) -> Message:
    """The message for one state of a run. `facts` are the state's own: reason, what, hint, role…"""
    head = f"golive: {about.title} ({about.env})"
    run = f"Run {about.run_id} of {about.path}"
    reason = str(facts.get("reason") or "")
    if event == "run_started":
        where = f" on {about.host}" if about.host else ""
        steps = facts.get("steps", "?")
        return Message(event, f"{head} started", f"{run} started by {about.actor}{where}. {steps} steps.")
    if event == "paused":
        item = f" at {facts['item']}" if facts.get("item") else ""
        body = f"{run} is paused{item}, waiting for {facts.get('what', 'a person')}."
        if facts.get("hint"):
            body += f"\nTo continue: {facts['hint']}"
        what = str(facts.get("what") or "a person")
        return Message(event, f"{head} waits for {what if len(what) <= 80 else what[:79] + '…'}", body)
    if event in ("failed", "rolled_back", "passed"):
        said = {"failed": "failed", "rolled_back": "was rolled back", "passed": "passed"}[event]
        status = str(facts.get("status") or event)
        if status not in (event, "rolled_back"):
            said = status  # aborted: by a person
        body = f"{run} {said}" + (f": {reason}" if reason else ".")
        if facts.get("followups"):
            body += "\nFollow-ups due: " + "; ".join(facts["followups"])
        return Message(event, f"{head} {said}", body)
    if event in ("approval_given", "approval_refused"):
        verb = "approved" if event == "approval_given" else "refused"
        role = f" as {facts['role']}" if facts.get("role") else ""
        body = f"{run}: {facts.get('by', 'someone')} {verb}{role}" + (f": {reason}" if reason else ".")
        return Message(event, f"{head}: {facts.get('role') or 'sign-off'} {verb} by {facts.get('by', 'someone')}", body)
    if event == "followup_due":
        late = f", {facts['late']} late" if facts.get("late") else ""
        name, owner = facts.get("name"), facts.get("owner") or about.actor
        body = (
            f'Follow-up "{name}" of run {about.run_id} ({about.path}) was due {facts.get("due")}{late}; '
            f'owed by {owner}.\nRun it: golive followup {about.run_id} "{name}"'
        )
        return Message(event, f"{head}: follow-up {name} is due", body)
    if event == "message":
        return _written_message(str(facts.get("text", "")), str(facts.get("label", "")), head)
    return Message(event, f"{head}: {event}", reason or event)


def _written_message(text: str, label: str, head: str) -> Message:
    """A message the checklist wrote (`Subject: …` then the body): sent as written, fields filled."""
    lines = text.strip("\n").split("\n")
    first = lines[0].strip() if lines else ""
    if first.lower().startswith("subject:"):
        return Message("message", first.split(":", 1)[1].strip() or label, "\n".join(lines[1:]).strip("\n"))
    return Message("message", f"{head}: {label}" if label else head, text.strip("\n"))
