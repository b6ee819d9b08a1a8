"""Time the whole school's journal of final marks for binding (§7.4), made by a real Celery worker on Redis.

Run on a generated school with a broker, e.g.::

    manage.py seed_demo --size large
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 manage.py bench_bound --complete

Starts ``celery worker`` (prefork, ``--concurrency``, default 2: the two cores of the target machine) under
``/usr/bin/time -v`` on a queue of its own, asks for the school's bound journal as the deputy's button does,
waits for it, stops the worker and prints the wall time, the classes printed and listed, the sheets, sheets
per second, the peak memory of any worker process and the load average. The classes' documents made before
are deleted first, so nothing is reused. ``--complete`` first gives every missing final mark of the finished
periods a «4» (the benchmark school then prints every class, as a real school in June). A benchmark, not a
test: numbers depend on the machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from config.celery import app
from journal.models import AcademicYear, FinalMark, Student, StudyPeriod
from monitoring.selectors import missing_finals
from reports.builders.bound import finished_periods
from reports.models import ACTIVE_STATUSES, DocumentKind, GeneratedDocument
from reports.services.bound import bound_request
from reports.services.documents import DocumentError


class Command(BaseCommand):
    help = "Time the school's journal of final marks for binding made by a real worker; print sheets/s and memory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument(
            "--complete", action="store_true", help="Give the missing final marks of finished periods a «4» first."
        )
        parser.add_argument("--timeout", type=int, default=900, help="Give up after this many seconds.")

    def handle(self, *args: Any, concurrency: int, complete: bool, timeout: int, **options: Any) -> None:
        broker = settings.CELERY_BROKER_URL
        if not broker:
            raise CommandError("Set CELERY_BROKER_URL (a Redis): the benchmark runs a real worker.")
        year = AcademicYear.objects.filter(is_current=True).select_related("school").first()
        if year is None:
            raise CommandError("No current year: run seed_demo --size large first.")
        deputy = User.objects.filter(username="deputy").first()
        if complete:
            self._complete(year, deputy)
        GeneratedDocument.objects.filter(kind=DocumentKind.BOUND_JOURNAL, school=year.school).delete()

        queue = f"bench-bound-{uuid.uuid4().hex[:8]}"
        log = Path(f"/tmp/{queue}.log")  # noqa: S108 - a benchmark's own log
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
                   f"--concurrency={concurrency}", "-Q", queue, "-n", f"{queue}@%h",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        timed = ["/usr/bin/time", "-v", *command] if Path("/usr/bin/time").exists() else command
        with log.open("w") as out:
            worker = subprocess.Popen(  # noqa: S603 - our own command line
                timed,
                cwd=settings.BASE_DIR,
                env={**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue},
                stdout=out,
                stderr=out,
            )  # noqa: S603
        try:
            time.sleep(3)
            app.conf.update(task_default_queue=queue)
            for name in ("queues", "default_queue", "router"):
                app.amqp.__dict__.pop(name, None)
            started = time.monotonic()
            try:
                school = bound_request(actor=deputy, year=year, kind=DocumentKind.BOUND_JOURNAL)
            except DocumentError as refused:  # before the year's marks exist (§7.4)
                raise CommandError(str(refused)) from refused
            shown = 0.0
            while True:
                school.refresh_from_db()
                if school.status not in ACTIVE_STATUSES or time.monotonic() - started > timeout:
                    break
                if time.monotonic() - shown > 10:
                    shown = time.monotonic()
                    self.stdout.write(
                        f"  {time.monotonic() - started:5.0f} s: {school.progress_done}/{school.progress_total}"
                    )
                time.sleep(0.5)
            elapsed = time.monotonic() - started
        finally:
            # Stop celery itself, not /usr/bin/time, so that time reports the memory once celery is out.
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
            pids = [int(p) for p in children.read_text().split()] if timed is not command and children.exists() else []
            for pid in pids or [worker.pid]:
                os.kill(pid, signal.SIGTERM)
            worker.wait(timeout=60)
        output = log.read_text(errors="replace")
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", output)
        children = GeneratedDocument.objects.filter(kind=DocumentKind.BOUND_JOURNAL, class_group__isnull=False)
        sheets = sum(int(d.findings[0]["sheets"]) for d in children if d.is_done and d.findings)
        load = os.getloadavg()
        self.stdout.write(f"status {school.status} {school.error}")
        self.stdout.write(f"classes printed {children.filter(status='done').count()}, listed {len(school.findings)}")
        self.stdout.write(
            f"sheets {sheets} in {elapsed:.1f} s: {sheets / elapsed:.2f} sheets/s, {concurrency} processes"
        )
        if peak:
            self.stdout.write(f"peak memory of a process {int(peak.group(1)) / 1024:.0f} MB")
        self.stdout.write(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} · ZIP {school.size / 1e6:.1f} MB")

    def _complete(self, year: AcademicYear, deputy: User | None) -> None:
        periods = list(StudyPeriod.objects.filter(year=year).exclude(kind="year"))
        today = timezone.localdate()
        rows = []
        students = {}
        for row in missing_finals(year, today, None, finished_periods(year, periods, today)):
            names = set(row.missing)
            roster = students.setdefault(
                row.course.class_group_id,
                {
                    s.short_name: s.pk
                    for s in Student.objects.filter(enrolments__class_group_id=row.course.class_group_id)
                },
            )
            for name in names:
                author = row.teachers[0] if row.teachers else deputy.pk if deputy else None
                rows.append(
                    FinalMark(
                        course=row.course,
                        student_id=roster[name],
                        kind=row.period.kind,
                        period=row.period if row.period.pk else None,
                        value="4",
                        author_id=author,
                    )
                )
        FinalMark.objects.bulk_create(rows, ignore_conflicts=True)
        self.stdout.write(f"gave {len(rows)} missing final marks a «4»")
