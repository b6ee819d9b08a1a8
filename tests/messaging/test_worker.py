"""A real Celery worker on Redis sends the e-mail of a notification once the mark's transaction has committed.

The worker (tests/celery_worker.py) runs against this test's database; test settings give it the
locmem mail backend, so the letter is seen through the row it marks (``emailed_at``).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from journal import models as m
from journal.services.marks import mark_set
from messaging.models import Notification
from tests.celery_worker import celery_worker
from tests.conftest import World

WAIT_SECONDS = 60


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[[], str]]:
    with celery_worker(tmp_path, "messaging-test") as read_log:
        yield read_log


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
