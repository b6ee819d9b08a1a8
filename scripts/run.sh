#!/usr/bin/env bash
# Zero-setup run: virtual environment, install, migrate (SQLite), demo school,
# server on http://127.0.0.1:8000. Tasks run inline (no broker needed).
# The demo school's generated documents (printouts, reports, the journal for
# binding) are made beside the server, as a worker would make them: the login
# page is up meanwhile and the documents page shows them as they are ready.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e .
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo --documents later ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"}
.venv/bin/python manage.py seed_demo --documents only &
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
