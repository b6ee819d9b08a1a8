"""THE real worker: a Celery worker process on Redis makes the class printout the class teacher asked for.

The worker (tests/celery_worker.py) runs against this test's own database and queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ACTIVE_STATUSES, DocumentStatus, GeneratedDocument
from tests.celery_worker import celery_worker
from tests.reports.conftest import WEEK_LABEL, Week, day
from tests.reports.test_printout_pdf import flat_text, page_count

WAIT_SECONDS = 90


@pytest.fixture
def worker(tmp_path: Path, media: Path) -> Iterator[Callable[[], str]]:
    with celery_worker(tmp_path, "reports-test", MEDIA_ROOT=str(media)) as read_log:
        yield read_log


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
