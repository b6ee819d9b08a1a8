"""``manage.py grow_history``: years of history under the demo school's current year, for benchmarks.

A school's server keeps every year's marks and attendance, so a query that reads a student's rows of every
year before picking a week grows slower with each year, which a freshly seeded school never shows. This
copies the lessons of the database (with their marks and attendance) ``--copies`` times, each 52 weeks
(364 days, the same weekdays) further back: the same courses and students, the dates of earlier years.
``--copies 4`` gives five years of marks and attendance, each student with five times the rows.

Run it on a scratch copy of a seeded database, never on one that matters::

    createdb -T eljournal_bench eljournal_bench_history
    DATABASE_URL=postgres://…/eljournal_bench_history manage.py grow_history --copies 4
    DATABASE_URL=postgres://…/eljournal_bench manage.py bench_pages --history-database eljournal_bench_history
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Max, Min, Model

from journal.models import AcademicYear, Attendance, Lesson, Mark

DAYS = 364  # 52 weeks: a copy falls on the same weekdays


def _columns(model: type[Model]) -> list[str]:
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


class Command(BaseCommand):
    help = (
        "Copies every lesson with its marks and attendance --copies times, each 52 weeks further back: years "
        "of history for benchmarks (PostgreSQL; run it on a scratch copy of a seeded database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--copies", type=int, default=4, help="earlier years to make (4: five years in all)")

    def handle(self, *args: Any, copies: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grow_history runs on PostgreSQL")
        last = Lesson.objects.aggregate(last=Max("pk"))["last"]
        if last is None:
            raise CommandError("No lessons: run seed_demo first")
        first_day = AcademicYear.objects.aggregate(first=Min("start"))["first"]
        if Lesson.objects.filter(date__lt=first_day).exists():
            raise CommandError("There are lessons before the first academic year: the history is grown already")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for k in range(1, copies + 1):
                shift = DAYS * k
                self._lessons(cursor, last, shift)
                for model in (Mark, Attendance):
                    self._rows(cursor, model, last, shift)
                self.stdout.write(f"  {k} year(s) back: {time.perf_counter() - started:.0f} s")
            for model in (Lesson, Mark, Attendance):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"lessons {Lesson.objects.count()}, marks {Mark.objects.count()}, "
            f"attendance {Attendance.objects.count()} ({time.perf_counter() - started:.0f} s)"
        )

    def _lessons(self, cursor: Any, last: int, shift: int) -> None:
        """The lessons up to ``last`` ``shift`` days earlier (a copy that would collide is left out)."""
        dated = {"date", "origin_date", "results_on"}
        columns = _columns(Lesson)
        values = [
            f"{c} - {shift}" if c in dated else (f"{c} - interval '{shift} days'" if c == "attendance_taken_at" else c)
            for c in columns
        ]
        table = Lesson._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "  # noqa: S608
            f"WHERE id <= %s ON CONFLICT DO NOTHING",
            [last],
        )

    def _rows(self, cursor: Any, model: type[Model], last: int, shift: int) -> None:
        """The rows of ``model`` on the lessons up to ``last``, on their copies ``shift`` days earlier."""
        columns = _columns(model)
        moved = {c: f"row.{c} - interval '{shift} days'" for c in columns if c.endswith("_at")}
        values = ["copy.id" if c == "lesson_id" else moved.get(c, f"row.{c}") for c in columns]
        lessons, table = Lesson._meta.db_table, model._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
            f"FROM {table} row JOIN {lessons} lesson ON lesson.id = row.lesson_id "
            f"JOIN {lessons} copy ON copy.course_id = lesson.course_id AND copy.slot = lesson.slot "
            f"AND copy.date = lesson.date - {shift} AND copy.id > %s "
            f"WHERE row.lesson_id <= %s",
            [last, last],
        )
