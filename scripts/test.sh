#!/usr/bin/env bash
# The whole test suite on PostgreSQL and Redis (default local addresses;
# override with DATABASE_URL / REDIS_URL). Starts local servers when they are
# installed but down; otherwise says what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -c constraints.txt -e '.[dev]'

export DJANGO_ENV=test
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/eljournal}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

pg_up() { .venv/bin/python scripts/ping.py postgres "$DATABASE_URL"; }
redis_up() { .venv/bin/python scripts/ping.py redis "$REDIS_URL"; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
  pg_up || { echo "PostgreSQL is not reachable at $DATABASE_URL and no local server could be started." >&2; exit 2; }
fi
if ! redis_up; then
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  redis_up || { echo "Redis is not reachable at $REDIS_URL and no local server could be started." >&2; exit 2; }
fi

exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup --create-db --durations=30 "$@"
