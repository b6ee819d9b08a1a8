"""The class teacher's desk (§4.3): the class's attendance by week, where the reasons of absences are
confirmed or corrected, and the overview of every student's marks and averages across subjects."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.decorators import staff_required
from core.messages import error_text
from core.params import date_param, int_param
from journal import rules
from journal.access import get_class_desk_for_user
from journal.models import Attendance, AttendanceReason, ClassGroup, Student
from journal.selectors.class_facts import (
    absence_rows,
    attendance_by_student,
    class_absences,
    class_attendance_rows,
    class_facts,
    final_values,
    lessons_per_day,
    period_policy,
    subject_summaries,
)
from journal.selectors.grading import attendance_letter
from journal.selectors.lessons import week_of
from journal.selectors.periods import default_period, grade_periods
from journal.services.conflicts import StaleEdit
from journal.services.marks import attendance_set_reasons


def _week(request: HttpRequest, class_group: ClassGroup) -> tuple[datetime.date, datetime.date]:
    year = class_group.year
    day = date_param(request, "week") or timezone.localdate()
    day = min(max(day, year.start), year.end)
    return week_of(day)


@staff_required
@require_GET
def class_attendance(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's absences and late arrivals of a week, day by day, each with its reason; the class
    teacher confirms or corrects a reason on the row (the director and the deputy read)."""
    class_group = get_class_desk_for_user(request.user, request.school, class_id)
    monday, sunday = _week(request, class_group)
    return render(request, "journal/classes/attendance.html", _attendance_context(request, class_group, monday, sunday))


@dataclass
class StudentDay:
    """A student's absences and late arrivals of one day: set together, or lesson by lesson."""

    student: Student
    day: datetime.date
    rows: list[Attendance]

    @property
    def reason(self) -> str:
        """The reason all the day's rows share ("" when they differ)."""
        reasons = {row.reason for row in self.rows}
        return reasons.pop() if len(reasons) == 1 else ""

    @property
    def key(self) -> str:
        return f"{self.student.pk}-{self.day:%Y%m%d}"


def _attendance_context(
    request: HttpRequest, class_group: ClassGroup, monday: datetime.date, sunday: datetime.date
) -> dict[str, object]:
    facts = class_facts(class_group, monday, sunday)
    policy = period_policy(facts)
    rows = list(absence_rows(class_group, monday, sunday))
    grouped: dict[tuple[datetime.date, int], StudentDay] = {}
    for row in rows:
        row.letter = attendance_letter(policy, row.status, row.reason)  # type: ignore[attr-defined]
        key = (row.lesson.date, row.student_id)
        if key not in grouped:
            grouped[key] = StudentDay(row.student, row.lesson.date, [])
        grouped[key].rows.append(row)
    days: dict[datetime.date, list[StudentDay]] = defaultdict(list)
    for (day, _student), student_day in grouped.items():
        days[day].append(student_day)
    totals = attendance_by_student(facts, class_absences(facts), lessons_per_day(facts))
    summary = [
        (entry.student, totals[entry.student.pk])
        for entry in facts.roster
        if totals[entry.student.pk].counts.missed or totals[entry.student.pk].counts.late
    ]
    return {
        "class_group": class_group,
        "monday": monday,
        "sunday": sunday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "days": sorted(days.items()),
        "summary": summary,
        "policy": policy,
        "reasons": AttendanceReason.choices,
        "corrects": rules.corrects_class_attendance(request.user, request.school, class_group.pk),
        "unconfirmed": sum(1 for row in rows if row.status == "absent" and row.reason == AttendanceReason.UNKNOWN),
    }


@staff_required
@require_POST
def class_attendance_reason(request: HttpRequest, class_id: int) -> HttpResponse:
    """Set one reason for the posted absences of the class (``attendance`` and ``version`` pairs: a lesson,
    or a student's whole day), all or none; htmx gets the student's day back, a plain form the week again
    with a message."""
    class_group = get_class_desk_for_user(request.user, request.school, class_id)
    ids, versions = request.POST.getlist("attendance"), request.POST.getlist("version")
    if not ids or len(ids) != len(versions) or not all(v.isdigit() for v in [*ids, *versions]):
        raise Http404("No such absence in the class")
    found = class_attendance_rows(class_group, [int(i) for i in ids])
    if len(found) != len(set(ids)):
        raise Http404("No such absence in the class")
    pairs = [(found[int(i)], int(v)) for i, v in zip(ids, versions, strict=True)]
    first = pairs[0][0]
    week = week_of(first.lesson.date)[0]
    failed = ""
    try:
        attendance_set_reasons(actor=request.user, rows=pairs, reason=request.POST.get("reason", ""))
    except StaleEdit as stale:
        failed = str(stale.message)
    except ValidationError as error:
        failed = error_text(error)
    url = f"{reverse('journal:class_attendance', args=[class_group.pk])}?week={week.isoformat()}"
    if getattr(request, "htmx", False):
        context = _attendance_context(request, class_group, week, week + datetime.timedelta(days=6))
        days = dict(context["days"])  # type: ignore[call-overload]
        block = next((d for d in days.get(first.lesson.date, []) if d.student.pk == first.student_id), None)
        if block is not None:
            outcome = {"failed": failed} if failed else {"saved": True}
            return render(request, "journal/classes/_student_day.html", {**context, "block": block, **outcome})
    if failed:
        messages.error(request, failed)
    else:
        messages.success(request, _("The reason is saved."))
    return redirect(url)


@staff_required
@require_GET
def class_overview(request: HttpRequest, class_id: int) -> HttpResponse:
    """Every student's average and marks count in every subject of the period (and the period mark once
    set), with the figures the grid shows: the class teacher need not open each subject's grid."""
    class_group = get_class_desk_for_user(request.user, request.school, class_id)
    periods = grade_periods(class_group.year_id, class_group.grade)
    chosen = int_param(request, "period")
    period = next((p for p in periods if p.pk == chosen), None) or default_period(periods, timezone.localdate())
    rows: list[tuple[object, list[object]]] = []
    subjects = []
    if period is not None:
        facts = class_facts(class_group, period.start, period.end)
        summaries = subject_summaries(facts)
        finals = final_values(facts, [period.kind], [period])
        subjects = facts.assessed_subjects()
        for entry in facts.roster:
            sid = entry.student.pk
            cells = [(summaries.get((sid, s.pk)), finals.get((sid, s.pk, str(period.pk)), "")) for s in subjects]
            rows.append((entry, cells))
    return render(
        request,
        "journal/classes/overview.html",
        {"class_group": class_group, "periods": periods, "period": period, "subjects": subjects, "rows": rows},
    )
