"""The home page: what each role starts from; the page of a server error."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from journal import rules
from journal.models import ParentLink
from journal.selectors.schools import current_year
from journal.selectors.scope import children_of, classes_led_by, classes_visible_to, courses_taught_by


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    school = request.school
    context: dict[str, Any] = {"school": school, "year": current_year(school), "today": timezone.localdate()}
    if rules.is_teacher(user):
        context["my_courses"] = courses_taught_by(user, school).select_related("class_group", "subject", "subgroup")
        context["led_classes"] = classes_led_by(user, school)
    if rules.reads_whole_school(user):
        context["school_classes"] = classes_visible_to(user, school).select_related("class_teacher")
    if rules.is_parent(user):
        context["children"] = children_of(user, school).prefetch_related(
            Prefetch("parent_links", queryset=ParentLink.objects.filter(parent=user, ended_at__isnull=True))
        )
    if rules.is_student(user):
        context["own_profile"] = getattr(user, "student_profile", None)
    return render(request, "core/home.html", context)


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
