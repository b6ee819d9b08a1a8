"""Time the weekly paper printouts of a whole school, made by the code the worker runs.

Run on a generated school, e.g.::

    manage.py seed_demo --size large
    manage.py bench_printouts              # the classes with printout students, one process
    manage.py bench_printouts --processes 2
    manage.py bench_printouts --all-students

Every class of the current year gets its document requested (``weekly_printout_request``, not
enqueued) and made (``document_run``, as ``reports.run_document`` does), in this process or split
over ``--processes`` forked ones (like a worker with that concurrency). Prints the total wall time,
the pages, seconds per page and the peak memory of a process. ``--all-students`` makes a page for
every student (the worst case: every parent on paper); those documents are deleted afterwards, so
the class teachers' pages keep only the real ones. A benchmark, not a test: numbers depend on the
machine.
"""

from __future__ import annotations

import datetime
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from demo.reports import last_finished_week
from journal.models import ClassGroup, School
from reports.models import DocumentStatus, GeneratedDocument
from reports.selectors.weekly_printout import classes_with_printouts, week_bounds
from reports.services.documents import document_run
from reports.services.printouts import weekly_printout_request


def _make(document_ids: list[int]) -> tuple[int, int, float]:
    """Run the documents one after another: (pages, failed, peak memory of this process in MB)."""
    pages = failed = 0
    for document_id in document_ids:
        document = document_run(document_id=document_id)
        if document is None or document.status != DocumentStatus.DONE:
            failed += 1
        else:
            pages += document.progress_total
    return pages, failed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_in_child(document_ids: list[int]) -> tuple[int, int, float]:
    try:
        return _make(document_ids)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Make the weekly paper printouts of every class of a school and print the time per page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", default=None, help="School name (default: the only or first school).")
        parser.add_argument(
            "--week", type=datetime.date.fromisoformat, default=None, help="Any day of the week (default: last week)."
        )
        parser.add_argument(
            "--all-students", action="store_true", help="A page for every student, not only the printout ones."
        )
        parser.add_argument("--processes", type=int, default=1, help="Forked processes sharing the classes.")

    def handle(
        self,
        *args: Any,
        school: str | None,
        week: datetime.date | None,
        all_students: bool,
        processes: int,
        **options: Any,
    ) -> None:
        found = School.objects.filter(name=school).first() if school else School.objects.order_by("pk").first()
        if found is None:
            raise CommandError("No such school; run manage.py seed_demo first.")
        monday = week_bounds(week)[0] if week else last_finished_week(timezone.localdate())
        if all_students:
            classes = list(
                ClassGroup.objects.filter(year__school=found, year__is_current=True)
                .select_related("year__school")
                .order_by("grade", "letter")
            )
        else:
            classes = classes_with_printouts(found, monday)
        if not classes:
            raise CommandError("No class to make a printout for (no parent asked for paper that week?).")

        started = time.monotonic()
        ids = [
            weekly_printout_request(
                actor=None, class_group=class_group, week=monday, all_students=all_students, enqueue=False
            ).pk
            for class_group in classes
        ]
        processes = max(1, min(processes, len(ids)))
        if processes == 1:
            results = [_make(ids)]
        else:
            # Fork after closing the connections: each process opens its own.
            connections.close_all()
            shares = [ids[i::processes] for i in range(processes)]
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_make_in_child, shares))
        elapsed = time.monotonic() - started

        pages = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        peak = max(r[2] for r in results)
        self.stdout.write(
            f"{found}: week from {monday:%d.%m.%Y}, {len(ids)} classes, {pages} pages"
            f"{' (every student)' if all_students else ''}, {processes} process(es)"
        )
        self.stdout.write(
            f"total {elapsed:.1f} s, {elapsed / max(pages, 1):.2f} s per page, peak memory {peak:.0f} MB per process"
        )
        if failed:
            errors = GeneratedDocument.objects.filter(pk__in=ids, status=DocumentStatus.FAILED).values_list(
                "error", flat=True
            )
            self.stdout.write(self.style.WARNING(f"{failed} documents failed: {sorted(set(errors))}"))
        if all_students:
            for document in GeneratedDocument.objects.filter(pk__in=ids):
                document.file.delete(save=False)
                document.delete()
