#!/usr/bin/env bash
# Creates .venv and installs golive with its dev tools. Idempotent and quick when nothing changed:
# it reinstalls only when pyproject.toml changes. Needs Python 3.11+ and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

python=""
for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "bootstrap: golive needs Python 3.11 or newer" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.golive-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import golive, markdown_it, sqlalchemy, alembic, pytest' 
  echo "$want" > "$stamp"
fi

# pg_dump: the planted-secrets scan reads the PostgreSQL store's bytes with it (tests/record/test_secrets_at_rest.py).
if ! command -v pg_dump >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  as_root=""; [ "$(id -u)" = 0 ] || as_root="sudo -n"
  { $as_root apt-get install -y -q postgresql-client || { $as_root apt-get update -q && $as_root apt-get install -y -q postgresql-client; }; } >/dev/null 2>&1 \
    || echo "bootstrap: could not install postgresql-client (pg_dump); the postgres secrets scan will fail" >&2
fi
