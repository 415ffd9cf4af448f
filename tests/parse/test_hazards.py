"""Placeholders, destructive commands, commands that never return, services, platforms."""

from __future__ import annotations

import pytest

from golive.model import Mode
from golive.parse import hazards


@pytest.mark.parametrize(
    ("command", "found", "field"),
    [
        ("kill <PID>", "<PID>", "PID"),
        ("aws sns subscribe --topic-arn YOUR_TOPIC_ARN", "YOUR_TOPIC_ARN", "TOPIC_ARN"),
        ("alembic downgrade [revision_id]", "[revision_id]", "REVISION_ID"),
        ("cp backups/app_YYYYMMDD_HHMMSS.db app.db", "YYYYMMDD_HHMMSS", "YYYYMMDD_HHMMSS"),
        ("curl https://your-domain.com/health", "your-domain.com", "DOMAIN"),
        ("cd /path/to/JobSearchAI", "/path/to/JobSearchAI", "PATH_TO_JOBSEARCHAI"),
        ("aws dynamodb restore-table-from-backup ...", "...", "RESTORE_TABLE_FROM_BACKUP_ARGS"),
        ("git checkout <previous-stable-tag>", "<previous-stable-tag>", "PREVIOUS_STABLE_TAG"),
    ],
)
def test_placeholders_are_found_with_the_field_that_fills_them(command: str, found: str, field: str) -> None:
    (p,) = hazards.find_placeholders(command)
    assert (p.text, p.field) == (found, field)


def test_a_placeholder_in_an_assignment_asks_for_the_variable() -> None:
    (p,) = hazards.find_placeholders("export DATABASE_URL=postgresql://user:password@db.example.com:5432/app")
    assert p.field == "DATABASE_URL" and p.text.startswith("postgresql://")


@pytest.mark.parametrize(
    "command",
    [
        "cat <<EOF",
        "cmd < input.txt",
        "[ -f x ] && echo y",
        "echo ${arr[IDX]}",
        "# kill <PID>",
        "diff <(a) <(b)",
        "echo 'Loading...'",
        "git log --since=2024-01-01",
    ],
)
def test_things_that_are_not_placeholders(command: str) -> None:
    assert hazards.find_placeholders(command) == ()


def test_fill_quotes_values_for_where_they_stand() -> None:
    text = "kill <PID> && echo \"<PID>\" && echo '<PID>'"
    filled = hazards.fill(text, hazards.find_placeholders(text), {"PID": "1 2"})
    assert filled == "kill '1 2' && echo \"1 2\" && echo '1 2'"


@pytest.mark.parametrize(
    "command",
    [
        "dropdb employee_system",
        "psql -c 'DROP TABLE users'",
        "rm -rf /var/www/app",
        "kill 1234",
        "pkill -f api",
        "git push --force origin main",
        "aws dynamodb delete-table --table-name t",
        "redis-cli FLUSHALL",
        "psql -c 'TRUNCATE users'",
        "curl -X DELETE http://x/api/1",
        "alembic downgrade base",
    ],
)
def test_destructive_commands(command: str) -> None:
    assert hazards.destructive_reason(command)


@pytest.mark.parametrize(
    "command",
    [
        "ls -la",
        "rm -f /tmp/deploy.lock",
        "git push origin main",
        "echo kill",
        "skill x",
        'echo "delete the old backups next week"',
        "grep -v remove app.log",
        'git commit -m "Remove debug code"',
        "curl -s http://localhost:8000/health > response.json",
        "pg_dump -U postgres app > backup_$(date +%F).sql",
        "echo done >> deploy.log",
        "cat /var/www/app/.env",
        "aws dynamodb describe-table --table-name t",
    ],
)
def test_ordinary_commands_are_not_destructive(command: str) -> None:
    assert hazards.destructive_reason(command) == ""


SEED_OVERWRITES = [
    # seed 001 L384: the manual restore copies a backup over the live database
    ("cp backups/jobsearchai_backup_YYYYMMDD_HHMMSS.db instance/jobsearchai.db", "overwrites jobsearchai.db"),
    # seed 003 L227: the .env of the running system is written anew
    (
        "cat > /var/www/employee-system/backend/.env <<EOF\nDEBUG=False\nEOF",
        "overwrites .env",
    ),
    # seed 003 L515 and L512: a dump loaded into the live database
    ("psql -U postgres employee_system < pre_migration_*.sql", "loads pre_migration_*.sql into a live database"),
    ("pg_restore -U postgres -d employee_system pre_migration_*.sql", "restores a dump into a live database"),
]


@pytest.mark.parametrize(("command", "why"), SEED_OVERWRITES)
def test_a_command_that_overwrites_live_data_is_destructive(command: str, why: str) -> None:
    assert hazards.destructive_reason(command) == why


@pytest.mark.parametrize(
    "command",
    [
        "gcloud sql instances delete prod-db --quiet",
        "heroku apps:destroy --app shop --confirm shop",
        "helm uninstall api --namespace prod",
        "az group delete --name rg-prod --yes",
        "find /var/backups -mtime +7 -delete",
        "aws s3 sync ./site s3://bucket --delete",
        "sudo -u postgres vacuumdb --all && redis-cli -n 2 FLUSHDB",
        "pm2 delete api",
        "gsutil rm -r gs://bucket/releases",
        "python scripts/backup_database.py --restore backups/x.db",
        "kubectl -n prod scale deploy/api --replicas=0 && kubectl -n prod delete pvc data",
        "shred -u secrets.txt",
    ],
)
def test_a_delete_like_subcommand_of_any_cli_is_destructive(command: str) -> None:
    assert hazards.destructive_reason(command)


def test_a_command_whose_comment_warns_is_destructive() -> None:
    why = hazards.destructive_reason("./scripts/reset_tenants.sh", ("This cannot be undone!",))
    assert why == "the checklist warns: This cannot be undone!"
    assert hazards.destructive_reason("./scripts/migrate.sh", ("CAUTION: run once",))
    assert hazards.destructive_reason("./scripts/migrate.sh", ("Run the migration",)) == ""


@pytest.mark.parametrize(
    ("command", "mode"),
    [
        ("tail -f logs/app.log", Mode.OBSERVE),
        ("docker-compose logs -f backend", Mode.OBSERVE),
        ("journalctl -fu app", Mode.OBSERVE),
        ("watch -n 5 df -h", Mode.OBSERVE),
        ("pm2 logs", Mode.OBSERVE),
        ("uvicorn app:app --host 0.0.0.0 --port 8000", Mode.SERVICE),
        ("gunicorn app:app --bind 0.0.0.0:8000", Mode.SERVICE),
        ("python3 bot.py", Mode.SERVICE),
        ("npm start", Mode.SERVICE),
        ("nohup python dashboard.py &", Mode.SERVICE),
        ("tail -100 logs/app.log", Mode.RUN),
        ("make build && make test", Mode.RUN),
        ("docker-compose up -d", Mode.RUN),
    ],
)
def test_execution_mode(command: str, mode: Mode) -> None:
    assert hazards.execution_mode(command)[0] is mode


def test_a_server_named_by_the_checklist_is_a_service() -> None:
    command = "./bin/workset-api --table-name t --port 8000"
    assert hazards.execution_mode(command)[0] is Mode.RUN
    assert hazards.execution_mode(command, "Step 5: Deploy API Server  Start API server")[0] is Mode.SERVICE
    assert hazards.service_port(command) == 8000


def test_windows_commands_are_for_another_platform() -> None:
    assert hazards.platform_of("venv\\Scripts\\activate") == "windows"
    assert hazards.platform_of('$env:TOKEN = "x"') == "windows"
    assert hazards.platform_of("source venv/bin/activate", "Linux/Mac") == ""


def test_python_in_a_shell_block_is_recognised() -> None:
    assert hazards.looks_like_python(["from app.settings import get_settings", "get_settings.cache_clear()"])
    assert not hazards.looks_like_python(["python3 -m pip install x", "./run.sh"])
