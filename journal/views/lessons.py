"""A course's lessons and one lesson's page: topic, kind, held or planned, the results date of a test.

Reading: whoever sees the course, or substitutes the lesson. Writing: the course's teacher or the
lesson's substitute (:func:`journal.rules.writes_lesson`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import deny_unless, staff_required
from core.messages import error_text, flash_errors
from journal.access import LessonAccess, get_course_for_user, get_lesson_for_user, lesson_access
from journal.forms.lessons import (
    ResultsForm,
)
from journal.forms.plans import (
    LessonTopicForm,
)
from journal.models import LessonStatus
from journal.selectors.plans import (
    lessons_of_course,
    next_plan_item,
    plan_for_course,
    plan_items,
)
from journal.services import plans as services
from journal.services.plans import lesson_set_results_on


@staff_required
def course_lessons(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_course_for_user(request.user, request.school, course_id)
    lessons = lessons_of_course(course)
    return render(
        request, "journal/lesson_list.html", {"course": course, "lessons": lessons, "today": timezone.localdate()}
    )


def lesson_page_context(access: LessonAccess, form: LessonTopicForm | None = None) -> dict[str, Any]:
    """What the lesson page shows; the form and the next plan item only to those who write the lesson."""
    lesson = access.lesson
    plan = plan_for_course(lesson.course)
    items = plan_items(plan)
    can_write = access.writes
    # A substitute reaches this one lesson, not the course's other pages: no links to them.
    course_visible = access.sees_course
    context: dict[str, Any] = {
        "lesson": lesson,
        "course": lesson.course,
        "plan": plan,
        "can_write": can_write,
        "course_visible": course_visible,
    }
    if can_write:
        context["form"] = form or LessonTopicForm(
            initial={"topic": lesson.topic, "kind": lesson.kind, "plan_item": lesson.plan_item_id}, items=items
        )
        if lesson.status == LessonStatus.PLANNED and not lesson.topic:
            context["next_item"] = lesson.plan_item or next_plan_item(lesson.course, plan)
    return context


@staff_required
@require_http_methods(["GET", "POST"])
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    access = lesson_access(request.user, request.school, lesson_id)
    if request.method != "POST":
        return render(request, "journal/lesson_detail.html", lesson_page_context(access))
    deny_unless(access.writes)
    lesson = access.lesson
    form = LessonTopicForm(request.POST, items=plan_items(plan_for_course(lesson.course)))
    if form.is_valid():
        try:
            services.lesson_set_topic(
                actor=request.user,
                lesson=lesson,
                topic=form.cleaned_data["topic"],
                plan_item=form.cleaned_data["plan_item"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The topic has been saved."))
            return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))
    return render(request, "journal/lesson_detail.html", lesson_page_context(access, form), status=400)


@staff_required
@require_POST
def lesson_hold(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    try:
        lesson = services.lesson_hold(actor=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if lesson.topic:
            messages.success(request, _("The lesson is marked held: «%(topic)s».") % {"topic": lesson.topic})
        else:
            messages.warning(request, _("The lesson is marked held. The plan has no topic left for it: enter it."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


@staff_required
@require_POST
def lesson_attendance_taken(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    """«Everyone else is present»: the attendance of the lesson is taken (the monitoring counts it)."""
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    try:
        services.lesson_attendance_taken(actor=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Attendance is taken: everyone not marked absent was present."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


@staff_required
@require_POST
def lesson_unhold(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    try:
        services.lesson_unhold(actor=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The lesson is planned again."))
    return redirect(reverse("journal:lesson_detail", args=[lesson.pk]))


@staff_required
@require_POST
def lesson_results(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The teacher (or the lesson's substitute) sets or clears the day a test's results were given."""
    lesson = get_lesson_for_user(request.user, request.school, lesson_id, write=True)
    form = ResultsForm(request.POST)
    back = redirect(reverse("journal:lesson_detail", args=[lesson.pk]))
    if not form.is_valid():
        flash_errors(request, form)
        return back
    try:
        lesson = lesson_set_results_on(actor=request.user, lesson=lesson, results_on=form.cleaned_data["results_on"])
    except ValidationError as error:
        flash_errors(request, error)
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
