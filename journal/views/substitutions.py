"""The substitution log (журнал замещения, §4.4): the month's rows, as PDF and XLSX, assigning and removing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import deny_unless, staff_required
from core.pdf import chunks, render_pdf_chunks
from core.responses import pdf_response, xlsx_response
from core.xlsx import build_xlsx
from journal import rules
from journal.access import get_lesson_for_user, get_substitution_for_user
from journal.forms.lessons import (
    MonthForm,
    SubstituteLessonForm,
    SubstituteRangeForm,
)
from journal.models import Substitution
from journal.selectors.lessons import (
    describe_lesson,
    month_bounds,
    month_label,
    substitution_log,
)
from journal.selectors.schools import teachers_of_school
from journal.services.substitutions import substitution_assign, substitution_assign_range, substitution_remove

# About ten landscape A4 pages (≈ 22 rows each) of the log per WeasyPrint run.
LOG_ROWS_PER_CHUNK = 220


def _log_month(request: HttpRequest) -> datetime.date:
    return MonthForm(request.GET).month_or(timezone.localdate().replace(day=1)).replace(day=1)


def _log_rows(substitutions: Iterable[Substitution]) -> list[list[Any]]:
    rows = []
    for sub in substitutions:
        course = sub.lesson.course
        subject = f"{course.subject} ({course.subgroup.name})" if course.subgroup_id else str(course.subject)
        rows.append(
            [
                sub.lesson.date,
                str(course.class_group),
                subject,
                sub.lesson.slot,
                sub.absent_teacher.short_name,
                sub.substitute.short_name,
                sub.reason,
            ]
        )
    return rows


def _log_header() -> list[str]:
    return [
        _("Date"),
        _("Class"),
        _("Subject"),
        _("Lesson No."),
        _("Absent teacher"),
        _("Substitute"),
        _("Reason"),
    ]


def _log_url(month: datetime.date) -> str:
    return f"{reverse('journal:substitution_log')}?{urlencode({'month': month.strftime('%Y-%m')})}"


@staff_required
def substitution_log_page(request: HttpRequest) -> HttpResponse:
    month = _log_month(request)
    start, end = month_bounds(month)
    query = urlencode({"month": month.strftime("%Y-%m")})
    return render(
        request,
        "journal/substitutions/log.html",
        {
            "month": month,
            "month_label": month_label(month),
            "month_form": MonthForm(initial={"month": month}),
            "substitutions": substitution_log(request.user, request.school, start, end),
            "can_edit": rules.edits_timetable(request.user),
            "query": query,
            "previous_url": _log_url(month - datetime.timedelta(days=1)),
            "next_url": _log_url(end + datetime.timedelta(days=1)),
        },
    )


@staff_required
def substitution_log_pdf(request: HttpRequest) -> HttpResponse:
    month = _log_month(request)
    start, end = month_bounds(month)
    rows = _log_rows(substitution_log(request.user, request.school, start, end))
    common = {
        "landscape": True,
        "school": request.school,
        "period": month_label(month),
        "header": _log_header(),
    }
    contexts = [
        {**common, "rows": part, "first": i == 0, "offset": i * LOG_ROWS_PER_CHUNK}
        for i, part in enumerate(chunks(rows, LOG_ROWS_PER_CHUNK))
    ]
    pdf = render_pdf_chunks("reports/pdf/substitution_log.html", contexts)
    return pdf_response(pdf, f"substitutions-{month:%Y-%m}.pdf")


@staff_required
def substitution_log_xlsx(request: HttpRequest) -> HttpResponse:
    month = _log_month(request)
    start, end = month_bounds(month)
    rows = _log_rows(substitution_log(request.user, request.school, start, end))
    content = build_xlsx(_("Substitution log"), _log_header(), rows)
    return xlsx_response(content, f"substitutions-{month:%Y-%m}.xlsx")


@staff_required
def substitution_assign_page(request: HttpRequest) -> HttpResponse:
    deny_unless(rules.edits_timetable(request.user))
    teachers = teachers_of_school(request.school, active_only=True)
    lesson_id = request.POST.get("lesson") or request.GET.get("lesson")
    lesson = None
    if lesson_id:
        if not str(lesson_id).isdigit():
            raise Http404("No such lesson")
        lesson = get_lesson_for_user(request.user, request.school, int(lesson_id))
    form: SubstituteLessonForm
    if lesson is not None:
        form = SubstituteLessonForm(request.POST or None, teachers=teachers)
    else:
        form = SubstituteRangeForm(request.POST or None, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if lesson is not None:
                assigned = [
                    substitution_assign(
                        actor=request.user, lesson=lesson, substitute=data["substitute"], reason=data["reason"]
                    )
                ]
            else:
                assigned = substitution_assign_range(
                    actor=request.user,
                    absent_teacher=data["absent_teacher"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    substitute=data["substitute"],
                    reason=data["reason"],
                    school=request.school,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Substitute %(name)s assigned; lessons: %(count)s.")
                % {"name": data["substitute"].short_name, "count": len(assigned)},
            )
            return redirect(_log_url(assigned[0].lesson.date))
    return render(request, "journal/substitutions/assign.html", {"form": form, "lesson": lesson})


@staff_required
@require_http_methods(["GET", "POST"])
def substitution_remove_view(request: HttpRequest, substitution_id: int) -> HttpResponse:
    """GET asks to confirm (a mis-tap on a phone removes nothing), POST removes."""
    substitution = get_substitution_for_user(request.user, request.school, substitution_id)
    deny_unless(rules.edits_timetable(request.user))
    if request.method == "POST":
        lesson = substitution_remove(actor=request.user, substitution=substitution)
        messages.success(request, _("Substitution removed: %(lesson)s.") % {"lesson": describe_lesson(lesson)})
        return redirect(_log_url(lesson.date))
    return render(request, "journal/substitutions/remove.html", {"substitution": substitution})
