"""The school's structure as the staff read it: courses, classes and a student's card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import staff_required
from core.params import int_param
from journal import rules
from journal.access import course_access, get_class_for_user, get_student_for_user, get_year_for_user
from journal.forms.structure import CourseFilterForm
from journal.middleware import SESSION_KEY
from journal.models import Enrolment, Student, TeachingAssignment
from journal.permissions import open_assignments
from journal.selectors.class_facts import class_facts, final_values, marks_shown, subject_summaries
from journal.selectors.membership import class_roster, course_roster
from journal.selectors.periods import default_period, grade_periods
from journal.selectors.schools import teachers_of_school
from journal.selectors.scope import (
    classes_visible_to,
    courses_visible_to,
    students_visible_to,
)
from journal.selectors.timetable import day_in_year, years_of_school


def _teachers_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=TeachingAssignment.objects.filter(open_assignments()).select_related("teacher"),
        to_attr="open_assignments",
    )


# About three classes' courses: a page a phone scrolls through.
COURSES_PER_PAGE = 60


@staff_required
def course_list(request: HttpRequest) -> HttpResponse:
    """The courses the user sees this year, by class, filtered by a class or a teacher, a page at a time."""
    courses = courses_visible_to(request.user, request.school).filter(class_group__year__is_current=True)
    classes = classes_visible_to(request.user, request.school).filter(year__is_current=True).order_by("grade", "letter")
    form = CourseFilterForm(
        request.GET or None, classes=classes, teachers=teachers_of_school(request.school, active_only=True)
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data["class_group"] is not None:
            courses = courses.filter(class_group=form.cleaned_data["class_group"])
        if form.cleaned_data["teacher"] is not None:
            courses = courses.filter(
                assignments__in=TeachingAssignment.objects.filter(
                    open_assignments(), teacher=form.cleaned_data["teacher"]
                )
            ).distinct()
    courses = (
        courses.select_related("class_group", "subject", "subgroup")
        .prefetch_related(_teachers_prefetch())
        .order_by("class_group__grade", "class_group__letter", "subject__name", "subgroup__name", "pk")
    )
    page = Paginator(courses, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "journal/course_list.html",
        {"courses": page.object_list, "page": page, "form": form, "query": query.urlencode()},
    )


@staff_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    access = course_access(request.user, request.school, course_id)
    if access.substitute_only:
        raise Http404("No such course in your scope")
    course, can_edit = access.course, access.teaches
    assignments = course.assignments.select_related("teacher").order_by("date_from")
    day = day_in_year(course.class_group.year)
    roster = course_roster(course, day, day)
    return render(
        request,
        "journal/course_detail.html",
        {"course": course, "assignments": assignments, "roster": roster, "can_edit": can_edit},
    )


@staff_required
def class_list(request: HttpRequest) -> HttpResponse:
    """The classes of a year (``?year=``, the current one by default): past years read-only, next year's
    made by the new-year wizard to review."""
    year = get_year_for_user(request.user, request.school, int_param(request, "year"))
    classes = (
        classes_visible_to(request.user, request.school).filter(year=year).select_related("class_teacher", "home_room")
    )
    return render(
        request,
        "journal/class_list.html",
        {"classes": classes, "year": year, "years": years_of_school(request.school)},
    )


@staff_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    courses = (
        courses_visible_to(request.user, request.school)
        .filter(class_group=class_group)
        .select_related("subject", "subgroup")
        .prefetch_related(_teachers_prefetch())
    )
    roster = list(class_roster(class_group, day_in_year(class_group.year)))
    # A name is a link only for those who may open the student's card (a subject teacher may not).
    openable = set(
        students_visible_to(request.user, request.school)
        .filter(pk__in=[enrolment.student_id for enrolment in roster])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "journal/class_detail.html",
        {
            "class_group": class_group,
            "roster": roster,
            "openable": openable,
            "courses": courses,
            # The class teacher's documents of the class (weekly printouts, diary acknowledgements):
            # its class teacher and the administration.
            "leads_class": rules.manages_class_documents(request.user, request.school, class_group),
            # The class teacher's desk and the class's reports: its class teacher, the director, the deputy.
            "class_desk": rules.reads_class_reports(request.user, request.school, class_group.pk),
            "keeps_subgroups": rules.keeps_subgroups(request.user, request.school, class_group.pk),
            "requests_movement": rules.requests_movement(request.user, request.school, class_group.pk),
            "keeps_contacts": rules.keeps_contacts(request.user, request.school, class_group.pk),
        },
    )


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_student_for_user(request.user, request.school, student_id)
    enrolments = list(student.enrolments.select_related("class_group__year").order_by("-date_from"))
    parent_links = None
    if rules.is_staff(request.user):
        parent_links = student.parent_links.filter(ended_at__isnull=True).select_related("parent")
    return render(
        request,
        "journal/student_detail.html",
        {
            "student": student,
            "enrolments": enrolments,
            "parent_links": parent_links,
            **_period_marks(request, student, enrolments),
        },
    )


def _period_marks(request: HttpRequest, student: Student, enrolments: list[Enrolment]) -> dict[str, object]:
    """The student's marks, averages and period marks by subject in a period of the current class, for
    those who read the class's desk (the class teacher, the director, the deputy): the figures of the
    class overview, one student's row unfolded."""
    current = next((e for e in enrolments if e.class_group.year.is_current), None)
    if current is None or not rules.reads_class_reports(request.user, request.school, current.class_group_id):
        return {}
    class_group = current.class_group
    periods = grade_periods(class_group.year_id, class_group.grade)
    wanted = int_param(request, "period")
    period = next((p for p in periods if p.pk == wanted), None) or default_period(periods, timezone.localdate())
    if period is None:
        return {}
    facts = class_facts(class_group, period.start, period.end)
    summaries = subject_summaries(facts)
    shown = marks_shown(facts)
    finals = final_values(facts, [period.kind], [period])
    subjects = [
        (
            subject,
            shown.get((student.pk, subject.pk), []),
            summary,
            finals.get((student.pk, subject.pk, str(period.pk)), ""),
        )
        for subject in facts.assessed_subjects()
        if (summary := summaries.get((student.pk, subject.pk))) is not None
    ]
    return {"marks_class": class_group, "marks_period": period, "marks_periods": periods, "subject_marks": subjects}


@login_required
@require_POST
def school_switch(request: HttpRequest) -> HttpResponse:
    """Work in another school of the user's (a municipality server): the roles held there apply from now."""
    school = next((s for s in request.schools if s.pk == int_param(request, "school")), None)
    if school is None:
        raise Http404("Not a school of this user")
    request.session[SESSION_KEY] = school.pk
    messages.success(request, _("You are working in %(school)s.") % {"school": school.name})
    return redirect("home")
