"""The bare ceilings of the benchmarks: the least a Django view does to show or save the same rows.

Each reads the rows a page of the journal reads, in as few queries as plain Django allows, and renders a
plain table: no access rules, no statistics, no history. ``bench_pages`` times a page against its ceiling
alternately in one run, so the ratio holds when the machine's load changes. They are routed only by
``demo.bench_urls`` (``BENCH_VIEWS=1``), never in a normal deployment.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from journal.models import Attendance, Course, Enrolment, Lesson, Mark, Student


def _dates(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    return datetime.date.fromisoformat(request.GET["start"]), datetime.date.fromisoformat(request.GET["end"])


@login_required
def bare_grid(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's students × lessons with their marks: 4 queries (course, lessons, students, marks)."""
    start, end = _dates(request)
    course = get_object_or_404(Course.objects.select_related("class_group", "subject"), pk=course_id)
    lessons = list(Lesson.objects.filter(course=course, date__range=(start, end)).order_by("date", "slot"))
    students = list(
        Student.objects.filter(
            pk__in=Enrolment.objects.filter(class_group=course.class_group, date_from__lte=end).values("student_id")
        ).order_by("last_name", "first_name")
    )
    marks: dict[tuple[int, int], list[str]] = {}
    for student_id, lesson_id, value in Mark.objects.filter(lesson__in=lessons).values_list(
        "student_id", "lesson_id", "value"
    ):
        marks.setdefault((student_id, lesson_id), []).append(value)
    rows = [(s, ["/".join(marks.get((s.pk, lesson.pk), [])) for lesson in lessons]) for s in students]
    return render(request, "demo/bare_grid.html", {"course": course, "lessons": lessons, "rows": rows})


@login_required
@require_POST
def bare_save(request: HttpRequest) -> JsonResponse:
    """One mark written: an UPDATE of the cell's row, an INSERT when there is none (one transaction)."""
    lesson_id, student_id, value = int(request.POST["lesson"]), int(request.POST["student"]), request.POST["text"]
    with transaction.atomic():
        updated = Mark.objects.filter(lesson_id=lesson_id, student_id=student_id, position=1).update(value=value)
        if not updated:
            Mark.objects.create(lesson_id=lesson_id, student_id=student_id, value=value, author=request.user)
    return JsonResponse({"saved": True, "text": value})


@login_required
def bare_week(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's week: the class's lessons with subject and homework, the student's marks and absences
    (4 queries: the enrolment, lessons, marks, attendance)."""
    start, end = _dates(request)
    enrolment = Enrolment.objects.filter(student_id=student_id, date_from__lte=end).order_by("-date_from").first()
    if enrolment is None:
        raise Http404("No enrolment")
    lessons = list(
        Lesson.objects.filter(course__class_group_id=enrolment.class_group_id, date__range=(start, end))
        .select_related("course__subject", "homework")
        .order_by("date", "slot")
    )
    marks: dict[int, list[str]] = {}
    for lesson_id, value in Mark.objects.filter(lesson__in=lessons, student_id=student_id).values_list(
        "lesson_id", "value"
    ):
        marks.setdefault(lesson_id, []).append(value)
    absent = set(
        Attendance.objects.filter(lesson__in=lessons, student_id=student_id).values_list("lesson_id", flat=True)
    )
    items = [(lesson, marks.get(lesson.pk, []), lesson.pk in absent) for lesson in lessons]
    return render(request, "demo/bare_week.html", {"items": items})


@login_required
def bare_monitoring(request: HttpRequest) -> HttpResponse:
    """The school dashboard's aggregates from the same selectors, as plain rows: no sections, no cells, no
    page around them (what the deputy's dashboard costs beyond its figures)."""
    from django.utils import timezone

    from journal.models import AcademicYear
    from journal.selectors.lessons import week_of
    from monitoring import selectors as figures

    year = AcademicYear.objects.select_related("school").get(school__memberships__user=request.user, is_current=True)
    today = timezone.localdate()
    monday = week_of(today)[0]
    rows = [
        f"{w.teacher_id} {w.due} {w.held} {w.no_topic} {w.no_homework} {w.no_attendance} {w.marks}"
        for w in figures.teacher_weeks(year, monday, today, today)
    ]
    rows += [f"{r.course.pk} {len(r.below)}" for r in figures.marks_filling(year, today) if r.below][:50]
    rows += [f"{r.course.pk} {r.figures.behind if r.figures else '-'}" for r in figures.plan_coverage(year, today)]
    rows += [f"{r.course.pk} {len(r.missing)}" for r in figures.missing_finals(year, today)]
    rows += [f"{r.class_group.pk} {r.parents} {r.parents_never}" for r in figures.families(year, monday, today)]
    _dates, use = figures.use_by_role(year.school, today)
    rows += [f"{u.role} {u.month}" for u in use]
    rows += [f"{c.pk}" for c in figures.control_checks(year)]
    return HttpResponse("<table>" + "".join(f"<tr><td>{r}</td></tr>" for r in rows) + "</table>")
