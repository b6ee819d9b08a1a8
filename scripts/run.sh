#!/usr/bin/env bash
# Zero-setup run: virtual environment, install, migrate (SQLite), demo school,
# server on http://127.0.0.1:8000. Tasks run inline (no broker needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -c constraints.txt -e .
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py seed_demo ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"}
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
