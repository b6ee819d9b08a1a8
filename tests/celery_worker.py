"""A real Celery worker for the tests that need one (marked ``worker``).

The worker runs as a subprocess against the test's own database (its name comes from the
connection, so it works under xdist too) and its own queue, so two test runs sharing one Redis
never take each other's messages. The test process stops running tasks eagerly only while the
worker runs. REDIS_URL chooses the Redis database (default: redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
READY_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _use_broker(**conf: object) -> None:
    """Point the test process's Celery app at another broker.

    Celery caches its connection pools, default queue and router at first use (an earlier test in
    this process may have built them for no broker): drop them so they follow the new settings.
    """
    app.conf.update(conf)
    app._pool = None
    app.amqp._producer_pool = None
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)


@contextmanager
def celery_worker(tmp_path: Path, name: str, **env: str) -> Iterator[Callable[[], str]]:
    """`celery -A config worker` on a queue of its own; yields a function that reads its log."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    redis.Redis.from_url(REDIS_URL).ping()
    queue = f"{name}-{uuid.uuid4().hex}"
    log = tmp_path / f"{name}-worker.log"
    environment = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        # What the worker's own tasks enqueue (a school document's classes) stays on its queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **env,
    }
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def read_log() -> str:
        return log.read_text(encoding="utf-8", errors="replace")

    try:
        # Until the worker has declared its queue, Redis would drop a message sent to it.
        deadline = time.monotonic() + READY_SECONDS
        while f"{queue}@" not in read_log() or " ready." not in read_log():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The worker did not start:\n{read_log()[-4000:]}")
            time.sleep(0.2)
        _use_broker(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
        yield read_log
    finally:
        _use_broker(**saved)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        redis.Redis.from_url(REDIS_URL).delete(
            queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))
        )
