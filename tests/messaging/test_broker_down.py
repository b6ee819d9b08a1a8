"""The broker down while a teacher saves a 2 (the issue «Faults and bad input», finding 1): the mark is
answered saved at once, the parent's notification waits in its row (the outbox), and once the broker is
back the beat job e-mails it exactly once.

The broker is a real address nothing listens on (Celery stops running tasks inline for the test); the
Redis of the suite is not touched.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from journal import models as m
from messaging.models import Notification
from messaging.tasks import send_pending_emails
from tests.conftest import World

DEAD_BROKER = "redis://127.0.0.1:1/0"  # port 1: refused at once


@pytest.fixture
def broker_down() -> Iterator[None]:
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = DEAD_BROKER, False
    _forget_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _forget_connections()


def _forget_connections() -> None:
    """A connection pool made for another broker address would be reused: drop Celery's (the dead one's
    sockets were never opened)."""
    app._pool = None
    app.amqp._producer_pool = None


def test_a_two_saved_with_the_broker_down_is_saved_and_its_email_leaves_once_it_is_back(
    world: World, client_for: Callable[[str], Client], django_capture_on_commit_callbacks: Any, broker_down: None
) -> None:
    parent = world.users["parent"]
    parent.email = "mother@example.org"
    parent.save(update_fields=["email"])
    day = timezone.localdate() - datetime.timedelta(days=1)
    lesson = m.Lesson.objects.create(course=world.math_5a, date=day, slot=1)
    client = client_for("teacher")

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("journal:course_journal_cell", args=[world.math_5a.pk]),
            {"lesson": lesson.pk, "student": world.child.pk, "text": "2", "versions": "{}"},
        )
    took = time.monotonic() - started

    assert response.status_code == 200 and response.json()["saved"] is True and response.json()["text"] == "2"
    assert took < 5, took
    assert m.Mark.objects.get(lesson=lesson).value == "2"
    notification = Notification.objects.get(recipient=parent)
    assert notification.emailed_at is None and mail.outbox == []

    # The broker is back (tasks inline again); two runs of the beat job after the grace time.
    app.conf.task_always_eager = True
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert send_pending_emails.apply().get() == 1
    assert send_pending_emails.apply().get() == 0
    assert [message.to for message in mail.outbox] == [["mother@example.org"]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
