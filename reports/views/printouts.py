"""Weekly paper printouts (§1.10, §8.3): the class teacher's page of a class, and one student's week as PDF."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.decorators import staff_required
from core.params import parse_day
from core.widgets import DateInput
from journal.access import get_student_for_user
from journal.models import ClassGroup
from reports.access import get_printout_class_for_user
from reports.printouts import render_printout, student_printout_filename
from reports.selectors.documents import class_printout_documents
from reports.selectors.weekly_printout import (
    printout_students_today,
    student_class_in_week,
    week_bounds,
    week_label,
    weekly_printout,
)
from reports.services.printouts import weekly_printout_request
from reports.views.documents import flash_requested

# The page lists this many of the latest weeks.
WEEKS_SHOWN = 20


class WeekForm(forms.Form):
    week = forms.DateField(
        label=gettext_lazy("Week (any day of it)"), widget=DateInput(attrs={"class": "form-control"})
    )


def _page(request: HttpRequest, class_group: ClassGroup, form: WeekForm, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "reports/class_printouts.html",
        {
            "class_group": class_group,
            "form": form,
            "documents": class_printout_documents(class_group)[:WEEKS_SHOWN],
            "students": printout_students_today(class_group, today),
            "this_week": week_label(week_bounds(today)[0]),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def class_printouts(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's printouts by week; «Сформировать» asks for a chosen week's (class teacher, administration)."""
    class_group = get_printout_class_for_user(request.user, request.school, class_id)
    if request.method != "POST":
        return _page(request, class_group, WeekForm(initial={"week": timezone.localdate()}))
    form = WeekForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("week", []):
            messages.error(request, f"{form.fields['week'].label}: {error}")
        return _page(request, class_group, form, status=400)
    try:
        document = weekly_printout_request(actor=request.user, class_group=class_group, week=form.cleaned_data["week"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _page(request, class_group, form, status=400)
    monday = document.week_start or form.cleaned_data["week"]
    week = {"week": week_label(monday)}
    flash_requested(
        request,
        document,
        ready=_("The printout for the week %(week)s is ready.") % week,
        making=_("The printout for the week %(week)s has been requested; it is made in the background.") % week,
    )
    return redirect(reverse("reports:class_printouts", args=[class_group.pk]))


def _week(request: HttpRequest) -> datetime.date | None:
    try:
        return parse_day(request.GET.get("week")) or timezone.localdate()
    except ValueError:
        return None


@login_required
@require_GET
def student_week_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's printout of a week (``?week=YYYY-MM-DD``, any day of it; default this week).

    Rendered in the request, not as a stored document: one page takes well under a second,
    the parent gets it at once, and no file of a child's week is left on the server.
    """
    student = get_student_for_user(request.user, request.school, student_id)
    day = _week(request)
    if day is None:
        return HttpResponseBadRequest(_("The week must be a date in the form YYYY-MM-DD."))
    monday, _sunday = week_bounds(day)
    class_group = student_class_in_week(student, monday)
    if class_group is None:
        raise Http404("The student was in no class that week")
    printout = weekly_printout(class_group, monday, students=[student])
    response = HttpResponse(render_printout(printout), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=student_printout_filename(student, monday)
    )
    return response
