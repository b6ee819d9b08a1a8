"""Generated documents: one row per kind and parameters, claimed by one run, retried, failed with a reason, recovered.

Tasks run eagerly here (no broker in the test settings); the real worker is tested in test_worker.py.
"""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.models import DocumentStatus, GeneratedDocument
from reports.services.documents import (
    MAX_ATTEMPTS,
    document_claim,
    document_key,
    document_progress,
    document_run,
    documents_recover,
)
from reports.services.printouts import weekly_printout_request, weekly_printouts_request_all
from reports.tasks import MAX_RETRIES, backoff, request_weekly_printouts
from tests.reports.conftest import MONDAY, Week, day, flag
from tests.reports.test_pdf import pdf_text

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def request(week: Week, *, enqueue: bool = False, **kw) -> GeneratedDocument:
    return weekly_printout_request(
        actor=week.world.users["class_teacher"], class_group=week.world.class_5a, week=day(3), enqueue=enqueue, **kw
    )


def test_the_key_depends_on_school_kind_and_parameters_not_their_order() -> None:
    assert document_key(1, "weekly_printout", {"a": 1, "b": 2}) == document_key(1, "weekly_printout", {"b": 2, "a": 1})
    assert document_key(1, "weekly_printout", {"a": 1}) != document_key(2, "weekly_printout", {"a": 1})
    assert document_key(1, "weekly_printout", {"a": 1}) != document_key(1, "weekly_printout", {"a": 2})


def test_a_request_is_enqueued_after_commit_and_the_eager_run_makes_the_pdf(
    week: Week, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = request(week, enqueue=True)
    assert document.status == DocumentStatus.QUEUED
    assert document.parameters == {"class_id": week.world.class_5a.pk, "week": MONDAY.isoformat()}
    assert len(callbacks) == 1

    callbacks[0]()

    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE
    assert (document.progress_done, document.progress_total, document.percent) == (1, 1, 100)
    assert document.filename == "Распечатка 5А 30.11–06.12.2026.pdf"
    assert document.attempts == 1 and document.error == ""
    assert document.started_at and document.finished_at and document.finished_at >= document.started_at
    assert "Соколов Артём" in pdf_text(Path(document.file.path).read_bytes())


def test_requesting_the_same_week_twice_keeps_one_row_and_replaces_its_file(
    week: Week, django_capture_on_commit_callbacks
) -> None:
    first = request(week)
    document_run(document_id=first.pk)
    first.refresh_from_db()
    old_path = Path(first.file.path)
    assert old_path.exists()

    flag(week.world, "other_parent")
    second = request(week)
    assert second.pk == first.pk and second.status == DocumentStatus.QUEUED
    # Until the new run is done the old file stays where it was.
    assert old_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        document_run(document_id=second.pk)

    assert GeneratedDocument.objects.count() == 1
    second.refresh_from_db()
    assert second.status == DocumentStatus.DONE
    assert Path(second.file.path) != old_path
    assert not old_path.exists()
    text = pdf_text(Path(second.file.path).read_bytes())
    assert "Волкова Алиса" in text and "Соколов Артём" in text


def test_a_request_while_queued_or_running_changes_nothing(week: Week) -> None:
    document = request(week)
    claimed = document_claim(document_id=document.pk)
    assert claimed is not None

    again = request(week)

    assert again.pk == document.pk
    assert again.status == DocumentStatus.RUNNING
    assert GeneratedDocument.objects.get().run_token == claimed[1]


def test_only_one_run_claims_a_document(week: Week) -> None:
    document = request(week)

    first = document_claim(document_id=document.pk)
    second = document_claim(document_id=document.pk)

    assert first is not None and second is None
    assert document_run(document_id=document.pk) is None
    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.RUNNING, 1)


def test_a_run_given_up_by_recovery_cannot_overwrite_the_newer_one(week: Week) -> None:
    document = request(week)
    _doc, stale_token = document_claim(document_id=document.pk)
    GeneratedDocument.objects.filter(pk=document.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    documents_recover()
    _doc, token = document_claim(document_id=document.pk)

    document_progress(document_id=document.pk, token=stale_token, done=1, total=1)

    document.refresh_from_db()
    assert (document.run_token, document.progress_total) == (token, 0)


def test_no_document_for_a_class_without_printout_students(week: Week) -> None:
    flag(week.world, "parent", False)

    with pytest.raises(ValidationError) as error:
        request(week)

    assert "нет учащихся" in error.value.messages[0]
    assert "30 ноября – 6 декабря 2026 г." in error.value.messages[0]
    assert not GeneratedDocument.objects.exists()


def test_no_document_for_a_week_outside_the_year(week: Week) -> None:
    with pytest.raises(ValidationError) as error:
        weekly_printout_request(
            actor=None, class_group=week.world.class_5a, week=datetime.date(2027, 7, 5), enqueue=False
        )

    assert "не входит в учебный год" in error.value.messages[0]
    assert not GeneratedDocument.objects.exists()


def test_a_flag_removed_before_the_run_fails_the_document_with_the_reason(week: Week) -> None:
    document = request(week)
    flag(week.world, "parent", False)

    document = document_run(document_id=document.pk)

    assert document.status == DocumentStatus.FAILED
    assert document.error == (
        "За неделю 30 ноября – 6 декабря 2026 г. в классе 5А больше нет учащихся, родители которых "
        "получают бумажную распечатку."
    )
    assert not document.file


@pytest.fixture
def unwritable_media(settings, tmp_path: Path) -> Path:
    """MEDIA_ROOT is a file: every attempt to store the PDF fails with an OSError (transient)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker
    return blocker


def test_a_transient_error_is_retried_a_bounded_number_of_times_then_fails_with_the_reason(
    week: Week, unwritable_media: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        document = request(week, enqueue=True)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.attempts == MAX_RETRIES + 1
    assert document.error == (
        f"Не удалось записать файл документа. Документ не удалось сформировать за {MAX_RETRIES + 1} попыток."
    )
    assert document.run_token is None


def test_a_transient_error_before_the_last_attempt_puts_the_row_back_in_the_queue(
    week: Week, unwritable_media: Path
) -> None:
    document = request(week)

    with pytest.raises(OSError):
        document_run(document_id=document.pk, final_attempt=False)

    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.QUEUED, 1)
    assert document.error == "Не удалось записать файл документа."


def test_retries_back_off() -> None:
    assert [backoff(n) for n in range(MAX_RETRIES)] == [10, 20, 40, 80, 160]


def test_recovery_enqueues_documents_left_queued_or_running_and_they_are_made(
    week: Week, django_capture_on_commit_callbacks
) -> None:
    lost = request(week)  # its message never reached a worker
    GeneratedDocument.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_recover() == 1

    lost.refresh_from_db()
    assert lost.status == DocumentStatus.DONE


def test_recovery_requeues_a_run_whose_worker_died_and_gives_up_after_the_attempts(week: Week) -> None:
    document = request(week)
    document_claim(document_id=document.pk)
    # The worker was killed three minutes after it started; its heartbeat stopped two minutes ago.
    GeneratedDocument.objects.filter(pk=document.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=3),
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=2),
    )
    long_ago = timezone.now() - datetime.timedelta(hours=2)

    assert documents_recover() == 1
    document.refresh_from_db()
    assert (document.status, document.run_token) == (DocumentStatus.QUEUED, None)
    assert document.error == "Формирование документа прервалось; он снова поставлен в очередь."

    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, started_at=long_ago, attempts=MAX_ATTEMPTS
    )
    assert documents_recover() == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error == f"Формирование документа прерывалось {MAX_ATTEMPTS} раз; оно остановлено."


def test_a_long_run_that_still_beats_is_left_to_finish(week: Week) -> None:
    document = request(week)
    document_claim(document_id=document.pk)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=40),
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=30),
    )

    assert documents_recover() == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.RUNNING


def test_recovery_leaves_fresh_and_finished_documents_alone(week: Week) -> None:
    fresh = request(week)
    assert documents_recover() == 0
    document_run(document_id=fresh.pk)
    GeneratedDocument.objects.filter(pk=fresh.pk).update(requested_at=timezone.now() - datetime.timedelta(days=1))

    assert documents_recover() == 0
    fresh.refresh_from_db()
    assert fresh.status == DocumentStatus.DONE


def test_the_weekly_job_requests_this_weeks_printout_of_every_class_with_printout_students(
    week: Week, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents = weekly_printouts_request_all(today=day(5))

    assert [(d.class_group, d.week_start, d.requested_by) for d in documents] == [(week.world.class_5a, MONDAY, None)]
    assert len(callbacks) == 1


@pytest.mark.dated
def test_the_weekly_task_runs_on_the_current_week(week: Week, django_capture_on_commit_callbacks) -> None:
    # The task asks for the week holding the clock's day, whatever that day is: 5А has a printout family
    # in every week of the year, the fixture's or another.
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    with django_capture_on_commit_callbacks(execute=True):
        count = request_weekly_printouts.delay().get()

    assert count == 1
    assert [(d.class_group, d.week_start) for d in GeneratedDocument.objects.all()] == [
        (week.world.class_5a, this_monday)
    ]


@pytest.mark.parametrize(
    ("today", "monday"),
    [(day(2), MONDAY), (day(7), day(7)), (datetime.date(2026, 12, 31), datetime.date(2026, 12, 28))],
    ids=["the fixture's Wednesday", "the next Monday", "31 December"],
)
def test_the_weekly_task_asks_for_the_week_holding_the_pinned_day(
    week: Week, django_capture_on_commit_callbacks, today: datetime.date, monday: datetime.date
) -> None:
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=MOSCOW), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            count = request_weekly_printouts.delay().get()

    assert count == 1
    assert [(d.class_group, d.week_start) for d in GeneratedDocument.objects.all()] == [(week.world.class_5a, monday)]


def test_a_beat_request_keeps_the_teacher_who_asked_before(week: Week) -> None:
    teacher = week.world.users["class_teacher"]
    document = request(week)
    document_run(document_id=document.pk)

    weekly_printouts_request_all(today=day(5))

    document.refresh_from_db()
    assert (document.status, document.requested_by) == (DocumentStatus.QUEUED, teacher)
