from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role
from journal.access import get_class_for_user, get_course_for_user, get_student_for_user
from journal.models import ParentLink, TeachingAssignment
from journal.permissions import open_assignments
from journal.selectors.schools import current_year
from journal.selectors.scope import (
    children_of,
    class_roster,
    classes_led_by,
    classes_visible_to,
    courses_taught_by,
    courses_visible_to,
    reads_whole_school,
)

STAFF_ROLES = (Role.ADMINISTRATOR, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages of the journal side: parents and students never reach them (§3.12)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_role(*STAFF_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _teachers_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=TeachingAssignment.objects.filter(open_assignments()).select_related("teacher"),
        to_attr="open_assignments",
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    school = request.school
    context: dict[str, Any] = {"school": school, "year": current_year(school), "today": timezone.localdate()}
    if user.has_role(Role.TEACHER):
        context["my_courses"] = courses_taught_by(user, school).select_related("class_group", "subject", "subgroup")
        context["led_classes"] = classes_led_by(user, school)
    if reads_whole_school(user):
        context["school_classes"] = classes_visible_to(user, school).select_related("class_teacher")
    if user.has_role(Role.PARENT):
        context["children"] = children_of(user, school).prefetch_related(
            Prefetch("parent_links", queryset=ParentLink.objects.filter(parent=user, ended_at__isnull=True))
        )
    if user.has_role(Role.STUDENT):
        context["own_profile"] = getattr(user, "student_profile", None)
    return render(request, "journal/home.html", context)


@staff_required
def course_list(request: HttpRequest) -> HttpResponse:
    courses = (
        courses_visible_to(request.user, request.school)
        .filter(class_group__year__is_current=True)
        .select_related("class_group", "subject", "subgroup")
        .prefetch_related(_teachers_prefetch())
        .order_by("class_group__grade", "class_group__letter", "subject__name", "subgroup__name")
    )
    return render(request, "journal/course_list.html", {"courses": courses})


@staff_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request.user, request.school, course_id)
    assignments = course.assignments.select_related("teacher").order_by("date_from")
    roster = class_roster(course.class_group)
    if course.subgroup_id:
        roster = roster.filter(student__subgroups=course.subgroup)
    can_edit = courses_taught_by(request.user, request.school).filter(pk=course.pk).exists()
    return render(
        request,
        "journal/course_detail.html",
        {"course": course, "assignments": assignments, "roster": roster, "can_edit": can_edit},
    )


@staff_required
def class_list(request: HttpRequest) -> HttpResponse:
    classes = (
        classes_visible_to(request.user, request.school)
        .filter(year__is_current=True)
        .select_related("class_teacher", "home_room")
    )
    return render(request, "journal/class_list.html", {"classes": classes})


@staff_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_for_user(request.user, request.school, class_id)
    courses = (
        courses_visible_to(request.user, request.school)
        .filter(class_group=class_group)
        .select_related("subject", "subgroup")
        .prefetch_related(_teachers_prefetch())
    )
    return render(
        request,
        "journal/class_detail.html",
        {
            "class_group": class_group,
            "roster": class_roster(class_group),
            "courses": courses,
            # The class teacher's documents of the class (weekly printouts, diary acknowledgements):
            # its class teacher and the administration.
            "leads_class": class_group.class_teacher_id == request.user.pk or reads_whole_school(request.user),
        },
    )


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_student_for_user(request.user, request.school, student_id)
    enrolments = student.enrolments.select_related("class_group").order_by("-date_from")
    parent_links = None
    if request.user.has_role(*STAFF_ROLES):
        parent_links = student.parent_links.filter(ended_at__isnull=True).select_related("parent")
    return render(
        request,
        "journal/student_detail.html",
        {"student": student, "enrolments": enrolments, "parent_links": parent_links},
    )
