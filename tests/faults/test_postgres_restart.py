"""PostgreSQL restarted while a teacher saves the marks of a lesson (the issue «Faults and bad input»).

The test makes a cluster of its own (``pg_createcluster``), copies its school into it, and crashes it
(``pg_ctlcluster restart -m immediate``) in the middle of the saves. A save that meets the outage is
answered 503 «temporarily unavailable» (never 500) and the grid retries it with what it had sent, as it
does; a retry of a save that had in fact committed is answered saved. In the end every student has their
one mark, the history one entry each, every parent one letter.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal import models as m
from messaging.models import Notification
from messaging.tasks import send_pending_emails
from tests.conftest import World
from tests.faults.conftest import families_with_email
from tests.faults.servers import PostgresCluster, database_moved_to, postgres_cluster

pytestmark = pytest.mark.django_db(transaction=True)

STUDENTS = 24
RETRY_SECONDS = 60


@pytest.fixture
def crowded(world: World) -> list[m.Student]:
    return families_with_email(world, STUDENTS)


@pytest.fixture
def own_cluster(crowded: list[m.Student]) -> Iterator[PostgresCluster]:
    """The test's database, school and all, copied into a throw-away cluster; the test talks to that one."""
    with postgres_cluster() as cluster, database_moved_to(cluster):
        yield cluster


def test_marks_saved_while_the_database_crashes_and_restarts_are_each_stored_once(
    world: World, crowded: list[m.Student], own_cluster: PostgresCluster
) -> None:
    lesson = m.Lesson.objects.create(
        course=world.math_5a, date=timezone.localdate() - datetime.timedelta(days=1), slot=1
    )
    client = Client(raise_request_exception=False)
    client.force_login(world.users["teacher"])
    url = reverse("journal:course_journal_cell", args=[world.math_5a.pk])
    statuses: Counter[int] = Counter()
    crash = threading.Thread(target=own_cluster.restart, args=("immediate",), daemon=True)

    for n, student in enumerate(crowded):
        if n == 4:
            crash.start()
        deadline = time.monotonic() + RETRY_SECONDS
        while True:  # the grid's retry: the same text and versions until the answer says saved
            close_old_connections()  # what Django's handler does as a request starts (the test client does not)
            response = client.post(url, {"lesson": lesson.pk, "student": student.pk, "text": "2", "versions": "{}"})
            statuses[response.status_code] += 1
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            assert response.status_code == 503, response.content[:300]
            time.sleep(0.2)
        assert response.status_code == 200, (student, response.content[:300])
        assert response.json()["saved"] is True and response.json()["text"] == "2"

    crash.join(RETRY_SECONDS)
    assert not crash.is_alive()
    assert statuses[503] > 0, f"no save met the outage: {statuses}"
    assert set(statuses) <= {200, 503}, statuses
    stored = Counter(m.Mark.objects.filter(lesson=lesson).values_list("student_id", flat=True))
    assert stored == Counter(student.pk for student in crowded)
    created = Counter(m.Mark.history.filter(lesson_id=lesson.pk, history_type="+").values_list("student_id", flat=True))
    assert created == stored
    # A letter whose sending met the crash (after the mark's commit) waits in its row, the outbox; the beat's
    # job, run twice after its grace time, sends it. Each parent gets one letter: a crash between the SMTP
    # server's acceptance and the row's commit may send it again, under the same Message-ID (one letter).
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    send_pending_emails.apply()
    send_pending_emails.apply()
    letters = {(address, message.extra_headers["Message-ID"]) for message in mail.outbox for address in message.to}
    assert sorted(address for address, _id in letters) == [f"parent{n:02}@example.org" for n in range(STUDENTS)]
