"""Time the whole school's reports the way the background job makes them (build, then the file).

Run on a generated school, e.g.::

    manage.py seed_demo --size large
    manage.py bench_reports --kinds results-sheet,attendance-sheet --formats xlsx,pdf

Prints, per report and format, the seconds to build it from the database (and its queries), the seconds to
write the file, its size and, for a PDF, its pages and pages per second; the load average before and
after. The period is the demo's last finished one, the months its span. A benchmark, not a test.
"""

from __future__ import annotations

import io
import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader

from journal.models import AcademicYear, StudyPeriod
from reports.builders import ReportParams
from reports.kinds import KINDS
from reports.render import report_pdf, report_xlsx


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Command(BaseCommand):
    help = "Times the whole school's reports: build and file (run seed_demo --size large first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kinds", default="results-sheet,attendance-sheet,results,final-data")
        parser.add_argument("--formats", default="xlsx,pdf")

    def handle(self, *args: Any, kinds: str, formats: str, **options: Any) -> None:
        year = AcademicYear.objects.filter(is_current=True).select_related("school").first()
        if year is None:
            raise CommandError("No current academic year: run seed_demo first.")
        today = timezone.localdate()
        period = (
            StudyPeriod.objects.filter(year=year, kind="quarter", end__lt=today).order_by("-end").first()
            or StudyPeriod.objects.filter(year=year).order_by("start").first()
        )
        if period is None:
            raise CommandError("The year has no study periods.")
        params = ReportParams(
            school=year.school,
            year=year,
            period=period,
            first_month=period.start.replace(day=1),
            last_month=period.end.replace(day=1),
            day=period.end,
        )
        self.stdout.write(f"load average: {_load()}; {year.school}, {period}")
        self.stdout.write(
            f"{'report':18} {'format':6} {'build s':>8} {'queries':>8} {'file s':>7} {'KB':>7} "
            f"{'pages':>6} {'pages/s':>8}"
        )
        with override("ru"):
            for code in [c.strip() for c in kinds.split(",") if c.strip()]:
                if code not in KINDS:
                    raise CommandError(f"Unknown report {code!r}: one of {', '.join(KINDS)}")
                for fmt in [f.strip() for f in formats.split(",") if f.strip()]:
                    self._one(code, fmt, params)
        self.stdout.write(f"load average: {_load()}")

    def _one(self, code: str, fmt: str, params: ReportParams) -> None:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            report = KINDS[code].make(params)
        built = time.perf_counter() - start
        start = time.perf_counter()
        content = report_xlsx(report) if fmt == "xlsx" else report_pdf(report)
        written = time.perf_counter() - start
        pages = len(PdfReader(io.BytesIO(content)).pages) if fmt == "pdf" else 0
        rate = f"{pages / written:8.1f}" if pages else f"{'':8}"
        self.stdout.write(
            f"{code:18} {fmt:6} {built:8.2f} {len(queries.captured_queries):8d} {written:7.2f} "
            f"{len(content) / 1024:7.0f} {pages or '':>6} {rate}"
        )
