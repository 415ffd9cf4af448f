"""The shape of an environment profile, as pydantic models: what each key may hold.

Only the shape lives here. Rules that need the file's lines (a secret-named variable, answers
in a profile that forbids them) are checked in load.py; rules that need the checklist (which
item an answer names) in apply.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from golive.team.policy import SignoffSpec


def _text(value: Any) -> Any:
    """YAML reads `8001`, `true` and `1.5` as numbers and booleans; a profile means the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]

# What a pre-recorded answer can be (apply.py says to which items each applies).
NEEDS_REASON = ("skip", "fail", "failed")
Verb = Literal["confirm", "done", "skip", "fail", "passed", "failed", "allow"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SecretRef(_Strict):
    """A secret by reference: the name of the environment variable that holds it."""

    env: str = Field(min_length=1)


class AnswerEntry(_Strict):
    """A pre-recorded answer: which items, who answers, what, and why.

    `{step: L139, skip: "why", by: NAME}` is short for `{item: L139, answer: skip, reason: "why", by: NAME}`
    (and `done: "how"` for `answer: done`): a command skipped or done by hand does not run."""

    item: Text | None = None
    step: Text | None = None
    items: list[Text] | None = None
    text: str | None = None
    section: str | None = None
    by: str = Field(min_length=1)
    answer: Verb
    skip: str | None = None
    done: str | None = None
    reason: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`skip: REASON` / `done: REASON` name the answer and give its reason in one key."""
        if not isinstance(data, dict):
            return data
        given = [k for k in ("answer", "skip", "done") if data.get(k) is not None]
        if len(given) > 1:
            raise ValueError(f"give the answer once: {' and '.join(given)} both say what it is")
        if given and given[0] in ("skip", "done"):
            if data.get("reason"):
                raise ValueError(f"{given[0]}: already gives the reason; drop reason:")
            data = {**data, "answer": given[0], "reason": _text(data[given[0]])}
        if data.get("step") is not None:
            if data.get("item") is not None:
                raise ValueError("name the step with one of item, step")
            data = {**data, "item": data["step"]}
        return data

    @model_validator(mode="after")
    def _one_way_to_name_items(self) -> AnswerEntry:
        named = [k for k in ("item", "items", "text", "section") if getattr(self, k) is not None]
        if len(named) != 1:
            raise ValueError(
                "name the items with exactly one of item, items, text, section"
                + (f" (this entry has {', '.join(named)})" if named else "")
            )
        if self.answer in NEEDS_REASON and not self.reason.strip():
            raise ValueError(f"answer {self.answer} needs a reason")
        return self


class CheckEntry(_Strict):
    """A typed check (PRODUCT.md §4) attached after an item of the checklist."""

    after: Text | None = None
    text: str | None = None
    check: dict[str, Any] | list[dict[str, Any]]

    @model_validator(mode="after")
    def _one_anchor(self) -> CheckEntry:
        if (self.after is None) == (self.text is None):
            raise ValueError("name the item the check follows with exactly one of after, text")
        if not self.check:
            raise ValueError("check is empty")
        return self


class ApplyEntry(_Strict):
    """A config block the checklist says to put in a file, written there by golive in `by`'s name.

    `merge` sets the block's keys in a JSON or YAML file and keeps the others (the file is made when
    missing); `write` makes the file hold the block; `append` adds the block at its end."""

    item: Text | None = None
    text: str | None = None
    file: str = Field(min_length=1)
    how: Literal["merge", "write", "append"] = "merge"
    by: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_block(self) -> ApplyEntry:
        if (self.item is None) == (self.text is None):
            raise ValueError("name the block with exactly one of item, text")
        return self


class Rewrites(_Strict):
    """Literal replacements, production value -> this environment's value."""

    urls: dict[str, Text] = {}
    hosts: dict[str, Text] = {}
    paths: dict[str, Text] = {}
    text: dict[str, Text] = {}


class Profile(_Strict):
    name: str = Field(default="", max_length=100)
    description: str = ""
    allow_prerecorded: bool = True
    variables: dict[str, Text] = {}
    secrets: dict[str, SecretRef] = {}
    choices: dict[Text, Text] = {}
    answers: list[AnswerEntry] = []
    apply: list[ApplyEntry] = []
    rewrite: Rewrites = Field(default_factory=Rewrites)
    path_prefix: list[str] = []
    env: dict[str, Text] = {}
    prelude: str = ""
    checks: list[CheckEntry] = []
    notify: list[str] = []  # apprise URLs; `${NAME}` in them is read when sending, never recorded
    signoff: SignoffSpec | None = None  # sign-off policy (docs/team.md): over the checklist's front matter
    roles: dict[str, list[str]] = {}  # who may approve each sign-off role


TOP_KEYS = tuple(Profile.model_fields)
