"""The schedule of assessment procedures (контрольные) of a period, with the rules' warnings, and its XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.decorators import staff_required
from core.responses import xlsx_response
from core.xlsx import build_xlsx
from journal.access import get_period_for_user
from journal.models import ClassGroup
from journal.selectors.assessment import (
    ScheduledTest,
    assessment_schedule,
    default_period,
    periods_of_school,
)


def _by_class(rows: list[ScheduledTest]) -> list[tuple[ClassGroup, list[ScheduledTest]]]:
    grouped: dict[int, tuple[ClassGroup, list[ScheduledTest]]] = {}
    for row in rows:
        class_group = row.lesson.course.class_group
        grouped.setdefault(class_group.pk, (class_group, []))[1].append(row)
    return list(grouped.values())


@staff_required
def assessment_page(request: HttpRequest, period_id: int | None = None) -> HttpResponse:
    if period_id is None:
        period = default_period(request.school, timezone.localdate())
    else:
        period = get_period_for_user(request.school, period_id)
    rows = assessment_schedule(request.user, request.school, period) if period is not None else []
    return render(
        request,
        "journal/changes/assessment.html",
        {
            "period": period,
            "periods": periods_of_school(request.school),
            "classes": _by_class(rows),
            "tests_count": len(rows),
            "warned_count": sum(1 for row in rows if row.warnings),
        },
    )


@staff_required
def assessment_xlsx(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_period_for_user(request.school, period_id)
    rows = [
        [
            str(row.lesson.course.class_group),
            f"{row.lesson.course.subject} ({row.lesson.course.subgroup.name})"
            if row.lesson.course.subgroup_id
            else str(row.lesson.course.subject),
            row.lesson.date,
            row.lesson.slot,
            row.lesson.teacher.short_name if row.lesson.teacher_id else "",
            "; ".join(w.message for w in row.warnings),
        ]
        for row in assessment_schedule(request.user, request.school, period)
    ]
    header = [_("Class"), _("Subject"), _("Date"), _("Lesson No."), _("Teacher"), _("Warning")]
    content = build_xlsx(_("Assessment procedures"), header, rows)
    return xlsx_response(content, f"assessment-{period.year.name.replace('/', '-')}-{period.pk}.xlsx")
