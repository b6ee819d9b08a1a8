"""A real Celery worker on Redis sends the e-mail of a notification once the mark's transaction has committed.

The worker runs as a subprocess against this test's database and its own queue (as in
tests/reports/test_worker.py). Test settings give the worker the locmem mail backend, so the
letter is seen through the row it marks (``emailed_at``). REDIS_URL chooses the Redis database.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from journal import models as m
from journal.services.marks import mark_set
from messaging.models import Notification
from tests.conftest import World

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
WAIT_SECONDS = 60


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _forget_routes() -> None:
    """Celery caches its broker connection pool, default queue and router at first use (an earlier
    test in this process may have built them for no broker): drop them so they follow the settings."""
    app._pool = None
    app.amqp._producer_pool = None
    for name in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(name, None)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[[], str]]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    redis.Redis.from_url(REDIS_URL).ping()
    queue = f"messaging-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": REDIS_URL}
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
             "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
        _forget_routes()
        yield lambda: log.read_text(encoding="utf-8", errors="replace")
    finally:
        app.conf.update(saved)
        _forget_routes()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        redis.Redis.from_url(REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_the_parent_after_the_mark_commits(world: World, worker: Callable[[], str]) -> None:
    parent = world.users["parent"]
    parent.email = "mother@example.org"
    parent.save(update_fields=["email"])
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )

    mark_set(actor=world.users["teacher"], lesson=lesson, student=world.child, value="2")

    notification = Notification.objects.get(recipient=parent)
    deadline = time.monotonic() + WAIT_SECONDS
    while notification.emailed_at is None and time.monotonic() < deadline:
        time.sleep(0.5)
        notification.refresh_from_db()
    assert notification.emailed_at is not None, worker()[-4000:]
    assert "Task messaging.send_notification_email[" in worker()
    assert "succeeded" in worker()
