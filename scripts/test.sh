#!/usr/bin/env bash
# The whole test suite on PostgreSQL and Redis (default local addresses;
# override with DATABASE_URL / REDIS_URL). Starts local servers when they are
# installed but down; otherwise says what is missing and stops.
# Every run is on a pinned day (tests/clock.py; JOURNAL_TODAY chooses it). With no
# arguments, two more runs follow the whole suite's:
#   - the write paths marked ``both_engines`` on SQLite, the zero-setup default
#     (each xdist worker its own in-memory database);
#   - the tests marked ``dated`` on each of tests/clock.py's CHECKED_DAYS
#     (a Monday, 31 December, a day of the summer holidays).
# With arguments (a file, -k …) only the PostgreSQL run, with them.
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

PYTEST=(.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist loadgroup)
if [ $# -gt 0 ]; then
  exec "${PYTEST[@]}" --create-db --durations=30 "$@"
fi

failed=()
run() { # run NAME ARGS…: a pytest run, its failure remembered (the other runs still go)
  local name=$1
  shift
  echo "== $name"
  "$@" || failed+=("$name (exit $?)")
}

run "whole suite, PostgreSQL" "${PYTEST[@]}" --create-db --durations=30
run "write paths, SQLite" env DATABASE_URL="sqlite:///$(mktemp -d)/journal-test.sqlite3" \
  "${PYTEST[@]}" --create-db -m both_engines
# Only the files holding dated tests are read (collecting the whole suite three times costs more than them).
mapfile -t dated_files < <(grep -rl --include='test_*.py' 'mark.dated' tests | sort)
for day in $(.venv/bin/python -c 'from tests.clock import CHECKED_DAYS; print(*CHECKED_DAYS)'); do
  run "dated tests on $day" env JOURNAL_TODAY="$day" .venv/bin/python -m pytest -n 0 -m dated "${dated_files[@]}"
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'Failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
