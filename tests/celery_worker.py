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
from collections.abc import Iterator
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


class Worker:
    """A running worker: calling it reads its log; ``process`` is the ``celery`` process (a fault test
    kills it)."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path, queue: str) -> None:
        self.process, self.log, self.queue = process, log, queue

    def __call__(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no clean-up of any kind."""
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def celery_worker(
    tmp_path: Path, name: str, *, broker: str = REDIS_URL, queue: str | None = None, **env: str
) -> Iterator[Worker]:
    """`celery -A config worker` on a queue of its own (or ``queue``, shared by a second worker that takes
    over); yields the :class:`Worker`. ``broker``: another Redis than the suite's (a fault test's own)."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    redis.Redis.from_url(broker).ping()
    queue = queue or f"{name}-{uuid.uuid4().hex}"
    node = f"{name}-{uuid.uuid4().hex[:8]}"
    log = tmp_path / f"{node}-worker.log"
    environment = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        # What the worker's own tasks enqueue (a school document's classes) stays on its queue.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **env,
    }
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    with log.open("w") as out:
        process = subprocess.Popen(
            # On the suite's pinned clock (tests/clock.py), as the test that enqueues its tasks.
            [sys.executable, "-m", "tests.clock", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "-Q", queue, "-n", f"{node}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    worker = Worker(process, log, queue)
    try:
        # Until the worker has declared its queue, Redis would drop a message sent to it.
        deadline = time.monotonic() + READY_SECONDS
        while f"{node}@" not in worker() or " ready." not in worker():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The worker did not start:\n{worker()[-4000:]}")
            time.sleep(0.2)
        _use_broker(task_always_eager=False, broker_url=broker, task_default_queue=queue)
        yield worker
    finally:
        _use_broker(**saved)
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        _forget_queue(broker, queue)


def _forget_queue(broker: str, queue: str) -> None:
    try:
        redis.Redis.from_url(broker, socket_timeout=2).delete(
            queue, *(f"_kombu.{kind}.{queue}" for kind in ("binding", "binding_permanent"))
        )
    except redis.RedisError:  # the fault test's own Redis is gone already: nothing left to forget
        pass
