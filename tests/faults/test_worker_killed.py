"""A worker killed in the middle of a document (the issue «Faults and bad input», finding 6): SIGKILL while
the pages are made, a second worker on the same queue, the beat's recovery job. The claim of the dead run
is taken over once its heartbeat is older than the stale time, the document is made once, whole.

The worker beats every second and the stale time is three seconds here (90 s in production), so the
takeover is seen in seconds; the rule is the same.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from reports.models import DocumentStatus, GeneratedDocument
from reports.services.documents import documents_recover
from reports.services.printouts import weekly_printout_request
from tests.celery_worker import celery_worker
from tests.conftest import World, _enrol
from tests.factories import StudentFactory
from tests.reports.conftest import Week, day
from tests.reports.test_printout_pdf import page_count

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STUDENTS = 60  # enough pages that the run is still going when it is killed
WAIT_SECONDS = 120


def _until(check: Any, what: str, log: Any) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {WAIT_SECONDS} s:\n{log()[-3000:]}")
        time.sleep(0.05)


def test_a_document_whose_worker_is_killed_is_taken_over_and_made_once(
    week: Week, world: World, tmp_path: Path, media: Path, settings: Any
) -> None:
    for n in range(STUDENTS):
        _enrol(StudentFactory(school=world.school, last_name=f"Ученик{n:02}"), world.class_5a)
    settings.DOCUMENT_STALE_SECONDS = 3
    beats = {"MEDIA_ROOT": str(media), "DOCUMENT_HEARTBEAT_SECONDS": "1", "DOCUMENT_STALE_SECONDS": "3"}

    with celery_worker(tmp_path, "faults-killed", **beats) as first:
        document = weekly_printout_request(
            actor=world.users["class_teacher"], class_group=world.class_5a, week=day(2), all_students=True
        )
        row = GeneratedDocument.objects.filter(pk=document.pk)
        _until(lambda: row.filter(status=DocumentStatus.RUNNING, progress_done__gt=0).exists(), "no run", first)
        first.kill()
        dead = row.get()
        assert dead.status == DocumentStatus.RUNNING and dead.progress_done < dead.progress_total
        queue = first.queue

        with celery_worker(tmp_path, "faults-takeover", queue=queue, **beats) as second:
            _until(lambda: documents_recover() == 1, "not taken over", second)
            taken_over = time.monotonic()
            _until(lambda: row.get().status == DocumentStatus.DONE, "not made", second)

    made = row.get()
    assert made.attempts == 2, made.error
    assert (made.progress_done, made.progress_total) == (STUDENTS + 2, STUDENTS + 2)
    assert time.monotonic() - taken_over < WAIT_SECONDS
    assert page_count(made.file.read()) == STUDENTS + 2
    assert GeneratedDocument.objects.count() == 1
    assert len(list((media / made.file.name).parent.iterdir())) == 1  # the dead run left no file behind
    assert "Task reports.run_document[" in second()
