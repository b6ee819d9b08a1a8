"""The weekly schedule (settings and beat), the recovery job's schedule, and the demo school's printouts."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

from django.conf import settings

from config.celery import app
from demo.reports import demo_printouts, last_finished_week
from reports.models import DocumentStatus, GeneratedDocument
from tests.reports.conftest import MONDAY, Week
from tests.reports.test_printout_pdf import flat_text

SCHEDULE_OF = (
    "from django.conf import settings; import django; django.setup(); "
    "s = settings.CELERY_BEAT_SCHEDULE['reports-weekly-printouts']['schedule']; "
    "print(sorted(s.day_of_week), sorted(s.hour), sorted(s.minute))"
)


def _settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCHEDULE_OF],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def _registered_tasks() -> set[str]:
    """The task names a worker of the project knows (after its autodiscovery)."""
    app.loader.import_default_modules()
    return set(app.tasks)


def test_beat_runs_the_weekly_printouts_on_saturday_at_ten_by_default() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["reports-weekly-printouts"]

    assert entry["task"] == "reports.request_weekly_printouts"
    assert entry["task"] in _registered_tasks()
    assert (entry["schedule"].day_of_week, entry["schedule"].hour, entry["schedule"].minute) == ({6}, {10}, {0})
    assert (settings.WEEKLY_PRINTOUT_DAY, settings.WEEKLY_PRINTOUT_TIME) == ("saturday", "10:00")


def test_the_day_and_time_come_from_the_environment() -> None:
    result = _settings_in_a_new_process(WEEKLY_PRINTOUT_DAY="Friday", WEEKLY_PRINTOUT_TIME="15:30")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[5] [15] [30]"


def test_a_bad_day_or_time_stops_the_settings_with_a_clear_message() -> None:
    result = _settings_in_a_new_process(WEEKLY_PRINTOUT_DAY="saturday", WEEKLY_PRINTOUT_TIME="25:00")

    assert result.returncode != 0
    assert "WEEKLY_PRINTOUT_TIME" in result.stderr


def test_the_recovery_job_runs_every_minute_and_the_outbox_every_five() -> None:
    """A dead run is taken over within about two minutes: 90 s without a heartbeat, then the next minute."""
    entry = settings.CELERY_BEAT_SCHEDULE["reports-recover-documents"]
    assert entry["task"] in _registered_tasks()
    assert entry["schedule"].minute == set(range(60))
    outbox = settings.CELERY_BEAT_SCHEDULE["messaging-pending-emails"]
    assert outbox["task"] in _registered_tasks()
    assert outbox["schedule"].minute == set(range(0, 60, 5))


def test_the_last_finished_week_ends_before_today() -> None:
    assert last_finished_week(datetime.date(2026, 12, 7)) == MONDAY  # Monday after
    assert last_finished_week(datetime.date(2026, 12, 6)) == datetime.date(2026, 11, 23)  # its own Sunday
    assert last_finished_week(datetime.date(2026, 12, 12)) == MONDAY  # Saturday after


def test_the_demo_makes_the_last_finished_weeks_printouts_done(week: Week) -> None:
    documents, pages = demo_printouts(week.world.school, datetime.date(2026, 12, 8))

    assert (documents, pages) == (1, 1)
    document = GeneratedDocument.objects.get()
    assert (document.status, document.class_group, document.week_start, document.requested_by) == (
        DocumentStatus.DONE,
        week.world.class_5a,
        MONDAY,
        None,
    )
    assert "Соколов Артём" in flat_text(document.file.read())


def test_the_benchmark_makes_the_schools_printouts_and_cleans_up_its_every_student_run(week: Week) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_printouts", "--week", "2026-12-02", stdout=out)
    call_command("bench_printouts", "--week", "2026-12-02", "--all-students", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "Школа № 1: week from 30.11.2026, 1 classes, 1 pages, 1 process(es)"
    assert lines[2] == "Школа № 1: week from 30.11.2026, 2 classes, 3 pages (every student), 1 process(es)"
    assert "s per page" in lines[1] and "s per page" in lines[3]
    # The class's real document stays; the every-student run leaves nothing behind.
    assert list(GeneratedDocument.objects.values_list("class_group", "status")) == [
        (week.world.class_5a.pk, DocumentStatus.DONE)
    ]
