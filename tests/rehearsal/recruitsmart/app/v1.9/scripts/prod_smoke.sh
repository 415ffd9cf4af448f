#!/usr/bin/env bash
# Pre-deployment smoke tests: the production configuration guards, PostgreSQL, Redis, the data directory.
# Every check runs; the summary says whether the release may go to production. Exit 1 if any failed.
set -u
cd "$(dirname "$0")/.."
RULE="━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━"
failed=0
pass() { echo "✓ $1"; }
fail() { echo "✗ $1"; failed=$((failed + 1)); }

echo "RecruitSmart Admin: production smoke tests"
echo "$RULE"

if [ "${ENVIRONMENT,,}" = "production" ]; then pass "ENVIRONMENT=production"; else
  fail "ENVIRONMENT must be production (got '${ENVIRONMENT:-}')"; fi

if errors=$(python3 -c "from backend.core.settings import get_settings; get_settings()" 2>&1); then
  pass "Production configuration valid (PostgreSQL, Redis, NOTIFICATION_BROKER, DATA_DIR, SESSION_SECRET)"
else
  fail "Production configuration invalid:"
  echo "$errors" | sed -n '/PRODUCTION CONFIGURATION ERRORS/,$p' | sed 's/^/    /'
fi

if version=$(psql "${DATABASE_URL:-}" -tAc "SHOW server_version_num" 2>&1); then
  if [ "$version" -ge 120000 ]; then pass "PostgreSQL reachable (server ${version:0:2}, 12+ required)"
  else fail "PostgreSQL ${version:0:2} is too old: 12+ required"; fi
else
  fail "PostgreSQL unreachable: $(echo "$version" | head -1)"
fi

if pong=$(redis-cli -u "${REDIS_URL:-}" ping 2>&1) && [ "$pong" = "PONG" ]; then
  major=$(redis-cli -u "$REDIS_URL" info server | sed -n 's/^redis_version:\([0-9]*\).*/\1/p')
  if [ "${major:-0}" -ge 5 ]; then pass "Redis reachable (server $major, 5+ required)"
  else fail "Redis $major is too old: 5+ required"; fi
else
  fail "Redis unreachable: $pong"
fi

if [ -n "${DATA_DIR:-}" ] && mkdir -p "$DATA_DIR/logs" 2>/dev/null && [ -w "$DATA_DIR" ]; then
  pass "DATA_DIR writable: $DATA_DIR"
else
  fail "DATA_DIR not writable: ${DATA_DIR:-unset}"
fi

echo "$RULE"
if [ "$failed" -eq 0 ]; then
  echo "✓ ALL CHECKS PASSED - Ready for production deployment"
else
  echo "✗ $failed CHECK(S) FAILED - fix before deploying to production"
fi
echo "$RULE"
[ "$failed" -eq 0 ]
