"""The broker fails while teachers save marks (the issue «Faults and bad input»): a Redis of the test's own
and a real Celery worker on it; the Redis is killed, or frozen, in the middle of the saves.

Every save is answered saved within seconds, every mark is stored once, every parent's notification row is
there, and once the broker is back the beat's outbox job has each letter sent exactly once, the letters a
late message may still bring included.
"""

from __future__ import annotations

import datetime
import email
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from messaging.models import Notification
from messaging.tasks import send_pending_emails
from tests.celery_worker import Worker, celery_worker
from tests.conftest import World
from tests.faults.conftest import families_with_email
from tests.faults.servers import RedisServer, redis_server

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ANSWER_SECONDS = 5  # a save waits about a second for the broker; without the timeouts it hung for a minute
WAIT_SECONDS = 60


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def letters(tmp_path: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    return folder


@pytest.fixture
def worker(tmp_path: Path, broker: RedisServer, letters: Path) -> Iterator[Worker]:
    with celery_worker(tmp_path, "faults-broker", broker=broker.url, TEST_EMAIL_DIR=str(letters)) as running:
        yield running


@pytest.fixture
def families(world: World) -> list[m.Student]:
    return families_with_email(world, 8)


def _recipients(letters: Path) -> list[str]:
    """Everyone a letter went to, once per letter (the file backend writes what it sends)."""
    found = []
    for path in letters.iterdir():
        for chunk in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                found.extend(address.strip() for address in email.message_from_string(chunk)["To"].split(","))
    return sorted(found)


def _save_two(client: Client, world: World, lesson: m.Lesson, student: m.Student) -> tuple[int, float]:
    started = time.monotonic()
    response = client.post(
        reverse("journal:course_journal_cell", args=[world.math_5a.pk]),
        {"lesson": lesson.pk, "student": student.pk, "text": "2", "versions": "{}"},
    )
    took = time.monotonic() - started
    assert response.status_code != 200 or response.json()["saved"] is True
    return response.status_code, took


def _outbox_after_the_broker_is_back(worker: Worker, letters: Path, expected: list[str]) -> None:
    """The grace time has passed; the beat runs the outbox job twice; every letter leaves once."""
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    unsent = Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
    send_pending_emails.delay()
    deadline = time.monotonic() + WAIT_SECONDS
    while unsent.exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not unsent.exists(), worker()[-1500:]
    send_pending_emails.delay()  # the next beat finds nothing more to send
    time.sleep(2)
    assert _recipients(letters) == sorted(expected)


@pytest.mark.parametrize("fault", ["killed", "frozen"])
def test_saves_while_the_broker_fails_are_answered_saved_and_each_letter_leaves_once_it_is_back(
    world: World,
    families: list[m.Student],
    client_for: Callable[[str], Client],
    broker: RedisServer,
    worker: Worker,
    letters: Path,
    fault: str,
) -> None:
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )
    client = client_for("teacher")
    first, during, after = families[:3], families[3:6], families[6:]

    answers = [_save_two(client, world, lesson, student) for student in first]
    broker.stop() if fault == "killed" else broker.hang()
    answers += [_save_two(client, world, lesson, student) for student in during]
    broker.start() if fault == "killed" else broker.resume()
    answers += [_save_two(client, world, lesson, student) for student in after]

    assert [status for status, _took in answers] == [200] * len(families)
    faulty = answers[len(first) : len(first) + len(during)]
    assert max(took for _status, took in faulty) < ANSWER_SECONDS, faulty
    stored = list(m.Mark.objects.filter(lesson=lesson).values_list("student_id", "value"))
    assert sorted(stored) == sorted((student.pk, "2") for student in families)
    parents = Notification.objects.filter(student__in=families, recipient__username__startswith="parent")
    assert parents.count() == len(families)
    _outbox_after_the_broker_is_back(worker, letters, [f"parent{n:02}@example.org" for n in range(len(families))])
