"""The home page: what each role starts from; the page of a server error."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from core import desks
from diary.views.pages import week as diary_week
from journal import rules
from journal.selectors.lessons import week_of
from journal.selectors.schools import current_year
from journal.selectors.scope import (
    children_of,
    children_without_consent,
    classes_led_by,
    classes_visible_to,
    courses_taught_by,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's desk: today's work of each of their roles (:mod:`core.desks`). A parent of one child and
    a student see the diary's week right here (no redirect: one round trip less on a phone)."""
    user = request.user
    school = request.school
    today = timezone.localdate()
    year = current_year(school)
    context: dict[str, Any] = {"school": school, "year": year, "today": today}
    staff = rules.is_staff(user)
    if rules.is_parent(user):
        children = list(children_of(user, school))
        context["without_consent"] = list(children_without_consent(user, school))
        if len(children) == 1 and not staff and not context["without_consent"]:
            return diary_week(request, student_id=children[0].pk)
        context["children"] = desks.children_weeks(children, today) if children else []
    if rules.is_student(user) and not staff and not rules.is_parent(user):
        own = getattr(user, "student_profile", None)
        if own is not None:
            return diary_week(request, student_id=own.pk)
    if school is not None and rules.is_teacher(user):
        monday, sunday = week_of(today)
        week = desks.teacher_lessons(user, school, monday, sunday)
        context["lessons_today"] = [row for row in week if row.lesson.date == today]
        # The days gone show only what is left to fill; the days ahead every lesson.
        context["week_days"] = _by_day(
            row for row in week if row.lesson.date > today or (row.lesson.date < today and row.todo)
        )
        context["week_todo"] = sum(bool(row.todo) for row in week)
        context["week_filled"] = sum(
            1 for row in week if row.lesson.date < today and not row.todo and not row.cancelled
        )
        context["substituting"] = [row for row in week if row.substitution is not None and row.lesson.date >= today]
        context["my_courses"] = courses_taught_by(user, school).select_related("class_group", "subject", "subgroup")
        context["classes_at_glance"] = [desks.class_at_glance(c, today) for c in classes_led_by(user, school)]
    if school is not None and year is not None and rules.reads_school_monitoring(user):
        context["school_day"] = desks.school_day(school, year, today)
    if school is not None and rules.administers(user):
        context["accounts"] = desks.school_accounts(school)
    if rules.reads_whole_school(user):
        context["school_classes"] = classes_visible_to(user, school).select_related("class_teacher")
    return render(request, "core/home.html", context)


def _by_day(rows: Iterable[desks.DeskLesson]) -> list[tuple[datetime.date, list[desks.DeskLesson]]]:
    found: dict[datetime.date, list[desks.DeskLesson]] = {}
    for row in rows:
        found.setdefault(row.lesson.date, []).append(row)
    return list(found.items())


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the database unreachable (an outage, a restart) is a 503 «temporarily unavailable»
    in Russian, asked again shortly (the grid's saves retry a 5xx by themselves); anything else the plain
    500 page. Neither page reads the database."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        if "application/json" in request.headers.get("Accept", "") or request.path.endswith("/cell/"):
            response: HttpResponse = JsonResponse({"error": _("The service is temporarily unavailable.")}, status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
