"""The diary of parents and students: the week, the subjects of a period, a subject, attendance, files."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.params import parse_day
from core.responses import stored_file_response
from diary.access import get_diary_homework_file_for_user, get_diary_student_with_children
from diary.selectors.acknowledgements import week_acknowledgement_of
from diary.selectors.attendance import attendance_summary
from diary.selectors.children import diary_students_for
from diary.selectors.common import choose_period, student_enrolments
from diary.selectors.subjects import student_course_for, subject_view, subjects_of_period
from diary.selectors.week import monday_of, student_week
from diary.services.acknowledgements import week_acknowledge
from journal.models import Student
from journal.rules import is_parent_of, reads_diary


def week_from_query(request: HttpRequest, raw: str | None) -> datetime.date:
    """The Monday of ``?week=``; a malformed date gets a message and the current week."""
    try:
        day = parse_day(raw)
    except ValueError:
        messages.error(request, _("«%(value)s» is not a date; the current week is shown.") % {"value": raw})
        day = None
    return monday_of(day or timezone.localdate())


def _period_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _base_context(student: Student, children: list[Student], section: str) -> dict[str, Any]:
    return {"student": student, "children": children, "section": section}


def _week_pdf_url(student: Student, monday: datetime.date) -> str:
    """The paper printout of the week (reports app)."""
    return reverse("reports:student_week_pdf", kwargs={"student_id": student.pk}) + f"?week={monday.isoformat()}"


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Parents and students go on to the week of the (first) child; a parent without children is told so."""
    if not reads_diary(request.user):
        raise PermissionDenied
    first = diary_students_for(request.user, request.school).first()
    if first is None:
        return render(request, "diary/no_children.html")
    return redirect("diary:week", student_id=first.pk)


def _render_week(
    request: HttpRequest, student: Student, children: list[Student], monday: datetime.date, status: int = 200
) -> HttpResponse:
    week = student_week(student, monday)
    parent, acknowledged_at = week_acknowledgement_of(request.user, student, monday)
    context = _base_context(student, children, "week")
    context.update(
        week=week,
        today=timezone.localdate(),
        is_parent=parent,
        acknowledged_at=acknowledged_at,
        can_acknowledge=parent and monday <= timezone.localdate(),
        pdf_url=_week_pdf_url(student, monday),
        switch_query=f"?week={monday.isoformat()}",
    )
    return render(request, "diary/week.html", context, status=status)


@login_required
@require_GET
def week(request: HttpRequest, student_id: int) -> HttpResponse:
    student, children = get_diary_student_with_children(request.user, request.school, student_id)
    return _render_week(request, student, children, week_from_query(request, request.GET.get("week")))


@login_required
@require_POST
def acknowledge(request: HttpRequest, student_id: int) -> HttpResponse:
    """«Ознакомлен»: only a parent of the child (a student reads their own diary but does not sign it)."""
    student, children = get_diary_student_with_children(request.user, request.school, student_id)
    if not is_parent_of(request.user, student):
        raise PermissionDenied
    raw = request.POST.get("week", "")
    try:
        day = parse_day(raw)
        if day is None:
            raise ValidationError(_("Which week? The form names none."))
        ack = week_acknowledge(actor=request.user, student=student, week_start=day)
    except ValueError:
        messages.error(request, _("«%(value)s» is not a date.") % {"value": raw})
        return _render_week(request, student, children, monday_of(timezone.localdate()), status=400)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render_week(request, student, children, monday_of(day or timezone.localdate()), status=400)
    local = timezone.localtime(ack.acknowledged_at)
    messages.success(request, _("Acknowledged on %(when)s.") % {"when": f"{local:%d.%m.%Y %H:%M}"})
    return redirect(reverse("diary:week", kwargs={"student_id": student.pk}) + f"?week={ack.week_start.isoformat()}")


def _period_page(request: HttpRequest, student_id: int, section: str) -> tuple[Student, dict[str, Any]]:
    student, children = get_diary_student_with_children(request.user, request.school, student_id)
    enrolments = student_enrolments(student)
    choice = choose_period(enrolments, timezone.localdate(), _period_id(request.GET.get("period")))
    context = _base_context(student, children, section)
    context.update(choice=choice, enrolments=enrolments, period=choice.period if choice else None)
    if choice and choice.period:
        context["switch_query"] = f"?period={choice.period.pk}"
    return student, context


@login_required
@require_GET
def subjects(request: HttpRequest, student_id: int) -> HttpResponse:
    student, context = _period_page(request, student_id, "subjects")
    if context["period"] is not None:
        context["rows"] = subjects_of_period(student, context["enrolments"], context["period"])
    return render(request, "diary/subjects.html", context)


@login_required
@require_GET
def subject(request: HttpRequest, student_id: int, course_id: int) -> HttpResponse:
    student, context = _period_page(request, student_id, "subjects")
    course = student_course_for(student, context["enrolments"], course_id)
    if course is None:
        raise Http404("Not a course of this student")
    context["course"] = course
    if context["period"] is not None:
        context["view"] = subject_view(student, course, context["period"])
    return render(request, "diary/subject.html", context)


@login_required
@require_GET
def attendance(request: HttpRequest, student_id: int) -> HttpResponse:
    student, context = _period_page(request, student_id, "attendance")
    if context["period"] is not None:
        context["summary"] = attendance_summary(student, context["period"])
    return render(request, "diary/attendance.html", context)


@login_required
@require_GET
def homework_file(request: HttpRequest, student_id: int, file_id: int) -> HttpResponseBase:
    row = get_diary_homework_file_for_user(request.user, request.school, student_id, file_id)
    return stored_file_response(row.file, row.original_name, row.content_type)
