"""Masking secrets, by example: by name, by shape (detect-secrets), in pieces, line by line, allowed back."""

from __future__ import annotations

import base64
import json

import pytest

from golive import plan as planning
from golive.parse import parse_text
from golive.secrets import Masker, Secret, mask_everything, redact
from golive.secretscan import ALLOW_ENV, find, named_values, secret_assignments
from tests.conftest import CORPUS, SEEDS

JWT = ".".join(
    base64.urlsafe_b64encode(part).rstrip(b"=").decode()
    for part in (b'{"alg":"HS256","typ":"JWT"}', json.dumps({"sub": "4c1b8e2a"}).encode(), bytes(range(40, 72)))
)
AWS = "AKIAZ7Q4M2XK9BLW3NTE"


def test_the_call_api_other_code_uses_is_kept() -> None:
    masker = Masker(["hunter2-very-secret"])
    masker.add("tok-12345678")
    masker.add_named({"DB_PASSWORD": "pw-98765432", "HOME": "/home/ana"})
    assert masker("hunter2-very-secret tok-12345678 pw-98765432 /home/ana") == "*** *** *** /home/ana"
    assert bool(masker) and not Masker()
    assert repr(Secret("x")) == "Secret('***')" and redact({"a": [Secret("x")]}) == {"a": ["***"]}


def test_short_values_are_never_masked_as_known_values() -> None:
    masker = Masker(["abc", "", "***"])
    assert masker("abc def") == "abc def" and not masker


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("export API_TOKEN=sk-9f8e7d6c5b4a", "sk-9f8e7d6c5b4a"),
        ("API_TOKEN='quoted value 99' ./deploy.sh", "quoted value 99"),
        ("DB_PASSWORD: hunter2hunter2", "hunter2hunter2"),
        ("docker run -e SESSION_SECRET=abcd1234efgh app", "abcd1234efgh"),
    ],
)
def test_a_literal_value_given_to_a_secret_name_is_found(line: str, value: str) -> None:
    assert value in named_values(line)
    assert value not in Masker()(line)


@pytest.mark.parametrize(
    "line",
    [
        "export API_TOKEN=$(vault read -field=token secret/api)",
        "export API_TOKEN=$API_TOKEN_FROM_CI",
        "export API_TOKEN=<YOUR_TOKEN>",
        "export API_TOKEN={{ API_TOKEN }}",
        "export VERSION=1.2.3",
        "  ADMIN_PASSWORD: {env: REHEARSAL_ADMIN_PASSWORD}",  # a profile's secret by reference
    ],
)
def test_references_and_placeholders_are_not_values(line: str) -> None:
    assert named_values(line) == []


@pytest.mark.parametrize(
    ("line", "secret", "masked"),
    [
        (f"Authorization: Bearer {JWT}", JWT, "Authorization: Bearer ***"),
        (f"aws key {AWS} found", AWS, "aws key *** found"),
        ("postgresql://app:Xk29vLq7PzT4@db:5432/app", "Xk29vLq7PzT4", "postgresql://app:***@db:5432/app"),
        ('{"access_token": "a8f5f167f44f4964e6c998dee827110c"}', "a8f5f167f44f4964e6c998dee827110c", None),
    ],
    ids=["jwt", "aws", "url-password", "json-token"],
)
def test_detect_secrets_finds_them_by_shape(line: str, secret: str, masked: str | None) -> None:
    out = Masker()(line)
    assert secret not in out
    if masked is not None:
        assert out == masked  # a JWT is masked whole: its signature too


def test_a_found_token_is_masked_wherever_it_shows_up_again() -> None:
    token = "a8f5f167f44f4964e6c998dee827110c"
    assert Masker()(f"token {token} printed bare") == f"token {token} printed bare"  # no shape to see here …
    masker = Masker()
    assert masker(f'{{"access_token": "{token}"}}') == '{"access_token": "***"}'
    assert masker(f"token {token} printed bare") == "token *** printed bare"  # … but it was seen before


def test_a_password_that_is_an_ordinary_word_is_masked_only_where_found() -> None:
    masker = Masker()
    assert masker("postgresql://user:password@db/app") == "postgresql://user:***@db/app"
    assert masker("enter the password when asked") == "enter the password when asked"


def test_a_named_value_that_is_an_ordinary_word_is_not_remembered() -> None:
    masker = Masker()
    assert masker("key: production") == "key: ***"
    assert masker("deploying to production") == "deploying to production"


def test_ordinary_output_is_left_alone() -> None:
    lines = [
        "INFO 2024-01-01 12:00:00 server started on port 8000 pid 12345",
        '{"status": "healthy", "version": "0.1.19"}',
        "curl -s http://localhost:8000/health",
        'id="550e8400-e29b-41d4-a716-446655440000"',
        "Deployed by: ____",
    ]
    for line in lines:
        assert Masker()(line) == line


def test_structured_data_is_masked_in_its_keys_too() -> None:
    """Seed 004's rehearsal: a log check whose `absent` pattern is the bot token counts it by its text."""
    token = "7001234567:H0AJuD0rK2mPq9sT3vWxYz4bC5dE6fG7hI8"
    masker = Masker([token])
    assert masker.data({"counts": {token: 0, "BOOT: using bot id=": 1}}) == {
        "counts": {"***": 0, "BOOT: using bot id=": 1}
    }


@pytest.mark.parametrize(
    "line",
    [
        "export AWS_SHARED_CREDENTIALS_FILE=/home/lena/.aws/credentials",  # where a secret is, not one
        "GOOGLE_APPLICATION_CREDENTIALS_PATH: /etc/gcp/key.json",
        "SECRET_KEY_FILE=./keys/app.key",
        'TOKEN_DIR="/var/lib/app/tokens"',
        "    check: {secrets: daylib/}",  # seed 002's rehearsal profile: the secrets check of a folder
    ],
)
def test_a_file_path_or_folder_named_for_a_secret_is_not_one(line: str) -> None:
    assert find(line) == ()
    assert Masker()(line) == line


def test_a_secret_value_that_holds_a_slash_is_still_one() -> None:
    assert [f.value for f in find("DB_PASSWORD=/Tr0ub4dor.3x")] == ["/Tr0ub4dor.3x"]
    assert [f.value for f in find("password: hunter/22x")] == ["hunter/22x"]


def test_the_allow_list_lets_a_false_positive_back(monkeypatch: pytest.MonkeyPatch) -> None:
    line = '{"commit": "4b825dc642cb6eb9a060e54bf8d69288fbee4904"}'
    assert Masker()(line) != line
    monkeypatch.setenv(ALLOW_ENV, "[0-9a-f]{40}")
    assert Masker()(line) == line
    assert Masker()(line + "  # pragma: allowlist secret") == line + "  # pragma: allowlist secret"
    # A name says what it is: never allowed back.
    named = "export API_TOKEN=4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert Masker()(named) == "export API_TOKEN=***"


def test_a_broken_allow_list_allows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_ENV, "([")
    assert AWS not in Masker()(f"key {AWS}")


def test_a_value_broken_across_lines_is_masked_and_the_line_count_kept() -> None:
    masker = Masker(["Db-5e8a0c3f71b29d46"])
    folded = "before\nDb-5e8a0\nc3f71b29\nd46\nafter"
    assert masker(folded) == "before\n***\n\n\nafter"


def test_live_lines_wait_while_they_may_begin_a_secret() -> None:
    stream = Masker(["Db-5e8a0c3f71b29d46"]).stream()
    assert stream.feed("connecting") == ["connecting"]
    assert stream.feed("Db-5e8a0") == []  # may be the beginning of the secret: wait
    assert stream.feed("c3f71b29") == []
    assert stream.feed("d46") == ["***", "", ""]
    assert stream.feed("Db-5e8a") == []
    assert stream.feed("nothing more") == ["Db-5e8a", "nothing more"]  # it was not the secret after all
    assert stream.feed("Db-5e8a0c3") == [] and stream.flush() == ["Db-5e8a0c3"]


def test_a_secret_cut_where_head_and_tail_meet_is_masked_in_both() -> None:
    masker = Masker(["tok_0123456789abcdef"])
    assert masker.parts("log tok_01234", "56789abcdef log", cut=0) == ("log *** log", "")
    assert masker.parts("log tok_012345", "9abcdef log", cut=1000) == ("log ***", "*** log")


def test_structured_data_is_masked_all_through() -> None:
    masker = Masker(["hunter2-very-secret"])
    data = {"cmd": "echo hunter2-very-secret", "list": [Secret("x"), 3, None], "n": {"url": f"key {AWS}"}}
    assert masker.data(data) == {"cmd": "echo ***", "list": ["***", 3, None], "n": {"url": "key ***"}}


def test_commands_that_set_secret_variables_are_recognised() -> None:
    assert secret_assignments("export SESSION_TOKEN=$(curl -s x); echo $SESSION_TOKEN") == ["SESSION_TOKEN"]
    assert secret_assignments("read -s DB_PASSWORD") == ["DB_PASSWORD"]
    assert secret_assignments("echo $API_TOKEN") == []
    assert secret_assignments("export VERSION=1.2") == []


def test_a_crash_report_masks_everything_this_process_learned() -> None:
    Masker(["learned-in-the-run-42"])
    assert mask_everything("boom near learned-in-the-run-42") == "boom near ***"
    assert mask_everything("x given-here-99", ["given-here-99"]) == "x ***"


def test_found_values_come_longest_first() -> None:
    values = [f.value for f in find(f"a {AWS} b {JWT}")]
    assert values == sorted(values, key=len, reverse=True)


@pytest.mark.parametrize("path", SEEDS + CORPUS, ids=lambda p: p.name[:24])
def test_a_masked_checklist_has_the_same_plan(path: object) -> None:
    """Reports read the stored (masked) copy: masking must never move a line or change a step."""
    from pathlib import Path

    assert isinstance(path, Path)
    text = path.read_text(encoding="utf-8", errors="replace")
    masked = Masker()(text)
    assert masked.count("\n") == text.count("\n")
    original, copy = planning.build(parse_text(text, "x.md")), planning.build(parse_text(masked, "x.md"))
    assert [(s.id, s.kind) for s in original.steps] == [(s.id, s.kind) for s in copy.steps]


def test_words_after_a_secret_name_are_prose_not_its_value() -> None:
    # A check's measured value reads "SESSION_SECRET: 41 characters (≥ 32)": nothing there is secret.
    from golive.secretscan import find

    assert find("DATABASE_URL scheme postgresql; SESSION_SECRET: 41 characters (≥ 32)") == ()
    assert [f.value for f in find('password: "correct horse"')] == ["correct horse"]
    assert [f.value for f in find("DB_PASSWORD: hunter2x")] == ["hunter2x"]


def test_the_gates_open_on_every_line_a_detector_finds_something_in() -> None:
    """The quick test in front of detect-secrets (kept in the user's cache) never hides a finding:
    on every seed and corpus line, and on lines made to look like secrets, whatever a detector finds
    is on a line the gates let through; and it is one search, not forty."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from golive.secretscan import _KEYWORD_FILE, _gates, _plugins

    gates = _gates()
    assert "joined" in gates.search.__code__.co_freevars and not gates.always

    def found_by_a_detector(line: str) -> bool:
        detectors = [detector for detector, _gate in _plugins()]
        return any(d.analyze_line(filename=_KEYWORD_FILE, line=line, line_number=1) for d in detectors)

    lines = [line for path in SEEDS + CORPUS for line in path.read_text().splitlines()]
    lines += [
        "AKIAIOSFODNN7EXAMPLE",
        "xoxb-123-abc9",
        "https://hooks.slack.com/services/TABC/BDEF/ghi",
        'token = "c2VjcmV0LXRva2VuLXRoYXQtaXMtbG9uZw=="',
        'api_key: "7f3a9c2e1b8d4f6a"',
        "password=hunter2hunter2",
        "postgres://app:s3cr3tP4ss@db:5432/app",
        'declare -x GOLIVE_RUN="20261130-203814-9b03"',
    ]
    missed = [line for line in lines if found_by_a_detector(line) and not gates.open(line)]
    assert missed == []
    assert not gates.open('declare -x GOLIVE_RUN="20261130-203814-9b03"')  # too short to pass an entropy limit

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from("aAkKxXoOpPsS_-:/.@=0123456789abcdef\"' ghtc"), max_size=70))
    def never_hides(line: str) -> None:
        assert gates.open(line) or not found_by_a_detector(line)

    never_hides()


def test_the_gates_are_kept_for_the_next_golive_and_rebuilt_when_stale(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from golive import secretscan

    cache = Path(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    secretscan._gates.cache_clear()
    try:
        first = secretscan._gates()
        kept = json.loads((cache / "golive" / "secret-gates.json").read_text())
        assert kept["key"] == secretscan._gates_key() and kept["patterns"]
        (cache / "golive" / "secret-gates.json").write_text(json.dumps({**kept, "key": "0:old", "patterns": []}))
        secretscan._gates.cache_clear()
        again = secretscan._gates()
        assert again.open("AKIAIOSFODNN7EXAMPLE") and first.open("AKIAIOSFODNN7EXAMPLE")
        assert json.loads((cache / "golive" / "secret-gates.json").read_text())["key"] == kept["key"]
    finally:
        secretscan._gates.cache_clear()
