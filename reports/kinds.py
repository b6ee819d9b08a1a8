"""The reports the regulation names (§2.7, §4.3, §4.5), each with the span it is asked for and its builder.

A report of one class is built in the request; a report of the whole school runs as a generated document
in the background with its progress, except the two that are one table over the classes by nature
(headcount and movement), which stay small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reports.builders import Progress, ReportParams, signatures
from reports.builders.attendance import attendance_sheet, monthly_attendance
from reports.builders.movement import headcount, movement
from reports.builders.results import (
    class_teacher_report,
    final_data,
    results_by_subject,
    results_forecast,
    results_sheet,
)
from reports.document import Report


class Span(StrEnum):
    PERIOD = "period"  # a study period of the year
    MONTHS = "months"  # a range of months
    YEAR = "year"  # the whole academic year
    PERIOD_AND_DAY = "period_day"  # a period and a day in it


@dataclass(frozen=True)
class ReportKind:
    code: str
    title: Promise
    description: Promise
    span: Span
    build: Callable[[ReportParams, Progress | None], Report]
    # One table over the classes, small even for the whole school: built in the request.
    school_in_request: bool = False
    # Reads the period's marks: opens on the last finished period, not the one in progress.
    finished_period: bool = False

    def make(self, params: ReportParams, progress: Progress | None = None, *, actor: User | None = None) -> Report:
        """The report with the signatures its paper ends with (``actor``: who asks for it)."""
        report = self.build(params, progress)
        report.signatures = signatures(params, actor)
        return report


KINDS: dict[str, ReportKind] = {
    kind.code: kind
    for kind in (
        ReportKind(
            "attendance-months",
            _("Class attendance by month"),
            _("Per month students × days: lessons missed by reason, late arrivals; then the summary."),
            Span.MONTHS,
            monthly_attendance,
        ),
        ReportKind(
            "class-teacher",
            _("Class teacher's report for the period"),
            _("Composition, results with the lists of students by result, attendance, movement."),
            Span.PERIOD,
            class_teacher_report,
            finished_period=True,
        ),
        ReportKind(
            "results",
            _("Results of the class for the period"),
            _("Per subject the counts of 5/4/3/2/n/a/exempt, success, quality, SOU, the mean mark."),
            Span.PERIOD,
            results_by_subject,
            finished_period=True,
        ),
        ReportKind(
            "results-sheet",
            _("Summary sheet of results"),
            _("Students × subjects × periods, year, exam and final marks."),
            Span.YEAR,
            results_sheet,
        ),
        ReportKind(
            "attendance-sheet",
            _("Summary sheet of attendance"),
            _("Students × periods: days and lessons missed, by reason."),
            Span.YEAR,
            attendance_sheet,
        ),
        ReportKind(
            "movement",
            _("Movement of the students"),
            _("Arrivals and departures of the period with dates and orders; transfers between classes apart."),
            Span.PERIOD,
            movement,
            school_in_request=True,
        ),
        ReportKind(
            "headcount",
            _("Headcount of the classes"),
            _("Students of each class on a day and at the period's start and end, by level and for the school."),
            Span.PERIOD_AND_DAY,
            headcount,
            school_in_request=True,
        ),
        ReportKind(
            "final-data",
            _("Final data of the students"),
            _("Per student the year's marks, the result and the year's attendance."),
            Span.YEAR,
            final_data,
        ),
        ReportKind(
            "forecast",
            _("Forecast of the class's results"),
            _("Expected success and quality from the current averages; students at risk of a 2 or of n/a."),
            Span.PERIOD,
            results_forecast,
        ),
    )
}
