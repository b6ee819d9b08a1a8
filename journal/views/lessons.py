"""One-off lesson changes, substitutions and their log, the schedule of assessment procedures.

Reading: the staff, each in their scope (a teacher the classes and courses
they teach, the administration the whole school); parents and students never
(§3.12). Writing: the deputy and the administrator (§4.5, §4.1); anyone else
who can see the lesson gets 403, outside the scope 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from journal.access import get_class_for_user, get_lesson_for_user, get_period_for_user, get_substitution_for_user
from journal.forms_lessons import (
    DateInput,
    ExtraLessonForm,
    MonthForm,
    MoveForm,
    RangeForm,
    ReasonForm,
    RoomForm,
    SubstituteLessonForm,
    SubstituteRangeForm,
)
from journal.models import ClassGroup, Lesson, LessonStatus, Substitution
from journal.selectors.assessment import (
    ScheduledTest,
    assessment_schedule,
    default_period,
    periods_of_school,
)
from journal.selectors.calendar import teaching_days
from journal.selectors.lessons import (
    can_change_timetable,
    changes_of_class,
    class_slots,
    describe_lesson,
    lessons_of_class,
    month_bounds,
    month_label,
    substitution_log,
    teachers_of_school,
    week_of,
)
from journal.selectors.scope import classes_visible_to, courses_visible_to
from journal.selectors.timetable import rooms_of_school
from journal.services.lessons import (
    lesson_add_extra,
    lesson_cancel,
    lesson_change_room,
    lesson_move,
    lesson_restore,
)
from journal.services.plans import lesson_set_results_on
from journal.services.substitutions import substitution_assign, substitution_assign_range, substitution_remove
from journal.templatetags.journal_forms import Choices
from journal.views.pages import staff_required
from reports.pdf import chunks, render_pdf_chunks
from reports.xlsx import build_xlsx

MAX_RANGE_DAYS = 42
# About ten landscape A4 pages (≈ 22 rows each) of the log per WeasyPrint run.
LOG_ROWS_PER_CHUNK = 220

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_editor(request: HttpRequest) -> None:
    if not can_change_timetable(request.user):
        raise PermissionDenied


def _flash_errors(request: HttpRequest, error: ValidationError | Form) -> None:
    if isinstance(error, Form):
        for name, errors in error.errors.items():
            label = error.fields[name].label if name in error.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
        return
    for message in error.messages:
        messages.error(request, message)


def _range(data: Any) -> tuple[datetime.date, datetime.date]:
    """The dates the changes page shows: ``start``–``end`` from the query, this week by default."""
    form = RangeForm(data)
    start, end = week_of(timezone.localdate())
    if form.is_valid():
        given_start, given_end = form.cleaned_data["start"], form.cleaned_data["end"]
        if given_start:
            start, end = given_start, given_end or given_start + datetime.timedelta(days=6)
        elif given_end:
            start, end = given_end - datetime.timedelta(days=6), given_end
    if end < start:
        start, end = end, start
    return start, min(end, start + datetime.timedelta(days=MAX_RANGE_DAYS - 1))


def _changes_url(class_id: int, start: datetime.date, end: datetime.date) -> str:
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    return f"{reverse('journal:changes_class', args=[class_id])}?{query}"


def _back_to_changes(request: HttpRequest, lesson: Lesson) -> HttpResponseRedirect:
    """Back to the page the form was on (its range travels in hidden fields), else the lesson's week."""
    if request.POST.get("start"):
        start, end = _range(request.POST)
    else:
        start, end = week_of(lesson.date)
    return redirect(_changes_url(lesson.course.class_group_id, start, end))


# --- Lesson changes -------------------------------------------------------------------------


@staff_required
def changes_index(request: HttpRequest) -> HttpResponse:
    classes = classes_visible_to(request.user, request.school).filter(year__is_current=True).order_by("grade", "letter")
    return render(request, "journal/changes/index.html", {"classes": classes})


@staff_required
def changes_class(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    start, end = _range(request.GET)
    lessons = list(lessons_of_class(class_group, start, end))
    days: dict[datetime.date, list[Lesson]] = {day: [] for day in teaching_days(class_group.year, start, end)}
    for lesson in lessons:
        days.setdefault(lesson.date, []).append(lesson)
    can_edit = can_change_timetable(request.user)
    context: dict[str, Any] = {
        "class_group": class_group,
        "start": start,
        "end": end,
        "previous_url": _changes_url(class_id, start - datetime.timedelta(days=7), end - datetime.timedelta(days=7)),
        "next_url": _changes_url(class_id, start + datetime.timedelta(days=7), end + datetime.timedelta(days=7)),
        "days": sorted(days.items()),
        "changes": changes_of_class(class_group, start, end),
        "can_edit": can_edit,
        "cancelled": LessonStatus.CANCELLED,
        "held": LessonStatus.HELD,
    }
    if can_edit:
        slots = class_slots(class_group)
        rooms = list(rooms_of_school(request.school))
        context |= {
            "slot_choices": Choices((n, _("lesson %(n)s") % {"n": n}) for n in slots),
            "room_choices": Choices([("", _("no room")), *((room.pk, room) for room in rooms)]),
            "extra_form": ExtraLessonForm(
                courses=_class_courses(request, class_group),
                slots=slots,
                rooms=rooms_of_school(request.school),
                initial={"date": start},
            ),
        }
    return render(request, "journal/changes/class.html", context)


def _class_courses(request: HttpRequest, class_group: ClassGroup) -> Any:
    return (
        courses_visible_to(request.user, request.school)
        .filter(class_group=class_group)
        .select_related("class_group", "subject", "subgroup")
        .order_by("subject__name", "subgroup__name")
    )


def _lesson_for_change(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id)
    _require_editor(request)
    return lesson


def _apply_change(
    request: HttpRequest, form: Form, change: Callable[[dict[str, Any]], Lesson], success: str
) -> Lesson | None:
    """Validate ``form``, run ``change`` on its data; flash the errors or ``success`` (``%(lesson)s``).

    Returns the changed lesson, ``None`` when the form or the service refused.
    """
    if not form.is_valid():
        _flash_errors(request, form)
        return None
    try:
        lesson = change(form.cleaned_data)
    except ValidationError as error:
        _flash_errors(request, error)
        return None
    messages.success(request, success % {"lesson": describe_lesson(lesson)})
    return lesson


@staff_required
@require_POST
def change_cancel(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        ReasonForm(request.POST),
        lambda data: lesson_cancel(actor=request.user, lesson=lesson, reason=data["reason"]),
        _("Cancelled: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_restore(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        ReasonForm(request.POST),
        lambda data: lesson_restore(actor=request.user, lesson=lesson, reason=data["reason"]),
        _("Restored: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        MoveForm(request.POST, slots=class_slots(lesson.course.class_group)),
        lambda data: lesson_move(
            actor=request.user, lesson=lesson, date=data["date"], slot=data["slot"], reason=data["reason"]
        ),
        _("Moved: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_room(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson_for_change(request, lesson_id)
    changed = _apply_change(
        request,
        RoomForm(request.POST, rooms=rooms_of_school(request.school)),
        lambda data: lesson_change_room(actor=request.user, lesson=lesson, room=data["room"], reason=data["reason"]),
        _("Room changed: %(lesson)s."),
    )
    return _back_to_changes(request, changed or lesson)


@staff_required
@require_POST
def change_extra(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    _require_editor(request)
    form = ExtraLessonForm(
        request.POST,
        courses=_class_courses(request, class_group),
        slots=class_slots(class_group),
        rooms=rooms_of_school(request.school),
    )
    start, end = _range(request.POST) if request.POST.get("start") else _range({})
    _apply_change(
        request,
        form,
        lambda data: lesson_add_extra(actor=request.user, **data),
        _("Extra lesson added: %(lesson)s."),
    )
    return redirect(_changes_url(class_group.pk, start, end))


# --- Substitutions and their log (журнал замещения, §4.4) -----------------------------------


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
            "can_edit": can_change_timetable(request.user),
            "query": query,
            "previous_url": _log_url(month - datetime.timedelta(days=1)),
            "next_url": _log_url(end + datetime.timedelta(days=1)),
        },
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
    return _attachment(pdf, "application/pdf", f"substitutions-{month:%Y-%m}.pdf")


@staff_required
def substitution_log_xlsx(request: HttpRequest) -> HttpResponse:
    month = _log_month(request)
    start, end = month_bounds(month)
    rows = _log_rows(substitution_log(request.user, request.school, start, end))
    content = build_xlsx(_("Substitution log"), _log_header(), rows)
    return _attachment(content, XLSX_TYPE, f"substitutions-{month:%Y-%m}.xlsx")


@staff_required
def substitution_assign_page(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    teachers = teachers_of_school(request.school)
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
    _require_editor(request)
    if request.method == "POST":
        lesson = substitution_remove(actor=request.user, substitution=substitution)
        messages.success(request, _("Substitution removed: %(lesson)s.") % {"lesson": describe_lesson(lesson)})
        return redirect(_log_url(lesson.date))
    return render(request, "journal/substitutions/remove.html", {"substitution": substitution})


# --- The results date of a test (§4.4) -----------------------------------------------------


class ResultsForm(Form):
    results_on = forms.DateField(
        label=gettext_lazy("Results given on"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
    )


@staff_required
@require_POST
def lesson_results(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The teacher (or the lesson's substitute) sets or clears the day a test's results were given."""
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    form = ResultsForm(request.POST)
    back = redirect(reverse("journal:lesson_detail", args=[lesson.pk]))
    if not form.is_valid():
        _flash_errors(request, form)
        return back
    try:
        lesson = lesson_set_results_on(actor=request.user, lesson=lesson, results_on=form.cleaned_data["results_on"])
    except ValidationError as error:
        _flash_errors(request, error)
        return back
    if lesson.results_on is None:
        messages.success(request, _("The results date of the test is cleared."))
    else:
        messages.success(
            request,
            _("The results of the test were given on %(day)s: its marks are due a day later.")
            % {"day": lesson.results_on.strftime("%d.%m.%Y")},
        )
    return back


# --- Assessment procedures -----------------------------------------------------------------


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
    return _attachment(content, XLSX_TYPE, f"assessment-{period.year.name.replace('/', '-')}-{period.pk}.xlsx")


urlpatterns = [
    path("changes/", changes_index, name="changes"),
    path("changes/classes/<int:class_id>/", changes_class, name="changes_class"),
    path("changes/classes/<int:class_id>/extra/", change_extra, name="change_extra"),
    path("changes/lessons/<int:lesson_id>/cancel/", change_cancel, name="change_cancel"),
    path("changes/lessons/<int:lesson_id>/restore/", change_restore, name="change_restore"),
    path("changes/lessons/<int:lesson_id>/move/", change_move, name="change_move"),
    path("changes/lessons/<int:lesson_id>/room/", change_room, name="change_room"),
    path("substitutions/", substitution_log_page, name="substitution_log"),
    path("substitutions/log.pdf", substitution_log_pdf, name="substitution_log_pdf"),
    path("substitutions/log.xlsx", substitution_log_xlsx, name="substitution_log_xlsx"),
    path("substitutions/assign/", substitution_assign_page, name="substitution_assign"),
    path("substitutions/<int:substitution_id>/remove/", substitution_remove_view, name="substitution_remove"),
    path("lessons/<int:lesson_id>/results/", lesson_results, name="lesson_results"),
    path("assessment/", assessment_page, name="assessment"),
    path("assessment/<int:period_id>/", assessment_page, name="assessment_period"),
    path("assessment/<int:period_id>/schedule.xlsx", assessment_xlsx, name="assessment_xlsx"),
]
