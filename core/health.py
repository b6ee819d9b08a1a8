"""``/health/``: whether the journal can work, for the compose health checks and a monitoring system.

Each part answers ``ok``, ``down`` or ``off`` (not configured: tasks run inline): the database (one
``SELECT 1``), the broker (a Redis ping, one-second timeout), the worker (its heartbeat, written by a beat
job every minute, younger than three minutes) and the disk the documents and homework files go to. 200
when every configured part is ok, else 503. No names, no numbers of people: safe to leave open.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

WORKER_KEY = "eljournal:worker:heartbeat"
WORKER_STALE_SECONDS = 180
MIN_FREE_BYTES = 500 * 1024 * 1024


def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)


def worker_heartbeat() -> None:
    """Written by the worker (a beat task every minute): the time it last ran a task."""
    if settings.CELERY_BROKER_URL:
        _redis().set(WORKER_KEY, str(time.time()), ex=WORKER_STALE_SECONDS * 2)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means the database cannot serve
        return "down"


def _broker_and_worker() -> tuple[str, str]:
    if not settings.CELERY_BROKER_URL:
        return "off", "off"
    try:
        client = _redis()
        client.ping()
        beat = client.get(WORKER_KEY)
    except Exception:  # noqa: BLE001
        return "down", "down"
    fresh = beat is not None and time.time() - float(beat) < WORKER_STALE_SECONDS
    return "ok", "ok" if fresh else "down"


def _disk() -> str:
    """Free space where the files go (the folder is made by the first upload: its nearest existing parent)."""
    folder = Path(settings.MEDIA_ROOT)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return "down"
    return "ok" if usage.free >= MIN_FREE_BYTES else "down"


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    broker, worker = _broker_and_worker()
    parts = {"database": _database(), "broker": broker, "worker": worker, "disk": _disk()}
    healthy = all(state in ("ok", "off") for state in parts.values())
    return JsonResponse({"status": "ok" if healthy else "down", **parts}, status=200 if healthy else 503)
