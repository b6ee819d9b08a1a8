"""THE real worker: a Celery worker process on Redis makes the class printout the class teacher asked for.

The worker runs as a subprocess against this test's own database (its name comes from the
connection, so it works under xdist too) and its own queue (two test runs sharing one Redis never take
each other's messages). The test process stops being eager only for this test. Set REDIS_URL to
choose the Redis database (default: redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

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
from django.test import Client
from django.urls import reverse

from config.celery import app
from reports.models import ACTIVE_STATUSES, DocumentStatus, GeneratedDocument
from tests.reports.conftest import WEEK_LABEL, Week, day
from tests.reports.test_printout_pdf import flat_text, page_count

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
WAIT_SECONDS = 90
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
    """Point the test process's Celery app at another broker; connections made for the old one are dropped."""
    app.conf.update(conf)
    # Celery keeps its connection pools (made on first use, e.g. for the default broker) until a fork.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker(tmp_path: Path, media: Path) -> Iterator[Callable[[], str]]:
    """A `celery -A config worker` on its own queue; the test process sends there instead of running eagerly."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can share with the test: PostgreSQL")
    redis.Redis.from_url(REDIS_URL).ping()
    queue = f"reports-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(media),
    }
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],  # fmt: skip
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    read_log = lambda: log.read_text(encoding="utf-8", errors="replace")  # noqa: E731
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


def _wait_until_finished(document: GeneratedDocument, worker_log: Callable[[], str]) -> GeneratedDocument:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status not in ACTIVE_STATUSES:
            return document
        time.sleep(0.5)
    pytest.fail(f"The worker did not finish document {document.pk} in {WAIT_SECONDS} s:\n{worker_log()[-4000:]}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_class_printout_the_class_teacher_asked_for(
    week: Week, client_for: Callable[[str], Client], worker: Callable[[], str]
) -> None:
    client = client_for("class_teacher")
    url = reverse("reports:class_printouts", args=[week.world.class_5a.pk])

    response = client.post(url, {"week": day(2).isoformat()})

    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    # The request only queued it; the page lists the week at once, whatever the worker has done by then.
    assert WEEK_LABEL in client.get(url).content.decode()

    document = _wait_until_finished(document, worker)

    assert document.status == DocumentStatus.DONE, document.error
    assert document.attempts == 1
    assert "Task reports.run_document[" in worker()
    download = client.get(reverse("reports:document_download", args=[document.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert page_count(data) == 1
    text = flat_text(data)
    for expected in ("Соколов Артём", "класс 5А", f"Неделя: {WEEK_LABEL}", "Отличный ответ у доски", "4,00 (4)"):
        assert expected in text, expected
    assert "Волкова" not in text
    assert "Пн 30.11" in text and "Пт 04.12" in text
