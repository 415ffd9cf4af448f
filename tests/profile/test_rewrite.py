"""Rewrites on the seeds' own text: literal, whole names only, placeholders untouched and still in place."""

from __future__ import annotations

import textwrap
from pathlib import Path

from golive.model import Command, Commands, Mode
from golive.parse import parse_file
from golive.parse.hazards import fill
from golive.profile import apply, load
from golive.profile.model import Rewrites
from golive.profile.rewrite import Rewriter
from tests.conftest import seed


def commands(checklist_path: Path, profile_text: str, tmp_path: Path) -> dict[int, Command]:
    profile = tmp_path / "rehearsal.yaml"
    profile.write_text(textwrap.dedent(profile_text).lstrip())
    applied = apply(load(profile, {}), parse_file(checklist_path))
    return {c.line: c for _s, i in applied.checklist.walk() if isinstance(i, Commands) for c in i.commands}


def test_seed_003_paths_move_to_the_rehearsal_directory(tmp_path: Path) -> None:
    app = tmp_path / "app"
    c = commands(
        seed("003"),
        f"""
        rewrite:
          paths: {{"/var/www/employee-system": "{app}", "/var/log/employee-system": "{tmp_path}/log"}}
          text: {{"employee_system": "employees_rehearsal"}}
        """,
        tmp_path,
    )
    assert c[196].text == f"cd {app}"
    assert c[248].text == f"cd {app}/backend"  # a path below the rewritten one
    assert c[385].text == f"grep -i error {tmp_path}/log/app.log"
    assert c[86].text.startswith("pg_dump -U postgres -h localhost employees_rehearsal > backup_")
    # The heredoc's DATABASE_URL is a placeholder: never rewritten, and still where `fill` puts the value.
    env_file = c[227]
    assert env_file.text.startswith(f"cat > {app}/backend/.env <<EOF")
    assert [p.text for p in env_file.placeholders] == ["postgresql://user:password@prod-db:5432/employee_system"]
    filled = fill(env_file.text, env_file.placeholders, {"DATABASE_URL": "postgresql://127.0.0.1/employees"})
    assert "DATABASE_URL=postgresql://127.0.0.1/employees\n" in filled


def test_seed_002_api_on_localhost_8001_moves_to_a_free_port_and_the_service_port_follows(tmp_path: Path) -> None:
    c = commands(
        seed("002"),
        """
        rewrite:
          urls: {"http://localhost:8001": "http://127.0.0.1:18123"}
          text: {"--port 8000": "--port 18123"}
        """,
        tmp_path,
    )
    assert c[131].text.startswith("curl -X POST http://127.0.0.1:18123/worksets \\")
    assert c[141].text == "curl http://127.0.0.1:18123/worksets/test-001"
    server = c[115]
    assert "--port 18123" in server.text and server.mode is Mode.SERVICE
    assert server.port == 18123  # readiness is awaited where the rewritten server listens


def test_seed_004_hosts_and_the_data_dir_and_what_to_look_for_in_the_logs(tmp_path: Path) -> None:
    profile = tmp_path / "rehearsal.yaml"
    data = tmp_path / "data"
    profile.write_text(
        textwrap.dedent(
            f"""
            rewrite:
              hosts: {{"redis.example.com:6379": "127.0.0.1:16379"}}
              paths: {{"/var/lib/recruitsmart_admin": "{data}"}}
            """
        )
    )
    applied = apply(load(profile, {}), parse_file(seed("004")))
    blocks = [i for _s, i in applied.checklist.walk() if isinstance(i, Commands)]
    c = {c.line: c for b in blocks for c in b.commands}
    assert c[36].text == f"export DATA_DIR={data}"
    assert c[220].text == f"tail -f {data}/logs/app.log"
    assert c[27].placeholders and c[27].text == "export REDIS_URL=redis://redis.example.com:6379/0"  # a placeholder
    looking_for = next(n for b in blocks for n in b.instructions if n.line == 222)
    assert "Phase 2 Cache initialized: 127.0.0.1:16379" in looking_for.text
    assert {r.old: lines for r, lines in applied.rewrites.items()} == {
        "redis.example.com:6379": [222],
        "/var/lib/recruitsmart_admin": [36, 92, 93, 97, 111, 220, 393, 462],
    }


def rewrite(source: str, **tables: dict[str, str]) -> str:
    return Rewriter.of(Rewrites(**tables)).text(source, 1)[0]


def test_urls_hosts_and_paths_match_whole_names_only() -> None:
    urls = {"http://localhost:8001": "http://127.0.0.1:9"}
    assert rewrite("curl http://localhost:8001/docs", urls=urls) == "curl http://127.0.0.1:9/docs"
    assert rewrite("curl http://localhost:80011/", urls=urls) == "curl http://localhost:80011/"
    assert rewrite("curl 'http://localhost:8001'", urls=urls) == "curl 'http://127.0.0.1:9'"
    hosts = {"db.example.com:5432": "127.0.0.1:5432", "production-db": "127.0.0.1"}
    assert rewrite("psql -h production-db -p 5432", hosts=hosts) == "psql -h 127.0.0.1 -p 5432"
    assert rewrite("ping production-db.internal", hosts=hosts) == "ping production-db.internal"
    assert rewrite("ping my-production-db", hosts=hosts) == "ping my-production-db"
    assert rewrite("postgresql://u@db.example.com:5432/x", hosts=hosts) == "postgresql://u@127.0.0.1:5432/x"
    paths = {"/var/www/employee-system": "/tmp/app"}
    assert rewrite("cp -r /var/www/employee-system /var/www/employee-system-old", paths=paths) == (
        "cp -r /tmp/app /var/www/employee-system-old"
    )
    assert rewrite("cat /srv/var/www/employee-system/x", paths=paths) == "cat /srv/var/www/employee-system/x"
    assert rewrite("x=employee_systemic", text={"employee_system": "e"}) == "x=eic"  # text: a plain substring


def test_one_pass_longest_first_so_nothing_is_rewritten_twice() -> None:
    tables = {
        "urls": {"http://localhost:8000/api": "http://127.0.0.1:9/v2"},
        "hosts": {"localhost": "127.0.0.1", "127.0.0.1": "never"},
    }
    out = rewrite("curl http://localhost:8000/api/x && ping localhost", **tables)
    assert out == "curl http://127.0.0.1:9/v2/x && ping 127.0.0.1"
